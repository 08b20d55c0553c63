#include "qtrain/run_config.h"

#include <filesystem>
#include <limits>
#include <set>

#include "qtrain/files.h"

namespace qtrain {
namespace {

using nlohmann::json;

// One JSON object of the run config: typed reads that name the field on
// error, and a check that nothing unknown was given.
class Section {
 public:
  Section(const json& object, std::string source, std::string path)
      : object_(object), source_(std::move(source)), path_(std::move(path)) {
    if (!object_.is_object()) throw error("", "must be an object");
  }

  RunError error(const std::string& key, const std::string& what) const {
    std::string field = path_.empty() ? key : key.empty() ? path_ : path_ + "." + key;
    return RunError(source_ + ": " + (field.empty() ? "" : field + " ") + what);
  }
  bool has(const std::string& key) {
    known_.insert(key);
    return object_.contains(key) && !object_[key].is_null();
  }
  const json& raw(const std::string& key) {
    known_.insert(key);
    return object_.at(key);
  }
  double number(const std::string& key, double fallback, double lo = -std::numeric_limits<double>::infinity(),
                double hi = std::numeric_limits<double>::infinity()) {
    if (!has(key)) return fallback;
    const json& v = object_[key];
    if (!v.is_number() || !(v.get<double>() >= lo && v.get<double>() <= hi))
      throw error(key, "must be a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
    return v.get<double>();
  }
  int64_t integer(const std::string& key, int64_t fallback, int64_t lo = std::numeric_limits<int64_t>::min()) {
    if (!has(key)) return fallback;
    const json& v = object_[key];
    if (!v.is_number_integer() || v.get<int64_t>() < lo)
      throw error(key, "must be an integer >= " + std::to_string(lo) + ", got " + v.dump());
    return v.get<int64_t>();
  }
  bool boolean(const std::string& key, bool fallback) {
    if (!has(key)) return fallback;
    if (!object_[key].is_boolean()) throw error(key, "must be true or false, got " + object_[key].dump());
    return object_[key].get<bool>();
  }
  std::string string(const std::string& key, const std::optional<std::string>& fallback = std::nullopt) {
    if (!has(key)) {
      if (!fallback) throw error(key, "is required");
      return *fallback;
    }
    if (!object_[key].is_string()) throw error(key, "must be a string, got " + object_[key].dump());
    return object_[key].get<std::string>();
  }
  template <class Enum>
  Enum choice(const std::string& key, const std::vector<std::pair<std::string, Enum>>& choices, Enum fallback) {
    if (!has(key)) return fallback;
    std::string value = string(key);
    std::string names;
    for (const auto& [name, e] : choices) {
      if (name == value) return e;
      names += (names.empty() ? "" : ", ") + name;
    }
    throw error(key, "must be one of " + names + ", got \"" + value + "\"");
  }
  Section section(const std::string& key) { return Section(raw(key), source_, path_.empty() ? key : path_ + "." + key); }
  void finish() const {
    for (const auto& [key, value] : object_.items())
      if (!known_.count(key)) throw error(key, "is not a known field");
  }

 private:
  const json& object_;
  std::string source_, path_;
  std::set<std::string> known_;
};

MonitorMode read_mode(Section& s) {
  return s.choice<MonitorMode>("mode", {{"min", MonitorMode::Min}, {"max", MonitorMode::Max}}, MonitorMode::Min);
}

DataConfig read_data(Section s, const std::string& base_dir) {
  DataConfig d;
  const auto resolve = [&base_dir](std::string path) {
    if (std::filesystem::path(path).is_relative()) path = (std::filesystem::path(base_dir) / path).string();
    return path;
  };
  d.kind = s.string("kind");
  if (d.kind == "jets") {
    d.path = resolve(s.string("path"));
  } else if (d.kind == "svhn") {
    d.path = resolve(s.string("path"));
    d.test_path = resolve(s.string("test_path"));
    if (s.has("extra_path")) d.extra_path = resolve(s.string("extra_path"));
  } else if (d.kind == "adc") {
    d.path = resolve(s.string("path"));
    if (!s.has("signals") || !s.raw("signals").is_array() || s.raw("signals").empty())
      throw s.error("signals", "must be a non-empty list of {\"name\": ..., \"path\": ...}");
    for (const json& entry : s.raw("signals")) {
      const auto field_error = [&](const std::string& what) {
        return s.error("signals[" + std::to_string(d.signals.size()) + "]", what);
      };
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("path") ||
          !entry["path"].is_string() || entry.size() != 2)
        throw field_error("must be {\"name\": string, \"path\": string}, got " + entry.dump());
      d.signals.push_back({entry["name"].get<std::string>(), resolve(entry["path"].get<std::string>())});
    }
  } else if (d.kind == "synthetic_jets" || d.kind == "synthetic_svhn" || d.kind == "synthetic_adc") {
    d.samples = s.integer("samples", d.kind == "synthetic_jets" ? 100000 : 20000, 10);
    d.seed = static_cast<uint64_t>(s.integer("seed", 7, 0));
    if (d.kind == "synthetic_adc") d.signal_samples = s.integer("signal_samples", 5000, 1);
  } else {
    throw s.error("kind", "must be one of jets, synthetic_jets, svhn, synthetic_svhn, adc, synthetic_adc, got \"" +
                              d.kind + "\"");
  }
  // svhn's test set is its own file.
  if (d.kind == "svhn" && s.has("test_fraction")) throw s.error("test_fraction", "does not apply: svhn tests on test_path");
  d.test_fraction = s.number("test_fraction", d.kind == "svhn" ? 0.0 : 0.2, 0.0, 0.9);
  d.validation_fraction = s.number("validation_fraction", 0.2, 0.0, 0.9);
  d.split_seed = static_cast<uint64_t>(s.integer("split_seed", 42, 0));
  d.standardize = s.boolean("standardize", true);
  d.folds = static_cast<int>(s.integer("folds", 0, 0));
  if (d.folds == 1) throw s.error("folds", "must be 0 (no folds) or at least 2");
  if (d.folds > 0 && s.has("validation_fraction"))
    throw s.error("validation_fraction", "does not apply with folds: each fold is the validation set of one run");
  d.fold = static_cast<int>(s.integer("fold", 0, 0));
  if (d.fold > d.folds) throw s.error("fold", "must be in 1..folds (" + std::to_string(d.folds) + ")");
  s.finish();
  return d;
}

}  // namespace

RunConfig RunConfig::from_json(const json& j, const std::string& source, const std::string& base_dir) {
  Section top(j, source, "");
  RunConfig c;
  c.source = source;
  c.name = top.string("name");
  if (c.name.empty() || c.name.find('/') != std::string::npos) throw top.error("name", "must be a plain, non-empty name");

  const json& model = top.raw("model");
  if (model.is_string()) {
    std::filesystem::path p = model.get<std::string>();
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    c.model = ModelSpec::load(p.string());
  } else {
    c.model = ModelSpec::from_json(model, source + ": model");
  }

  c.data = read_data(top.section("data"), base_dir);

  if (top.has("loss")) {
    Section s = top.section("loss");
    using K = LossConfig::Kind;
    c.loss.kind = s.choice<K>("kind", {{"categorical_crossentropy", K::CategoricalCrossentropy}, {"mse", K::Mse}, {"vae", K::Vae}},
                              K::CategoricalCrossentropy);
    c.loss.mask_zeros = s.boolean("mask_zeros", false);
    c.loss.tanh_eta_phi = s.boolean("tanh_eta_phi", false);
    c.loss.beta = s.number("beta", 0.5, 0.0, 1.0);
    s.finish();
  }
  if (top.has("optimizer")) {
    Section s = top.section("optimizer");
    using K = OptimizerConfig::Kind;
    c.optimizer.kind = s.choice<K>("kind", {{"adam", K::Adam}, {"sgd", K::Sgd}}, K::Adam);
    c.optimizer.lr = s.number("lr", 1e-3, 1e-12, 10.0);
    c.optimizer.momentum = s.number("momentum", 0.0, 0.0, 1.0);
    c.optimizer.weight_decay = s.number("weight_decay", 0.0, 0.0, 1.0);
    if (c.optimizer.kind == K::Adam && s.has("momentum")) throw s.error("momentum", "applies to sgd only");
    s.finish();
  }
  if (top.has("regularizers")) {
    Section s = top.section("regularizers");
    c.l1 = s.number("l1", 0.0, 0.0);
    c.l2 = s.number("l2", 0.0, 0.0);
    s.finish();
  }
  if (top.has("clip")) {
    Section s = top.section("clip");
    double lo = s.number("min", -1.0), hi = s.number("max", 1.0);
    if (!(lo < hi)) throw s.error("", "needs min < max");
    c.clip = std::make_pair(lo, hi);
    s.finish();
  }
  c.batch_size = top.integer("batch_size", 1024, 1);
  c.epochs = static_cast<int>(top.integer("epochs", 10, 1));
  if (top.has("reduce_lr")) {
    Section s = top.section("reduce_lr");
    ReduceLROnPlateau::Options o;
    o.mode = read_mode(s);
    o.factor = s.number("factor", 0.1, 0.0, 1.0);
    o.patience = static_cast<int>(s.integer("patience", 10, 0));
    o.min_delta = s.number("min_delta", 1e-4, 0.0);
    o.cooldown = static_cast<int>(s.integer("cooldown", 0, 0));
    o.min_lr = s.number("min_lr", 0.0, 0.0);
    s.finish();
    c.reduce_lr = o;
  }
  if (top.has("early_stopping")) {
    Section s = top.section("early_stopping");
    EarlyStopping::Options o;
    o.mode = read_mode(s);
    o.patience = static_cast<int>(s.integer("patience", 10, 0));
    o.min_delta = s.number("min_delta", 0.0, 0.0);
    o.restore_best_weights = s.boolean("restore_best", true);
    if (s.has("baseline")) o.baseline = s.number("baseline", 0.0);
    s.finish();
    c.early_stopping = o;
  }
  if (top.has("pruning")) {
    Section s = top.section("pruning");
    PruningConfig p;
    p.schedule.initial_sparsity = s.number("initial_sparsity", 0.0, 0.0, 1.0);
    p.schedule.final_sparsity = s.number("final_sparsity", 0.5, 0.0, 1.0);
    p.schedule.begin_step = s.integer("begin_step", 0, 0);
    p.schedule.end_step = s.integer("end_step", 1000, 1);
    p.schedule.frequency = s.integer("frequency", 100, 1);
    p.schedule.power = s.number("exponent", 3.0, 0.0);
    try {
      p.schedule.validate();
    } catch (const std::invalid_argument& e) {
      throw s.error("", e.what());
    }
    if (s.has("layers")) {
      const json& layers = s.raw("layers");
      if (!layers.is_array()) throw s.error("layers", "must be a list of layer names");
      for (const json& l : layers) {
        if (!l.is_string()) throw s.error("layers", "must be a list of layer names");
        p.layers.push_back(l.get<std::string>());
      }
    }
    s.finish();
    c.pruning = p;
  }
  if (top.has("metrics")) {
    Section s = top.section("metrics");
    if (s.has("tpr_at_fpr")) {
      const json& fprs = s.raw("tpr_at_fpr");
      if (!fprs.is_array()) throw s.error("tpr_at_fpr", "must be a list of false-positive rates");
      for (const json& f : fprs) {
        if (!f.is_number() || !(f.get<double>() > 0.0 && f.get<double>() < 1.0))
          throw s.error("tpr_at_fpr", "entries must be numbers in (0, 1), got " + f.dump());
        c.tpr_at_fpr.push_back(f.get<double>());
      }
    }
    s.finish();
  }
  c.seed = static_cast<uint64_t>(top.integer("seed", 1, 0));
  if (top.has("threads")) c.threads = static_cast<int>(top.integer("threads", 1, 1));
  if (top.has("initial_weights")) {
    std::filesystem::path p = top.string("initial_weights");
    if (p.empty()) throw top.error("initial_weights", "must name a run directory");
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    c.initial_weights = p.string();
  }
  top.has("description");
  top.finish();
  return c;
}

RunConfig RunConfig::load(const std::string& path) {
  json j;
  try {
    j = read_json_file(path);
  } catch (const std::runtime_error& e) {
    throw RunError(e.what());
  }
  std::string base = std::filesystem::path(path).parent_path().string();
  return from_json(j, path, base.empty() ? "." : base);
}

}  // namespace qtrain
