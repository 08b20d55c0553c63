// Field: one named constructor argument of a quantizer, bound to the member
// that stores it.  A quantizer lists its fields once; parsing, printing,
// JSON and equality all walk that list.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace quantizers {

// A literal argument value in QKeras call syntax: None, a boolean, a number,
// a string or a list of numbers.
using ArgValue = std::variant<std::monostate, bool, double, std::string, std::vector<double>>;

std::string format_value(const ArgValue& v);  // None, True, 0.25, 'auto_po2', [1,2]
std::string format_number(double v);          // shortest text that reads back exactly
ArgValue value_from_json(const nlohmann::json& j, std::string_view what);
nlohmann::json value_to_json(const ArgValue& v);

// alpha of quantized_bits / binary / ternary / ...: None, a number or a
// per-channel list, "auto" or "auto_po2".
struct Alpha {
  enum class Kind { None, Fixed, Auto, AutoPo2 };
  Kind kind = Kind::None;
  std::vector<double> values;  // Fixed: one value, or one per output channel
  bool is_auto() const { return kind == Kind::Auto || kind == Kind::AutoPo2; }
  friend bool operator==(const Alpha& a, const Alpha& b) { return a.kind == b.kind && a.values == b.values; }
};

// An axis argument (scale_axis, elements_per_scale): None, an int or a list.
using AxisList = std::optional<std::vector<int>>;

class Field {
 public:
  // Typed constructors bind the field to a member.  `lead` fields are printed
  // positionally in the canonical form.
  Field(std::string_view name, int& ref, int fallback, bool lead = false);
  Field(std::string_view name, double& ref, double fallback, bool lead = false);
  Field(std::string_view name, bool& ref, bool fallback);
  Field(std::string_view name, std::optional<double>& ref);
  Field(std::string_view name, std::optional<int>& ref);
  Field(std::string_view name, Alpha& ref);
  Field(std::string_view name, AxisList& ref);
  // A string restricted to `choices`.
  Field(std::string_view name, std::string& ref, std::string fallback, std::vector<std::string> choices);

  std::string_view name() const { return name_; }
  bool lead() const { return lead_; }
  ArgValue get() const { return get_(); }
  const ArgValue& fallback() const { return fallback_; }
  bool is_default() const { return get_() == fallback_; }
  // Throws QuantizerError naming the field and the rejected value.
  void set(const ArgValue& v) const { set_(v); }

 private:
  std::string_view name_;
  bool lead_ = false;
  ArgValue fallback_;
  std::function<ArgValue()> get_;
  std::function<void(const ArgValue&)> set_;
};

}  // namespace quantizers
