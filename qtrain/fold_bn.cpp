#include "qtrain/fold_bn.h"

#include <torch/torch.h>

#include <map>

#include "qtrain/copy_weights.h"

namespace qtrain {
namespace {

using nlohmann::json;

bool foldable_producer(const Layer& layer) {
  const std::string& t = layer.type();
  if (t != "Dense" && t != "Conv1D" && t != "Conv2D" && t != "QDense" && t != "QConv1D" && t != "QConv2D") return false;
  for (const auto& [slot, q] : layer.quantizer_slots())
    if (q) return false;  // a quantized kernel, bias or an activation
  return true;
}

torch::Tensor weight_or(const Layer& layer, const char* name, double fallback) {
  const LayerWeight* w = layer.weight(name);
  return w ? w->variable.to(torch::kFloat32) : torch::full({layer.output_shape().back()}, fallback, torch::kFloat32);
}

}  // namespace

FoldedModel fold_batchnorm(const Model& model) {
  torch::NoGradGuard no_grad;
  const auto& layers = model.layers();
  std::vector<int> consumers(layers.size(), 0);
  for (size_t i = 0; i < layers.size(); ++i)
    for (int j : model.layer_inputs(i))
      if (j >= 0) ++consumers[j];
  for (int o : model.output_layers()) ++consumers[o];

  std::map<size_t, size_t> fold;  // BN index -> producer index
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string& t = layers[i]->type();
    if (t != "BatchNormalization" && t != "QBatchNormalization") continue;
    const std::vector<int>& in = model.layer_inputs(i);
    if (in.size() == 1 && in[0] >= 0 && consumers[in[0]] == 1 && foldable_producer(*layers[in[0]]))
      fold[i] = static_cast<size_t>(in[0]);
  }

  // The new spec: folded BNs removed, references to them renamed to their producer.
  json spec = model.spec().json;
  std::map<std::string, std::string> renamed;
  for (const auto& [bn, producer] : fold) renamed[layers[bn]->name()] = layers[producer]->name();
  auto rename = [&](json& names) {
    if (names.is_string()) {
      if (renamed.count(names.get<std::string>())) names = renamed[names.get<std::string>()];
    } else if (names.is_array()) {
      for (json& n : names)
        if (n.is_string() && renamed.count(n.get<std::string>())) n = renamed[n.get<std::string>()];
    }
  };
  json kept = json::array();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (fold.count(i)) continue;
    json entry = spec["layers"][i];
    if (entry.contains("inputs")) rename(entry["inputs"]);
    bool is_producer = false;
    for (const auto& [bn, producer] : fold) is_producer = is_producer || producer == i;
    if (is_producer) entry["use_bias"] = true;
    kept.push_back(entry);
  }
  spec["layers"] = kept;
  if (spec.contains("outputs")) rename(spec["outputs"]);

  FoldedModel result;
  result.model = std::make_shared<Model>(ModelSpec::from_json(spec, model.spec().source + " (BatchNormalization folded)"));
  // Every weight keeps its value; the producers of folded BNs get the folded ones.
  copy_weights(model, *result.model);
  for (const auto& [bn_index, producer_index] : fold) {
    const Layer& bn = *layers[bn_index];
    const Layer& producer = *layers[producer_index];
    const double epsilon = model.spec().layers()[bn_index].value("epsilon", 1e-3);
    torch::Tensor s = weight_or(bn, "gamma", 1.0) / torch::sqrt(weight_or(bn, "moving_variance", 1.0) + static_cast<float>(epsilon));
    torch::Tensor bias = producer.weight("bias") ? producer.weight("bias")->variable.to(torch::kFloat32)
                                                 : torch::zeros_like(s);
    LayerPtr target = result.model->layer(producer.name());
    for (LayerWeight& w : target->weights()) {
      if (w.name == "kernel") w.variable.copy_(producer.weight("kernel")->variable.to(torch::kFloat32) * s);
      if (w.name == "bias") w.variable.copy_((bias - weight_or(bn, "moving_mean", 0.0)) * s + weight_or(bn, "beta", 0.0));
    }
    result.folded.push_back(bn.name() + " -> " + producer.name());
  }
  result.model->eval();
  return result;
}

}  // namespace qtrain
