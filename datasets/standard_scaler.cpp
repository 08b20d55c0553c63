#include "datasets/standard_scaler.h"

#include <torch/types.h>

#include <cmath>
#include <vector>

#include "datasets/labeled_data.h"

namespace datasets {

StandardScaler StandardScaler::fit(const at::Tensor& features) {
  if (features.dim() != 2 || features.size(0) == 0)
    throw std::invalid_argument("StandardScaler::fit: need a non-empty (N, F) tensor");
  const at::Tensor x = features.to(torch::kFloat64);
  const at::Tensor mean = x.mean(0);
  // Two passes (mean, then mean squared deviation) as numpy's var.
  at::Tensor scale = (x - mean).square().mean(0).sqrt();
  // A constant column can still show a rounding-sized deviation from its
  // float64 mean, so "constant" is decided on the values, not on the variance.
  const at::Tensor constant = x.amin(0) == x.amax(0);
  scale.masked_fill_(constant, 1.0);
  return {mean, scale};
}

at::Tensor StandardScaler::transform(const at::Tensor& features) const {
  if (features.dim() != 2 || features.size(1) != mean.size(0))
    throw std::invalid_argument("StandardScaler::transform: expected (N, " + std::to_string(mean.size(0)) +
                                ") features, got " + std::to_string(features.dim()) + "-D with last size " +
                                std::to_string(features.dim() > 0 ? features.size(-1) : 0));
  return ((features.to(torch::kFloat64) - mean) / scale).to(torch::kFloat32).contiguous();
}

namespace {

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(torch::kFloat64).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

std::vector<double> finite_numbers(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end() || !it->is_array() || it->empty())
    throw DataError(std::string("StandardScaler JSON: \"") + key + "\" must be a non-empty array of numbers");
  std::vector<double> values;
  for (const auto& v : *it) {
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      throw DataError(std::string("StandardScaler JSON: \"") + key + "\"[" + std::to_string(values.size()) +
                      "] is not a finite number: " + v.dump());
    values.push_back(v.get<double>());
  }
  return values;
}

}  // namespace

nlohmann::json StandardScaler::to_json() const { return {{"mean", to_vector(mean)}, {"scale", to_vector(scale)}}; }

StandardScaler StandardScaler::from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw DataError("StandardScaler JSON: expected an object with \"mean\" and \"scale\"");
  const std::vector<double> mean = finite_numbers(json, "mean");
  const std::vector<double> scale = finite_numbers(json, "scale");
  if (mean.size() != scale.size())
    throw DataError("StandardScaler JSON: " + std::to_string(mean.size()) + " means but " +
                    std::to_string(scale.size()) + " scales");
  for (size_t i = 0; i < scale.size(); ++i)
    if (!(scale[i] > 0.0))
      throw DataError("StandardScaler JSON: \"scale\"[" + std::to_string(i) + "] must be positive, got " +
                      nlohmann::json(scale[i]).dump());
  return {torch::tensor(mean, torch::kFloat64), torch::tensor(scale, torch::kFloat64)};
}

}  // namespace datasets
