#include "quantizers/field.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "quantizers/quantizer.h"

namespace quantizers {

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  (void)ec;
  return std::string(buf, end);
}

std::string format_value(const ArgValue& v) {
  struct Printer {
    std::string operator()(std::monostate) const { return "None"; }
    std::string operator()(bool b) const { return b ? "True" : "False"; }
    std::string operator()(double d) const { return format_number(d); }
    std::string operator()(const std::string& s) const { return "'" + s + "'"; }
    std::string operator()(const std::vector<double>& list) const {
      std::string out = "[";
      for (size_t i = 0; i < list.size(); ++i) out += (i ? "," : "") + format_number(list[i]);
      return out + "]";
    }
  };
  return std::visit(Printer{}, v);
}

ArgValue value_from_json(const nlohmann::json& j, std::string_view what) {
  if (j.is_null()) return std::monostate{};
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    std::vector<double> list;
    for (const auto& e : j) {
      if (!e.is_number()) throw QuantizerError("'" + std::string(what) + "' expects a list of numbers, got " + j.dump());
      list.push_back(e.get<double>());
    }
    return list;
  }
  throw QuantizerError("unsupported value for '" + std::string(what) + "': " + j.dump());
}

nlohmann::json value_to_json(const ArgValue& v) {
  struct ToJson {
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(double d) const {
      if (d == std::floor(d) && std::abs(d) < 9.0e15) return static_cast<long long>(d);
      return d;
    }
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(const std::vector<double>& list) const { return list; }
  };
  return std::visit(ToJson{}, v);
}

namespace {

[[noreturn]] void reject(std::string_view field, std::string_view expected, const ArgValue& got) {
  throw QuantizerError("argument '" + std::string(field) + "' expects " + std::string(expected) + ", got " +
                       format_value(got));
}

std::optional<int> as_int(const ArgValue& v) {
  const double* d = std::get_if<double>(&v);
  if (!d || *d != std::floor(*d) || std::abs(*d) > 1e9) return std::nullopt;
  return static_cast<int>(*d);
}

}  // namespace

Field::Field(std::string_view name, int& ref, int fallback, bool lead)
    : name_(name), lead_(lead), fallback_(double(fallback)) {
  get_ = [&ref] { return ArgValue(double(ref)); };
  set_ = [&ref, name](const ArgValue& v) {
    auto i = as_int(v);
    if (!i) reject(name, "an integer", v);
    ref = *i;
  };
}

Field::Field(std::string_view name, double& ref, double fallback, bool lead)
    : name_(name), lead_(lead), fallback_(fallback) {
  get_ = [&ref] { return ArgValue(ref); };
  set_ = [&ref, name](const ArgValue& v) {
    const double* d = std::get_if<double>(&v);
    if (!d) reject(name, "a number", v);
    ref = *d;
  };
}

// QKeras stores several flags (symmetric, use_sigmoid, ...) as 0/1 ints, so
// booleans accept 0 and 1 too.
Field::Field(std::string_view name, bool& ref, bool fallback) : name_(name), fallback_(fallback) {
  get_ = [&ref] { return ArgValue(ref); };
  set_ = [&ref, name](const ArgValue& v) {
    if (const bool* b = std::get_if<bool>(&v)) {
      ref = *b;
      return;
    }
    auto i = as_int(v);
    if (!i || (*i != 0 && *i != 1)) reject(name, "True, False, 0 or 1", v);
    ref = *i == 1;
  };
}

Field::Field(std::string_view name, std::optional<double>& ref) : name_(name), fallback_(std::monostate{}) {
  get_ = [&ref] { return ref ? ArgValue(*ref) : ArgValue(std::monostate{}); };
  set_ = [&ref, name](const ArgValue& v) {
    if (std::holds_alternative<std::monostate>(v)) {
      ref.reset();
      return;
    }
    const double* d = std::get_if<double>(&v);
    if (!d) reject(name, "a number or None", v);
    ref = *d;
  };
}

Field::Field(std::string_view name, std::optional<int>& ref) : name_(name), fallback_(std::monostate{}) {
  get_ = [&ref] { return ref ? ArgValue(double(*ref)) : ArgValue(std::monostate{}); };
  set_ = [&ref, name](const ArgValue& v) {
    if (std::holds_alternative<std::monostate>(v)) {
      ref.reset();
      return;
    }
    auto i = as_int(v);
    if (!i) reject(name, "an integer or None", v);
    ref = *i;
  };
}

Field::Field(std::string_view name, Alpha& ref) : name_(name), fallback_(std::monostate{}) {
  get_ = [&ref]() -> ArgValue {
    switch (ref.kind) {
      case Alpha::Kind::None: return std::monostate{};
      case Alpha::Kind::Auto: return std::string("auto");
      case Alpha::Kind::AutoPo2: return std::string("auto_po2");
      case Alpha::Kind::Fixed: break;
    }
    if (ref.values.size() == 1) return ref.values[0];
    return ref.values;
  };
  set_ = [&ref, name](const ArgValue& v) {
    Alpha a;
    if (std::holds_alternative<std::monostate>(v)) {
      a.kind = Alpha::Kind::None;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (*s == "auto") a.kind = Alpha::Kind::Auto;
      else if (*s == "auto_po2") a.kind = Alpha::Kind::AutoPo2;
      else reject(name, "None, a number, a list of numbers, 'auto' or 'auto_po2'", v);
    } else if (const auto* d = std::get_if<double>(&v)) {
      a.kind = Alpha::Kind::Fixed;
      a.values = {*d};
    } else if (const auto* list = std::get_if<std::vector<double>>(&v); list && !list->empty()) {
      a.kind = Alpha::Kind::Fixed;
      a.values = *list;
    } else {
      reject(name, "None, a number, a list of numbers, 'auto' or 'auto_po2'", v);
    }
    ref = a;
  };
}

Field::Field(std::string_view name, AxisList& ref) : name_(name), fallback_(std::monostate{}) {
  get_ = [&ref]() -> ArgValue {
    if (!ref) return std::monostate{};
    if (ref->size() == 1) return double((*ref)[0]);
    return std::vector<double>(ref->begin(), ref->end());
  };
  set_ = [&ref, name](const ArgValue& v) {
    if (std::holds_alternative<std::monostate>(v)) {
      ref.reset();
      return;
    }
    std::vector<int> axes;
    if (auto i = as_int(v)) {
      axes.push_back(*i);
    } else if (const auto* list = std::get_if<std::vector<double>>(&v); list && !list->empty()) {
      for (double d : *list) {
        auto e = as_int(ArgValue(d));
        if (!e) reject(name, "None, an integer or a list of integers", v);
        axes.push_back(*e);
      }
    } else {
      reject(name, "None, an integer or a list of integers", v);
    }
    ref = axes;
  };
}

Field::Field(std::string_view name, std::string& ref, std::string fallback, std::vector<std::string> choices)
    : name_(name), fallback_(fallback) {
  get_ = [&ref] { return ArgValue(ref); };
  set_ = [&ref, name, choices = std::move(choices)](const ArgValue& v) {
    const auto* s = std::get_if<std::string>(&v);
    bool allowed = false;
    for (const auto& c : choices) allowed = allowed || (s && *s == c);
    if (!allowed) {
      std::string expected = "one of";
      for (const auto& c : choices) expected += " '" + c + "'";
      reject(name, expected, v);
    }
    ref = *s;
  };
}

}  // namespace quantizers
