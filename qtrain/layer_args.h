// LayerArgs: typed access to one layer entry of a model spec.  Every read
// marks the argument used; finish() rejects the ones nobody read, so a typo
// in a spec is an error naming the layer rather than a silent default.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qtrain/layer.h"

namespace qtrain {

class LayerArgs {
 public:
  // `spec` is one element of the spec's "layers" array.
  explicit LayerArgs(const nlohmann::json& spec);

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  // QKeras classes ("QDense") differ from their Keras twins in defaults only.
  bool is_qkeras_class() const { return !type_.empty() && type_[0] == 'Q'; }

  bool has(const char* key) const;
  int64_t integer(const char* key, std::optional<int64_t> fallback = std::nullopt);
  double number(const char* key, std::optional<double> fallback = std::nullopt);
  bool boolean(const char* key, bool fallback);
  std::string string(const char* key, std::optional<std::string> fallback = std::nullopt);
  // An int or a list of `n` ints (Keras' kernel_size=3 or (3, 3)).
  std::vector<int64_t> integers(const char* key, size_t n, std::optional<int64_t> fallback = std::nullopt);
  // A list of ints of any length (Reshape's target_shape).
  std::vector<int64_t> integer_list(const char* key);
  // A quantizer slot: QKeras call syntax or Keras JSON; null or absent gives
  // `fallback` (a spec string) or nullptr.
  quantizers::QuantizerPtr quantizer(const char* key, const char* fallback = nullptr);

  // Throws for arguments no one read.
  void finish() const;
  ModelError error(const std::string& what) const;

 private:
  const nlohmann::json& at(const char* key);
  // A scalar argument of JSON kind `is_kind` (e.g. &json::is_string), or
  // `fallback` when absent; `expected` words the kind for the error.
  template <class T>
  T scalar(const char* key, const std::optional<T>& fallback, bool (nlohmann::json::*is_kind)() const noexcept,
           const char* expected);
  const nlohmann::json& spec_;
  std::string name_, type_;
  std::set<std::string> used_;
};

}  // namespace qtrain
