// AutoQKeras' forgiving factor: a trial's score is its metric times
// (1 + delta), where delta rewards a cost below the reference's and
// penalises one above it on a logarithmic scale of base `rate`.  The cost is
// the model's size in bits (ForgivingFactorBits) or its QTools energy
// (ForgivingFactorPower).  Semantics: ../shared/spec/qkeras.md §6.1-§6.3.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autoq/config.h"
#include "qtrain/model.h"

namespace autoq {

// delta = δ·ln(R/T)/ln(rate) with δ = delta_p/100 when T < R, else
// delta_n/100 (δ in float32 as QKeras has it).
double forgiving_delta(const Goal& goal, double reference, double trial);
// metric·(1 + delta).
double forgiving_score(const Goal& goal, double metric, double reference, double trial);

// §6.1's learning rates of a trial under learning_rate_optimizer:
// lr·linspace(delta_lr, 1.1, kLearningRateChoices = 5) with delta_lr = 1 + min((T − R)/R, 0), so
// a trial cheaper than the reference may train more gently (down to lr·T/R),
// one at least as dear between lr and 1.1·lr.
std::vector<double> learning_rate_choices(double lr, double reference, double trial);

// The float model's energy per layer (pJ of QTools' counted components) as
// the energy goal prices its reference: what the block scheduler's
// "energy" order ranks blocks by.
std::map<std::string, double> reference_layer_energy(const Goal& goal, qtrain::Model& float_model);

class ForgivingFactor {
 public:
  // Prices the float (starting) model as the reference.
  ForgivingFactor(const Goal& goal, qtrain::Model& float_model);

  // The trial model's cost: bits, or pJ of QTools' counted components.
  int64_t cost(qtrain::Model& trial_model) const;
  // The reference delta uses: the bits goal's is the float model's size
  // times stress; the energy goal's is unstressed (QKeras' ForgivingFactorPower
  // applies stress only to the reference it reports).
  double reference() const { return reference_; }
  double score(double metric, double trial_cost) const { return forgiving_score(goal_, metric, reference_, trial_cost); }

 private:
  Goal goal_;
  double reference_ = 0;
};

}  // namespace autoq
