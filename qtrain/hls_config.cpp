#include "qtrain/hls_config.h"

#include <set>

#include "qtrain/hls_model.h"
#include "qtrain/model.h"

namespace qtrain {
namespace {

using nlohmann::json;
using quantizers::FixedType;
using quantizers::HardwareType;

// Reads one JSON object of the config, naming "<source>: <path>.<key>" in errors
// and rejecting keys nobody asked for.
class Entry {
 public:
  Entry(const json& object, std::string source, std::string path)
      : object_(object), source_(std::move(source)), path_(std::move(path)) {
    if (!object_.is_object()) throw error("", "must be an object, got " + object_.dump());
  }
  HlsConfigError error(const std::string& key, const std::string& what) const {
    std::string field = key.empty() ? path_ : path_.empty() ? key : path_ + "." + key;
    return HlsConfigError(source_ + ": hls." + field + " " + what);
  }
  const json* get(const std::string& key) {
    known_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::optional<std::string> string(const std::string& key, const std::set<std::string>& choices = {}) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) throw error(key, "must be a string, got " + v->dump());
    std::string s = v->get<std::string>();
    if (!choices.empty() && !choices.count(s)) {
      std::string list;
      for (const std::string& c : choices) list += (list.empty() ? "" : ", ") + c;
      throw error(key, "must be one of " + list + ", got \"" + s + "\"");
    }
    return s;
  }
  std::optional<int> positive(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > (1 << 30))
      throw error(key, "must be a positive integer, got " + v->dump());
    return v->get<int>();
  }
  ConfigType type(const std::string& key, const json& value) const {
    if (!value.is_string()) throw error(key, "must be a type string, got " + value.dump());
    try {
      return ConfigType::parse(value.get<std::string>());
    } catch (const quantizers::FixedTypeError& e) {
      throw error(key, e.what());
    }
  }
  Entry child(const std::string& key) { return Entry(*get(key), source_, path_ + "." + key); }
  void finish() const {
    for (const auto& [key, value] : object_.items())
      if (!known_.count(key)) throw error(key, "is not a known key");
  }

 private:
  const json& object_;
  std::string source_, path_;
  std::set<std::string> known_;
};

const std::set<std::string> kStrategies = {"Latency", "Resource"};
const std::set<std::string> kSoftmaxImplementations = {"latency", "stable", "legacy", "argmax"};

// "Precision": a type string (every variable of the layer) or a dict of them.
void read_precision(Entry& entry, LayerSettings& settings) {
  const json* p = entry.get("Precision");
  if (!p) return;
  if (p->is_string()) {
    settings.precision["default"] = entry.type("Precision", *p);
    return;
  }
  if (!p->is_object()) throw entry.error("Precision", "must be a type string or an object of them");
  for (const auto& [variable, value] : p->items()) settings.precision[variable] = entry.type("Precision." + variable, value);
}

LayerSettings read_layer(Entry entry) {
  LayerSettings s;
  read_precision(entry, s);
  s.reuse_factor = entry.positive("ReuseFactor");
  s.strategy = entry.string("Strategy", kStrategies);
  s.table_size = entry.positive("TableSize");
  s.implementation = entry.string("Implementation", kSoftmaxImplementations);
  entry.finish();
  return s;
}

json layer_to_json(const LayerSettings& s) {
  json j = json::object();
  if (!s.precision.empty()) {
    auto only_default = s.precision.find("default");
    if (s.precision.size() == 1 && only_default != s.precision.end()) {
      j["Precision"] = only_default->second.to_string();
    } else {
      json p = json::object();
      for (const auto& [variable, type] : s.precision) p[variable] = type.to_string();
      j["Precision"] = p;
    }
  }
  if (s.reuse_factor) j["ReuseFactor"] = *s.reuse_factor;
  if (s.strategy) j["Strategy"] = *s.strategy;
  if (s.table_size) j["TableSize"] = *s.table_size;
  if (s.implementation) j["Implementation"] = *s.implementation;
  return j;
}

}  // namespace

ConfigType ConfigType::parse(const std::string& text) {
  if (text == "auto") return ConfigType{};
  return ConfigType{HardwareType::parse(text)};
}

std::string ConfigType::to_string() const { return type ? type->to_string() : "auto"; }

HlsConfig HlsConfig::from_json(const json& j, const std::string& source) {
  HlsConfig c;
  Entry top(j, source, "");
  auto top_error = [&](const std::string& key, const std::string& what) {
    return HlsConfigError(source + ": hls." + key + " " + what);
  };
  if (const json* m = top.get("Model")) {
    Entry model(*m, source, "Model");
    if (const json* p = model.get("Precision")) {
      if (p->is_string()) {
        c.default_precision = model.type("Precision", *p);
      } else if (p->is_object()) {
        for (const auto& [variable, value] : p->items()) {
          std::string key = "Precision." + variable;
          if (variable == "default") {
            c.default_precision = model.type(key, value);
          } else if (variable == "maximum") {
            ConfigType t = model.type(key, value);
            if (!t.type || t.type->kind != HardwareType::Kind::Fixed)
              throw model.error(key, "must be a fixed-point type");
            c.maximum_precision = t.type->fixed;
          } else {
            c.model.precision[variable] = model.type(key, value);
          }
        }
      } else {
        throw model.error("Precision", "must be a type string or an object of them");
      }
      if (c.default_precision.is_auto()) throw model.error("Precision.default", "cannot be auto");
    }
    c.model.reuse_factor = model.positive("ReuseFactor");
    c.model.strategy = model.string("Strategy", kStrategies);
    c.model.table_size = model.positive("TableSize");
    model.finish();
  }
  for (auto [key, target] : {std::pair{"LayerType", &c.layer_type}, std::pair{"LayerName", &c.layer_name}}) {
    const json* entries = top.get(key);
    if (!entries) continue;
    if (!entries->is_object()) throw top_error(key, "must be an object");
    for (const auto& [name, value] : entries->items())
      (*target)[name] = read_layer(Entry(value, source, std::string(key) + "." + name));
  }
  if (auto io = top.string("IOType", {"io_parallel", "io_stream"})) c.io_type = *io;
  if (auto part = top.string("Part")) c.part = *part;
  if (const json* clock = top.get("ClockPeriod")) {
    if (!clock->is_number() || !(clock->get<double>() > 0)) throw top_error("ClockPeriod", "must be a positive number of ns");
    c.clock_period = clock->get<double>();
  }
  top.finish();
  return c;
}

json HlsConfig::to_json() const {
  json precision = {{"default", default_precision.to_string()}};
  if (maximum_precision) precision["maximum"] = maximum_precision->to_string();
  for (const auto& [variable, type] : model.precision) precision[variable] = type.to_string();
  json m = {{"Precision", precision},
            {"ReuseFactor", model.reuse_factor.value_or(1)},
            {"Strategy", model.strategy.value_or("Latency")}};
  if (model.table_size) m["TableSize"] = *model.table_size;
  json j = {{"Model", m}, {"IOType", io_type}, {"Part", part}, {"ClockPeriod", clock_period}};
  for (auto [key, entries] : {std::pair{"LayerType", &layer_type}, std::pair{"LayerName", &layer_name}}) {
    if (entries->empty()) continue;
    json e = json::object();
    for (const auto& [name, settings] : *entries) e[name] = layer_to_json(settings);
    j[key] = e;
  }
  return j;
}

namespace {

// The first of LayerName, LayerType that sets `pick`, then Model.
template <class T, class Pick>
std::optional<T> lookup(const HlsConfig& c, const std::string& layer, const std::string& layer_class, Pick pick) {
  for (const auto* entries : {&c.layer_name, &c.layer_type}) {
    auto it = entries->find(entries == &c.layer_name ? layer : layer_class);
    if (it == entries->end()) continue;
    if (std::optional<T> v = pick(it->second)) return v;
  }
  return pick(c.model);
}

}  // namespace

std::optional<ConfigType> HlsConfig::precision(const std::string& layer, const std::string& layer_class,
                                               const std::string& variable) const {
  return lookup<ConfigType>(*this, layer, layer_class, [&](const LayerSettings& s) -> std::optional<ConfigType> {
    auto it = s.precision.find(variable);
    if (it == s.precision.end()) it = s.precision.find("default");
    if (it == s.precision.end()) return std::nullopt;
    return it->second;
  });
}

int HlsConfig::reuse_factor(const std::string& layer, const std::string& layer_class) const {
  return lookup<int>(*this, layer, layer_class, [](const LayerSettings& s) { return s.reuse_factor; }).value_or(1);
}

std::string HlsConfig::strategy(const std::string& layer, const std::string& layer_class) const {
  return lookup<std::string>(*this, layer, layer_class, [](const LayerSettings& s) { return s.strategy; })
      .value_or("Latency");
}

std::optional<int> HlsConfig::table_size(const std::string& layer, const std::string& layer_class) const {
  return lookup<int>(*this, layer, layer_class, [](const LayerSettings& s) { return s.table_size; });
}

std::optional<std::string> HlsConfig::implementation(const std::string& layer, const std::string& layer_class) const {
  return lookup<std::string>(*this, layer, layer_class, [](const LayerSettings& s) { return s.implementation; });
}

HlsConfig hls_config_of(const Model& model) {
  const json& spec = model.spec().json;
  auto it = spec.find("hls");
  if (it == spec.end() || it->is_null()) return HlsConfig{};
  return HlsConfig::from_json(*it, model.spec().source);
}

HlsConfig derive_hls_config(const Model& model, Granularity granularity, const std::string& default_precision) {
  HlsConfig c;
  c.default_precision = ConfigType::parse(default_precision);
  if (c.default_precision.is_auto() || c.default_precision.type->kind != HardwareType::Kind::Fixed)
    throw HlsConfigError("--default must be a fixed-point type, got \"" + default_precision + "\"");
  c.model.reuse_factor = 1;
  c.model.strategy = "Latency";
  if (granularity == Granularity::Model) return c;
  for (const HlsLayer& plan : plan_hls_layers(model).layers) {
    if (granularity == Granularity::Type) {
      c.layer_type[plan.layer_class].precision["default"] = c.default_precision;
      continue;
    }
    LayerSettings& s = c.layer_name[plan.name];
    for (const std::string& variable : plan.variables) s.precision[variable] = ConfigType{};
    for (const auto& [variable, type] : plan.quantizer_types) s.precision[variable] = ConfigType{type};
    if (plan.weight.defined()) s.reuse_factor = 1;
  }
  return c;
}

}  // namespace qtrain
