#include "autoq/workers.h"

#include <ATen/Parallel.h>
#include <fcntl.h>
#include <omp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace autoq {

using nlohmann::json;

namespace {

std::string with_errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool write_all(int fd, const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The last non-empty line of a worker's log: the error it stopped with.
std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The forked worker: runs `work` with its output in `log`, writes the result
// to `result` and exits without running the parent's exit handlers.
[[noreturn]] void worker_main(int result, pid_t parent, int threads, const std::function<json()>& work,
                              const std::string& log) {
  // A worker that outlived a killed search would race a --resume for its
  // trial directory.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(1);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0 || ::dup2(fd, STDERR_FILENO) < 0) ::_exit(1);
  ::close(fd);
  int status = 1;
  try {
    at::set_num_threads(threads);
    if (write_all(result, work().dump()))
      status = 0;
    else
      std::fprintf(stderr, "%s\n", with_errno("cannot send the result to the search").c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "unknown exception\n");
  }
  std::fflush(nullptr);
  ::_exit(status);
}

}  // namespace

WorkerPool::WorkerPool(int threads) : threads_(threads) {}

WorkerPool::~WorkerPool() { stop_all(); }

void WorkerPool::stop_all() {
  for (Worker& w : workers_) {
    ::kill(w.pid, SIGKILL);
    ::close(w.pipe);
    while (::waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  workers_.clear();
}

void WorkerPool::start(int trial, const std::function<json()>& work, const std::string& log) {
  const std::string where = "trial " + std::to_string(trial) + ": cannot start a worker";
  // GNU OpenMP's thread pool does not survive fork(): a child of a process
  // that ran a parallel region hangs in its own first one.  Releasing the
  // pool makes the child start a fresh one.
  if (omp_pause_resource_all(omp_pause_hard) != 0)
    throw std::runtime_error(where + ": OpenMP cannot release its threads (use --workers 1)");
  std::fflush(nullptr);  // or the child would write what is buffered again
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(with_errno(where));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string error = with_errno(where);
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(error);
  }
  if (pid == 0) {
    ::close(fds[0]);
    worker_main(fds[1], parent, threads_, work, log);
  }
  ::close(fds[1]);  // the worker holds the only write end: end of file when it exits
  workers_.push_back({trial, pid, fds[0], "", log});
}

std::pair<int, json> WorkerPool::wait() {
  if (workers_.empty()) throw std::logic_error("WorkerPool::wait: no worker is running");
  for (;;) {
    std::vector<pollfd> fds;
    for (const Worker& w : workers_) fds.push_back({w.pipe, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(with_errno("waiting for the workers"));
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buffer[1 << 16];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        workers_[i].output.append(buffer, static_cast<size_t>(n));
        continue;
      }
      // End of file: the worker has exited (or the pipe broke, which the
      // exit status or the truncated result then reports).
      const Worker w = workers_[i];
      workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(i));
      ::close(w.pipe);
      const std::string trial = "trial " + std::to_string(w.trial), log = "log: " + w.log;
      int status = 0;
      pid_t reaped;
      while ((reaped = ::waitpid(w.pid, &status, 0)) < 0 && errno == EINTR) {
      }
      if (reaped < 0) throw std::runtime_error(with_errno(trial + ": cannot wait for its worker") + " (" + log + ")");
      if (WIFSIGNALED(status))
        throw std::runtime_error(trial + ": the worker was killed by signal " + std::to_string(WTERMSIG(status)) +
                                 " (" + ::strsignal(WTERMSIG(status)) + "; " + log + ")");
      if (WEXITSTATUS(status) != 0) {
        const std::string error = last_line(w.log);
        throw std::runtime_error(trial + " failed" + (error.empty() ? "" : ": " + error) + " (worker exit status " +
                                 std::to_string(WEXITSTATUS(status)) + "; " + log + ")");
      }
      try {
        return {w.trial, json::parse(w.output)};
      } catch (const json::exception&) {
        throw std::runtime_error(trial + ": the worker's result is not JSON (" + log + ")");
      }
    }
  }
}

}  // namespace autoq
