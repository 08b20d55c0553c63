// Post-training quantization: profiling of a model's value ranges against
// its precision config (hls4ml's numerical profiling, §5.4), and the
// searches that choose a config for a float model: one ap_fixed<W,I> for
// everything, a width scan, integer bits per layer from the profile, and the
// QKeras paper's heterogeneous search (widths lowered layer by layer while
// the accuracy loss stays under a threshold).  Every result is an HlsConfig,
// which the emulator and the exporter consume.
#pragma once

#include <ATen/core/Tensor.h>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/hls_model.h"

namespace qtrain {

// Summary of a set of values.
struct ValueRange {
  int64_t count = 0;
  double min = 0, max = 0;
  double low = 0, high = 0;  // 0.1% and 99.9% quantiles
  // Integer bits (sign included when min < 0) a fixed-point type needs to
  // hold [min, max] without overflow.
  int integer_bits() const;
};
ValueRange value_range(const at::Tensor& values);  // throws RunError for an empty or NaN tensor

struct LayerProfile {
  std::string layer, layer_class;
  std::optional<ValueRange> weight, bias;
  ValueRange output;        // the layer's ideal (float) outputs on the calibration set
  std::string output_type;  // its result type under the config
  int64_t overflows = 0;    // ideal outputs outside that type's range
};

// Profiles every firmware layer: float weights and biases, and the float
// outputs on x compared with the result types of `firmware`.
std::vector<LayerProfile> profile(const Model& model, const HlsModel& firmware, const at::Tensor& x);
// A table, then one line per layer with outputs outside its type:
// "overflows in fc2: 4.18 % (1340/32042)".
std::string profile_report(const std::vector<LayerProfile>& profiles);
nlohmann::json profile_json(const std::vector<LayerProfile>& profiles);
// Per layer, the log2 range of |values| (0.1%..99.9% box, min..max whisker)
// against the range the result type represents (grey), as hls4ml plots it.
std::string profile_svg(const std::vector<LayerProfile>& profiles, const HlsModel& firmware);

// Accuracy of the emulated firmware under `config` on (x, class labels).
double emulated_accuracy(const Model& model, const HlsConfig& config, const at::Tensor& x, const at::Tensor& labels);
// The same from the model's plan (plan_hls_layers), made once for many configs.
double emulated_accuracy(const HlsModel& plan, const HlsConfig& config, const at::Tensor& x, const at::Tensor& labels);

// (a) Everything in one type: the model default, nothing per layer.
HlsConfig homogeneous_config(const quantizers::FixedType& type);

// (c) Per layer ap_fixed<width, I> for weights, biases and results, I from
// the profile's ranges plus `margin` bits; accumulators "auto" (exact).
HlsConfig profiled_config(const std::vector<LayerProfile>& profiles, int width, int margin);

struct HeterogeneousOptions {
  int start_width = 16;          // every variable starts here, integer bits from the profile
  int min_width = 2;
  int margin = 0;                // extra integer bits over the profile
  double first_loss = 0.01;      // accuracy loss allowed after the first layer...
  double last_loss = 0.02;       // ...rising linearly to the last
};
// (d) The QKeras paper's heterogeneous PTQ: in layer order, each weight,
// bias and result width is lowered one bit at a time while the accuracy loss
// against the float model on (x, labels) stays within the layer's threshold.
// Progress lines go to `log` when given.
HlsConfig heterogeneous_ptq(Model& model, const std::vector<LayerProfile>& profiles, const at::Tensor& x,
                            const at::Tensor& labels, const HeterogeneousOptions& options, std::ostream* log = nullptr);

}  // namespace qtrain
