// AutoQ's parallel workers (SearchOptions::workers, `--workers`) and the
// search's data loaded once: the samplers' readiness when scores are
// pending, journals that do not depend on which worker finishes first,
// failing workers, resuming a search killed with workers running, the
// thread split.  Most tests use fake trial runners, which run in the forked
// workers like the real one; two train a tiny model for one epoch.
#include "tests/test_common.h"

#include <ATen/Parallel.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "autoq/config.h"
#include "autoq/samplers.h"
#include "autoq/search.h"
#include "autoq/search_space.h"
#include "qtrain/files.h"
#include "qtrain/train.h"
#include "tests/autoq_helpers.h"
#include "tests/helpers.h"

using nlohmann::json;
using autoq_test::config_from;
using autoq_test::fake_runner;
using autoq_test::journal_without_seconds;
using autoq_test::tiny_spec;
using test_helpers::TempDir;

namespace {

// A search of the tiny model with `fields`, its base run on `threads` threads.
autoq::AutoqConfig write_search(const TempDir& dir, const json& fields, int threads = 1) {
  return autoq_test::write_search(dir.path(), fields, tiny_spec(), threads);
}

autoq::SearchOptions options(const std::string& out, int workers, bool resume = false) {
  autoq::SearchOptions o;
  o.out_dir = out;
  o.resume = resume;
  o.workers = workers;
  return o;
}

// The trial number of a run directory .../trials/<k>/run.
int trial_of(const std::string& run_dir) {
  return std::stoi(std::filesystem::path(run_dir).parent_path().filename().string());
}

// Appends "<trial>\n" to `path`: one line per runner call, from any process
// (O_APPEND writes this short are atomic).  Runs in workers, so it throws
// rather than REQUIREs.
void count_call(const std::string& path, int trial) {
  const std::string line = std::to_string(trial) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const bool written = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (fd >= 0) ::close(fd);
  if (!written) throw std::runtime_error(path + ": cannot count a call");
}

std::multiset<int> calls_in(const std::string& path) {
  std::multiset<int> calls;
  std::ifstream in(path);
  for (int trial; in >> trial;) calls.insert(trial);
  return calls;
}

// Drives a sampler as a search with workers does: proposes while it is
// ready, then scores the oldest pending proposal.  `most_pending`: the most
// proposals that lacked their score at once.
std::vector<autoq::Proposal> drive_parallel(autoq::Sampler& sampler, int n,
                                            const std::function<double(const autoq::Configuration&)>& score,
                                            size_t* most_pending = nullptr) {
  std::vector<autoq::Proposal> proposals;
  std::deque<autoq::Configuration> pending;
  bool exhausted = false;
  for (;;) {
    autoq::Proposal p;
    while (!exhausted && static_cast<int>(proposals.size()) < n && sampler.ready()) {
      if (!sampler.propose(p)) {
        exhausted = true;
        break;
      }
      proposals.push_back(p);
      pending.push_back(p.configuration);
      if (most_pending) *most_pending = std::max(*most_pending, pending.size());
    }
    if (pending.empty()) return proposals;
    sampler.observe(score(pending.front()));
    pending.pop_front();
  }
}

double score_of(const autoq::Configuration& c) {
  double s = 0;
  for (int index : c) s = s * 8 + index;
  return std::fmod(s * 0.618033988749, 1.0);
}

}  // namespace

TEST_CASE("samplers with pending scores: random and hyperband propose what they do one at a time",
          "[autoq][autoq_workers]") {
  autoq::SearchSpace space(tiny_spec()["layers"], config_from({{"run", "r.json"}}));
  auto same = [](const std::vector<autoq::Proposal>& a, const std::vector<autoq::Proposal>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK((a[i].configuration == b[i].configuration && a[i].epochs == b[i].epochs));
  };
  {
    autoq::RandomSampler one(space, 3), many(space, 3);
    size_t most = 0;
    same(drive_parallel(one, 12, score_of), drive_parallel(many, 12, score_of, &most));
    CHECK(most == 12);  // never waits for a score
  }
  {
    // R = 9, η = 3: rounds of 9, 3, 1, 5, 1, 3 trials; a round is proposed
    // whole, the next one only once all its scores are in.
    autoq::HyperbandSampler one(space, 4, 9, 3), many(space, 4, 9, 3);
    autoq::Proposal proposal;
    for (int i = 0; i < 9; ++i) {
      REQUIRE(many.ready());
      REQUIRE(many.propose(proposal));
    }
    CHECK_FALSE(many.ready());
    CHECK_THROWS_AS(many.propose(proposal), std::logic_error);
    autoq::HyperbandSampler fresh(space, 4, 9, 3);
    size_t most = 0;
    same(drive_parallel(one, 22, score_of), drive_parallel(fresh, 22, score_of, &most));
    CHECK(most == 9);
  }
}

TEST_CASE("bayesian sampler with workers: batches of pending trials, deterministic, the plain rule with one",
          "[autoq][autoq_workers]") {
  autoq::SearchSpace space(tiny_spec()["layers"], config_from({{"run", "r.json"}}));
  // One worker: exactly the sequential sampler.
  {
    autoq::BayesianSampler sequential(space, 7, 1, 3), one(space, 7, 1, 3, 1);
    std::vector<autoq::Proposal> a;
    autoq::Proposal p;
    while (a.size() < 10 && sequential.propose(p)) {
      a.push_back(p);
      sequential.observe(score_of(p.configuration));
    }
    const std::vector<autoq::Proposal> b = drive_parallel(one, 10, score_of);
    REQUIRE(b.size() == 10);
    for (size_t i = 0; i < 10; ++i) CHECK(a[i].configuration == b[i].configuration);
  }
  // Three workers: the three initial trials at once, then a proposal
  // whenever fewer than three lack their score.
  autoq::BayesianSampler s(space, 7, 1, 3, 3);
  autoq::Proposal p;
  for (int i = 0; i < 3; ++i) REQUIRE(s.propose(p));
  CHECK_FALSE(s.ready());  // no score yet
  CHECK_THROWS_AS(s.propose(p), std::logic_error);
  s.observe(0.5);
  REQUIRE(s.ready());  // two pending
  REQUIRE(s.propose(p));
  CHECK_FALSE(s.ready());  // three pending
  s.observe(0.7);
  CHECK(s.ready());

  autoq::BayesianSampler a(space, 7, 1, 3, 3), b(space, 7, 1, 3, 3), one(space, 7, 1, 3, 1);
  size_t most = 0;
  const std::vector<autoq::Proposal> pa = drive_parallel(a, 20, score_of, &most);
  const std::vector<autoq::Proposal> pb = drive_parallel(b, 20, score_of);
  const std::vector<autoq::Proposal> p1 = drive_parallel(one, 20, score_of);
  REQUIRE(pa.size() == 20);
  CHECK(most == 3);
  std::set<autoq::Configuration> seen;
  for (size_t i = 0; i < pa.size(); ++i) {
    CHECK(pa[i].configuration == pb[i].configuration);
    CHECK(seen.insert(pa[i].configuration).second);
  }
  for (size_t i = 0; i < 3; ++i) CHECK(pa[i].configuration == p1[i].configuration);
}

TEST_CASE("workers: trials run at once, journals equal one worker's for random and hyperband",
          "[autoq][autoq_workers]") {
  TempDir dir;
  // Each of the first two trials waits until the other has started: with
  // two workers they meet, one at a time would fail after 20 s.
  const std::string markers = dir.file("started");
  std::filesystem::create_directories(markers);
  auto meeting = [&markers](const std::string& run_config, const std::string& run_dir) {
    const int trial = trial_of(run_dir);
    std::ofstream(markers + "/" + std::to_string(trial)).put('\n');
    if (trial < 2) {
      const std::string other = markers + "/" + std::to_string(1 - trial);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (!std::filesystem::exists(other)) {
        if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("trial ran alone");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    return fake_runner(run_config, run_dir);
  };
  const autoq::AutoqConfig random = write_search(dir, {{"max_trials", 7}, {"seed", 4}});
  autoq::run_search(random, options(dir.file("one"), 1), fake_runner);
  const autoq::SearchResult two = autoq::run_search(random, options(dir.file("two"), 2), meeting);
  CHECK(two.trials.size() == 7);
  CHECK(journal_without_seconds(dir.file("two/trials.jsonl")) == journal_without_seconds(dir.file("one/trials.jsonl")));
  CHECK(std::filesystem::exists(dir.file("two/trials/6/worker.log")));
  CHECK_FALSE(std::filesystem::exists(dir.file("one/trials/6/worker.log")));

  const autoq::AutoqConfig hyperband = write_search(dir, {{"tuner", "hyperband"}, {"epochs", 9}, {"max_trials", 16}});
  autoq::run_search(hyperband, options(dir.file("hb1"), 1), fake_runner);
  autoq::run_search(hyperband, options(dir.file("hb3"), 3), fake_runner);
  CHECK(journal_without_seconds(dir.file("hb3/trials.jsonl")) == journal_without_seconds(dir.file("hb1/trials.jsonl")));
}

TEST_CASE("workers: a bayesian search gives the same trials for the same seed and workers", "[autoq][autoq_workers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"tuner", "bayesian"}, {"max_trials", 8}, {"initial_trials", 3}});
  // The workers finish in a different order each time: trial k sleeps (k mod 3) ms one time, (2 - k mod 3) the other.
  auto sleepy = [](bool reverse) {
    return [reverse](const std::string& run_config, const std::string& run_dir) {
      const int k = trial_of(run_dir) % 3;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * (reverse ? 2 - k : k)));
      return fake_runner(run_config, run_dir);
    };
  };
  autoq::run_search(config, options(dir.file("a"), 2), sleepy(false));
  autoq::run_search(config, options(dir.file("b"), 2), sleepy(true));
  autoq::run_search(config, options(dir.file("one"), 1), fake_runner);
  const std::vector<json> a = journal_without_seconds(dir.file("a/trials.jsonl"));
  CHECK(a == journal_without_seconds(dir.file("b/trials.jsonl")));
  const std::vector<json> one = journal_without_seconds(dir.file("one/trials.jsonl"));
  REQUIRE(a.size() == 8);
  for (size_t k = 0; k < 3; ++k) CHECK(a[k] == one[k]);  // the random initial trials

  // A resume with another worker count proposes other trials: an error.
  CHECK_THROWS_WITH(autoq::run_search(config, options(dir.file("a"), 1, true), fake_runner),
                    Catch::Contains("--workers"));
}

TEST_CASE("workers: a failing worker fails the search naming the trial and its log; --resume redoes it",
          "[autoq][autoq_workers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"max_trials", 6}, {"seed", 2}});
  autoq::run_search(config, options(dir.file("full"), 1), fake_runner);
  const std::vector<json> full = journal_without_seconds(dir.file("full/trials.jsonl"));
  const std::string calls = dir.file("calls");

  auto fails_in = [&calls](int bad, bool crash) {
    return [&calls, bad, crash](const std::string& run_config, const std::string& run_dir) {
      const int trial = trial_of(run_dir);
      count_call(calls, trial);
      if (trial == bad) {
        if (crash) ::raise(SIGKILL);
        throw std::runtime_error("out of memory in trial " + std::to_string(trial));
      }
      return fake_runner(run_config, run_dir);
    };
  };
  const std::string out = dir.file("out");
  CHECK_THROWS_WITH(autoq::run_search(config, options(out, 2), fails_in(3, false)),
                    Catch::Contains("trial 3 failed: out of memory in trial 3") &&
                        Catch::Contains("log: " + out + "/trials/3/worker.log"));
  // The journal is a whole prefix of the uninterrupted one.
  std::ostringstream warnings;
  const std::vector<autoq::TrialRecord> kept = autoq::read_journal(out + "/trials.jsonl", &warnings);
  CHECK(warnings.str().empty());
  std::vector<json> journal = journal_without_seconds(out + "/trials.jsonl");
  REQUIRE(journal.size() >= 2);
  REQUIRE(journal.size() <= 3);
  for (size_t k = 0; k < journal.size(); ++k) CHECK(journal[k] == full[k]);

  // Killed by a signal (as a crash or the OOM killer would).
  CHECK_THROWS_WITH(autoq::run_search(config, options(out, 2, true), fails_in(4, true)),
                    Catch::Contains("trial 4: the worker was killed by signal 9") &&
                        Catch::Contains("log: " + out + "/trials/4/worker.log"));
  journal = journal_without_seconds(out + "/trials.jsonl");
  REQUIRE(journal.size() >= 3);
  for (size_t k = 0; k < journal.size(); ++k) CHECK(journal[k] == full[k]);

  // The resume runs what is missing, with workers, and ends where one
  // worker uninterrupted did.
  std::filesystem::remove(calls);
  autoq::run_search(config, options(out, 2, true), fails_in(-1, false));
  CHECK(journal_without_seconds(out + "/trials.jsonl") == full);
  std::multiset<int> expected;
  for (int k = static_cast<int>(journal.size()); k < 6; ++k) expected.insert(k);
  CHECK(calls_in(calls) == expected);
}

TEST_CASE("workers: each gets max(1, threads / workers) LibTorch threads; a base run's larger threads are lowered",
          "[autoq][autoq_workers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"max_trials", 3}, {"metric", "threads"}}, 8);
  auto reports_threads = [](const std::string& run_config, const std::string& run_dir) {
    json metrics = fake_runner(run_config, run_dir);
    metrics["test"]["threads"] = at::get_num_threads();
    return metrics;
  };
  const int threads = at::get_num_threads();
  at::set_num_threads(5);
  autoq::SearchResult result;
  CHECK_NOTHROW(result = autoq::run_search(config, options(dir.file("out"), 2), reports_threads));
  const autoq::SearchResult five_workers = autoq::run_search(config, options(dir.file("five"), 5), reports_threads);
  const autoq::SearchResult six_workers = autoq::run_search(config, options(dir.file("six"), 6), reports_threads);
  at::set_num_threads(threads);
  for (const autoq::TrialRecord& t : result.trials) {
    CHECK(t.metric == 2);
    CHECK(qtrain::read_json_file(dir.file("out/trials/" + std::to_string(t.trial) + "/run.json"))["threads"] == 2);
  }
  for (const autoq::TrialRecord& t : five_workers.trials) CHECK(t.metric == 1);
  for (const autoq::TrialRecord& t : six_workers.trials) CHECK(t.metric == 1);
  CHECK_THROWS_WITH(autoq::run_search(config, options(dir.file("zero"), 0), fake_runner), Catch::Contains("workers"));
}

TEST_CASE("workers: real training with two workers writes the journal one worker does", "[autoq][autoq_workers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"max_trials", 4}, {"seed", 9}});
  const autoq::SearchResult one = autoq::run_search(config, options(dir.file("one"), 1));
  const autoq::SearchResult two = autoq::run_search(config, options(dir.file("two"), 2));
  CHECK(journal_without_seconds(dir.file("two/trials.jsonl")) == journal_without_seconds(dir.file("one/trials.jsonl")));
  CHECK(one.best == two.best);
  // The worker's log holds the trial's training lines.
  std::ifstream log(dir.file("two/trials/3/worker.log"));
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("epoch   1/1"));
}

TEST_CASE("search data loaded once: a trial trains as `qtrain train` of its run.json does", "[autoq][autoq_workers]") {
  TempDir dir;
  const autoq::AutoqConfig config = write_search(dir, {{"max_trials", 1}, {"seed", 9}});
  autoq::run_search(config, options(dir.file("out"), 1));
  // The same run config, trained on data it loads itself.
  qtrain::TrainOptions alone;
  alone.config_path = dir.file("out/trials/0/run.json");
  alone.out_dir = dir.file("alone");
  const json metrics = qtrain::train(alone).metrics;
  const json trial = qtrain::read_json_file(dir.file("out/trials/0/run/metrics.json"));
  CHECK(trial["test"] == metrics["test"]);
  CHECK(trial["history"].size() == 1);
  CHECK(trial["history"][0]["loss"] == metrics["history"][0]["loss"]);

  // A base run training k folds has no single test metric for a trial.
  json run = qtrain::read_json_file(dir.file("run.json"));
  run["data"]["folds"] = 3;
  qtrain::write_json_atomically(dir.file("run.json"), run);
  CHECK_THROWS_WITH(autoq::run_search(config, options(dir.file("folds"), 1)), Catch::Contains("data.folds"));
}
