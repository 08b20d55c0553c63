#include "autoq/config.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <type_traits>

#include "energy/data_type.h"
#include "energy/memory.h"
#include "qtrain/files.h"
#include "quantizers/quantizer.h"

namespace autoq {

using nlohmann::json;

QuantizationConfig default_quantization_config() {
  // qkeras.md §6.4, AutoQKeras' default quantization_config.
  return {
      {"kernel",
       {{"binary", 1},
        {"stochastic_binary", 1},
        {"ternary", 2},
        {"stochastic_ternary", 2},
        {"quantized_bits(2,1,1,alpha=1.0)", 2},
        {"quantized_bits(4,0,1)", 4},
        {"quantized_bits(8,0,1)", 8},
        {"quantized_po2(4,1)", 4}}},
      {"bias", {{"quantized_bits(4,0,1)", 4}, {"quantized_bits(8,3,1)", 8}, {"quantized_po2(4,8)", 4}}},
      {"activation",
       {{"binary", 1},
        {"binary(alpha='auto_po2')", 1},
        {"ternary", 2},
        {"quantized_relu(3,1)", 3},
        {"quantized_relu(4,2)", 4},
        {"quantized_relu(8,2)", 8},
        {"quantized_relu(8,4)", 8},
        {"quantized_relu(16,8)", 16},
        {"quantized_relu_po2(4,4)", 4}}},
      {"linear",
       {{"binary", 1},
        {"ternary", 2},
        {"quantized_bits(4,1)", 4},
        {"quantized_bits(8,2)", 8},
        {"quantized_bits(16,10)", 16},
        {"quantized_po2(6,4)", 6}}},
  };
}

namespace {

struct Reader {
  const std::string& source;

  std::invalid_argument error(const std::string& field, const std::string& what) const {
    return std::invalid_argument(source + ": " + field + " " + what);
  }

  int positive_int(const json& j, const std::string& field) const {
    if (!j.is_number_integer() || j.get<int64_t>() < 1 || j.get<int64_t>() > 1000000)
      throw error(field, "must be a positive integer, got " + j.dump());
    return j.get<int>();
  }

  double positive_number(const json& j, const std::string& field) const {
    if (!j.is_number() || !(j.get<double>() > 0)) throw error(field, "must be a positive number, got " + j.dump());
    return j.get<double>();
  }

  std::vector<MenuItem> menu(const json& j, const std::string& field) const {
    if (!j.is_object() || j.empty()) throw error(field, "must be a non-empty object {quantizer: bits}");
    std::vector<MenuItem> items;
    for (const auto& [quantizer, bits] : j.items()) {
      try {
        quantizers::parse_quantizer(quantizer);
      } catch (const std::exception& e) {
        throw error(field, "has an unknown quantizer '" + quantizer + "': " + e.what());
      }
      items.push_back({quantizer, positive_int(bits, field + "." + quantizer)});
    }
    return items;
  }

  LimitEntry limit_entry(const json& j, const std::string& field) const {
    if (j.is_number_integer()) return positive_int(j, field);
    if (j.is_array() && !j.empty()) {
      std::vector<std::string> names;
      for (const json& name : j) {
        if (!name.is_string()) throw error(field, "must be a bit count or a list of quantizer strings");
        names.push_back(name.get<std::string>());
      }
      return names;
    }
    throw error(field, "must be a bit count or a non-empty list of quantizer strings, got " + j.dump());
  }

  Goal goal(const json& g) const {
    if (!g.is_object() || !g.contains("type") || !g["type"].is_string())
      throw error("goal", "must be {\"type\": \"bits\" or \"energy\", \"params\": {...}}");
    Goal goal;
    const std::string type = g["type"].get<std::string>();
    if (type == "bits") goal.kind = Goal::Kind::Bits;
    else if (type == "energy") goal.kind = Goal::Kind::Energy;
    else throw error("goal.type", "must be \"bits\" or \"energy\", got \"" + type + "\"");
    if (!g.contains("params")) return goal;
    const json& p = g["params"];
    if (!p.is_object()) throw error("goal.params", "must be an object");
    for (const auto& [key, value] : p.items()) {
      const std::string field = "goal.params." + key;
      if (key == "delta_p" || key == "delta_n") {
        if (!value.is_number() || value.get<double>() < 0) throw error(field, "must be a non-negative number");
        (key == "delta_p" ? goal.delta_p : goal.delta_n) = value.get<double>();
      } else if (key == "rate") {
        goal.rate = positive_number(value, field);
        if (goal.rate == 1) throw error(field, "must not be 1 (it is the base of a logarithm)");
      } else if (key == "stress") {
        goal.stress = positive_number(value, field);
      } else if (goal.kind == Goal::Kind::Energy) {
        energy_param(goal, key, value, field);
      } else {
        throw error(field, "is not a parameter of the bits goal");
      }
    }
    return goal;
  }

  // A string field read by `parse`, which throws std::invalid_argument for
  // a bad value (reported naming the field): parse's result, or the string
  // itself when parse only checks it.
  template <class Parse>
  auto parsed_string(const json& value, const std::string& field, Parse parse) const {
    if (!value.is_string()) throw error(field, "must be a string, got " + value.dump());
    const std::string text = value.get<std::string>();
    try {
      if constexpr (std::is_void_v<decltype(parse(text))>) {
        parse(text);
        return text;
      } else {
        return parse(text);
      }
    } catch (const std::invalid_argument& e) {
      throw error(field, e.what());
    }
  }

  // ForgivingFactorPower's parameters; the memory options are pairs
  // [reference, trial] as in QKeras.
  void energy_param(Goal& goal, const std::string& key, const json& value, const std::string& field) const {
    auto each_of_pair = [&](auto read) {
      if (!value.is_array() || value.size() != 2) throw error(field, "must be a pair [reference, trial], got " + value.dump());
      for (size_t i = 0; i < 2; ++i) read(goal.placement[i], value[i], field + "[" + std::to_string(i) + "]");
    };
    if (key == "reference_internal") {
      goal.reference_internal = parsed_string(value, field, [&](const std::string& internal) {
        energy::check_reference_types(internal, goal.reference_accumulator);
      });
    } else if (key == "reference_accumulator") {
      goal.reference_accumulator = parsed_string(value, field, [&](const std::string& accumulator) {
        energy::check_reference_types(goal.reference_internal, accumulator);
      });
    } else if (key == "process") {
      goal.process = parsed_string(value, field, energy::check_process);
    } else if (key == "parameters_on_memory" || key == "activations_on_memory") {
      each_of_pair([&](energy::Placement& placement, const json& v, const std::string& f) {
        (key == "parameters_on_memory" ? placement.parameters : placement.activations) =
            parsed_string(v, f, energy::parse_memory);
      });
    } else if (key == "min_sram_size") {
      each_of_pair([&](energy::Placement& placement, const json& v, const std::string& f) {
        if (!v.is_number() || v.get<double>() < 0) throw error(f, "must be a non-negative number of bits, got " + v.dump());
        placement.min_sram_size = v.get<double>();
      });
    } else if (key == "rd_wr_on_io") {
      each_of_pair([&](energy::Placement& placement, const json& v, const std::string& f) {
        if (!v.is_boolean()) throw error(f, "must be true or false, got " + v.dump());
        placement.rd_wr_on_io = v.get<bool>();
      });
    } else if (key == "source_quantizers") {
      // One model input: a type name or a list of one.
      const json& source = value.is_array() && value.size() == 1 ? value[0] : value;
      goal.source_quantizer = parsed_string(source, field, [](const std::string& name) { energy::named_type(name); });
    } else if (key == "trained_model") {
      // QTools' is_inference only refines the price of po2 shifters by the
      // trained weights' distinct exponents; the search prices untrained specs.
      if (!value.is_boolean() || value.get<bool>())
        throw error(field, "must be false: trials are priced from their quantizers, not trained weights");
    } else {
      throw error(field, "is not a parameter of the energy goal");
    }
  }
};

}  // namespace

AutoqConfig AutoqConfig::from_json(const json& j, const std::string& source, const std::string& base_dir) {
  Reader r{source};
  if (!j.is_object()) throw std::invalid_argument(source + ": must be a JSON object");
  static const char* const known[] = {"run",  "quantization_config", "limit", "layers",     "goal",
                                      "metric", "max_trials",        "epochs", "seed",      "activation_bits",
                                      "description", "groups", "tuner", "initial_trials", "hyperband_factor",
                                      "learning_rate_optimizer", "tune_filters", "tune_filters_exceptions",
                                      "blocks", "schedule"};
  for (const auto& [key, value] : j.items())
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      throw r.error(key, "is not an autoq field");

  AutoqConfig c;
  c.source = source;
  if (!j.contains("run") || !j["run"].is_string()) throw r.error("run", "must name the base run config");
  std::filesystem::path run = j["run"].get<std::string>();
  c.base_run = (run.is_relative() ? std::filesystem::path(base_dir) / run : run).string();

  if (j.contains("quantization_config")) {
    const json& q = j["quantization_config"];
    if (!q.is_object()) throw r.error("quantization_config", "must be an object of menus");
    for (const auto& [type, menu] : q.items()) {
      if (type != "kernel" && type != "bias" && type != "activation" && type != "linear")
        throw r.error("quantization_config." + type, "is not a menu (kernel, bias, activation, linear)");
      c.menus[type] = r.menu(menu, "quantization_config." + type);
    }
  }

  if (j.contains("limit")) {
    const json& l = j["limit"];
    if (!l.is_object()) throw r.error("limit", "must be an object {layer class or name regex: [limits]}");
    for (const auto& [key, entries] : l.items()) {
      const std::string field = "limit." + key;
      std::vector<LimitEntry> list;
      if (entries.is_array() && !entries.empty() && !entries.front().is_string()) {
        for (size_t i = 0; i < entries.size(); ++i)
          list.push_back(r.limit_entry(entries[i], field + "[" + std::to_string(i) + "]"));
      } else {
        list.assign(3, r.limit_entry(entries, field));  // one limit for every parameter type
      }
      if (list.size() > 3) throw r.error(field, "has more than 3 entries (kernel, bias, activation)");
      c.limit[key] = list;
    }
  }

  if (j.contains("layers")) {
    if (!j["layers"].is_string()) throw r.error("layers", "must be a regex string");
    c.layers = j["layers"].get<std::string>();
  }

  if (j.contains("groups")) {
    const json& g = j["groups"];
    if (!g.is_object()) throw r.error("groups", "must be an object {group name: layer-name regex}");
    for (const auto& [name, regex] : g.items()) {
      if (!regex.is_string() || regex.get<std::string>().empty())
        throw r.error("groups." + name, "must be a non-empty regex string");
      c.groups.emplace_back(name, regex.get<std::string>());
    }
  }

  if (j.contains("goal")) c.goal = r.goal(j["goal"]);

  if (j.contains("metric")) {
    if (!j["metric"].is_string()) throw r.error("metric", "must be a test metric name");
    c.metric = j["metric"].get<std::string>();
  }
  if (j.contains("max_trials")) c.max_trials = r.positive_int(j["max_trials"], "max_trials");
  if (j.contains("epochs")) c.epochs = r.positive_int(j["epochs"], "epochs");
  if (j.contains("activation_bits")) c.activation_bits = r.positive_int(j["activation_bits"], "activation_bits");
  if (j.contains("tuner")) {
    const json& t = j["tuner"];
    const std::string name = t.is_string() ? t.get<std::string>() : "";
    if (name == "random") c.tuner = Tuner::Random;
    else if (name == "bayesian") c.tuner = Tuner::Bayesian;
    else if (name == "hyperband") c.tuner = Tuner::Hyperband;
    else throw r.error("tuner", "must be \"random\", \"bayesian\" or \"hyperband\", got " + t.dump());
  }
  if (j.contains("initial_trials")) c.initial_trials = r.positive_int(j["initial_trials"], "initial_trials");
  if (j.contains("hyperband_factor")) {
    c.hyperband_factor = r.positive_int(j["hyperband_factor"], "hyperband_factor");
    if (c.hyperband_factor < 2) throw r.error("hyperband_factor", "must be at least 2");
  }
  if (j.contains("learning_rate_optimizer")) {
    if (!j["learning_rate_optimizer"].is_boolean()) throw r.error("learning_rate_optimizer", "must be true or false");
    c.learning_rate_optimizer = j["learning_rate_optimizer"].get<bool>();
  }
  if (j.contains("tune_filters")) {
    const json& t = j["tune_filters"];
    const std::string name = t.is_string() ? t.get<std::string>() : "";
    if (name == "none") c.tune_filters = TuneFilters::None;
    else if (name == "layer") c.tune_filters = TuneFilters::Layer;
    else if (name == "block") c.tune_filters = TuneFilters::Block;
    else throw r.error("tune_filters", "must be \"none\", \"layer\" or \"block\", got " + t.dump());
  }
  if (j.contains("tune_filters_exceptions")) {
    if (!j["tune_filters_exceptions"].is_string()) throw r.error("tune_filters_exceptions", "must be a regex string");
    c.tune_filters_exceptions = j["tune_filters_exceptions"].get<std::string>();
  }
  if (j.contains("blocks")) {
    const json& b = j["blocks"];
    if (!b.is_array() || b.empty()) throw r.error("blocks", "must be a non-empty list of layer-name regexes");
    for (const json& regex : b) {
      if (!regex.is_string() || regex.get<std::string>().empty())
        throw r.error("blocks", "must be a non-empty list of layer-name regexes, got " + regex.dump());
      if (std::find(c.blocks.begin(), c.blocks.end(), regex.get<std::string>()) != c.blocks.end())
        throw r.error("blocks", "names " + regex.dump() + " twice");
      c.blocks.push_back(regex.get<std::string>());
    }
  }
  if (j.contains("schedule")) {
    const json& s = j["schedule"];
    const std::string name = s.is_string() ? s.get<std::string>() : "";
    if (name == "input_to_output") c.schedule = Schedule::InputToOutput;
    else if (name == "energy") c.schedule = Schedule::Energy;
    else throw r.error("schedule", "must be \"input_to_output\" or \"energy\", got " + s.dump());
    if (c.blocks.empty()) throw r.error("schedule", "needs blocks");
  }
  if (j.contains("seed")) {
    if (!j["seed"].is_number_unsigned()) throw r.error("seed", "must be a non-negative integer");
    c.seed = j["seed"].get<uint64_t>();
  }
  return c;
}

AutoqConfig AutoqConfig::load(const std::string& path) {
  json j;
  try {
    j = qtrain::read_json_file(path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  return from_json(j, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace autoq
