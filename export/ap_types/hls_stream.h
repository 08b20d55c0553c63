// Our hls::stream<T>: the vendor's C-simulation model of an AXI stream /
// FIFO, with the same file name and API (read, write, empty, full, size,
// >> and <<, a name constructor), header-only.  In C simulation a stream is
// an unbounded FIFO; reading an empty stream prints a warning naming the
// stream and returns a default-constructed value, as the vendor's model does
// (in RTL that read would block forever).
#pragma once

#include <cstddef>
#include <deque>
#include <iostream>
#include <string>

namespace hls {

template <class T>
class stream {
 public:
  stream() : name_("hls::stream") {}
  explicit stream(const char* name) : name_(name) {}
  explicit stream(const std::string& name) : name_(name) {}
  // A stream is a hardware channel: it cannot be copied.
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  bool empty() const { return fifo_.empty(); }
  // C simulation models an unbounded FIFO: never full.
  bool full() const { return false; }
  std::size_t size() const { return fifo_.size(); }
  const std::string& name() const { return name_; }

  void write(const T& value) { fifo_.push_back(value); }
  bool write_nb(const T& value) {
    write(value);
    return true;
  }

  T read() {
    T value = T();
    read(value);
    return value;
  }
  void read(T& value) {
    if (fifo_.empty()) {
      std::cerr << "WARNING: hls::stream '" << name_
                << "' is read while empty, which would block in RTL simulation\n";
      value = T();
      return;
    }
    value = fifo_.front();
    fifo_.pop_front();
  }
  bool read_nb(T& value) {
    if (fifo_.empty()) return false;
    read(value);
    return true;
  }

  stream& operator<<(const T& value) {
    write(value);
    return *this;
  }
  stream& operator>>(T& value) {
    read(value);
    return *this;
  }

 private:
  std::string name_;
  std::deque<T> fifo_;
};

}  // namespace hls
