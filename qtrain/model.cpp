#include "qtrain/model.h"

#include <torch/torch.h>

#include <map>
#include <set>

#include "qtrain/files.h"

namespace qtrain {

namespace {
const std::set<std::string> kTopLevelKeys = {"name", "description", "input_shape", "layers", "outputs", "hls"};
constexpr const char* kModelInput = "input";
}  // namespace

ModelSpec ModelSpec::from_json(nlohmann::json json, std::string source) {
  auto fail = [&](const std::string& what) { return ModelError(source + ": " + what); };
  if (!json.is_object()) throw fail("a model spec must be a JSON object");
  for (const auto& [key, value] : json.items())
    if (!kTopLevelKeys.count(key)) throw fail("unknown top-level key '" + key + "'");
  if (!json.contains("name") || !json["name"].is_string()) throw fail("missing \"name\" string");
  const nlohmann::json* shape = json.contains("input_shape") ? &json["input_shape"] : nullptr;
  bool shape_ok = shape && shape->is_array() && !shape->empty();
  if (shape_ok)
    for (const nlohmann::json& d : *shape) shape_ok = shape_ok && d.is_number_integer() && d.get<int64_t>() > 0;
  if (!shape_ok) throw fail("\"input_shape\" must be a non-empty list of positive integers (no batch axis)");
  if (!json.contains("layers") || !json["layers"].is_array() || json["layers"].empty())
    throw fail("\"layers\" must be a non-empty list");
  return ModelSpec{std::move(json), std::move(source)};
}

ModelSpec ModelSpec::load(const std::string& path) { return from_json(read_json_file(path), path); }

void ModelSpec::save(const std::string& path) const { write_json_atomically(path, json); }

std::string ModelSpec::name() const { return json.at("name").get<std::string>(); }

Shape ModelSpec::input_shape() const { return json.at("input_shape").get<Shape>(); }

Model::Model(ModelSpec spec) : spec_(std::move(spec)) {
  std::map<std::string, int> index{{kModelInput, -1}};
  auto fail = [&](const std::string& what) { return ModelError(spec_.source + ": " + what); };
  auto resolve = [&](const std::string& layer, const nlohmann::json& name) {
    if (!name.is_string()) throw fail("layer '" + layer + "': \"inputs\" must list layer names");
    auto it = index.find(name.get<std::string>());
    if (it == index.end())
      throw fail("layer '" + layer + "': input '" + name.get<std::string>() + "' is not an earlier layer");
    return it->second;
  };
  Shape input_shape = spec_.input_shape();
  for (const nlohmann::json& entry : spec_.layers()) {
    std::string name = entry.is_object() && entry.contains("name") && entry["name"].is_string()
                           ? entry["name"].get<std::string>()
                           : std::string();
    std::vector<int> inputs;
    if (entry.is_object() && entry.contains("inputs")) {
      const nlohmann::json& names = entry["inputs"];
      if (names.is_string()) {
        inputs.push_back(resolve(name, names));
      } else if (names.is_array() && !names.empty()) {
        for (const nlohmann::json& n : names) inputs.push_back(resolve(name, n));
      } else {
        throw fail("layer '" + name + "': \"inputs\" must be a layer name or a non-empty list of them");
      }
    } else {
      inputs.push_back(static_cast<int>(layers_.size()) - 1);
    }
    std::vector<Shape> shapes;
    for (int i : inputs) shapes.push_back(i < 0 ? input_shape : layers_[i]->output_shape());
    LayerPtr layer;
    try {
      layer = make_layer(entry, shapes);
    } catch (const ModelError& e) {
      throw fail(e.what());
    } catch (const quantizers::QuantizerError& e) {
      throw fail("layer '" + name + "': " + e.what());
    }
    if (layer->name() == kModelInput) throw fail("layer name 'input' is reserved for the model input");
    if (index.count(layer->name())) throw fail("duplicate layer name '" + layer->name() + "'");
    index[layer->name()] = static_cast<int>(layers_.size());
    register_module(layer->name(), layer);
    layers_.push_back(layer);
    inputs_.push_back(std::move(inputs));
  }
  if (spec_.json.contains("outputs")) {
    const nlohmann::json& names = spec_.json["outputs"];
    if (!names.is_array() || names.empty()) throw fail("\"outputs\" must be a non-empty list of layer names");
    for (const nlohmann::json& n : names) {
      auto it = n.is_string() ? index.find(n.get<std::string>()) : index.end();
      if (it == index.end() || it->second < 0) throw fail("\"outputs\": " + n.dump() + " is not a layer of the model");
      outputs_.push_back(it->second);
    }
  } else {
    outputs_.push_back(static_cast<int>(layers_.size()) - 1);
  }
}

std::vector<torch::Tensor> Model::forward_layers(const torch::Tensor& x) {
  Shape expected = spec_.input_shape();
  if (x.dim() != static_cast<int64_t>(expected.size()) + 1 ||
      x.sizes().slice(1) != c10::IntArrayRef(expected))
    throw ModelError(spec_.source + ": input of shape " + c10::str(x.sizes()) + " does not match input_shape " +
                     shape_to_string(expected));
  std::vector<torch::Tensor> values;
  values.reserve(layers_.size());
  std::vector<torch::Tensor> args;
  for (size_t l = 0; l < layers_.size(); ++l) {
    args.clear();
    for (int i : inputs_[l]) args.push_back(i < 0 ? x : values[i]);
    values.push_back(layers_[l]->forward(args));
  }
  return values;
}

std::vector<torch::Tensor> Model::forward_outputs(const torch::Tensor& x) {
  std::vector<torch::Tensor> values = forward_layers(x);
  std::vector<torch::Tensor> outputs;
  for (int i : outputs_) outputs.push_back(values[i]);
  return outputs;
}

LayerPtr Model::layer(const std::string& name) const {
  for (const LayerPtr& l : layers_)
    if (l->name() == name) return l;
  return nullptr;
}

void Model::apply_constraints() {
  for (const LayerPtr& l : layers_) l->apply_constraints();
}

}  // namespace qtrain
