#include "autoq/search_space.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

namespace autoq {

using nlohmann::json;

namespace {

bool is_weighted(const std::string& type) {
  return type == "Dense" || type == "Conv1D" || type == "Conv2D" || type == "DepthwiseConv2D";
}

// Python's re.match: the pattern must match at the start of the name.
bool re_match(const std::string& pattern, const std::string& name, const std::string& field = "limit") {
  try {
    return std::regex_search(name, std::regex(pattern), std::regex_constants::match_continuous);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(field + ": bad regex '" + pattern + "': " + e.what());
  }
}

// The limit list of a layer: its class's, else the first name regex that
// matches it, else "default"; nullptr when the layer is not searched.
const std::vector<LimitEntry>* limit_of(const Limit& limit, const std::string& name, const std::string& type) {
  if (auto it = limit.find(type); it != limit.end()) return &it->second;
  for (const auto& [key, entries] : limit) {
    if (key == "default" || is_weighted(key) || key == "Activation") continue;
    if (re_match(key, name)) return &entries;
  }
  if (auto it = limit.find("default"); it != limit.end()) return &it->second;
  return nullptr;
}

// Entry `index` of a layer's limits; missing entries come from "default", then 8 bits.
LimitEntry entry(const Limit& limit, const std::vector<LimitEntry>& entries, size_t index) {
  if (index < entries.size()) return entries[index];
  if (auto it = limit.find("default"); it != limit.end() && index < it->second.size()) return it->second[index];
  return 8;
}

std::vector<MenuItem> filter(const std::vector<MenuItem>& menu, const LimitEntry& limit, const std::string& what) {
  std::vector<MenuItem> allowed;
  if (const int* bits = std::get_if<int>(&limit)) {
    for (const MenuItem& item : menu)
      if (item.bits <= *bits) allowed.push_back(item);
  } else {
    for (const std::string& name : std::get<std::vector<std::string>>(limit)) {
      auto it = std::find_if(menu.begin(), menu.end(), [&](const MenuItem& item) { return item.quantizer == name; });
      if (it == menu.end()) throw std::invalid_argument(what + ": limit names '" + name + "', which is not in the menu");
      allowed.push_back(*it);
    }
  }
  if (allowed.empty()) throw std::invalid_argument(what + ": the limit leaves no quantizer of the menu");
  return allowed;
}

// The layers whose units or filters reach a model output unchanged: walking
// back from each output through layers without units or filters (batch
// normalization, activations, reshapes) to the first that has them.
std::set<std::string> output_feeding(const json& layers, const json& outputs) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < layers.size(); ++i) index[layers[i].value("name", "")] = i;
  std::vector<std::string> pending;
  if (outputs.is_array()) {
    for (const json& name : outputs)
      if (name.is_string()) pending.push_back(name.get<std::string>());
  } else if (!layers.empty()) {
    pending.push_back(layers.back().value("name", ""));
  }
  std::set<std::string> feeding, visited;
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    auto it = index.find(name);
    if (it == index.end() || !visited.insert(name).second) continue;
    const json& layer = layers[it->second];
    if (layer.contains("units") || layer.contains("filters")) {
      feeding.insert(name);
    } else if (!layer.contains("inputs")) {  // a sequential layer reads the one before it
      if (it->second > 0) pending.push_back(layers[it->second - 1].value("name", ""));
    } else if (layer["inputs"].is_string()) {
      pending.push_back(layer["inputs"].get<std::string>());
    } else {
      for (const json& input : layer["inputs"])
        if (input.is_string()) pending.push_back(input.get<std::string>());
    }
  }
  return feeding;
}

}  // namespace

json scale_widths(json spec, const json& widths) {
  for (json& layer : spec.at("layers")) {
    const std::string name = layer.value("name", "");
    if (!widths.contains(name)) continue;
    const double multiplier = widths[name].get<double>();
    for (const char* key : {"units", "filters"})
      if (layer.contains(key) && layer[key].is_number_integer())
        layer[key] = std::max(static_cast<int64_t>(static_cast<double>(layer[key].get<int64_t>()) * multiplier),
                              int64_t{1});
  }
  return spec;
}

SearchSpace::SearchSpace(const json& float_spec, const AutoqConfig& config, const std::string& block) {
  const json& float_layers = float_spec.is_array() ? float_spec : float_spec.at("layers");
  std::regex selection;
  try {
    if (!config.layers.empty()) selection = std::regex(config.layers);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(config.source + ": layers: bad regex '" + config.layers + "': " + e.what());
  }
  Limit limit = config.limit;
  if (limit.empty()) limit["default"] = {8, 8, 8};
  bool any_selected = false;
  for (const json& layer : float_layers) {
    const std::string name = layer.value("name", "");
    const std::string type = layer.value("type", "");
    if (!config.layers.empty() && !std::regex_match(name, selection)) continue;
    any_selected = true;
    if (!block.empty() && !re_match(block, name, config.source + ": blocks")) continue;
    const std::string activation = layer.contains("activation") && layer["activation"].is_string()
                                       ? layer["activation"].get<std::string>()
                                       : "linear";
    const std::vector<LimitEntry>* entries = limit_of(limit, name, type);
    if (!entries) continue;
    const std::string what = config.source + ": layer " + name + " (" + type + ")";
    auto add = [&](const std::string& key, const std::string& menu, size_t limit_index) {
      auto it = config.menus.find(menu);
      if (it == config.menus.end()) throw std::invalid_argument(what + ": no \"" + menu + "\" menu");
      slots_.push_back({name, type, key, filter(it->second, entry(limit, *entries, limit_index), what + " " + key), menu,
                        "", {{name, key}}});
    };
    if (is_weighted(type)) {
      add("kernel_quantizer", "kernel", 0);
      if (layer.value("use_bias", true)) add("bias_quantizer", "bias", 1);
      if (activation != "linear" && activation != "softmax") add("activation_quantizer", "activation", 2);
    } else if (type == "Activation" && activation != "softmax") {
      add("activation", activation == "linear" ? "linear" : "activation", std::max<size_t>(entries->size(), 1) - 1);
    }
  }
  if (!config.layers.empty() && !any_selected)
    throw std::invalid_argument(config.source + ": layers: regex '" + config.layers + "' matches no layer");
  if (slots_.empty())
    throw std::invalid_argument(config.source + ": no layer to search" +
                                (block.empty() ? std::string(" (check layers and limit)")
                                               : " in block '" + block + "' (check blocks, layers and limit)"));
  add_width_choices(float_spec, config);
  if (!config.groups.empty()) merge_groups(config, block.empty());
  learning_rate_ = config.learning_rate_optimizer;
}

void SearchSpace::add_width_choices(const json& float_spec, const AutoqConfig& config) {
  if (config.tune_filters == TuneFilters::None) return;
  std::regex exceptions;
  try {
    if (!config.tune_filters_exceptions.empty()) exceptions = std::regex(config.tune_filters_exceptions);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(config.source + ": tune_filters_exceptions: bad regex '" +
                                config.tune_filters_exceptions + "': " + e.what());
  }
  const json& layers = float_spec.is_array() ? float_spec : float_spec.at("layers");
  const std::set<std::string> feeding =
      output_feeding(layers, float_spec.is_object() ? float_spec.value("outputs", json()) : json());
  std::vector<std::string> tuned;
  for (const Slot& slot : slots_) {
    const bool tunable = slot.type == "Dense" || slot.type == "Conv1D" || slot.type == "Conv2D";
    const bool excepted =
        !config.tune_filters_exceptions.empty() && std::regex_search(slot.layer, exceptions);
    if (tunable && !excepted && !feeding.count(slot.layer) &&
        std::find(tuned.begin(), tuned.end(), slot.layer) == tuned.end())
      tuned.push_back(slot.layer);
  }
  if (tuned.empty()) return;
  if (config.tune_filters == TuneFilters::Block) {
    widths_.push_back({"block", tuned});
  } else {
    for (const std::string& layer : tuned) widths_.push_back({layer, {layer}});
  }
}

// Layers of a group share one slot per menu, placed where the group's first
// layer had it; its menu is what every member allows, in the first member's
// order (members may have different limits).
void SearchSpace::merge_groups(const AutoqConfig& config, bool whole_model) {
  std::vector<Slot> merged;
  std::map<std::pair<std::string, std::string>, size_t> shared;  // (group, menu) -> index in merged
  std::set<std::string> matched;  // groups with at least one member
  for (Slot& slot : slots_) {
    const std::string* group = nullptr;
    for (const auto& [name, regex] : config.groups) {
      if (!re_match(regex, slot.layer, config.source + ": groups." + name)) continue;
      if (group)
        throw std::invalid_argument(config.source + ": layer " + slot.layer + " matches groups." + *group +
                                    " and groups." + name + " (a layer shares its choice with one group only)");
      group = &name;
    }
    if (!group) {
      merged.push_back(std::move(slot));
      continue;
    }
    matched.insert(*group);
    auto [it, fresh] = shared.try_emplace({*group, slot.menu}, merged.size());
    if (fresh) {
      slot.group = *group;
      merged.push_back(std::move(slot));
      continue;
    }
    Slot& owner = merged[it->second];
    std::vector<MenuItem> common;
    for (const MenuItem& item : owner.choices) {
      auto same = [&](const MenuItem& other) { return other.quantizer == item.quantizer; };
      if (std::find_if(slot.choices.begin(), slot.choices.end(), same) != slot.choices.end()) common.push_back(item);
    }
    if (common.empty())
      throw std::invalid_argument(config.source + ": groups." + *group + ": " + owner.layer + " and " + slot.layer +
                                  " have no " + slot.menu + " quantizer in common (check limit)");
    owner.choices = std::move(common);
    owner.targets.push_back({slot.layer, slot.key});
  }
  for (const auto& [name, regex] : config.groups)
    if (whole_model && !matched.count(name))
      throw std::invalid_argument(config.source + ": groups." + name + ": regex '" + regex +
                                  "' matches no searched layer");
  slots_ = std::move(merged);
}

int SearchSpace::choices(size_t dimension) const {
  if (dimension < slots_.size()) return static_cast<int>(slots_[dimension].choices.size());
  if (dimension < slots_.size() + widths_.size()) return kWidthChoices;
  return kLearningRateChoices;
}

std::vector<double> SearchSpace::encode(const Configuration& configuration) const {
  check(configuration);
  std::vector<double> x;
  x.reserve(configuration.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    const std::vector<MenuItem>& menu = slots_[i].choices;
    auto [low, high] = std::minmax_element(menu.begin(), menu.end(),
                                           [](const MenuItem& a, const MenuItem& b) { return a.bits < b.bits; });
    const double span = high->bits - low->bits;
    x.push_back(span > 0 ? (menu[configuration[i]].bits - low->bits) / span : 0.0);
  }
  for (size_t i = 0; i < widths_.size(); ++i)
    x.push_back((kWidthMultipliers[configuration[slots_.size() + i]] - kWidthMultipliers[0]) /
                (kWidthMultipliers[kWidthChoices - 1] - kWidthMultipliers[0]));
  if (learning_rate_) x.push_back(configuration.back() / double(kLearningRateChoices - 1));
  return x;
}

double SearchSpace::size() const {
  double n = 1;
  for (size_t i = 0; i < dimensions(); ++i) n *= choices(i);
  return n;
}

void SearchSpace::check(const Configuration& configuration) const {
  if (configuration.size() != dimensions())
    throw std::invalid_argument("configuration has " + std::to_string(configuration.size()) + " choices, the space " +
                                std::to_string(dimensions()));
  for (size_t i = 0; i < configuration.size(); ++i)
    if (configuration[i] < 0 || configuration[i] >= choices(i))
      throw std::invalid_argument("configuration: choice " + std::to_string(configuration[i]) + " of " +
                                  (i < slots_.size()                   ? slots_[i].layer + " " + slots_[i].key
                                   : i < slots_.size() + widths_.size() ? "width of " + widths_[i - slots_.size()].name
                                                                        : std::string("learning_rate")) +
                                  " is out of its menu");
}

json SearchSpace::quantizer_config(const Configuration& configuration) const {
  check(configuration);
  json config = json::object();
  for (size_t i = 0; i < slots_.size(); ++i) {
    const std::string& quantizer = slots_[i].choices[configuration[i]].quantizer;
    for (const SlotTarget& target : slots_[i].targets) {
      if (target.key == "activation") config[target.layer] = quantizer;
      else config[target.layer][target.key] = quantizer;
    }
  }
  return config;
}

json SearchSpace::widths(const Configuration& configuration) const {
  check(configuration);
  json widths = json::object();
  for (size_t i = 0; i < widths_.size(); ++i)
    for (const std::string& layer : widths_[i].layers)
      widths[layer] = kWidthMultipliers[configuration[slots_.size() + i]];
  return widths;
}

}  // namespace autoq
