// ReduceLROnPlateau and EarlyStopping against Keras 3's callback logic traced
// by hand epoch by epoch, PolynomialDecay and the magnitude mask against
// TF-MOT's float32 formulas worked out by hand, and checkpoint round trips.
#include "tests/test_common.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/pruning.h"
#include "qtrain/schedules.h"

using Catch::Matchers::Contains;
using qtrain::EarlyStopping;
using qtrain::MonitorMode;
using qtrain::PolynomialDecay;
using qtrain::ReduceLROnPlateau;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Through text, as a checkpoint stores it.
nlohmann::json through_text(const nlohmann::json& j) { return nlohmann::json::parse(j.dump()); }

ReduceLROnPlateau::Options plateau_options() {
  ReduceLROnPlateau::Options o;
  o.factor = 0.5;
  o.patience = 2;
  o.cooldown = 2;
  o.min_lr = 0.1;
  return o;  // min mode, min_delta 1e-4
}

}  // namespace

TEST_CASE("ReduceLROnPlateau follows Keras's wait and cooldown counters", "[schedules]") {
  ReduceLROnPlateau plateau(plateau_options());
  struct Epoch {
    double monitored, lr_after;
    int wait, cooldown;
  };
  // Traced through Keras's on_epoch_end (cooldown step, improvement test
  // monitored < best - 1e-4, then wait/patience, lr*factor floored at min_lr).
  const std::vector<Epoch> epochs = {
      {1.0, 1.0, 0, 0},       // 0: first value improves on +inf
      {1.0, 1.0, 1, 0},       // 1: equal is no improvement
      {0.99995, 0.5, 0, 2},   // 2: better by less than min_delta -> wait 2 -> reduce, cooldown 2
      {1.2, 0.5, 0, 1},       // 3: in cooldown: counter 2 -> 1, nothing counted
      {1.2, 0.5, 1, 0},       // 4: counter 1 -> 0 and this epoch already counts
      {1.2, 0.25, 0, 2},      // 5: wait 2 -> reduce
      {0.5, 0.25, 0, 1},      // 6: improvement during cooldown updates best
      {0.6, 0.25, 1, 0},      // 7
      {0.6, 0.125, 0, 2},     // 8: reduce
      {0.6, 0.125, 0, 1},     // 9
      {0.6, 0.125, 1, 0},     // 10
      {0.6, 0.1, 0, 2},       // 11: 0.0625 floored at min_lr 0.1
      {0.6, 0.1, 0, 1},       // 12
      {0.6, 0.1, 1, 0},       // 13
      {0.6, 0.1, 2, 0},       // 14: wait 2 but lr == min_lr: no reduction, no reset
      {0.6, 0.1, 3, 0},       // 15: wait keeps growing
  };
  double lr = 1.0;
  for (size_t e = 0; e < epochs.size(); ++e) {
    INFO("epoch " << e);
    lr = plateau.on_epoch_end(epochs[e].monitored, lr);
    CHECK(lr == epochs[e].lr_after);
    CHECK(plateau.wait() == epochs[e].wait);
    CHECK(plateau.cooldown_counter() == epochs[e].cooldown);
  }
  CHECK(plateau.best() == 0.5);
}

TEST_CASE("ReduceLROnPlateau in max mode, patience 0 and NaN", "[schedules]") {
  ReduceLROnPlateau::Options o;
  o.mode = MonitorMode::Max;
  o.factor = 0.1;
  o.patience = 1;
  o.min_delta = 0.01;
  ReduceLROnPlateau plateau(o);
  CHECK(plateau.on_epoch_end(0.50, 1.0) == 1.0);   // improves on -inf
  CHECK(plateau.on_epoch_end(0.505, 1.0) == 0.1);  // not > 0.50 + 0.01: wait 1 >= 1
  CHECK(plateau.on_epoch_end(0.52, 0.1) == 0.1);   // > 0.51: new best
  CHECK(plateau.best() == 0.52);
  CHECK(plateau.on_epoch_end(kNaN, 0.1) == Approx(0.01));  // NaN never improves

  o.mode = MonitorMode::Min;
  o.patience = 0;
  o.min_delta = 0;
  ReduceLROnPlateau eager(o);
  CHECK(eager.on_epoch_end(1.0, 1.0) == 1.0);  // improvement: no reduction even at patience 0
  CHECK(eager.on_epoch_end(1.0, 1.0) == 0.1);  // wait 1 >= 0
  CHECK(eager.on_epoch_end(0.9, 0.1) == 0.1);
}

TEST_CASE("ReduceLROnPlateau rejects bad options", "[schedules]") {
  ReduceLROnPlateau::Options o;
  o.factor = 1.0;
  CHECK_THROWS_WITH(ReduceLROnPlateau(o), Contains("factor"));
  o.factor = 0.5;
  o.patience = -1;
  CHECK_THROWS_AS(ReduceLROnPlateau(o), std::invalid_argument);
  o.patience = 1;
  o.min_lr = -1;
  CHECK_THROWS_AS(ReduceLROnPlateau(o), std::invalid_argument);
  CHECK(qtrain::parse_monitor_mode("max") == MonitorMode::Max);
  CHECK(qtrain::parse_monitor_mode("min") == MonitorMode::Min);
  CHECK_THROWS_WITH(qtrain::parse_monitor_mode("auto"), Contains("auto"));
}

TEST_CASE("ReduceLROnPlateau state survives a checkpoint and resumes exactly", "[schedules]") {
  const std::vector<double> losses = {1.0, 1.0, 0.99995, 1.2, 1.2, 1.2, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6};
  for (size_t split = 0; split <= losses.size(); ++split) {
    INFO("resumed after epoch " << split);
    ReduceLROnPlateau uninterrupted(plateau_options());
    ReduceLROnPlateau first_run(plateau_options());
    double lr = 1.0, resumed_lr = 1.0;
    for (size_t e = 0; e < split; ++e) {
      lr = uninterrupted.on_epoch_end(losses[e], lr);
      resumed_lr = first_run.on_epoch_end(losses[e], resumed_lr);
    }
    ReduceLROnPlateau resumed(plateau_options());
    resumed.load_state(through_text(first_run.state()));
    CHECK(resumed.best() == first_run.best());  // +inf before any epoch
    for (size_t e = split; e < losses.size(); ++e) {
      lr = uninterrupted.on_epoch_end(losses[e], lr);
      resumed_lr = resumed.on_epoch_end(losses[e], resumed_lr);
      CHECK(resumed_lr == lr);
      CHECK(resumed.wait() == uninterrupted.wait());
      CHECK(resumed.cooldown_counter() == uninterrupted.cooldown_counter());
    }
  }
  ReduceLROnPlateau plateau(plateau_options());
  CHECK(through_text(plateau.state())["best"] == "inf");
  CHECK_THROWS_WITH(plateau.load_state({{"best", 1.0}, {"wait", 0}}), Contains("cooldown_counter"));
  CHECK_THROWS_WITH(plateau.load_state({{"best", "big"}, {"wait", 0}, {"cooldown_counter", 0}}),
                    Contains("best"));
}

TEST_CASE("EarlyStopping follows Keras's wait counter and min_delta", "[schedules]") {
  EarlyStopping::Options o;
  o.patience = 2;
  o.min_delta = -0.1;  // sign ignored, as Keras's abs()
  o.restore_best_weights = true;
  EarlyStopping stopper(o);
  // Improvement means monitored + 0.1 < best.
  CHECK_FALSE(stopper.on_epoch_end(0, 1.0));   // improves on +inf; wait 0
  CHECK_FALSE(stopper.on_epoch_end(1, 0.95));  // 1.05 !< 1.0: wait 1
  CHECK(stopper.wait() == 1);
  CHECK_FALSE(stopper.on_epoch_end(2, 0.85));  // 0.95 < 1.0: best, wait 0
  CHECK(stopper.best_epoch() == 2);
  CHECK_FALSE(stopper.on_epoch_end(3, 0.9));   // wait 1
  CHECK(stopper.on_epoch_end(4, 0.8));         // lower, but 0.9 !< 0.85: wait 2 -> stop
  CHECK(stopper.best() == 0.85);
  CHECK(stopper.best_epoch() == 2);
  CHECK(stopper.restore_best_weights());
}

TEST_CASE("EarlyStopping with a baseline resets wait only above it", "[schedules]") {
  EarlyStopping::Options o;
  o.mode = MonitorMode::Max;
  o.patience = 2;
  o.baseline = 0.9;
  EarlyStopping stopper(o);
  CHECK_FALSE(stopper.on_epoch_end(0, 0.5));  // best, but below baseline: wait 1
  CHECK(stopper.wait() == 1);
  // Improving epochs never stop in Keras 3, even with wait 2 >= patience
  // (tf.keras 2 would have stopped here).
  CHECK_FALSE(stopper.on_epoch_end(1, 0.6));
  CHECK(stopper.wait() == 2);
  CHECK(stopper.best_epoch() == 1);
  CHECK(stopper.on_epoch_end(2, 0.55));       // wait 3, no improvement: stop

  EarlyStopping passes(o);
  CHECK_FALSE(passes.on_epoch_end(0, 0.5));   // wait 1
  CHECK_FALSE(passes.on_epoch_end(1, 0.95));  // beats best and baseline: wait 0
  CHECK(passes.wait() == 0);
  CHECK_FALSE(passes.on_epoch_end(2, 0.94));  // wait 1
  CHECK(passes.on_epoch_end(3, 0.93));        // wait 2
}

TEST_CASE("EarlyStopping at patience 0, first epoch and NaN", "[schedules]") {
  EarlyStopping::Options o;  // min mode, patience 0, min_delta 0
  EarlyStopping stopper(o);
  CHECK(stopper.best_epoch() == -1);
  CHECK_FALSE(stopper.on_epoch_end(0, 1.0));
  CHECK_FALSE(stopper.on_epoch_end(1, 0.5));  // improvement never stops
  CHECK(stopper.on_epoch_end(2, 0.5));        // equal: wait 1 >= 0

  // A NaN first epoch does not improve, but epoch 0 never stops.  Keras
  // snapshots the first epoch's weights when restoring, so it is best_epoch then.
  EarlyStopping nan_start(o);
  CHECK_FALSE(nan_start.on_epoch_end(0, kNaN));
  CHECK(nan_start.best_epoch() == -1);
  CHECK(nan_start.best() == kInf);
  o.restore_best_weights = true;
  EarlyStopping restoring(o);
  CHECK_FALSE(restoring.on_epoch_end(0, kNaN));
  CHECK(restoring.best_epoch() == 0);
  CHECK(restoring.on_epoch_end(1, kNaN));

  o.patience = -1;
  CHECK_THROWS_AS(EarlyStopping(o), std::invalid_argument);
}

TEST_CASE("EarlyStopping state survives a checkpoint and resumes exactly", "[schedules]") {
  EarlyStopping::Options o;
  o.patience = 3;
  o.min_delta = 0.01;
  o.restore_best_weights = true;
  const std::vector<double> losses = {0.9, 0.8, 0.805, 0.7, 0.71, 0.72, 0.695, 0.73, 0.74};
  // Uninterrupted: stops at epoch 6 (0.695 + 0.01 !< 0.7: wait 3).
  EarlyStopping uninterrupted(o);
  int stop_epoch = -1;
  for (int e = 0; e < int(losses.size()) && stop_epoch < 0; ++e)
    if (uninterrupted.on_epoch_end(e, losses[e])) stop_epoch = e;
  CHECK(stop_epoch == 6);
  CHECK(uninterrupted.best_epoch() == 3);

  for (int split = 0; split <= 6; ++split) {
    INFO("resumed after epoch " << split);
    EarlyStopping first_run(o);
    for (int e = 0; e < split; ++e) first_run.on_epoch_end(e, losses[e]);
    EarlyStopping resumed(o);
    resumed.load_state(through_text(first_run.state()));
    int resumed_stop = -1;
    for (int e = split; e < int(losses.size()) && resumed_stop < 0; ++e)
      if (resumed.on_epoch_end(e, losses[e])) resumed_stop = e;
    CHECK(resumed_stop == 6);
    CHECK(resumed.best_epoch() == 3);
    CHECK(resumed.best() == 0.7);
  }
  CHECK_THROWS_WITH(EarlyStopping(o).load_state({{"best", 1.0}, {"best_epoch", 0.5}, {"wait", 0}}),
                    Contains("best_epoch"));
}

TEST_CASE("PolynomialDecay gives TF-MOT's float32 sparsity and pruning steps", "[pruning]") {
  const PolynomialDecay schedule{0.0, 0.8, 0, 1000};  // power 3, frequency 100
  // step 0: p = 0, sparsity = 0.8f + (-0.8f)·1 = 0.
  CHECK(schedule(0) == std::make_pair(true, 0.0));
  // step 500: p = 0.5, (1-p)^3 = 0.125; -0.8f·0.125 + 0.8f = 0.70000001043 in
  // exact arithmetic, which rounds to the float32 nearest 0.7 (0.69999998808).
  CHECK(schedule(500) == std::make_pair(true, double(0.7f)));
  // step 250: 0.8 - 0.8·0.75^3 = 0.4625 (to float32 precision); off-turn.
  const auto [prune_250, sparsity_250] = schedule(250);
  CHECK_FALSE(prune_250);
  CHECK(sparsity_250 == Approx(0.4625).epsilon(1e-6));
  // The end step is included; afterwards the final sparsity, no pruning.
  CHECK(schedule(1000) == std::make_pair(true, double(0.8f)));
  CHECK(schedule(1100) == std::make_pair(false, double(0.8f)));

  const PolynomialDecay late{0.2, 0.5, 200, 1200, 2, 7};
  // Before begin p = 0, so the initial sparsity - as float32 arithmetic gives
  // it: float32(0.2 - 0.5) = -0.30000001192, + 0.5f = 0.19999998808 (exact),
  // one float32 step below 0.2f.
  CHECK(late(100) == std::make_pair(false, 0.19999998807907104));
  CHECK(late(200).first);
  CHECK_FALSE(late(201).first);
  CHECK(late(207).first);
  CHECK(late(214).first);
  CHECK_FALSE(late(1200).first);  // (1200 - 200) % 7 != 0
  CHECK(late(1194).first);
  CHECK_FALSE(late(1201).first);
  // power 2 at step 700: 0.5 + (0.2 - 0.5)·0.5^2 = 0.425.
  CHECK(late(700).second == Approx(0.425).epsilon(1e-6));
}

TEST_CASE("PolynomialDecay validates like TF-MOT", "[pruning]") {
  CHECK_THROWS_WITH((PolynomialDecay{0.0, 0.8, 0, -1})(0), Contains("end_step cannot be -1"));
  CHECK_THROWS_WITH((PolynomialDecay{0.0, 0.8, 100, 100})(0), Contains("greater than begin_step"));
  CHECK_THROWS_WITH((PolynomialDecay{0.0, 1.0, 0, 100})(0), Contains("final_sparsity"));
  CHECK_THROWS_WITH((PolynomialDecay{-0.1, 0.5, 0, 100})(0), Contains("initial_sparsity"));
  CHECK_THROWS_WITH((PolynomialDecay{0.0, 0.5, -1, 100})(0), Contains("begin_step"));
  CHECK_THROWS_WITH((PolynomialDecay{0.0, 0.5, 0, 100, 3, 0})(0), Contains("frequency"));
  CHECK_NOTHROW((PolynomialDecay{0.0, 0.5, 0, 100}).validate());
}

TEST_CASE("magnitude_mask keeps the k largest magnitudes and every tie", "[pruning]") {
  const at::Tensor w = torch::tensor({0.1f, -0.5f, 0.3f, -0.3f, 0.05f, 0.2f}).view({3, 2});
  // Sparsity 0.5: k = round(6·0.5) = 3; |w| descending 0.5, 0.3, 0.3, 0.2, ...
  // threshold 0.3 -> keeps 3.
  const at::Tensor half = qtrain::magnitude_mask(w, 0.5);
  CHECK(half.sizes() == w.sizes());
  CHECK(half.scalar_type() == torch::kFloat);
  CHECK(torch::equal(half, torch::tensor({0.f, 1.f, 1.f, 1.f, 0.f, 0.f}).view({3, 2})));
  // Sparsity 0.6: 6·(1 - 0.6f) = 2.3999999 -> k = 2; the 2nd largest is 0.3,
  // tied with -0.3, so both stay: 3 kept, sparsity 0.5 rather than 0.6.
  CHECK(torch::equal(qtrain::magnitude_mask(w, 0.6), half));
  // Sparsity 0 keeps everything; 1 keeps one weight (k is at least 1).
  CHECK(torch::equal(qtrain::magnitude_mask(w, 0.0), torch::ones_like(w)));
  CHECK(torch::equal(qtrain::magnitude_mask(w, 1.0),
                     torch::tensor({0.f, 1.f, 0.f, 0.f, 0.f, 0.f}).view({3, 2})));
  // Double weights give a double mask.
  CHECK(qtrain::magnitude_mask(w.to(torch::kDouble), 0.5).scalar_type() == torch::kDouble);
}

TEST_CASE("magnitude_mask counts in float32 and rounds half to even", "[pruning]") {
  const at::Tensor w = torch::arange(1, 11, torch::kFloat);  // 10 distinct magnitudes
  auto kept = [&](double s) { return qtrain::magnitude_mask(w, s).sum().item<double>(); };
  // 10·(1 - 0.75) = 2.5 exactly -> half to even: 2 (std::round would give 3).
  CHECK(kept(0.75) == 2);
  // 10·(1 - 0.65f) = 3.50000024 -> 4.
  CHECK(kept(0.65) == 4);
  // 1 - 0.85f = 0.14999998 in float32, 10× = 1.4999998 -> 1 (in double it
  // would be 1.5000000000000002 -> 2).
  CHECK(kept(0.85) == 1);
  // The kept ones are the largest: 9 and 10 at sparsity 0.75.
  CHECK(torch::equal(qtrain::magnitude_mask(w, 0.75).nonzero().flatten(), torch::tensor({8, 9}, torch::kLong)));
}

TEST_CASE("magnitude_mask rejects bad input; sparsity counts exact zeros", "[pruning]") {
  const at::Tensor w = torch::tensor({0.1f, -0.5f});
  CHECK_THROWS_WITH(qtrain::magnitude_mask(w, 1.5), Contains("sparsity"));
  CHECK_THROWS_AS(qtrain::magnitude_mask(w, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(qtrain::magnitude_mask(w, kNaN), std::invalid_argument);
  CHECK_THROWS_WITH(qtrain::magnitude_mask(torch::tensor({0.1f, NAN}), 0.5), Contains("NaN"));
  CHECK_THROWS_AS(qtrain::magnitude_mask(torch::tensor({1, 2}), 0.5), std::invalid_argument);
  CHECK(qtrain::magnitude_mask(torch::zeros({0, 4}), 0.5).numel() == 0);

  CHECK(qtrain::sparsity(torch::tensor({0.0f, -0.0f, 1e-30f, 2.0f})) == 0.5);
  CHECK(qtrain::sparsity(torch::zeros({0})) == 0.0);
  // Applying a mask reaches the sparsity it implies.
  const at::Tensor weights = torch::tensor({0.1f, -0.5f, 0.3f, -0.3f, 0.05f, 0.2f, 0.4f, -0.01f});
  CHECK(qtrain::sparsity(weights * qtrain::magnitude_mask(weights, 0.75)) == 0.75);
}
