#include "qtrain/ptq.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "qtrain/emulate.h"
#include "qtrain/metrics.h"
#include "qtrain/model.h"
#include "qtrain/run_config.h"

namespace qtrain {
namespace {

using nlohmann::json;
using quantizers::FixedType;
using quantizers::HardwareType;

// The value at quantile q of sorted values (nearest rank).
double nearest_rank(const torch::Tensor& sorted, double q) {
  int64_t n = sorted.numel();
  int64_t index = std::min(n - 1, static_cast<int64_t>(std::floor(q * static_cast<double>(n - 1) + 0.5)));
  return sorted[index].item<double>();
}

FixedType signed_type(int width, int integer) {
  FixedType t;
  t.width = width;
  t.integer = integer;
  return t;
}

ConfigType fixed_config(const FixedType& t) { return ConfigType{HardwareType{HardwareType::Kind::Fixed, t}}; }

std::string percent(int64_t part, int64_t whole) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << (whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return os.str();
}

}  // namespace

int ValueRange::integer_bits() const {
  int bits = 1;
  if (max > 0) bits = std::max(bits, static_cast<int>(std::floor(std::log2(max))) + 2);  // max < 2^(I-1)
  if (min < 0) bits = std::max(bits, static_cast<int>(std::ceil(std::log2(-min))) + 1);  // min >= -2^(I-1)
  return bits;
}

ValueRange value_range(const torch::Tensor& values) {
  torch::Tensor v = values.to(torch::kFloat64).flatten();
  if (v.numel() == 0) throw RunError("no values to profile (empty calibration data?)");
  if (torch::isnan(v).any().item<bool>()) throw RunError("NaN among the values to profile");
  torch::Tensor sorted = std::get<0>(v.sort());
  ValueRange r;
  r.count = v.numel();
  r.min = sorted[0].item<double>();
  r.max = sorted[-1].item<double>();
  r.low = nearest_rank(sorted, 0.001);
  r.high = nearest_rank(sorted, 0.999);
  return r;
}

std::vector<LayerProfile> profile(const Model& model, const HlsModel& firmware, const torch::Tensor& x) {
  if (x.size(0) == 0) throw RunError("profile: the calibration data is empty");
  HlsModel ideal = plan_hls_layers(model);  // float parameters
  if (ideal.layers.size() != firmware.layers.size()) throw std::logic_error("profile: firmware of another model");
  std::vector<torch::Tensor> outputs = emulate_layers(ideal, x, Arithmetic::Float);
  std::vector<LayerProfile> profiles;
  for (size_t k = 0; k < ideal.layers.size(); ++k) {
    const HlsLayer& h = ideal.layers[k];
    LayerProfile p;
    p.layer = h.name;
    p.layer_class = h.layer_class;
    if (h.weight.defined()) p.weight = value_range(h.weight);
    if (h.bias.defined()) p.bias = value_range(h.bias);
    p.output = value_range(outputs[k]);
    const HardwareType& type = firmware.layers[k].type("result");
    p.output_type = type.to_string();
    if (type.kind == HardwareType::Kind::Fixed)
      p.overflows = ((outputs[k] < type.fixed.min_value()) | (outputs[k] > type.fixed.max_value())).sum().item<int64_t>();
    profiles.push_back(std::move(p));
  }
  return profiles;
}

std::string profile_report(const std::vector<LayerProfile>& profiles) {
  std::ostringstream os;
  os << std::left << std::setw(22) << "layer" << std::setw(12) << "values" << std::right << std::setw(12) << "min"
     << std::setw(12) << "0.1%" << std::setw(12) << "99.9%" << std::setw(12) << "max" << std::setw(6) << "I"
     << "  type\n";
  auto row = [&](const std::string& layer, const char* what, const ValueRange& r, const std::string& type) {
    os << std::left << std::setw(22) << layer << std::setw(12) << what << std::right << std::setprecision(5)
       << std::setw(12) << r.min << std::setw(12) << r.low << std::setw(12) << r.high << std::setw(12) << r.max
       << std::setw(6) << r.integer_bits() << "  " << type << "\n";
  };
  for (const LayerProfile& p : profiles) {
    if (p.weight) row(p.layer, "weight", *p.weight, "");
    if (p.bias) row(p.layer, "bias", *p.bias, "");
    row(p.layer, "output", p.output, p.output_type);
  }
  int64_t total = 0;
  for (const LayerProfile& p : profiles) {
    if (p.overflows == 0) continue;
    os << "overflows in " << p.layer << ": " << percent(p.overflows, p.output.count) << " % (" << p.overflows << "/"
       << p.output.count << ")\n";
    total += p.overflows;
  }
  if (total == 0) os << "no overflows\n";
  return os.str();
}

json profile_json(const std::vector<LayerProfile>& profiles) {
  auto range = [](const ValueRange& r) {
    return json{{"count", r.count}, {"min", r.min}, {"max", r.max}, {"q0.1", r.low}, {"q99.9", r.high},
                {"integer_bits", r.integer_bits()}};
  };
  json layers = json::array();
  for (const LayerProfile& p : profiles) {
    json l = {{"layer", p.layer}, {"class", p.layer_class}, {"output", range(p.output)},
              {"output_type", p.output_type}, {"overflows", p.overflows}};
    if (p.weight) l["weight"] = range(*p.weight);
    if (p.bias) l["bias"] = range(*p.bias);
    layers.push_back(l);
  }
  return json{{"layers", layers}};
}

std::string profile_svg(const std::vector<LayerProfile>& profiles, const HlsModel& firmware) {
  // x: log2 of magnitudes from -20 to 20; one row per layer.
  const double lo = -20, hi = 20, left = 170, width = 600, row_height = 24, top = 30;
  auto x_of = [&](double log2v) { return left + (std::clamp(log2v, lo, hi) - lo) / (hi - lo) * width; };
  auto log2_magnitude = [](double v) { return v == 0 ? -1e9 : std::log2(std::fabs(v)); };
  std::ostringstream os;
  const double height = top + row_height * static_cast<double>(profiles.size()) + 40;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << left + width + 20 << "\" height=\"" << height
     << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
     << "<text x=\"" << left << "\" y=\"16\">log2 |value| of layer outputs (box: 0.1%-99.9%, line: max) "
     << "against the result type (grey)</text>\n";
  for (int e = static_cast<int>(lo); e <= static_cast<int>(hi); e += 4)
    os << "<line x1=\"" << x_of(e) << "\" y1=\"" << top << "\" x2=\"" << x_of(e) << "\" y2=\"" << height - 30
       << "\" stroke=\"#ddd\"/><text x=\"" << x_of(e) - 6 << "\" y=\"" << height - 14 << "\">" << e << "</text>\n";
  for (size_t k = 0; k < profiles.size(); ++k) {
    const LayerProfile& p = profiles[k];
    const double y = top + row_height * static_cast<double>(k);
    os << "<text x=\"4\" y=\"" << y + 15 << "\">" << p.layer << "</text>\n";
    const HardwareType& t = firmware.layers[k].type("result");
    if (t.kind == HardwareType::Kind::Fixed) {
      double type_lo = -t.fixed.fractional(), type_hi = t.fixed.integer - (t.fixed.is_signed ? 1 : 0);
      os << "<rect x=\"" << x_of(type_lo) << "\" y=\"" << y + 2 << "\" width=\"" << x_of(type_hi) - x_of(type_lo)
         << "\" height=\"" << row_height - 4 << "\" fill=\"#ccc\"/>\n";
    }
    double box_lo = std::min(log2_magnitude(p.output.low), log2_magnitude(p.output.high));
    double box_hi = std::max(log2_magnitude(p.output.low), log2_magnitude(p.output.high));
    double top_value = std::max(log2_magnitude(p.output.min), log2_magnitude(p.output.max));
    os << "<rect x=\"" << x_of(box_lo) << "\" y=\"" << y + 7 << "\" width=\"" << std::max(1.0, x_of(box_hi) - x_of(box_lo))
       << "\" height=\"" << row_height - 14 << "\" fill=\"" << (p.overflows ? "#d62728" : "#1f77b4") << "\"/>\n"
       << "<line x1=\"" << x_of(box_hi) << "\" y1=\"" << y + row_height / 2 << "\" x2=\"" << x_of(top_value)
       << "\" y2=\"" << y + row_height / 2 << "\" stroke=\"black\"/>\n";
  }
  os << "</svg>\n";
  return os.str();
}

double emulated_accuracy(const HlsModel& plan, const HlsConfig& config, const torch::Tensor& x, const torch::Tensor& labels) {
  return accuracy(emulate(build_hls_model(plan, config), x).front(), labels);
}

double emulated_accuracy(const Model& model, const HlsConfig& config, const torch::Tensor& x, const torch::Tensor& labels) {
  return emulated_accuracy(plan_hls_layers(model), config, x, labels);
}

HlsConfig homogeneous_config(const FixedType& type) {
  HlsConfig c;
  c.default_precision = fixed_config(type);
  return c;
}

HlsConfig profiled_config(const std::vector<LayerProfile>& profiles, int width, int margin) {
  HlsConfig c;
  for (const LayerProfile& p : profiles) {
    if (p.layer_class == "Reshape") continue;  // passes its input's type through
    LayerSettings& s = c.layer_name[p.layer];
    auto set = [&](const char* variable, const ValueRange& r) {
      s.precision[variable] = fixed_config(signed_type(width, r.integer_bits() + margin));
    };
    if (p.weight) set("weight", *p.weight);
    if (p.bias) set("bias", *p.bias);
    if (p.layer_class != "Softmax") set("result", p.output);
    if (p.weight) s.precision["accum"] = ConfigType{};  // exact, §3.8
  }
  return c;
}

HlsConfig heterogeneous_ptq(Model& model, const std::vector<LayerProfile>& profiles, const torch::Tensor& x,
                            const torch::Tensor& labels, const HeterogeneousOptions& o, std::ostream* log) {
  torch::NoGradGuard no_grad;
  const double float_accuracy = accuracy(model.forward(x), labels);
  HlsConfig config = profiled_config(profiles, o.start_width, o.margin);
  const HlsModel plan = plan_hls_layers(model);
  if (log) *log << "float accuracy " << std::setprecision(4) << float_accuracy << "\n";
  std::vector<std::string> layers;
  for (const LayerProfile& p : profiles)
    if (config.layer_name.count(p.layer)) layers.push_back(p.layer);
  for (size_t i = 0; i < layers.size(); ++i) {
    const double allowed = layers.size() == 1 ? o.first_loss
                                              : o.first_loss + (o.last_loss - o.first_loss) * static_cast<double>(i) /
                                                                   static_cast<double>(layers.size() - 1);
    for (const char* variable : {"weight", "bias", "result"}) {
      auto& precision = config.layer_name[layers[i]].precision;
      if (!precision.count(variable)) continue;
      while (precision[variable].type->fixed.width > o.min_width) {
        const ConfigType kept = precision[variable];
        FixedType narrower = kept.type->fixed;
        narrower.width -= 1;
        precision[variable] = fixed_config(narrower);
        double acc = emulated_accuracy(plan, config, x, labels);
        if (float_accuracy - acc > allowed) {
          precision[variable] = kept;
          break;
        }
      }
      if (log)
        *log << layers[i] << "." << variable << ": " << precision[variable].to_string() << " (allowed loss "
             << allowed << ")\n";
    }
  }
  return config;
}

}  // namespace qtrain
