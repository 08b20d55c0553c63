#include "datasets/standard_scaler.h"

#include <torch/types.h>

#include <cmath>
#include <limits>
#include <vector>

#include "datasets/labeled_data.h"

namespace datasets {

namespace {

// (N, F) float64 view of (N, ...) samples.
at::Tensor as_rows(const char* function, const at::Tensor& features) {
  if (features.dim() < 2 || features.size(0) == 0)
    throw std::invalid_argument(std::string("StandardScaler::") + function + ": need a non-empty (N, ...) tensor");
  return features.to(torch::kFloat64).flatten(1);
}

}  // namespace

StandardScaler StandardScaler::fit(const at::Tensor& features) {
  const at::Tensor x = as_rows("fit", features);
  const at::Tensor mean = x.mean(0);
  // Two passes (mean, then mean squared deviation) as numpy's var.
  at::Tensor scale = (x - mean).square().mean(0).sqrt();
  // A constant column can still show a rounding-sized deviation from its
  // float64 mean, so "constant" is decided on the values, not on the variance.
  const at::Tensor constant = x.amin(0) == x.amax(0);
  scale.masked_fill_(constant, 1.0);
  return {mean, scale};
}

StandardScaler StandardScaler::fit_nonzero(const at::Tensor& features) {
  const at::Tensor x = as_rows("fit_nonzero", features);
  const at::Tensor present = x != 0;
  const at::Tensor count = present.sum(0).to(torch::kFloat64);
  const at::Tensor mean = x.sum(0) / count.clamp_min(1.0);
  at::Tensor scale = ((x - mean).square() * present).sum(0).div(count.clamp_min(1.0)).sqrt();
  // Constant over its entries (or never present): scale 1, as fit().
  const at::Tensor inf = torch::full_like(x, std::numeric_limits<double>::infinity());
  const at::Tensor constant = torch::where(present, x, inf).amin(0) >= torch::where(present, x, -inf).amax(0);
  scale.masked_fill_(constant, 1.0);
  StandardScaler scaler{mean, scale};
  scaler.keep_zeros = true;
  return scaler;
}

at::Tensor StandardScaler::transform(const at::Tensor& features) const {
  const int64_t per_sample = features.dim() > 0 && features.size(0) > 0 ? features.numel() / features.size(0) : 0;
  if (features.dim() < 2 || per_sample != mean.size(0))
    throw std::invalid_argument("StandardScaler::transform: expected samples of " + std::to_string(mean.size(0)) +
                                " features, got " + std::to_string(features.dim()) + "-D samples of " +
                                std::to_string(per_sample));
  const at::Tensor x = features.to(torch::kFloat64).flatten(1);
  at::Tensor y = (x - mean) / scale;
  if (keep_zeros) y = torch::where(x == 0, x, y);
  return y.to(torch::kFloat32).view(features.sizes()).contiguous();
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

nlohmann::json StandardScaler::to_json() const {
  nlohmann::json json = {{"mean", to_vector(mean)}, {"scale", to_vector(scale)}};
  if (keep_zeros) json["keep_zeros"] = true;
  return json;
}

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
  StandardScaler scaler{torch::tensor(mean, torch::kFloat64), torch::tensor(scale, torch::kFloat64)};
  const auto keep_zeros = json.find("keep_zeros");
  if (keep_zeros != json.end()) {
    if (!keep_zeros->is_boolean())
      throw DataError("StandardScaler JSON: \"keep_zeros\" must be true or false, got " + keep_zeros->dump());
    scaler.keep_zeros = keep_zeros->get<bool>();
  }
  return scaler;
}

}  // namespace datasets
