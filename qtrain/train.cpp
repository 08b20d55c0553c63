#include "qtrain/train.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>

#include "qtrain/copy_weights.h"
#include "qtrain/files.h"
#include "qtrain/losses.h"
#include "qtrain/metrics.h"
#include "qtrain/run_data.h"

namespace qtrain {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The run config as run.json keeps it: the model points at the model.json
// beside it and data paths are absolute, so open_run() reads the run
// directory from anywhere.
json run_dir_config(json config, const RunConfig& c) {
  config["model"] = "model.json";
  json& data = config["data"];
  const auto absolute = [](const std::string& path) { return fs::absolute(path).lexically_normal().string(); };
  if (!c.data.path.empty()) data["path"] = absolute(c.data.path);
  if (!c.data.test_path.empty()) data["test_path"] = absolute(c.data.test_path);
  if (!c.data.extra_path.empty()) data["extra_path"] = absolute(c.data.extra_path);
  for (size_t i = 0; i < c.data.signals.size(); ++i) data["signals"][i]["path"] = absolute(c.data.signals[i].path);
  return config;
}

// Checks that the model's outputs fit the loss and the data.
void check_model_fits(const RunConfig& c, const Model& model, const RunData& data) {
  Shape in = model.spec().input_shape();
  Shape features(data.train.x.sizes().begin() + 1, data.train.x.sizes().end());
  if (in != features)
    throw RunError(c.source + ": model input_shape " + shape_to_string(in) + " does not match the data's " +
                   shape_to_string(features));
  const Shape& out = model.layers()[model.output_layers()[0]]->output_shape();
  switch (c.loss.kind) {
    case LossConfig::Kind::CategoricalCrossentropy:
      if (out != Shape{static_cast<int64_t>(data.class_names.size())})
        throw RunError(c.source + ": model output " + shape_to_string(out) + " does not match the " +
                       std::to_string(data.class_names.size()) + " classes of the data");
      break;
    case LossConfig::Kind::Vae:
      if (model.output_layers().size() != 3)
        throw RunError(c.source + ": the vae loss needs model outputs [reconstruction, z_mean, z_log_var]");
      [[fallthrough]];
    case LossConfig::Kind::Mse:
      if (out != in)
        throw RunError(c.source + ": the reconstruction " + shape_to_string(out) + " does not match the input " +
                       shape_to_string(in));
      if (c.loss.tanh_eta_phi && data.train.x[0].numel() != 19 * 3)
        throw RunError(c.source + ": loss.tanh_eta_phi needs ADC events (19 particles x pT, eta, phi), the input is " +
                       shape_to_string(in));
  }
}

// The reconstruction as the loss and the IO score compare it with the input.
torch::Tensor reconstruction(const RunConfig& c, const torch::Tensor& output) {
  return c.loss.tanh_eta_phi ? tanh_eta_phi(output) : output;
}

torch::Tensor compute_loss(const RunConfig& c, const std::vector<torch::Tensor>& outputs, const torch::Tensor& y) {
  switch (c.loss.kind) {
    case LossConfig::Kind::CategoricalCrossentropy:
      return categorical_crossentropy(outputs[0], y);
    case LossConfig::Kind::Mse:
      return mean_squared_error(reconstruction(c, outputs[0]), y, c.loss.mask_zeros);
    case LossConfig::Kind::Vae:
      return (1.0 - c.loss.beta) * mean_squared_error(reconstruction(c, outputs[0]), y, c.loss.mask_zeros) +
             c.loss.beta * kl_divergence(outputs[1], outputs[2]);
  }
  throw std::logic_error("unhandled loss kind");
}

bool is_kernel(const LayerWeight& w) {
  return w.name.size() >= 6 && w.name.compare(w.name.size() - 6, 6, "kernel") == 0;
}

torch::Tensor regularization(const RunConfig& c, Model& model) {
  torch::Tensor penalty = torch::zeros({});
  if (c.l1 == 0.0 && c.l2 == 0.0) return penalty;
  for (const LayerPtr& layer : model.layers())
    for (const LayerWeight& w : layer->weights()) {
      if (!is_kernel(w)) continue;
      if (c.l1 != 0.0) penalty = penalty + c.l1 * w.variable.abs().sum();
      if (c.l2 != 0.0) penalty = penalty + c.l2 * w.variable.square().sum();
    }
  return penalty;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& o, Model& model) {
  if (o.kind == OptimizerConfig::Kind::Adam)
    return std::make_unique<torch::optim::Adam>(model.parameters(),
                                                torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
  return std::make_unique<torch::optim::SGD>(
      model.parameters(), torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (torch::optim::OptimizerParamGroup& group : optimizer.param_groups()) group.options().set_lr(lr);
}

// The kernels pruning acts on: named layers, or every layer with a kernel.
std::map<std::string, torch::Tensor> prunable_kernels(const RunConfig& c, Model& model) {
  std::map<std::string, torch::Tensor> kernels;
  for (const LayerPtr& layer : model.layers()) {
    bool selected = c.pruning->layers.empty() ||
                    std::find(c.pruning->layers.begin(), c.pruning->layers.end(), layer->name()) != c.pruning->layers.end();
    for (const LayerWeight& w : layer->weights())
      if (selected && is_kernel(w)) kernels[layer->name() + "." + w.name] = w.variable;
  }
  for (const std::string& name : c.pruning->layers)
    if (!model.layer(name)) throw RunError(c.source + ": pruning.layers names '" + name + "', which the model does not have");
  if (kernels.empty()) throw RunError(c.source + ": pruning has no layer with a kernel to act on");
  return kernels;
}

// Everything besides the weights that --resume needs to continue exactly.
struct TrainerState {
  int epoch = 0;      // completed epochs
  int64_t step = 0;   // optimizer steps taken
  double lr = 0.0;
  json history = json::array();
  std::map<std::string, torch::Tensor> masks;
};

void save_checkpoint(const std::string& path, Model& model, torch::optim::Optimizer* optimizer,
                     const TrainerState* state, const json& schedules) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  if (optimizer) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  if (state) {
    json j = {{"epoch", state->epoch}, {"step", state->step}, {"lr", state->lr}, {"history", state->history},
              {"schedules", schedules}};
    archive.write("trainer_state", c10::IValue(j.dump()));
    for (const auto& [name, mask] : state->masks) archive.write("mask." + name, mask, /*is_buffer=*/true);
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("rng_state", generator.get_state(), /*is_buffer=*/true);
  }
  write_atomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
}

json load_checkpoint(const std::string& path, Model& model, torch::optim::Optimizer& optimizer, TrainerState& state) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
    model.load(archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);
    c10::IValue text;
    archive.read("trainer_state", text);
    json j = json::parse(text.toStringRef());
    state.epoch = j.at("epoch").get<int>();
    state.step = j.at("step").get<int64_t>();
    state.lr = j.at("lr").get<double>();
    state.history = j.at("history");
    for (auto& [name, mask] : state.masks) archive.read("mask." + name, mask, true);
    torch::Tensor rng;
    archive.read("rng_state", rng, true);
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng);
    return j.at("schedules");
  } catch (const c10::Error& e) {
    throw RunError(path + ": cannot resume from this checkpoint: " + e.what_without_backtrace());
  } catch (const json::exception& e) {
    throw RunError(path + ": corrupt trainer state: " + e.what());
  }
}

struct Evaluation {
  double loss = 0.0;
  double accuracy = std::nan("");
  torch::Tensor scores;  // first output, (N, ...)
  // Autoencoders: the anomaly scores per sample (N,): "io" (the masked MSE
  // between input and reconstruction), and for a VAE "kl" (D_KL) and "rz"
  // (R_z) of its encoder outputs.
  std::map<std::string, torch::Tensor> anomaly;
};

Evaluation evaluate(const RunConfig& c, Model& model, const Split& split, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  Evaluation e;
  std::vector<torch::Tensor> scores;
  std::map<std::string, std::vector<torch::Tensor>> anomaly;
  double loss_sum = 0.0;
  for (int64_t begin = 0; begin < split.size(); begin += batch_size) {
    int64_t end = std::min(begin + batch_size, split.size());
    std::vector<torch::Tensor> outputs = model.forward_outputs(split.x.slice(0, begin, end));
    const torch::Tensor y = split.y.slice(0, begin, end);
    loss_sum += compute_loss(c, outputs, y).item<double>() * static_cast<double>(end - begin);
    scores.push_back(outputs[0]);
    if (is_classification(c)) continue;
    anomaly["io"].push_back(squared_error_per_sample(reconstruction(c, outputs[0]), y, c.loss.mask_zeros));
    if (c.loss.kind == LossConfig::Kind::Vae) {
      anomaly["kl"].push_back(kl_divergence_per_sample(outputs[1], outputs[2]));
      anomaly["rz"].push_back(rz_score(outputs[1], outputs[2]));
    }
  }
  e.loss = loss_sum / static_cast<double>(split.size());
  e.scores = torch::cat(scores);
  for (const auto& [name, parts] : anomaly) e.anomaly[name] = torch::cat(parts);
  if (is_classification(c)) e.accuracy = accuracy(e.scores, split.y);
  return e;
}

std::string format_duration(double seconds) {
  char text[32];
  if (seconds < 60)
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  else if (seconds < 3600)
    std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  else
    std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(seconds) / 3600, static_cast<int>(seconds) / 60 % 60);
  return text;
}

std::string metrics_csv(const json& history, bool classification) {
  std::ostringstream csv;
  csv << (classification ? "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n" : "epoch,loss,val_loss,lr,seconds\n");
  csv.precision(8);
  for (const json& row : history) {
    csv << row["epoch"].get<int>() << "," << row["loss"].get<double>() << ",";
    if (classification) csv << row["accuracy"].get<double>() << ",";
    csv << row["val_loss"].get<double>() << ",";
    if (classification) csv << row["val_accuracy"].get<double>() << ",";
    csv << row["lr"].get<double>() << "," << row["seconds"].get<double>() << "\n";
  }
  return csv.str();
}

// The FPRs of the anomaly table: the configured ones, else the paper's.
std::vector<double> anomaly_fprs(const RunConfig& c) {
  return c.tpr_at_fpr.empty() ? std::vector<double>{1e-5, 1e-4, 1e-3} : c.tpr_at_fpr;
}

std::string fpr_key(double fpr) {
  std::ostringstream key;
  key << fpr;
  return key.str();
}

// Per anomaly score and signal: ROC AUC and TPR at the FPRs of the signal
// against the background test set (higher score = more anomalous).
json anomaly_metrics(const RunConfig& c, const Evaluation& background, const std::vector<Evaluation>& signals,
                     const RunData& data) {
  json m = json::object();
  for (const auto& [score, negatives] : background.anomaly)
    for (size_t k = 0; k < signals.size(); ++k) {
      const torch::Tensor positives = signals[k].anomaly.at(score);
      const torch::Tensor is_signal =
          torch::cat({torch::zeros(negatives.size(0), torch::kBool), torch::ones(positives.size(0), torch::kBool)});
      const RocCurve curve = roc_curve(torch::cat({negatives, positives}), is_signal);
      json& entry = m[score][data.signals[k].name];
      entry["events"] = positives.size(0);
      entry["roc_auc"] = roc_auc(curve);
      for (double fpr : anomaly_fprs(c)) entry["tpr_at_fpr"][fpr_key(fpr)] = tpr_at_fpr(curve, fpr);
    }
  return m;
}

// The test-set report: accuracy, per-class ROC AUC and TPR at the configured
// FPRs; for anomaly detection the scores of the signals against the test set.
json test_metrics(const RunConfig& c, Model& model, const Evaluation& e, const RunData& data) {
  json m = {{"loss", e.loss}, {"samples", data.test.size()}};
  if (!data.signals.empty()) {
    std::vector<Evaluation> signals;
    for (const NamedSplit& signal : data.signals) signals.push_back(evaluate(c, model, signal.split, 16384));
    m["anomaly"] = anomaly_metrics(c, e, signals, data);
  }
  if (!is_classification(c)) return m;
  m["accuracy"] = e.accuracy;
  std::vector<double> aucs = roc_auc_per_class(e.scores, data.test.y);
  for (size_t k = 0; k < data.class_names.size(); ++k) {
    const std::string& name = data.class_names[k];
    m["roc_auc"][name] = aucs[k];
    if (c.tpr_at_fpr.empty()) continue;
    RocCurve curve = roc_curve(e.scores.select(1, static_cast<int64_t>(k)), data.test.y == static_cast<int64_t>(k));
    for (double fpr : c.tpr_at_fpr) m["tpr_at_fpr"][name][fpr_key(fpr)] = tpr_at_fpr(curve, fpr);
  }
  return m;
}

// The anomaly-detection results in the layout of Table 1 of Govorkova et
// al. (Nature Machine Intelligence 2022): per score and signal, the TPR at
// the small FPRs and the ROC AUC.
void print_anomaly_table(std::ostream& log, const RunConfig& c, const json& test, const RunData& data) {
  char line[256];
  log << "\nAnomaly detection against " << test["samples"].get<int64_t>() << " background test events\n";
  std::string header = "  score  signal          events";
  for (double fpr : anomaly_fprs(c)) {
    std::snprintf(line, sizeof line, "  TPR@FPR=%-7s", fpr_key(fpr).c_str());
    header += line;
  }
  log << header << "  ROC AUC\n";
  for (const auto& [score, per_signal] : test["anomaly"].items())
    for (const NamedSplit& signal : data.signals) {
      const json& entry = per_signal.at(signal.name);
      std::snprintf(line, sizeof line, "  %-5s  %-14s %7lld", score.c_str(), signal.name.c_str(),
                    static_cast<long long>(entry["events"].get<int64_t>()));
      log << line;
      for (double fpr : anomaly_fprs(c)) {
        std::snprintf(line, sizeof line, "  %-15.4f", entry["tpr_at_fpr"][fpr_key(fpr)].get<double>());
        log << line;
      }
      std::snprintf(line, sizeof line, "  %7.4f\n", entry["roc_auc"].get<double>());
      log << line;
    }
}

void print_result_table(std::ostream& log, const RunConfig& c, const json& test) {
  char line[256];
  log << "\nTest set (" << test["samples"].get<int64_t>() << " samples): loss " << test["loss"].get<double>();
  if (!test.contains("accuracy")) {
    log << "\n";
    return;
  }
  std::snprintf(line, sizeof line, ", accuracy %.4f\n", test["accuracy"].get<double>());
  log << line;
  std::string header = "  class       ROC AUC";
  for (double fpr : c.tpr_at_fpr) {
    std::snprintf(line, sizeof line, "  TPR@FPR=%-6g", fpr);
    header += line;
  }
  log << header << "\n";
  for (const auto& [name, auc] : test["roc_auc"].items()) {
    std::snprintf(line, sizeof line, "  %-10s  %7.4f", name.c_str(), auc.get<double>());
    log << line;
    json tprs = test.value("tpr_at_fpr", json::object()).value(name, json::object());
    for (const auto& [fpr, tpr] : tprs.items()) {
      std::snprintf(line, sizeof line, "  %-14.4f", tpr.get<double>());
      log << line;
    }
    log << "\n";
  }
}

}  // namespace

void load_checkpoint_weights(Model& model, const std::string& checkpoint_path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(checkpoint_path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw RunError(checkpoint_path + ": cannot load weights: " + e.what_without_backtrace());
  }
}

void save_model_weights(Model& model, const std::string& checkpoint_path) {
  save_checkpoint(checkpoint_path, model, nullptr, nullptr, json());
}

namespace {

// One training run into `run_dir`; `saved_config` is what run.json gets.
TrainResult train_run(const RunConfig& c, const json& saved_config, const fs::path& run_dir, const TrainOptions& options) {
  fs::path checkpoints = run_dir / "checkpoints";
  std::string last_path = (checkpoints / "last.pt").string(), best_path = (checkpoints / "best.pt").string();
  bool has_last = fs::exists(last_path);
  if (options.resume && !has_last) throw RunError(last_path + ": nothing to resume (no checkpoint)");
  if (!options.resume && !options.force && fs::exists(run_dir / "model.json"))
    throw RunError(run_dir.string() + ": run directory exists; use --resume to continue or --force to start over");
  if (options.resume) {
    ModelSpec saved = ModelSpec::load((run_dir / "model.json").string());
    if (saved.json != c.model.json)
      throw RunError(options.config_path + ": the model differs from the one in " + run_dir.string() +
                     "; start a new run (or --force)");
  }
  fs::create_directories(checkpoints);

  std::optional<RunData> loaded;
  if (!options.data) loaded = load_run_data(c);
  const RunData& data = options.data ? *options.data : *loaded;
  torch::manual_seed(c.seed);
  Model model(c.model);
  check_model_fits(c, model, data);
  // A user's Clip replaces QKeras' automatic one on every kernel.
  if (c.clip)
    for (const LayerPtr& layer : model.layers())
      for (LayerWeight& w : layer->weights())
        if (is_kernel(w)) w.clip = c.clip;
  // A warm start (transfer learning, AutoQ's block scheduler): a resumed run
  // has them in its checkpoint already.
  if (!options.resume && !c.initial_weights.empty()) {
    try {
      copy_weights(*open_run(c.initial_weights).model, model);
    } catch (const std::exception& e) {
      throw RunError(c.source + ": initial_weights: " + e.what());
    }
  }
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(c.optimizer, model);

  TrainerState state;
  state.lr = c.optimizer.lr;
  std::optional<ReduceLROnPlateau> reduce_lr;
  if (c.reduce_lr) reduce_lr.emplace(*c.reduce_lr);
  // Early stopping also tracks the best epoch for best.pt; without the
  // config section it never stops.
  EarlyStopping::Options stop_options;
  stop_options.patience = std::numeric_limits<int>::max();
  EarlyStopping stopping(c.early_stopping ? *c.early_stopping : stop_options);
  std::map<std::string, torch::Tensor> kernels;
  if (c.pruning) {
    kernels = prunable_kernels(c, model);
    for (const auto& [name, kernel] : kernels) state.masks[name] = torch::ones_like(kernel);
  }
  if (options.resume) {
    json schedules = load_checkpoint(last_path, model, *optimizer, state);
    if (reduce_lr) reduce_lr->load_state(schedules.at("reduce_lr"));
    stopping.load_state(schedules.at("early_stopping"));
  } else {
    c.model.save((run_dir / "model.json").string());
    write_json_atomically((run_dir / "run.json").string(), saved_config);
    if (!data.scaler.is_null()) write_json_atomically((run_dir / "scaler.json").string(), data.scaler);
  }
  auto schedules_state = [&] {
    return json{{"reduce_lr", reduce_lr ? reduce_lr->state() : json()}, {"early_stopping", stopping.state()}};
  };

  std::ostream* log = options.log;
  const bool classification = is_classification(c);
  const int64_t n = data.train.size();
  const int64_t batches = (n + c.batch_size - 1) / c.batch_size;
  if (log && !options.resume)
    *log << "Training " << model.spec().name() << " on " << n << " samples (" << data.validation.size()
         << " validation, " << data.test.size() << " test), " << c.epochs << " epochs, batch " << c.batch_size << "\n";
  if (log && options.resume) *log << "Resuming " << run_dir.string() << " after epoch " << state.epoch << "\n";

  auto apply_masks = [&] {
    torch::NoGradGuard no_grad;
    for (auto& [name, kernel] : kernels) kernel.mul_(state.masks[name]);
  };
  double epoch_seconds_sum = 0.0;
  int epochs_timed = 0;
  bool stopped_early = false;
  for (int epoch = state.epoch; epoch < c.epochs; ++epoch) {
    auto start = Clock::now();
    model.train();
    set_learning_rate(*optimizer, state.lr);
    // A fresh generator per epoch: the order depends on (seed, epoch) only,
    // so a resumed run shuffles exactly as an uninterrupted one.
    at::Generator shuffle = at::make_generator<at::CPUGeneratorImpl>(c.seed * 1000003ULL + static_cast<uint64_t>(epoch));
    torch::Tensor order = torch::randperm(n, shuffle, torch::kLong);
    double loss_sum = 0.0;
    int64_t correct = 0;
    for (int64_t b = 0; b < batches; ++b) {
      ++state.step;
      if (c.pruning) {
        auto [prune_now, sparsity] = c.pruning->schedule(state.step);
        if (prune_now)
          for (auto& [name, kernel] : kernels) state.masks[name] = magnitude_mask(kernel.detach(), sparsity);
        apply_masks();
      }
      torch::Tensor index = order.slice(0, b * c.batch_size, std::min(n, (b + 1) * c.batch_size));
      torch::Tensor x = data.train.x.index_select(0, index), y = data.train.y.index_select(0, index);
      std::vector<torch::Tensor> outputs = model.forward_outputs(x);
      torch::Tensor loss = compute_loss(c, outputs, y);
      torch::Tensor total = loss + regularization(c, model);
      double loss_value = total.item<double>();
      if (!std::isfinite(loss_value))
        throw RunError("non-finite loss (" + std::to_string(loss_value) + ") at epoch " + std::to_string(epoch + 1) +
                       ", batch " + std::to_string(b + 1) + "; stopped. The last good checkpoint is kept" +
                       (has_last || epoch > 0 ? ": " + last_path : " (none yet)"));
      optimizer->zero_grad();
      total.backward();
      optimizer->step();
      model.apply_constraints();
      if (c.pruning) apply_masks();
      loss_sum += loss.item<double>() * static_cast<double>(index.size(0));
      if (classification) correct += (outputs[0].argmax(1) == y).sum().item<int64_t>();
      if (options.progress_bar && log && (b % 8 == 0 || b + 1 == batches)) {
        int filled = static_cast<int>(30 * (b + 1) / batches);
        *log << "\r  epoch " << epoch + 1 << "/" << c.epochs << " [" << std::string(filled, '=')
             << std::string(30 - filled, ' ') << "] " << b + 1 << "/" << batches << " loss " << loss.item<double>()
             << std::flush;
      }
    }
    if (options.progress_bar && log) *log << "\r" << std::string(80, ' ') << "\r";

    Evaluation val = evaluate(c, model, data.validation, 16384);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    json row = {{"epoch", epoch + 1}, {"loss", loss_sum / static_cast<double>(n)}, {"val_loss", val.loss},
                {"lr", state.lr}, {"seconds", seconds}};
    if (classification) {
      row["accuracy"] = static_cast<double>(correct) / static_cast<double>(n);
      row["val_accuracy"] = val.accuracy;
    }
    state.history.push_back(row);
    if (reduce_lr) state.lr = reduce_lr->on_epoch_end(val.loss, state.lr);
    bool stop = stopping.on_epoch_end(epoch, val.loss);
    state.epoch = epoch + 1;
    if (stopping.best_epoch() == epoch) save_checkpoint(best_path, model, nullptr, nullptr, json());
    save_checkpoint(last_path, model, optimizer.get(), &state, schedules_state());
    write_text_atomically((run_dir / "metrics.csv").string(), metrics_csv(state.history, classification));

    epoch_seconds_sum += seconds;
    ++epochs_timed;
    if (log) {
      char line[256];
      double eta = epoch_seconds_sum / epochs_timed * (c.epochs - epoch - 1);
      if (classification)
        std::snprintf(line, sizeof line, "epoch %3d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  lr %.2e  %s  ETA %s\n",
                      epoch + 1, c.epochs, row["loss"].get<double>(), row["accuracy"].get<double>(), val.loss,
                      val.accuracy, row["lr"].get<double>(), format_duration(seconds).c_str(), format_duration(eta).c_str());
      else
        std::snprintf(line, sizeof line, "epoch %3d/%d  loss %.5f  val_loss %.5f  lr %.2e  %s  ETA %s\n", epoch + 1,
                      c.epochs, row["loss"].get<double>(), val.loss, row["lr"].get<double>(),
                      format_duration(seconds).c_str(), format_duration(eta).c_str());
      *log << line << std::flush;
    }
    if (stop) {
      stopped_early = true;
      if (log) *log << "early stopping: no improvement for " << c.early_stopping->patience << " epochs\n";
      break;
    }
  }

  if (c.early_stopping && c.early_stopping->restore_best_weights && fs::exists(best_path)) {
    load_checkpoint_weights(model, best_path);
    if (log) *log << "restored the weights of epoch " << stopping.best_epoch() + 1 << "\n";
  }
  Evaluation test = evaluate(c, model, data.test, 16384);
  json metrics = {{"run", c.name},
                  {"model", model.spec().name()},
                  {"epochs_run", state.epoch},
                  {"best_epoch", stopping.best_epoch() + 1},
                  {"stopped_early", stopped_early},
                  {"history", state.history},
                  {"test", test_metrics(c, model, test, data)}};
  if (c.pruning)
    for (const auto& [name, kernel] : kernels) metrics["sparsity"][name] = sparsity(kernel.detach());
  write_json_atomically((run_dir / "metrics.json").string(), metrics);
  if (log) {
    print_result_table(*log, c, metrics["test"]);
    if (!data.signals.empty()) print_anomaly_table(*log, c, metrics["test"], data);
    if (c.pruning)
      for (const auto& [name, s] : metrics["sparsity"].items()) *log << "  sparsity " << name << ": " << s.get<double>() << "\n";
    *log << "run directory: " << run_dir.string() << "\n";
  }
  return TrainResult{run_dir.string(), metrics};
}

// Mean and population standard deviation (numpy.std, ddof = 0).
std::pair<double, double> mean_std(const std::vector<double>& values) {
  double mean = 0.0, squares = 0.0;
  for (double v : values) mean += v / static_cast<double>(values.size());
  for (double v : values) squares += (v - mean) * (v - mean) / static_cast<double>(values.size());
  return {mean, std::sqrt(squares)};
}

// k-fold training: one complete run per fold in <run_dir>/fold_<k>, each
// with data.fold = k in its run.json (so it reopens with its own split),
// then the mean and standard deviation of their test metrics in
// <run_dir>/metrics.json.  --resume keeps the folds that finished, resumes
// the one that was interrupted and trains the rest.
TrainResult train_folds(const RunConfig& c, const json& saved_config, const fs::path& run_dir,
                        const TrainOptions& options) {
  if (!options.resume && !options.force && fs::exists(run_dir / "run.json"))
    throw RunError(run_dir.string() + ": run directory exists; use --resume to continue or --force to start over");
  fs::create_directories(run_dir);
  write_json_atomically((run_dir / "run.json").string(), saved_config);
  std::ostream* log = options.log;
  json folds = json::array();
  std::map<std::string, std::vector<double>> values;  // test metric -> one value per fold
  for (int k = 1; k <= c.data.folds; ++k) {
    RunConfig fold_config = c;
    fold_config.data.fold = k;
    json fold_saved = saved_config;
    fold_saved["data"]["fold"] = k;
    const fs::path fold_dir = run_dir / ("fold_" + std::to_string(k));
    json test;
    if (options.resume && fs::exists(fold_dir / "metrics.json")) {
      test = read_json_file((fold_dir / "metrics.json").string()).at("test");
      if (log) *log << "fold " << k << "/" << c.data.folds << ": finished before, kept\n";
    } else {
      if (log) *log << "\n=== fold " << k << "/" << c.data.folds << " ===\n";
      TrainOptions fold_options = options;
      fold_options.resume = options.resume && fs::exists(fold_dir / "checkpoints" / "last.pt");
      fold_options.force = !fold_options.resume;
      test = train_run(fold_config, fold_saved, fold_dir, fold_options).metrics.at("test");
    }
    for (const char* key : {"accuracy", "loss"})
      if (test.contains(key)) values[key].push_back(test[key].get<double>());
    folds.push_back({{"fold", k}, {"run_dir", fold_dir.string()}, {"test", test}});
  }
  json summary = json::object();
  for (const auto& [key, per_fold] : values) {
    const auto [mean, std] = mean_std(per_fold);
    summary[key] = {{"mean", mean}, {"std", std}, {"per_fold", per_fold}};
  }
  json metrics = {{"run", c.name}, {"folds", folds}, {"test", summary}};
  write_json_atomically((run_dir / "metrics.json").string(), metrics);
  if (log) {
    char line[256];
    *log << "\n" << c.data.folds << "-fold result (test set, mean +- std over the folds):\n";
    for (const auto& [key, stats] : summary.items()) {
      std::snprintf(line, sizeof line, "  %-9s %.4f +- %.4f\n", key.c_str(), stats["mean"].get<double>(),
                    stats["std"].get<double>());
      *log << line;
    }
    *log << "run directory: " << run_dir.string() << "\n";
  }
  return TrainResult{run_dir.string(), metrics};
}

}  // namespace

TrainResult train(const TrainOptions& options) {
  RunConfig c = RunConfig::load(options.config_path);
  if (options.epochs) c.epochs = *options.epochs;
  if (options.threads || c.threads) at::set_num_threads(options.threads ? *options.threads : *c.threads);
  fs::path run_dir = options.out_dir.empty() ? fs::path("runs") / c.name : fs::path(options.out_dir);
  json saved_config = run_dir_config(read_json_file(options.config_path), c);
  if (c.data.folds > 0 && c.data.fold == 0) {
    if (options.data) throw std::logic_error(c.source + ": loaded data cannot serve the k folds of data.folds");
    return train_folds(c, saved_config, run_dir, options);
  }
  return train_run(c, saved_config, run_dir, options);
}

}  // namespace qtrain
