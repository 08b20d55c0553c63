// AutoQ's width tuning (tune_filters) and block scheduler.  Search-level
// tests use a fake trial runner whose accuracy is a fixed function of the
// trial's model, so they train nothing; one test trains a tiny run for one
// epoch to check that a warm-started trial really continues from the
// transferred weights.
#include "tests/test_common.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/forgiving_factor.h"
#include "autoq/search.h"
#include "autoq/search_space.h"
#include "qtrain/files.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/autoq_helpers.h"
#include "tests/helpers.h"

using nlohmann::json;
using autoq_test::config_from;
using autoq_test::fake_runner;
using autoq_test::journal_without_seconds;
using test_helpers::TempDir;

namespace {

// 16 -> fc1 (8) -> relu1 -> fc2 (6) -> bn2 -> relu2 -> fc3 (5) -> softmax
json three_layer_spec() {
  return json::parse(R"({"name": "three", "input_shape": [16], "layers": [
    {"name": "fc1", "type": "Dense", "units": 8},
    {"name": "relu1", "type": "Activation", "activation": "relu"},
    {"name": "fc2", "type": "Dense", "units": 6},
    {"name": "bn2", "type": "BatchNormalization"},
    {"name": "relu2", "type": "Activation", "activation": "relu"},
    {"name": "fc3", "type": "Dense", "units": 5},
    {"name": "softmax", "type": "Activation", "activation": "softmax"}]})");
}

// A search of the three-layer model with `fields`, its base run at lr 0.002.
autoq::AutoqConfig write_search(const TempDir& dir, const json& fields) {
  return autoq_test::write_search(dir.path(), fields, three_layer_spec(), 1, 0.002);
}


json layer_of(const json& spec, const std::string& name) {
  for (const json& layer : spec["layers"])
    if (layer["name"] == name) return layer;
  FAIL("no layer " << name);
  return {};
}

}  // namespace

TEST_CASE("width tuning: choices cover hidden Dense layers, never the one feeding the output", "[autoq][autoq_blocks]") {
  const json spec = three_layer_spec();
  SECTION("layer: one choice per tuned layer, after the quantizer slots") {
    const autoq::SearchSpace space(spec, config_from({{"run", "r.json"}, {"tune_filters", "layer"}}));
    REQUIRE(space.width_choices().size() == 2);
    CHECK(space.width_choices()[0].layers == std::vector<std::string>{"fc1"});
    CHECK(space.width_choices()[1].layers == std::vector<std::string>{"fc2"});
    CHECK(space.dimensions() == space.slots().size() + 2);
    autoq::Configuration c(space.dimensions(), 0);
    c[space.slots().size()] = 4;      // fc1 ×2
    c[space.slots().size() + 1] = 1;  // fc2 ×0.75
    CHECK(space.widths(c) == json({{"fc1", 2.0}, {"fc2", 0.75}}));
    const std::vector<double> x = space.encode(c);
    CHECK(x[space.slots().size()] == Approx(1.0));
    CHECK(x[space.slots().size() + 1] == Approx(0.25 / 1.5));
    c[space.slots().size()] = 5;
    CHECK_THROWS_WITH(space.check(c), Catch::Contains("width of fc1"));
  }
  SECTION("block: one multiplier shared by every tuned layer") {
    const autoq::SearchSpace space(spec, config_from({{"run", "r.json"}, {"tune_filters", "block"}}));
    REQUIRE(space.width_choices().size() == 1);
    CHECK(space.width_choices()[0].layers == std::vector<std::string>({"fc1", "fc2"}));
    autoq::Configuration c(space.dimensions(), 0);
    CHECK(space.widths(c) == json({{"fc1", 0.5}, {"fc2", 0.5}}));
  }
  SECTION("exceptions are found anywhere in the name") {
    const autoq::SearchSpace space(
        spec, config_from({{"run", "r.json"}, {"tune_filters", "layer"}, {"tune_filters_exceptions", "c2"}}));
    REQUIRE(space.width_choices().size() == 1);
    CHECK(space.width_choices()[0].name == "fc1");
  }
  SECTION("an explicit output reached through batch normalization") {
    json graph = spec;
    graph["layers"].erase(graph["layers"].end() - 2, graph["layers"].end());  // fc3 and softmax
    graph["outputs"] = {"relu2"};
    const autoq::SearchSpace space(graph, config_from({{"run", "r.json"}, {"tune_filters", "layer"}}));
    REQUIRE(space.width_choices().size() == 1);
    CHECK(space.width_choices()[0].name == "fc1");
  }
  SECTION("none") {
    const autoq::SearchSpace space(spec, config_from({{"run", "r.json"}}));
    CHECK(space.width_choices().empty());
  }
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"tune_filters", "all"}}), Catch::Contains("tune_filters"));
}

TEST_CASE("width tuning: trial specs get scaled units, the output layer keeps its classes, cost follows",
          "[autoq][autoq_blocks]") {
  const json scaled = autoq::scale_widths(three_layer_spec(), {{"fc1", 0.5}, {"fc2", 0.75}});
  CHECK(layer_of(scaled, "fc1")["units"] == 4);
  CHECK(layer_of(scaled, "fc2")["units"] == 4);  // int(6·0.75) = 4
  CHECK(layer_of(scaled, "fc3")["units"] == 5);
  CHECK(layer_of(autoq::scale_widths(three_layer_spec(), {{"fc1", 0.1}}), "fc1")["units"] == 1);

  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"tune_filters", "layer"}, {"max_trials", 12}, {"seed", 4}});
  const autoq::SearchResult result = autoq::run_search(config, {dir.file("out"), false, nullptr}, fake_runner);
  REQUIRE(result.trials.size() == 12);
  std::set<double> seen;
  for (const autoq::TrialRecord& t : result.trials) {
    REQUIRE(t.widths.size() == 2);
    const json spec = qtrain::read_json_file(dir.file("out/trials/" + std::to_string(t.trial) + "/run.json"))["model"];
    CHECK(layer_of(spec, "fc1")["units"] == static_cast<int>(8 * t.widths["fc1"].get<double>()));
    CHECK(layer_of(spec, "fc2")["units"] == static_cast<int>(6 * t.widths["fc2"].get<double>()));
    CHECK(layer_of(spec, "fc3")["units"] == 5);
    seen.insert(t.widths["fc1"].get<double>());
  }
  CHECK(seen.size() > 1);

  // The same quantizers at twice the width cost more bits than at half.
  const qtrain::ModelSpec base = qtrain::ModelSpec::from_json(three_layer_spec(), "three");
  qtrain::Model float_model(base);
  const autoq::ForgivingFactor factor(config.goal, float_model);
  auto cost_at = [&](double multiplier) {
    qtrain::Model m(qtrain::ModelSpec::from_json(
        autoq::scale_widths(three_layer_spec(), {{"fc1", multiplier}, {"fc2", multiplier}}), "scaled"));
    return factor.cost(m);
  };
  CHECK(cost_at(0.5) < cost_at(1.0));
  CHECK(cost_at(1.0) < cost_at(2.0));
}

TEST_CASE("block scheduler: N trials per block, in order, earlier blocks fixed to their best", "[autoq][autoq_blocks]") {
  const std::vector<std::string> blocks = {"fc3", "fc1|relu1", "fc2|bn2|relu2"};
  SECTION("input_to_output") {
    TempDir dir;
    const autoq::AutoqConfig config = write_search(
        dir, {{"blocks", blocks}, {"max_trials", 4}, {"tune_filters", "layer"}, {"learning_rate_optimizer", true}});
    int calls = 0;
    auto counting = [&calls](const std::string& c, const std::string& d) {
      ++calls;
      return fake_runner(c, d);
    };
    const autoq::SearchResult result = autoq::run_search(config, {dir.file("out"), false, nullptr}, counting);
    CHECK(calls == 12);
    REQUIRE(result.trials.size() == 12);
    const std::vector<std::string> order = {"fc1|relu1", "fc2|bn2|relu2", "fc3"};
    const double reference = qtrain::read_json_file(dir.file("out/best.json"))["reference_cost"].get<double>();
    double lr = 0.002;
    json fixed = json::object(), fixed_widths = json::object();
    for (size_t b = 0; b < 3; ++b) {
      const autoq::TrialRecord* best = nullptr;
      for (size_t k = 4 * b; k < 4 * b + 4; ++k) {
        const autoq::TrialRecord& t = result.trials[k];
        CHECK(t.trial == static_cast<int>(k));
        CHECK(t.block == order[b]);
        // Earlier blocks keep their best choice; later blocks stay float.
        for (const auto& [layer, quantizer] : fixed.items()) CHECK(t.quantizers[layer] == quantizer);
        for (const auto& [layer, multiplier] : fixed_widths.items()) CHECK(t.widths[layer] == multiplier);
        CHECK(t.quantizers.contains("fc3") == (b == 2));
        CHECK(t.quantizers.contains("fc2") == (b >= 1));
        CHECK(t.widths.contains("fc2") == (b >= 1));
        // The learning rate is chosen around the previous block's best one.
        CHECK(t.learning_rate ==
              Approx(autoq::learning_rate_choices(lr, reference, t.cost)[t.configuration.back()]).epsilon(1e-12));
        if (!best || t.score > best->score) best = &t;
      }
      fixed = best->quantizers;
      fixed_widths = best->widths;
      lr = best->learning_rate;
    }
    CHECK(result.trials[result.best].score ==
          std::max_element(result.trials.begin(), result.trials.end(), [](const auto& a, const auto& b) {
            return a.score < b.score;
          })->score);
    const std::vector<json> journal = journal_without_seconds(dir.file("out/trials.jsonl"));
    REQUIRE(journal.size() == 12);
    CHECK(journal[5]["block"] == "fc2|bn2|relu2");
  }
  SECTION("energy: the dearest block first") {
    TempDir dir;
    const autoq::AutoqConfig config =
        write_search(dir, {{"blocks", blocks}, {"schedule", "energy"}, {"max_trials", 2}, {"goal", {{"type", "energy"}}}});
    const autoq::SearchResult result = autoq::run_search(config, {dir.file("out"), false, nullptr}, fake_runner);
    REQUIRE(result.trials.size() == 6);
    qtrain::Model float_model(qtrain::ModelSpec::from_json(three_layer_spec(), "three"));
    const std::map<std::string, double> pj = autoq::reference_layer_energy(config.goal, float_model);
    const std::map<std::string, double> block_pj = {{"fc3", pj.at("fc3")},
                                                    {"fc1|relu1", pj.at("fc1") + pj.at("relu1")},
                                                    {"fc2|bn2|relu2", pj.at("fc2") + pj.at("bn2") + pj.at("relu2")}};
    for (size_t k = 2; k < 6; k += 2)
      CHECK(block_pj.at(result.trials[k - 2].block) > block_pj.at(result.trials[k].block));
    CHECK(result.trials[0].block == "fc1|relu1");  // 16·8 MACs against 8·6 and 6·5
  }
}

TEST_CASE("block scheduler: later blocks find the warm-start run from a relative output directory",
          "[autoq][autoq_blocks]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"blocks", {"fc1|relu1", "fc2|bn2|relu2|fc3"}}, {"max_trials", 1}});
  // Relative to the working directory, as `qtrain autoq`'s default runs/autoq_<name> is; trained for real.
  const std::string out = std::filesystem::relative(dir.path() / "out").string();
  REQUIRE(std::filesystem::path(out).is_relative());
  const autoq::SearchResult result = autoq::run_search(config, {out, false, nullptr});
  REQUIRE(result.trials.size() == 2);
  const json run = qtrain::read_json_file(dir.file("out/trials/1/run.json"));
  CHECK(std::filesystem::equivalent(run["initial_weights"].get<std::string>(), dir.file("out/trials/0/run")));
}

TEST_CASE("block scheduler: bad blocks are errors naming the layer or group", "[autoq][autoq_blocks]") {
  TempDir dir;
  auto fails = [&](const json& fields, const std::string& message) {
    const autoq::AutoqConfig config = write_search(dir, fields);
    CHECK_THROWS_WITH(autoq::run_search(config, {dir.file("out"), false, nullptr}, fake_runner),
                      Catch::Contains(message));
  };
  fails({{"blocks", {"fc1|relu1", "fc2|bn2|relu2"}}}, "searched layer fc3 is in no block");
  fails({{"blocks", {"fc|relu", "fc3"}}}, "layer fc3 is in blocks 'fc|relu' and 'fc3'");
  fails({{"blocks", {"fc1|relu1", "fc2|relu2|fc3", "bn"}}}, "no layer to search in block 'bn'");
  fails({{"blocks", {"fc1|relu1", "fc2|relu2|fc3"}}, {"groups", {{"dense", "fc[12]"}}}},
        "groups.dense has layers in blocks 'fc1|relu1' and 'fc2|relu2|fc3'");
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"schedule", "energy"}}), Catch::Contains("schedule needs blocks"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"blocks", json::array()}}), Catch::Contains("blocks"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"blocks", {"fc1"}}, {"schedule", "cost"}}),
                    Catch::Contains("schedule"));
}

TEST_CASE("block scheduler: a search killed mid-block resumes to the same journal", "[autoq][autoq_blocks]") {
  // dies_in is the 1-based runner call: 6 is the second trial of block 2,
  // 5 its first (the block boundary).
  for (int dies_in : {6, 5}) {
    TempDir dir;
    const autoq::AutoqConfig config = write_search(
        dir, {{"blocks", {"fc1|relu1", "fc2|bn2|relu2", "fc3"}}, {"max_trials", 4}, {"tuner", "bayesian"},
              {"initial_trials", 2}, {"tune_filters", "block"}});
    int calls = 0;
    auto counting = [&calls](const std::string& c, const std::string& d) {
      ++calls;
      return fake_runner(c, d);
    };
    const autoq::SearchResult full = autoq::run_search(config, {dir.file("full"), false, nullptr}, counting);
    CHECK(calls == 12);
    calls = 0;
    auto dies = [&calls, dies_in](const std::string& c, const std::string& d) {
      if (++calls == dies_in) throw std::runtime_error("killed");
      return fake_runner(c, d);
    };
    CHECK_THROWS_WITH(autoq::run_search(config, {dir.file("killed"), false, nullptr}, dies), "killed");
    CHECK(journal_without_seconds(dir.file("killed/trials.jsonl")).size() == static_cast<size_t>(dies_in - 1));
    calls = 0;
    const autoq::SearchResult resumed = autoq::run_search(config, {dir.file("killed"), true, nullptr}, counting);
    CHECK(calls == 12 - (dies_in - 1));
    CHECK(journal_without_seconds(dir.file("killed/trials.jsonl")) ==
          journal_without_seconds(dir.file("full/trials.jsonl")));
    CHECK(resumed.best == full.best);
  }
}

TEST_CASE("block scheduler: a warm-started trial trains on from the transferred weights", "[autoq][autoq_blocks]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {});
  const json base = qtrain::read_json_file(dir.file("run.json"));
  autoq::train_trial(dir.file("run.json"), dir.file("source"));
  const qtrain::TrainedRun source = qtrain::open_run(dir.file("source"));

  // The next trial: fc1 twice as wide (fc1 and fc2 kernels change shape),
  // starting from the source run's weights; one epoch at lr 1e-12 keeps
  // them within 1e-6 (a fresh initialisation is ~0.1 away).
  json next = base;
  next["model"] = autoq::scale_widths(three_layer_spec(), {{"fc1", 2.0}});
  next["initial_weights"] = "source";  // relative to the run config
  next["epochs"] = 1;
  next["optimizer"]["lr"] = 1e-12;
  qtrain::write_json_atomically(dir.file("next.json"), next);
  autoq::train_trial(dir.file("next.json"), dir.file("next"));
  auto weight = [](const qtrain::Model& m, const std::string& layer, const std::string& name) {
    return m.layer(layer)->weight(name)->variable;
  };
  const qtrain::TrainedRun start = qtrain::open_run(dir.file("next"));
  auto near = [](const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 0.0, 1e-6); };
  CHECK(near(weight(*start.model, "fc3", "kernel"), weight(*source.model, "fc3", "kernel")));
  CHECK(near(weight(*start.model, "fc2", "bias"), weight(*source.model, "fc2", "bias")));
  CHECK(weight(*start.model, "fc1", "kernel").size(1) == 16);

  // At the base learning rate, training moves them.
  next["optimizer"]["lr"] = base["optimizer"]["lr"];
  qtrain::write_json_atomically(dir.file("next.json"), next);
  const json metrics = autoq::train_trial(dir.file("next.json"), dir.file("next"));
  CHECK(metrics["epochs_run"] == 1);
  const qtrain::TrainedRun trained = qtrain::open_run(dir.file("next"));
  CHECK_FALSE(torch::equal(weight(*trained.model, "fc3", "kernel"), weight(*source.model, "fc3", "kernel")));

  // A missing source is an error naming the field.
  next["initial_weights"] = "nowhere";
  qtrain::write_json_atomically(dir.file("next.json"), next);
  CHECK_THROWS_WITH(autoq::train_trial(dir.file("next.json"), dir.file("next")),
                    Catch::Contains("initial_weights") && Catch::Contains("nowhere"));
}
