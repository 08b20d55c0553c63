#include "qtrain/schedules.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace qtrain {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double worst_value(MonitorMode mode) { return mode == MonitorMode::Min ? kInf : -kInf; }

// nlohmann writes inf and NaN as null, which would not read back as a number;
// `best` is ±inf until the first improvement, so those travel as strings.
nlohmann::json number_to_json(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

const nlohmann::json& field(const char* owner, const nlohmann::json& state, const char* key) {
  if (!state.is_object() || !state.contains(key))
    throw std::invalid_argument(std::string(owner) + " state: missing \"" + key + "\"");
  return state.at(key);
}

double number_field(const char* owner, const nlohmann::json& state, const char* key) {
  const nlohmann::json& value = field(owner, state, key);
  if (value.is_number()) return value.get<double>();
  if (value == "inf") return kInf;
  if (value == "-inf") return -kInf;
  if (value == "nan") return std::numeric_limits<double>::quiet_NaN();
  throw std::invalid_argument(std::string(owner) + " state: \"" + key + "\" is not a number: " +
                              value.dump());
}

int integer_field(const char* owner, const nlohmann::json& state, const char* key) {
  const nlohmann::json& value = field(owner, state, key);
  if (!value.is_number_integer())
    throw std::invalid_argument(std::string(owner) + " state: \"" + key +
                                "\" is not an integer: " + value.dump());
  return value.get<int>();
}

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

}  // namespace

MonitorMode parse_monitor_mode(std::string_view text) {
  if (text == "min") return MonitorMode::Min;
  if (text == "max") return MonitorMode::Max;
  throw std::invalid_argument("monitor mode must be \"min\" or \"max\", got \"" + std::string(text) +
                              "\"");
}

ReduceLROnPlateau::ReduceLROnPlateau(Options options)
    : options_(options), best_(worst_value(options.mode)) {
  require(options.factor > 0 && options.factor < 1,
          "ReduceLROnPlateau: factor must be in (0, 1), got " + std::to_string(options.factor));
  require(options.patience >= 0, "ReduceLROnPlateau: patience must be >= 0");
  require(options.cooldown >= 0, "ReduceLROnPlateau: cooldown must be >= 0");
  require(options.min_delta >= 0, "ReduceLROnPlateau: min_delta must be >= 0");
  require(options.min_lr >= 0, "ReduceLROnPlateau: min_lr must be >= 0");
}

bool ReduceLROnPlateau::improves(double monitored) const {
  // Keras's monitor_op: np.less(a, best - min_delta) / np.greater(a, best + min_delta).
  return options_.mode == MonitorMode::Min ? monitored < best_ - options_.min_delta
                                           : monitored > best_ + options_.min_delta;
}

double ReduceLROnPlateau::on_epoch_end(double monitored, double current_lr) {
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (improves(monitored)) {
    best_ = monitored;
    wait_ = 0;
    return current_lr;
  }
  // The cooldown test comes after the decrement above, so the epoch on which
  // the counter reaches zero already counts towards patience.
  if (cooldown_counter_ > 0) return current_lr;
  ++wait_;
  if (wait_ < options_.patience || !(current_lr > options_.min_lr)) return current_lr;
  cooldown_counter_ = options_.cooldown;
  wait_ = 0;
  return std::max(current_lr * options_.factor, options_.min_lr);
}

nlohmann::json ReduceLROnPlateau::state() const {
  return {{"best", number_to_json(best_)}, {"wait", wait_}, {"cooldown_counter", cooldown_counter_}};
}

void ReduceLROnPlateau::load_state(const nlohmann::json& state) {
  const char* owner = "ReduceLROnPlateau";
  const double best = number_field(owner, state, "best");
  const int wait = integer_field(owner, state, "wait");
  const int cooldown_counter = integer_field(owner, state, "cooldown_counter");
  best_ = best;
  wait_ = wait;
  cooldown_counter_ = cooldown_counter;
}

EarlyStopping::EarlyStopping(Options options) : options_(options), best_(worst_value(options.mode)) {
  require(options.patience >= 0, "EarlyStopping: patience must be >= 0");
  options_.min_delta = std::abs(options.min_delta);
}

bool EarlyStopping::improves(double monitored, double reference) const {
  // Keras's _is_improvement, whose min_delta is negated in min mode.
  return options_.mode == MonitorMode::Min ? monitored + options_.min_delta < reference
                                           : monitored - options_.min_delta > reference;
}

bool EarlyStopping::on_epoch_end(int epoch, double monitored) {
  if (options_.restore_best_weights && best_epoch_ < 0) best_epoch_ = epoch;
  ++wait_;
  if (improves(monitored, best_)) {
    best_ = monitored;
    best_epoch_ = epoch;
    if (!options_.baseline || improves(monitored, *options_.baseline)) wait_ = 0;
    return false;
  }
  return wait_ >= options_.patience && epoch > 0;
}

nlohmann::json EarlyStopping::state() const {
  return {{"best", number_to_json(best_)}, {"best_epoch", best_epoch_}, {"wait", wait_}};
}

void EarlyStopping::load_state(const nlohmann::json& state) {
  const char* owner = "EarlyStopping";
  const double best = number_field(owner, state, "best");
  const int best_epoch = integer_field(owner, state, "best_epoch");
  const int wait = integer_field(owner, state, "wait");
  best_ = best;
  best_epoch_ = best_epoch;
  wait_ = wait;
}

}  // namespace qtrain
