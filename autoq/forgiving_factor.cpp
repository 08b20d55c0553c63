#include "autoq/forgiving_factor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "energy/energy.h"
#include "energy/model_bits.h"

namespace autoq {

double forgiving_delta(const Goal& goal, double reference, double trial) {
  if (!(reference > 0) || !(trial > 0)) throw std::invalid_argument("forgiving factor: costs must be positive");
  // QKeras divides the percentages in float32.
  const float delta_p = static_cast<float>(goal.delta_p) / 100.0f;
  const float delta_n = static_cast<float>(goal.delta_n) / 100.0f;
  const double factor = trial < reference ? delta_p : delta_n;
  return factor * std::log(reference / trial) / std::log(goal.rate);
}

double forgiving_score(const Goal& goal, double metric, double reference, double trial) {
  return metric * (1.0 + forgiving_delta(goal, reference, trial));
}

std::vector<double> learning_rate_choices(double lr, double reference, double trial) {
  if (!(reference > 0)) throw std::invalid_argument("learning rate: the reference cost must be positive");
  const double total_factor = (trial - reference) / reference;  // QKeras' get_total_factor()
  const double low = 1.0 + std::min(total_factor, 0.0);
  std::vector<double> rates;
  for (int i = 0; i < kLearningRateChoices; ++i)
    rates.push_back(lr * (low + i * (1.1 - low) / (kLearningRateChoices - 1)));
  return rates;
}

namespace {

// ForgivingFactorPower's QTools options for the reference (for_reference,
// everything in the reference types) or for a trial (layers without
// quantizers in the reference types).
energy::EnergyOptions power_options(const Goal& goal, bool reference) {
  energy::EnergyOptions options;
  options.process = goal.process;
  options.placement = goal.placement[reference ? 0 : 1];
  if (reference) return energy::reference_options(options, goal.reference_internal, goal.reference_accumulator);
  if (!goal.source_quantizer.empty()) options.types.source_quantizer = goal.source_quantizer;
  options.types.keras_quantizer = goal.reference_internal;
  options.types.keras_accumulator = goal.reference_accumulator;
  return options;
}

}  // namespace

std::map<std::string, double> reference_layer_energy(const Goal& goal, qtrain::Model& float_model) {
  std::map<std::string, double> energies;
  for (const energy::LayerEnergy& layer : energy::energy_estimate(float_model, power_options(goal, true)).layers)
    energies[layer.name] = layer.counted();
  return energies;
}

ForgivingFactor::ForgivingFactor(const Goal& goal, qtrain::Model& float_model) : goal_(goal) {
  if (goal.kind == Goal::Kind::Bits) {
    reference_ = static_cast<double>(energy::model_bits(float_model).total) * goal.stress;
  } else {
    reference_ = static_cast<double>(energy::energy_estimate(float_model, power_options(goal, true)).total);
  }
  if (!(reference_ > 0)) throw std::invalid_argument(float_model.spec().source + ": the reference cost is 0");
}

int64_t ForgivingFactor::cost(qtrain::Model& trial_model) const {
  if (goal_.kind == Goal::Kind::Bits) return energy::model_bits(trial_model).total;
  return energy::energy_estimate(trial_model, power_options(goal_, false)).total;
}

}  // namespace autoq
