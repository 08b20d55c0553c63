// The worker processes of `qtrain autoq --workers N`: each trial trains in a
// process forked from the search, so it shares the data the search loaded
// (copy-on-write) and a crash takes down only that trial.  A worker writes
// its own trial directory; its stdout and stderr go to a log file there, and
// it sends what the trial returned (its metrics) back through a pipe.  Only
// the search, in the parent, writes the journal.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace autoq {

class WorkerPool {
 public:
  // Each worker trains with `threads` LibTorch threads.
  explicit WorkerPool(int threads);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  // Kills and reaps the workers still running: the search failed, and what
  // they leave in their trial directories is redone by --resume.
  ~WorkerPool();

  size_t running() const { return workers_.size(); }
  // Forks a worker for `trial` that runs `work` with its output in `log`.
  // Throws std::runtime_error when no process can be started.
  void start(int trial, const std::function<nlohmann::json()>& work, const std::string& log);
  // Waits until a worker ends and returns its trial and what `work`
  // returned.  Throws std::runtime_error naming the trial and its log when
  // the worker threw, exited non-zero or was killed by a signal.
  std::pair<int, nlohmann::json> wait();

 private:
  struct Worker {
    int trial = 0;
    pid_t pid = 0;
    int pipe = -1;       // read end: the worker's result, then end of file when it exits
    std::string output;  // read so far
    std::string log;
  };
  void stop_all();

  int threads_;
  std::vector<Worker> workers_;
};

}  // namespace autoq
