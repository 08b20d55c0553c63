// Epoch-end training callbacks with Keras 3 semantics (keras.callbacks
// ReduceLROnPlateau and EarlyStopping): same counters, same comparisons, same
// order of updates, so a run configured like a Keras script changes its
// learning rate and stops at the same epochs.  Each object only sees the
// monitored value; the training loop owns the optimizer and the weights.
// state()/load_state() carry the counters through a checkpoint so that a
// resumed run continues exactly.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string_view>

namespace qtrain {

// Min for losses, Max for accuracies and AUCs (Keras's "auto" guessed it from
// the metric name; the run config states it).
enum class MonitorMode { Min, Max };

// "min" or "max"; anything else throws std::invalid_argument.
MonitorMode parse_monitor_mode(std::string_view text);

class ReduceLROnPlateau {
 public:
  struct Options {
    MonitorMode mode = MonitorMode::Min;
    double factor = 0.1;     // new_lr = lr * factor, 0 < factor < 1
    int patience = 10;       // epochs without improvement before a reduction
    double min_delta = 1e-4; // an improvement must beat best by more than this
    int cooldown = 0;        // after a reduction the next cooldown - 1 epochs are not counted
    double min_lr = 0;       // floor of the learning rate
  };

  // Throws std::invalid_argument for factor outside (0, 1), negative patience,
  // cooldown, min_delta or min_lr.
  explicit ReduceLROnPlateau(Options options);

  // Feeds the epoch's monitored value; returns the learning rate for the next
  // epoch (current_lr when unchanged).  Keras's order: a cooldown epoch first
  // decrements the cooldown counter, then an improvement (min: monitored <
  // best - min_delta) resets the wait; otherwise, once out of cooldown, wait
  // grows and at wait >= patience the rate becomes max(lr * factor, min_lr) if
  // lr > min_lr, restarting cooldown and wait.  Already at min_lr nothing is
  // reset.  NaN never improves.  Keras keeps lr in float32 and so compares with
  // float32(min_lr); lr is double here, so the comparison is with min_lr.
  double on_epoch_end(double monitored, double current_lr);

  double best() const { return best_; }
  int wait() const { return wait_; }
  int cooldown_counter() const { return cooldown_counter_; }
  const Options& options() const { return options_; }

  // {"best", "wait", "cooldown_counter"}; ±inf and NaN are written as strings
  // because JSON has no such numbers.  load_state throws std::invalid_argument
  // for a missing or mistyped field.
  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  bool improves(double monitored) const;

  Options options_;
  double best_;
  int wait_ = 0;
  int cooldown_counter_ = 0;
};

class EarlyStopping {
 public:
  struct Options {
    MonitorMode mode = MonitorMode::Min;
    int patience = 0;       // epochs without improvement before stopping
    double min_delta = 0;   // an improvement must beat best by more than |min_delta|
    bool restore_best_weights = false;
    std::optional<double> baseline;  // wait is only reset by epochs that also beat it
  };

  // Throws std::invalid_argument for negative patience.  min_delta's sign is
  // ignored, as in Keras.
  explicit EarlyStopping(Options options);

  // Feeds epoch `epoch` (0-based, as Keras counts); true when training should
  // stop now.  Keras 3's order: wait grows; an improvement (min: monitored +
  // |min_delta| < best) records best and best_epoch, resets wait if it also
  // beats the baseline, and never stops; otherwise stop when wait >= patience
  // and epoch > 0.  NaN never improves.
  bool on_epoch_end(int epoch, double monitored);

  double best() const { return best_; }
  // Epoch whose weights are the best so far: the last improvement, or with
  // restore_best_weights the first epoch seen until something improves
  // (Keras snapshots the weights then); -1 before that.  The loop snapshots
  // the weights whenever best_epoch() equals the epoch just reported.
  int best_epoch() const { return best_epoch_; }
  int wait() const { return wait_; }
  // Keras 3 restores the best weights at the end of training whether or not it
  // stopped early (tf.keras 2 restored them only on an early stop).
  bool restore_best_weights() const { return options_.restore_best_weights; }
  const Options& options() const { return options_; }

  // {"best", "best_epoch", "wait"}, non-finite numbers as strings as above.
  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  bool improves(double monitored, double reference) const;

  Options options_;
  double best_;
  int best_epoch_ = -1;
  int wait_ = 0;
};

}  // namespace qtrain
