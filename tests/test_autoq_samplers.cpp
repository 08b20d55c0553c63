// AutoQ's samplers (random, bayesian, hyperband), layer groups and the §6.1
// learning-rate choices.  Gaussian-process and expected-improvement values
// are worked by hand (quoted below); search-level tests use a fake trial
// runner whose accuracy is a fixed function of the trial's run config, so
// they train nothing.
#include "tests/test_common.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/forgiving_factor.h"
#include "autoq/gaussian_process.h"
#include "autoq/samplers.h"
#include "autoq/search.h"
#include "autoq/search_space.h"
#include "qtrain/files.h"
#include "tests/autoq_helpers.h"
#include "tests/helpers.h"

using nlohmann::json;
using autoq_test::config_from;
using autoq_test::fake_runner;
using autoq_test::journal_without_seconds;
using autoq_test::tiny_spec;
using test_helpers::TempDir;

namespace {

// A distinct score per configuration of the tiny space (menus of at most 8).
double score_of(const autoq::Configuration& c) {
  double s = 0;
  for (int index : c) s = s * 8 + index;
  return std::fmod(s * 0.618033988749, 1.0);
}

// Drives a sampler as the search does (propose, then observe) n times.
std::vector<autoq::Proposal> drive(autoq::Sampler& sampler, int n,
                                   const std::function<double(const autoq::Configuration&)>& score = score_of) {
  std::vector<autoq::Proposal> proposals;
  autoq::Proposal p;
  while (static_cast<int>(proposals.size()) < n && sampler.propose(p)) {
    proposals.push_back(p);
    sampler.observe(score(p.configuration));
  }
  return proposals;
}

// A search of the tiny model with `fields`, its base run at lr 0.002.
autoq::AutoqConfig write_search(const TempDir& dir, const json& fields) {
  return autoq_test::write_search(dir.path(), fields, tiny_spec(), 1, 0.002);
}


// Runs `config` uninterrupted, then killed in trial `dies_in` (1-based
// runner call) and resumed; the resumed journal must equal the full one.
void check_resume(const TempDir& dir, const autoq::AutoqConfig& config, int dies_in) {
  int calls = 0;
  auto counting = [&calls](const std::string& c, const std::string& d) {
    ++calls;
    return fake_runner(c, d);
  };
  const autoq::SearchResult full = autoq::run_search(config, {dir.file("full"), false, nullptr}, counting);
  CHECK(calls == config.max_trials);
  calls = 0;
  auto dies = [&calls, dies_in](const std::string& c, const std::string& d) {
    if (++calls == dies_in) throw std::runtime_error("killed");
    return fake_runner(c, d);
  };
  CHECK_THROWS_WITH(autoq::run_search(config, {dir.file("killed"), false, nullptr}, dies), "killed");
  calls = 0;
  const autoq::SearchResult resumed = autoq::run_search(config, {dir.file("killed"), true, nullptr}, counting);
  CHECK(calls == config.max_trials - (dies_in - 1));
  CHECK(journal_without_seconds(dir.file("killed/trials.jsonl")) ==
        journal_without_seconds(dir.file("full/trials.jsonl")));
  CHECK(resumed.best == full.best);
}

}  // namespace

TEST_CASE("gaussian process: posterior of a 2-point example by hand", "[autoq][autoq_samplers]") {
  // x = 0 -> 1, x = 1 -> 2; k = exp(-d²/2) (ℓ = 1, σf² = 1), no noise.
  // K = [[1, e^-½], [e^-½, 1]], e^-½ = 0.6065307; K⁻¹y = [-0.3370580, 2.2044360].
  // At x = 0.5: k* = [e^-⅛, e^-⅛] = 0.8824969 each;
  // mean = 0.8824969·(−0.3370580 + 2.2044360) = 1.6479553;
  // variance = 1 − e^-¼·ΣK⁻¹ = 1 − 0.7788008·2/(1 + e^-½) = 0.0304564.
  Eigen::MatrixXd x(2, 1);
  x << 0, 1;
  Eigen::VectorXd y(2);
  y << 1, 2;
  autoq::GaussianProcess gp(x, y, {1.0, 1.0, 0.0});
  double mean = 0, variance = 0;
  gp.predict(Eigen::VectorXd::Constant(1, 0.5), mean, variance);
  CHECK(mean == Approx(1.6479553).epsilon(1e-6));
  CHECK(variance == Approx(0.0304564).epsilon(1e-5));
  // At a training point without noise the posterior is the target, certain.
  gp.predict(Eigen::VectorXd::Constant(1, 1.0), mean, variance);
  CHECK(mean == Approx(2.0).epsilon(1e-9));
  CHECK(variance == Approx(0.0).margin(1e-9));
  // Far away the prior returns: mean 0, variance σf².
  gp.predict(Eigen::VectorXd::Constant(1, 40.0), mean, variance);
  CHECK(mean == Approx(0.0).margin(1e-12));
  CHECK(variance == Approx(1.0).epsilon(1e-12));
  // Noise σn² = 1 on the diagonal: K = [[2, e^-½], [e^-½, 2]], det = 4 − e⁻¹
  // = 3.6321206, K⁻¹y = [2 − 2e^-½, 4 − e^-½]/det = [0.2166609, 0.9342942];
  // at x = 0, k* = [1, e^-½]: mean = 0.2166609 + 0.6065307·0.9342942 = 0.7833391
  // (pulled from the target 1 towards the prior).
  autoq::GaussianProcess noisy(x, y, {1.0, 1.0, 1.0});
  noisy.predict(Eigen::VectorXd::Constant(1, 0.0), mean, variance);
  CHECK(mean == Approx(0.7833391).epsilon(1e-6));
  CHECK_THROWS_AS(autoq::GaussianProcess(x, Eigen::VectorXd::Zero(3), {}), std::invalid_argument);
}

TEST_CASE("expected improvement by hand", "[autoq][autoq_samplers]") {
  // μ = 1, σ = 1, best 0, ξ = 0: z = 1, EI = Φ(1) + φ(1) = 0.8413447 + 0.2419707 = 1.0833155.
  CHECK(autoq::expected_improvement(1, 1, 0, 0) == Approx(1.0833155).epsilon(1e-6));
  // μ = 0.5, σ = 2, best 0, ξ = 0.1: gain 0.4, z = 0.2,
  // EI = 0.4·Φ(0.2) + 2·φ(0.2) = 0.4·0.5792597 + 2·0.3910427 = 1.0137893.
  CHECK(autoq::expected_improvement(0.5, 2, 0, 0.1) == Approx(1.0137893).epsilon(1e-6));
  // No uncertainty: the plain gain, never negative.
  CHECK(autoq::expected_improvement(0.7, 0, 0.5, 0) == Approx(0.2));
  CHECK(autoq::expected_improvement(0.3, 0, 0.5, 0) == 0);
  // Below the best, uncertainty alone still promises something.
  CHECK(autoq::expected_improvement(-1, 1, 0, 0) > 0);
}

TEST_CASE("learning-rate choices of qkeras.md 6.1 by hand", "[autoq][autoq_samplers]") {
  // T = 250, R = 1000: total factor (250 − 1000)/1000 = −0.75, delta_lr =
  // 0.25, linspace(0.25, 1.1, 5) = 0.25, 0.4625, 0.675, 0.8875, 1.1.
  const std::vector<double> cheap = autoq::learning_rate_choices(1e-3, 1000, 250);
  const std::vector<double> cheap_expected = {0.25e-3, 0.4625e-3, 0.675e-3, 0.8875e-3, 1.1e-3};
  REQUIRE(cheap.size() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK(cheap[i] == Approx(cheap_expected[i]).epsilon(1e-12));
  // T = 2000: total factor +1 is clipped to 0, delta_lr = 1: 1, 1.025, 1.05, 1.075, 1.1.
  const std::vector<double> dear = autoq::learning_rate_choices(1e-3, 1000, 2000);
  const std::vector<double> dear_expected = {1e-3, 1.025e-3, 1.05e-3, 1.075e-3, 1.1e-3};
  for (size_t i = 0; i < 5; ++i) CHECK(dear[i] == Approx(dear_expected[i]).epsilon(1e-12));
}

TEST_CASE("groups: the layers of a group share one choice per menu", "[autoq][autoq_samplers]") {
  const json layers = tiny_spec()["layers"];
  {
    // fc1 and fc2 share a kernel and a bias slot; relu1 keeps its own.
    autoq::SearchSpace space(layers, config_from({{"run", "r.json"}, {"groups", {{"dense", "fc"}}}}));
    REQUIRE(space.slots().size() == 3);
    CHECK(space.slots()[0].group == "dense");
    CHECK(space.slots()[0].targets.size() == 2);
    CHECK(space.slots()[2].layer == "relu1");
    CHECK(space.size() == 8 * 3 * 8);
    const json q = space.quantizer_config({5, 2, 3});
    CHECK(q["fc1"]["kernel_quantizer"] == "quantized_bits(4,0,1)");
    CHECK(q["fc2"]["kernel_quantizer"] == "quantized_bits(4,0,1)");
    CHECK(q["fc1"]["bias_quantizer"] == "quantized_po2(4,8)");
    CHECK(q["fc2"]["bias_quantizer"] == "quantized_po2(4,8)");
    CHECK(q["relu1"] == "quantized_relu(3,1)");
    // Every configuration the sampler draws gives both layers the same quantizers.
    autoq::RandomSampler sampler(space, 3);
    autoq::Configuration c;
    for (int i = 0; i < 20 && sampler.next(c); ++i) {
      const json qc = space.quantizer_config(c);
      CHECK(qc["fc1"] == qc["fc2"]);
    }
  }
  {
    // Members with different limits share what both allow, in fc1's order:
    // kernels <= 2 bits (5), biases <= 4 bits (quantized_bits(4,0,1), quantized_po2(4,8)).
    autoq::SearchSpace space(layers, config_from({{"run", "r.json"},
                                                  {"limit", {{"fc1", {2, 8}}, {"fc2", {8, 4}}}},
                                                  {"groups", {{"dense", "fc"}}}}));
    REQUIRE(space.slots().size() == 2);
    CHECK(space.slots()[0].choices.size() == 5);
    CHECK(space.slots()[1].choices.size() == 2);
  }
  CHECK_THROWS_WITH(autoq::SearchSpace(layers, config_from({{"run", "r.json"}, {"groups", {{"convs", "conv"}}}})),
                    Catch::Contains("groups.convs") && Catch::Contains("matches no searched layer"));
  CHECK_THROWS_WITH(
      autoq::SearchSpace(layers, config_from({{"run", "r.json"}, {"groups", {{"a", "fc"}, {"b", "fc2"}}}})),
      Catch::Contains("fc2 matches groups.a and groups.b"));
  CHECK_THROWS_WITH(autoq::SearchSpace(layers, config_from({{"run", "r.json"},
                                                            {"limit", {{"fc1", {json::array({"binary"})}},
                                                                       {"fc2", {json::array({"ternary"})}}}},
                                                            {"groups", {{"dense", "fc"}}}})),
                    Catch::Contains("no kernel quantizer in common"));
}

TEST_CASE("autoq config: tuner, groups, hyperband factor, learning_rate_optimizer", "[autoq][autoq_samplers]") {
  CHECK(config_from({{"run", "r.json"}}).tuner == autoq::Tuner::Random);
  CHECK(config_from({{"run", "r.json"}, {"tuner", "bayesian"}}).tuner == autoq::Tuner::Bayesian);
  CHECK(config_from({{"run", "r.json"}, {"tuner", "hyperband"}}).tuner == autoq::Tuner::Hyperband);
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"tuner", "tpe"}}),
                    Catch::StartsWith("autoq.json: tuner") && Catch::Contains("\"tpe\""));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"groups", {{"g", 3}}}}), Catch::Contains("autoq.json: groups.g"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"hyperband_factor", 1}}), Catch::Contains("hyperband_factor"));
  CHECK_THROWS_WITH(config_from({{"run", "r.json"}, {"learning_rate_optimizer", 1}}),
                    Catch::Contains("learning_rate_optimizer"));
  // The learning rate is one more dimension of five choices.
  autoq::SearchSpace space(tiny_spec()["layers"], config_from({{"run", "r.json"}, {"learning_rate_optimizer", true}}));
  CHECK(space.dimensions() == 6);
  CHECK(space.size() == 8 * 3 * 8 * 8 * 3 * 5);
  CHECK(space.encode({0, 0, 0, 0, 0, 4}).back() == 1.0);
  CHECK_THROWS_AS(space.check({0, 0, 0, 0, 0, 5}), std::invalid_argument);
}

TEST_CASE("bayesian sampler: seeded, never repeats, exhausts a small space", "[autoq][autoq_samplers]") {
  const json layers = tiny_spec()["layers"];
  autoq::SearchSpace big(layers, config_from({{"run", "r.json"}}));
  autoq::BayesianSampler a(big, 7, 2, 3), b(big, 7, 2, 3), c(big, 8, 2, 3);
  const std::vector<autoq::Proposal> pa = drive(a, 30), pb = drive(b, 30), pc = drive(c, 30);
  REQUIRE(pa.size() == 30);
  std::set<autoq::Configuration> seen;
  bool differs = false;
  for (size_t i = 0; i < pa.size(); ++i) {
    CHECK(pa[i].configuration == pb[i].configuration);
    CHECK(pa[i].epochs == 2);
    CHECK(seen.insert(pa[i].configuration).second);
    differs = differs || pa[i].configuration != pc[i].configuration;
  }
  CHECK(differs);
  // The first trials are the random sampler's.
  autoq::RandomSampler random(big, 7);
  for (int i = 0; i < 3; ++i) {
    autoq::Configuration r;
    REQUIRE(random.next(r));
    CHECK(r == pa[i].configuration);
  }

  // fc1 only, kernels <= 2 bits: 5 x 3 = 15 configurations, each exactly once.
  autoq::SearchSpace small(layers, config_from({{"run", "r.json"}, {"limit", {{"fc1", {2, 8}}}}}));
  autoq::BayesianSampler s(small, 1, 1, 2);
  const std::vector<autoq::Proposal> all = drive(s, 100);
  std::set<autoq::Configuration> distinct;
  for (const autoq::Proposal& p : all) distinct.insert(p.configuration);
  CHECK(all.size() == 15);
  CHECK(distinct.size() == 15);
}

TEST_CASE("bayesian sampler: expected improvement climbs a smooth score", "[autoq][autoq_samplers]") {
  // Score = the sum of the encoded bit costs (at most 5, the dearest
  // corner): after 3 random trials the Gaussian process should get closer to
  // the top in 12 trials than 15 random ones do, for every seed tried.
  autoq::SearchSpace space(tiny_spec()["layers"], config_from({{"run", "r.json"}}));
  auto bits = [&space](const autoq::Configuration& c) {
    double s = 0;
    for (double e : space.encode(c)) s += e;
    return s;
  };
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    autoq::BayesianSampler bayes(space, seed, 1, 3);
    autoq::RandomSampler random(space, seed);
    double best_bayes = 0, best_random = 0;
    for (const autoq::Proposal& p : drive(bayes, 15, bits)) best_bayes = std::max(best_bayes, bits(p.configuration));
    for (const autoq::Proposal& p : drive(random, 15, bits)) best_random = std::max(best_random, bits(p.configuration));
    CAPTURE(seed, best_bayes, best_random);
    CHECK(best_bayes > best_random);
    CHECK(best_bayes >= 4);
  }
}

TEST_CASE("hyperband: brackets for max_epochs 9, factor 3 by hand", "[autoq][autoq_samplers]") {
  using Round = autoq::HyperbandSampler::Round;
  auto rounds = [](int s) {
    std::vector<std::pair<int, int>> r;
    for (const Round& round : autoq::HyperbandSampler::bracket(s, 9, 3)) r.emplace_back(round.trials, round.epochs);
    return r;
  };
  // s_max = ⌊log3 9⌋ = 2.  s = 2: n = ⌈3·9/3⌉ = 9 at 9/9 = 1 epoch, then 3 at 3, 1 at 9.
  CHECK(autoq::HyperbandSampler::max_bracket(9, 3) == 2);
  CHECK(rounds(2) == std::vector<std::pair<int, int>>{{9, 1}, {3, 3}, {1, 9}});
  // s = 1: n = ⌈3·3/2⌉ = 5 at 3 epochs, then 1 at 9.  s = 0: n = 3 at 9.
  CHECK(rounds(1) == std::vector<std::pair<int, int>>{{5, 3}, {1, 9}});
  CHECK(rounds(0) == std::vector<std::pair<int, int>>{{3, 9}});
  // max_epochs 10: s_max still 2, budgets ⌊10/9⌋ = 1, ⌊10/3⌋ = 3, 10.
  CHECK(autoq::HyperbandSampler::bracket(2, 10, 3).back().epochs == 10);
  CHECK(autoq::HyperbandSampler::max_bracket(1, 3) == 0);

  // The sampler: 22 trials for the three brackets, promoting the best third.
  autoq::SearchSpace space(tiny_spec()["layers"], config_from({{"run", "r.json"}}));
  autoq::HyperbandSampler sampler(space, 4, 9, 3);
  const std::vector<autoq::Proposal> p = drive(sampler, 23);
  REQUIRE(p.size() == 23);
  const std::vector<int> epochs = {1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9, 3, 3, 3, 3, 3, 9, 9, 9, 9};
  for (size_t i = 0; i < epochs.size(); ++i) CHECK(p[i].epochs == epochs[i]);
  CHECK(p[22].epochs == 1);  // the brackets start over
  auto best = [&p](size_t from, size_t count, size_t keep) {
    std::vector<autoq::Configuration> c;
    for (size_t i = from; i < from + count; ++i) c.push_back(p[i].configuration);
    std::stable_sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return score_of(a) > score_of(b); });
    c.resize(keep);
    return c;
  };
  auto run = [&p](size_t from, size_t count) {
    std::vector<autoq::Configuration> c;
    for (size_t i = from; i < from + count; ++i) c.push_back(p[i].configuration);
    return c;
  };
  CHECK(run(9, 3) == best(0, 9, 3));
  CHECK(run(12, 1) == best(9, 3, 1));
  CHECK(run(18, 1) == best(13, 5, 1));
  // Fresh configurations of every bracket are new.
  std::set<autoq::Configuration> fresh;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15, 16, 17, 19, 20, 21, 22})
    CHECK(fresh.insert(p[i].configuration).second);

  // Same seed, same sequence.
  autoq::HyperbandSampler again(space, 4, 9, 3);
  const std::vector<autoq::Proposal> q = drive(again, 23);
  for (size_t i = 0; i < p.size(); ++i) CHECK((p[i].configuration == q[i].configuration && p[i].epochs == q[i].epochs));
}

TEST_CASE("search: hyperband journal carries the epochs; trial run configs train for them", "[autoq][autoq_samplers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"tuner", "hyperband"}, {"epochs", 9}, {"max_trials", 22}});
  const autoq::SearchResult result = autoq::run_search(config, {dir.file("out"), false, nullptr}, fake_runner);
  REQUIRE(result.trials.size() == 22);
  const std::vector<json> journal = journal_without_seconds(dir.file("out/trials.jsonl"));
  REQUIRE(journal.size() == 22);
  const std::vector<int> epochs = {1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9, 3, 3, 3, 3, 3, 9, 9, 9, 9};
  for (size_t k = 0; k < epochs.size(); ++k) {
    CHECK(journal[k]["epochs"] == epochs[k]);
    const json run = qtrain::read_json_file(dir.file("out/trials/" + std::to_string(k) + "/run.json"));
    CHECK(run["epochs"] == epochs[k]);
    CHECK(run["optimizer"]["lr"] == 0.002);  // no learning_rate_optimizer: the base run's
  }
}

TEST_CASE("search: bayesian and hyperband searches resume to the same journal", "[autoq][autoq_samplers]") {
  SECTION("bayesian") {
    TempDir dir;
    check_resume(dir, write_search(dir, {{"tuner", "bayesian"}, {"max_trials", 8}, {"initial_trials", 3}}), 6);
  }
  SECTION("hyperband, killed in the second round") {
    TempDir dir;
    check_resume(dir, write_search(dir, {{"tuner", "hyperband"}, {"epochs", 9}, {"max_trials", 16}}), 11);
  }
}

TEST_CASE("search: learning_rate_optimizer sets each trial's lr from its cost", "[autoq][autoq_samplers]") {
  TempDir dir;
  const autoq::AutoqConfig config =
      write_search(dir, {{"learning_rate_optimizer", true}, {"max_trials", 6}, {"seed", 2}});
  const autoq::SearchResult result = autoq::run_search(config, {dir.file("out"), false, nullptr}, fake_runner);
  const double reference = qtrain::read_json_file(dir.file("out/best.json"))["reference_cost"].get<double>();
  std::set<double> rates;
  for (const autoq::TrialRecord& t : result.trials) {
    REQUIRE(t.configuration.size() == 6);
    const double expected = autoq::learning_rate_choices(0.002, reference, t.cost)[t.configuration.back()];
    CHECK(t.learning_rate == Approx(expected).epsilon(1e-12));
    const json run = qtrain::read_json_file(dir.file("out/trials/" + std::to_string(t.trial) + "/run.json"));
    CHECK(run["optimizer"]["lr"].get<double>() == Approx(expected).epsilon(1e-12));
    // Quantized trials are cheaper than the float reference: below 1.1·lr, at least lr·T/R.
    CHECK(t.learning_rate >= 0.002 * t.cost / reference * (1 - 1e-12));
    CHECK(t.learning_rate <= 0.0022 * (1 + 1e-12));
    rates.insert(t.learning_rate);
  }
  CHECK(rates.size() > 1);
}

TEST_CASE("search: a re-run trial that scores differently makes later journal lines stale", "[autoq][autoq_samplers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"tuner", "bayesian"}, {"max_trials", 8}, {"initial_trials", 3}});
  autoq::run_search(config, {dir.file("out"), false, nullptr}, fake_runner);

  // Trial 3 (the first the Gaussian process chose) is lost and, run again,
  // scores far lower than before.
  const std::string journal = dir.file("out/trials.jsonl");
  autoq_test::replace_journal_line(journal, 3, "{\"trial\": 3, \"configur");
  int calls = 0;
  auto worse_trial_3 = [&calls](const std::string& run_config, const std::string& run_dir) {
    json metrics = fake_runner(run_config, run_dir);
    if (++calls == 1) metrics["test"]["accuracy"] = 0.01;
    return metrics;
  };
  std::ostringstream warnings;
  const autoq::SearchResult resumed =
      autoq::run_search(config, {dir.file("out"), true, &warnings}, worse_trial_3);
  CHECK_THAT(warnings.str(), Catch::Contains("trials.jsonl:4:"));
  // The Gaussian process went elsewhere after the new score: the later
  // lines no longer matched and ran again instead of failing the resume.
  CHECK(calls > 1);
  REQUIRE(resumed.trials.size() == 8);
  // The journal is what a fresh sampler proposes when told its scores.
  autoq::SearchSpace space(qtrain::read_json_file(dir.file("run.json"))["model"]["layers"], config);
  autoq::BayesianSampler replay(space, config.seed, config.epochs, config.initial_trials);
  for (const autoq::TrialRecord& t : autoq::read_journal(journal, nullptr)) {
    autoq::Proposal p;
    REQUIRE(replay.propose(p));
    CHECK(p.configuration == t.configuration);
    replay.observe(t.score);
  }
}
