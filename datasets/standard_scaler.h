// sklearn's StandardScaler: per-feature standardisation fitted on the
// training rows and applied unchanged to validation, test and firmware inputs.
#pragma once

#include <ATen/core/Tensor.h>

#include <nlohmann/json.hpp>

namespace datasets {

struct StandardScaler {
  at::Tensor mean, scale;  // (F,) float64

  // Mean and population standard deviation (ddof = 0) of each column of
  // (N, F) `features`, computed in float64.  A constant column gets scale 1,
  // as sklearn does, so it maps to 0 instead of dividing by zero.
  // Throws std::invalid_argument for an empty or non-2-D tensor.
  static StandardScaler fit(const at::Tensor& features);

  // (features − mean) / scale in float64, returned as float32.  Throws
  // std::invalid_argument when the column count differs from the fit.
  at::Tensor transform(const at::Tensor& features) const;

  // {"mean": [...], "scale": [...]}; doubles round-trip exactly.
  nlohmann::json to_json() const;
  // Throws DataError for anything but two equally long, non-empty arrays of
  // finite numbers with positive scales.
  static StandardScaler from_json(const nlohmann::json& json);
};

}  // namespace datasets
