// AutoQKeras search.  Reference values are worked by hand from qkeras.md
// §6.1 (forgiving factor), §6.2 (model bits) and §6.4 (default menus,
// limit); the search runs a tiny jet tagger for one epoch per trial.
#include "tests/test_common.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/forgiving_factor.h"
#include "autoq/report.h"
#include "autoq/search.h"
#include "autoq/search_space.h"
#include "qtrain/files.h"
#include "qtrain/model_quantize.h"
#include "tests/autoq_helpers.h"
#include "tests/helpers.h"

using nlohmann::json;
using autoq_test::config_from;
using autoq_test::journal_without_seconds;
using autoq_test::tiny_spec;
using test_helpers::TempDir;

namespace {

// A run config (tiny model, 600 synthetic jets, one epoch, one thread) and
// an autoq.json next to it.
std::string write_search(const TempDir& dir, int max_trials, const std::string& goal = "bits") {
  qtrain::write_json_atomically(dir.file("run.json"),
                                {{"name", "tiny"},
                                 {"model", tiny_spec()},
                                 {"data", {{"kind", "synthetic_jets"}, {"samples", 600}, {"seed", 3}}},
                                 {"batch_size", 128},
                                 {"epochs", 1},
                                 {"seed", 5},
                                 {"threads", 1}});
  const std::string path = dir.file("autoq_" + std::to_string(max_trials) + ".json");
  qtrain::write_json_atomically(path, {{"run", "run.json"},
                                       {"goal", {{"type", goal}}},
                                       {"max_trials", max_trials},
                                       {"epochs", 1},
                                       {"seed", 11}});
  return path;
}


}  // namespace

TEST_CASE("forgiving factor: delta and score as qkeras.md 6.1", "[autoq]") {
  autoq::Goal goal;  // delta_p = delta_n = 8 %, rate 2
  // 4x smaller: 0.08 * log2(4) = +0.16; 2x bigger: 0.08 * log2(1/2) = -0.08.
  CHECK(autoq::forgiving_delta(goal, 400, 100) == Approx(0.16).epsilon(1e-6));
  CHECK(autoq::forgiving_score(goal, 0.75, 400, 100) == Approx(0.75 * 1.16).epsilon(1e-6));
  CHECK(autoq::forgiving_score(goal, 0.75, 100, 200) == Approx(0.75 * 0.92).epsilon(1e-6));
  CHECK(autoq::forgiving_score(goal, 0.75, 100, 100) == 0.75);
  // delta_p applies to smaller trials, delta_n to bigger ones; rate 4:
  // 0.10 * log4(2) = 0.05, 0.20 * log4(1/2) = -0.10.
  goal.delta_p = 10;
  goal.delta_n = 20;
  goal.rate = 4;
  CHECK(autoq::forgiving_delta(goal, 1000, 500) == Approx(0.05).epsilon(1e-6));
  CHECK(autoq::forgiving_delta(goal, 500, 1000) == Approx(-0.10).epsilon(1e-6));
  CHECK_THROWS_AS(autoq::forgiving_delta(goal, 0, 10), std::invalid_argument);
}

TEST_CASE("forgiving factor: bits reference and trial cost of the tiny model", "[autoq]") {
  qtrain::ModelSpec spec = qtrain::ModelSpec::from_json(tiny_spec(), "tiny");
  qtrain::Model float_model(spec);
  autoq::Goal goal;
  goal.stress = 2;
  // §6.2 with ref/input/output bits 8: input 16*8 = 128, fc1 8*(16*8+8) =
  // 1088, relu1 8*8 = 64, fc2 8*(8*5+5) = 360, softmax 8*5 = 40: 1680 bits,
  // times stress 2 for the bits goal's reference.
  autoq::ForgivingFactor factor(goal, float_model);
  CHECK(factor.reference() == 3360);

  autoq::AutoqConfig config = config_from({{"run", "run.json"}});
  autoq::SearchSpace space(spec.layers(), config);
  // Default menus (§6.4): kernel 5 = quantized_bits(4,0,1), bias 0 =
  // quantized_bits(4,0,1), activation 3 = quantized_relu(3,1), kernel 0 =
  // binary, bias 2 = quantized_po2(4,8).
  json q = space.quantizer_config({5, 0, 3, 0, 2});
  CHECK(q == json::parse(R"j({"fc1": {"kernel_quantizer": "quantized_bits(4,0,1)", "bias_quantizer": "quantized_bits(4,0,1)"},
                            "relu1": "quantized_relu(3,1)",
                            "fc2": {"kernel_quantizer": "binary", "bias_quantizer": "quantized_po2(4,8)"}})j"));
  qtrain::Model trial(qtrain::model_quantize(spec, q, 4));
  // 128 + fc1 4*128 + 4*8 = 544 + relu1 3*8 = 24 + fc2 1*40 + 4*5 = 60 + 40.
  CHECK(factor.cost(trial) == 796);
  // delta against the stressed reference: 0.08 * log2(3360 / 796).
  CHECK(factor.score(0.5, 796) == Approx(0.5 * (1 + 0.08 * std::log2(3360.0 / 796.0))).epsilon(1e-6));
}

TEST_CASE("search space: default menus, limits per layer type, layer selection", "[autoq]") {
  const json layers = tiny_spec()["layers"];
  {
    // Limit 8 everywhere: kernel 8 choices, bias 3, activation 8 (not
    // quantized_relu(16,8)); fc1 kernel, bias, relu1, fc2 kernel, bias.
    autoq::SearchSpace space(layers, config_from({{"run", "r.json"}}));
    REQUIRE(space.slots().size() == 5);
    CHECK(space.slots()[2].layer == "relu1");
    CHECK(space.slots()[2].key == "activation");
    CHECK(space.size() == 8 * 3 * 8 * 8 * 3);
  }
  {
    // Dense kernels <= 4 bits: 7 (not quantized_bits(8,0,1)); biases <= 4: 2;
    // Activation <= 3: binary, binary(alpha='auto_po2'), ternary, quantized_relu(3,1).
    autoq::SearchSpace space(layers, config_from({{"run", "r.json"}, {"limit", {{"Dense", {4, 4}}, {"Activation", {3}}}}}));
    CHECK(space.size() == 7 * 2 * 4 * 7 * 2);
    CHECK(space.slots()[2].choices.back().quantizer == "quantized_relu(3,1)");
  }
  {
    // A name regex key (re.match) with no default: only fc1 is searched;
    // kernel <= 2 bits: binary, stochastic_binary, ternary, stochastic_ternary, quantized_bits(2,1,1,alpha=1.0).
    autoq::SearchSpace space(layers, config_from({{"run", "r.json"}, {"limit", {{"fc1", {2, 8}}}}}));
    REQUIRE(space.slots().size() == 2);
    CHECK(space.size() == 5 * 3);
  }
  {
    // An explicit list of quantizers; layer selection by regex.
    autoq::SearchSpace space(layers, config_from({{"run", "r.json"},
                                                  {"layers", "fc.*"},
                                                  {"limit", {{"Dense", {json::array({"ternary", "binary"}), 8}}}}}));
    REQUIRE(space.slots().size() == 4);
    CHECK(space.slots()[0].choices.size() == 2);
    CHECK(space.slots()[0].choices[0].quantizer == "ternary");
    CHECK(space.size() == 2 * 3 * 2 * 3);
    CHECK_THROWS_AS(space.quantizer_config({2, 0, 0, 0}), std::invalid_argument);
  }
  CHECK_THROWS_WITH(autoq::SearchSpace(layers, config_from({{"run", "r.json"}, {"layers", "conv.*"}})),
                    Catch::Contains("matches no layer"));
  CHECK_THROWS_WITH(autoq::SearchSpace(layers, config_from({{"run", "r.json"}, {"limit", {{"Dense", {json::array({"quantized_bits(3)"})}}}}})),
                    Catch::Contains("not in the menu"));
}

TEST_CASE("autoq config: bad input names the field", "[autoq]") {
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"quantization_config", {{"kernel", {{"quantized_bitz(4)", 4}}}}}}),
                    Catch::Contains("quantized_bitz(4)"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"goal", {{"type", "latency"}}}}), Catch::Contains("goal.type"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"max_trials", 0}}), Catch::Contains("max_trials"));
  CHECK_THROWS_WITH(config_from({{"goal", {{"type", "bits"}}}}), Catch::Contains("run"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"goal", {{"type", "bits"}, {"params", {{"rate", 1}}}}}}),
                    Catch::Contains("goal.params.rate"));
  auto energy_goal = [](const json& params) {
    return config_from({{"run", "r.json"}, {"goal", {{"type", "energy"}, {"params", params}}}});
  };
  CHECK_THROWS_WITH(energy_goal({{"parameters_on_memory", {"sram"}}}),
                    Catch::Contains("goal.params.parameters_on_memory must be a pair"));
  CHECK_THROWS_WITH(energy_goal({{"activations_on_memory", {"sram", "disk"}}}),
                    Catch::Contains("goal.params.activations_on_memory[1]") && Catch::Contains("disk"));
  CHECK_THROWS_WITH(energy_goal({{"min_sram_size", {0, -1}}}), Catch::Contains("goal.params.min_sram_size[1]"));
  CHECK_THROWS_WITH(energy_goal({{"rd_wr_on_io", {"no", false}}}), Catch::Contains("goal.params.rd_wr_on_io[0]"));
  CHECK_THROWS_WITH(energy_goal({{"process", "tsmc7"}}), Catch::Contains("goal.params.process") && Catch::Contains("tsmc7"));
  CHECK_THROWS_WITH(energy_goal({{"source_quantizers", {"int9"}}}),
                    Catch::Contains("goal.params.source_quantizers") && Catch::Contains("int9"));
  CHECK_THROWS_WITH(energy_goal({{"trained_model", true}}), Catch::Contains("goal.params.trained_model"));
  CHECK_THROWS_WITH(energy_goal({{"reference_internal", "fp64"}}),
                    Catch::Contains("goal.params.reference_internal") && Catch::Contains("fp64"));
  CHECK_THROWS_WITH(energy_goal({{"reference_accumulator", "int8"}}),
                    Catch::Contains("goal.params.reference_accumulator") && Catch::Contains("int8"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"goal", {{"type", "bits"}, {"params", {{"process", "horowitz"}}}}}}),
                    Catch::Contains("not a parameter of the bits goal"));
  const autoq::Goal goal = energy_goal({{"source_quantizers", "fp32"}, {"rd_wr_on_io", {true, false}}}).goal;
  CHECK(goal.source_quantizer == "fp32");
  CHECK(goal.placement[0].rd_wr_on_io);
  CHECK_FALSE(goal.placement[1].rd_wr_on_io);
  CHECK(goal.placement[1].parameters == energy::Memory::Fixed);
  CHECK_THROWS_WITH(autoq::AutoqConfig::load("/nonexistent/autoq.json"), Catch::Contains("/nonexistent/autoq.json"));
}

TEST_CASE("random sampler: same seed, same sequence; no repeats; exhausts the space", "[autoq]") {
  const json layers = tiny_spec()["layers"];
  autoq::SearchSpace big(layers, config_from({{"run", "r.json"}}));
  autoq::RandomSampler a(big, 7), b(big, 7), c(big, 8);
  std::set<autoq::Configuration> seen;
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    autoq::Configuration x, y, z;
    REQUIRE(a.next(x));
    REQUIRE(b.next(y));
    REQUIRE(c.next(z));
    CHECK(x == y);
    differs = differs || x != z;
    CHECK(seen.insert(x).second);
  }
  CHECK(differs);

  autoq::SearchSpace small(layers, config_from({{"run", "r.json"}, {"limit", {{"fc1", {2, 8}}}}}));
  autoq::RandomSampler s(small, 1);
  std::set<autoq::Configuration> all;
  autoq::Configuration x;
  while (s.next(x)) all.insert(x);
  CHECK(all.size() == 15);
}

TEST_CASE("pareto front of metric against cost", "[autoq]") {
  auto trial = [](int k, double metric, double cost) {
    autoq::TrialRecord r;
    r.trial = k;
    r.metric = metric;
    r.cost = cost;
    return r;
  };
  // C is beaten by A (better metric, lower cost), D by B (same metric,
  // lower cost); F ties A exactly, so neither dominates the other.
  std::vector<autoq::TrialRecord> trials = {trial(0, 0.9, 100), trial(1, 0.8, 50), trial(2, 0.85, 120),
                                            trial(3, 0.8, 60),  trial(4, 0.7, 10), trial(5, 0.9, 100)};
  CHECK(autoq::pareto_front(trials) == std::vector<bool>{true, true, false, false, true, true});
}

TEST_CASE("journal: a killed search resumes to the same journal without re-running trials", "[autoq]") {
  TempDir dir;
  const autoq::AutoqConfig config = autoq::AutoqConfig::load(write_search(dir, 5));

  // Uninterrupted: 5 trials.
  int calls = 0;
  auto counting = [&calls](const std::string& run_config, const std::string& run_dir) {
    ++calls;
    return autoq::train_trial(run_config, run_dir);
  };
  autoq::SearchOptions uninterrupted{dir.file("full"), false, nullptr};
  autoq::SearchResult full = autoq::run_search(config, uninterrupted, counting);
  CHECK(calls == 5);
  REQUIRE(full.trials.size() == 5);

  // Killed during the 4th trial: its directory is half-written, the journal has 3 lines.
  autoq::SearchOptions killed{dir.file("killed"), false, nullptr};
  calls = 0;
  auto dies_in_fourth = [&calls](const std::string& run_config, const std::string& run_dir) {
    if (++calls == 4) {
      std::filesystem::create_directories(run_dir);
      throw std::runtime_error("killed");
    }
    return autoq::train_trial(run_config, run_dir);
  };
  CHECK_THROWS_WITH(autoq::run_search(config, killed, dies_in_fourth), "killed");
  CHECK(journal_without_seconds(dir.file("killed/trials.jsonl")).size() == 3);
  // Without --resume the existing search is not touched.
  CHECK_THROWS_WITH(autoq::run_search(config, killed, counting), Catch::Contains("--resume"));

  calls = 0;
  killed.resume = true;
  autoq::SearchResult resumed = autoq::run_search(config, killed, counting);
  CHECK(calls == 2);
  CHECK(journal_without_seconds(dir.file("killed/trials.jsonl")) ==
        journal_without_seconds(dir.file("full/trials.jsonl")));
  CHECK(resumed.best == full.best);
  for (const char* output : {"best.json", "best_model.json", "report.txt", "report.csv", "pareto.svg"})
    CHECK(std::filesystem::exists(dir.path() / "killed" / output));
  // The best trial's score is the highest of the journal.
  for (const autoq::TrialRecord& t : resumed.trials) CHECK(t.score <= resumed.trials[resumed.best].score);

  // A corrupt line is reported with its number and that trial runs again.
  const std::string journal = dir.file("killed/trials.jsonl");
  autoq_test::replace_journal_line(journal, 1, "{\"trial\": 1, \"configur");
  std::ostringstream warnings;
  CHECK(autoq::read_journal(journal, &warnings).size() == 4);
  CHECK_THAT(warnings.str(), Catch::Contains("trials.jsonl:2:"));
  calls = 0;
  killed.log = &warnings;
  autoq::run_search(config, killed, counting);
  CHECK(calls == 1);
  CHECK(journal_without_seconds(journal) == journal_without_seconds(dir.file("full/trials.jsonl")));
}

TEST_CASE("the shipped QE and QB examples load; QE prices with the AutoQKeras notebook's placement", "[autoq]") {
  const std::string dir = std::string(QTRAIN_SOURCE_DIR) + "/examples/jet_tagger/";
  const autoq::AutoqConfig qe = autoq::AutoqConfig::load(dir + "autoq_energy.json");
  CHECK(qe.goal.kind == autoq::Goal::Kind::Energy);
  for (const energy::Placement& placement : qe.goal.placement) {
    CHECK(placement.parameters == energy::Memory::Sram);
    CHECK(placement.activations == energy::Memory::Sram);
    CHECK_FALSE(placement.rd_wr_on_io);
  }
  CHECK(qe.goal.source_quantizer == "int8");
  const autoq::AutoqConfig qb = autoq::AutoqConfig::load(dir + "autoq_bits.json");
  CHECK(qb.goal.kind == autoq::Goal::Kind::Bits);
}
