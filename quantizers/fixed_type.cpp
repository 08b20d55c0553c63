#include "quantizers/fixed_type.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>

namespace quantizers {
namespace {

constexpr int kMaxWidth = 1024;  // the vendor default AP_INT_MAX_W

// Binary exponent limits of double: values of a type are exact doubles only
// when its LSB is no finer than the smallest subnormal and its range stays
// below 2^1024.
constexpr int kMaxExactFractional = 1074;
constexpr int kMaxExactInteger = 1024;

template <typename Mode>
struct NamedMode {
  std::string_view name;
  Mode mode;
};

constexpr NamedMode<RoundingMode> kRoundingModes[] = {
    {"AP_RND", RoundingMode::RND},
    {"AP_RND_ZERO", RoundingMode::RND_ZERO},
    {"AP_RND_MIN_INF", RoundingMode::RND_MIN_INF},
    {"AP_RND_INF", RoundingMode::RND_INF},
    {"AP_RND_CONV", RoundingMode::RND_CONV},
    {"AP_TRN", RoundingMode::TRN},
    {"AP_TRN_ZERO", RoundingMode::TRN_ZERO},
};

constexpr NamedMode<OverflowMode> kOverflowModes[] = {
    {"AP_SAT", OverflowMode::SAT},         {"AP_SAT_ZERO", OverflowMode::SAT_ZERO},
    {"AP_SAT_SYM", OverflowMode::SAT_SYM}, {"AP_WRAP", OverflowMode::WRAP},
    {"AP_WRAP_SM", OverflowMode::WRAP_SM},
};

template <typename Mode, std::size_t Size>
std::string_view name_of(const NamedMode<Mode> (&table)[Size], Mode mode) {
  for (const auto& entry : table) {
    if (entry.mode == mode) return entry.name;
  }
  throw std::invalid_argument("invalid mode value " + std::to_string(static_cast<int>(mode)));
}

template <typename Mode, std::size_t Size>
const Mode* mode_named(const NamedMode<Mode> (&table)[Size], std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return &entry.mode;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Parsing

struct TypeKind {
  std::string_view name;
  bool is_signed;
  bool is_integer;  // ap_int / ap_uint: a single argument W, with I = W
};

constexpr TypeKind kTypeKinds[] = {
    {"ap_fixed", true, false}, {"ap_ufixed", false, false}, {"ap_int", true, true},
    {"ap_uint", false, true},  {"fixed", true, false},      {"ufixed", false, false},
    {"int", true, true},       {"uint", false, true},
};

bool is_punctuation(char c) { return c == '<' || c == ',' || c == '>'; }

std::string quoted(std::string_view token) {
  return token.empty() ? "end of text" : "'" + std::string(token) + "'";
}

// A parser over the tokens '<', ',', '>' and words (maximal runs of any other
// non-space characters).  Taking whole words lets an error quote what was
// written, e.g. '8.5' rather than the '.' where a number stopped.
class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text), rest_(text) {}

  FixedType parse() {
    const std::string_view name = next_token();
    const TypeKind* kind = kind_named(name);
    if (kind == nullptr)
      fail(name.empty() ? "no type name" : "unknown type '" + std::string(name) + "'");
    expect("<", name);
    const std::vector<std::string_view> args = arguments();
    const std::string_view extra = next_token();
    if (!extra.empty()) fail("unexpected " + quoted(extra) + " after '>'");
    return kind->is_integer ? build_integer(*kind, args) : build_fixed(*kind, args);
  }

 private:
  std::string_view next_token() {
    std::size_t start = 0;
    while (start < rest_.size() && std::isspace(static_cast<unsigned char>(rest_[start]))) ++start;
    std::size_t end = start;
    if (end < rest_.size() && is_punctuation(rest_[end])) {
      ++end;
    } else {
      while (end < rest_.size() && !is_punctuation(rest_[end]) &&
             !std::isspace(static_cast<unsigned char>(rest_[end]))) {
        ++end;
      }
    }
    const std::string_view token = rest_.substr(start, end - start);
    rest_.remove_prefix(end);
    return token;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw FixedTypeError(what + " in \"" + std::string(text_) + "\"");
  }

  static const TypeKind* kind_named(std::string_view name) {
    for (const auto& kind : kTypeKinds) {
      if (kind.name == name) return &kind;
    }
    return nullptr;
  }

  void expect(std::string_view wanted, std::string_view after) {
    const std::string_view token = next_token();
    if (token != wanted) {
      fail("expected '" + std::string(wanted) + "' after '" + std::string(after) + "', got " +
           quoted(token));
    }
  }

  // The comma-separated words up to and including the closing '>'.
  std::vector<std::string_view> arguments() {
    std::vector<std::string_view> args;
    for (;;) {
      const std::string_view arg = next_token();
      if (arg.empty() || is_punctuation(arg.front()))
        fail("expected an argument, got " + quoted(arg));
      args.push_back(arg);
      const std::string_view separator = next_token();
      if (separator == ">") return args;
      if (separator != ",") {
        fail("expected ',' or '>' after '" + std::string(arg) + "', got " + quoted(separator));
      }
    }
  }

  FixedType build_integer(const TypeKind& kind, const std::vector<std::string_view>& args) const {
    if (args.size() != 1) {
      fail(std::string(kind.name) + " takes 1 argument <W>, got " + std::to_string(args.size()));
    }
    FixedType type;
    type.width = parse_width(args[0]);
    type.integer = type.width;
    type.is_signed = kind.is_signed;
    return type;
  }

  FixedType build_fixed(const TypeKind& kind, const std::vector<std::string_view>& args) const {
    if (args.size() < 2 || args.size() > 5) {
      fail(std::string(kind.name) + " takes 2 to 5 arguments <W,I,Q,O,N>, got " +
           std::to_string(args.size()));
    }
    FixedType type;
    type.width = parse_width(args[0]);
    type.integer = parse_integer_bits(args[1], type.width);
    type.is_signed = kind.is_signed;
    if (args.size() > 2) type.rounding = parse_mode(kRoundingModes, args[2], "rounding");
    if (args.size() > 3) type.overflow = parse_mode(kOverflowModes, args[3], "overflow");
    if (args.size() > 4) type.saturation_bits = parse_saturation_bits(args[4], type.width);
    return type;
  }

  int parse_number(std::string_view word, const char* what) const {
    int value = 0;
    const char* end = word.data() + word.size();
    const auto [stop, error] = std::from_chars(word.data(), end, value);
    if (error == std::errc::result_out_of_range) {
      fail(std::string(what) + " out of range, got " + std::string(word));
    }
    if (error != std::errc() || stop != end) {
      fail("expected an integer for the " + std::string(what) + ", got '" + std::string(word) +
           "'");
    }
    return value;
  }

  int parse_width(std::string_view word) const {
    const int value = parse_number(word, "width");
    if (value < 1 || value > kMaxWidth) {
      fail("width must be between 1 and " + std::to_string(kMaxWidth) + ", got " +
           std::string(word));
    }
    return value;
  }

  // Any I is a valid type; it only has to leave F = W - I representable.
  int parse_integer_bits(std::string_view word, int width) const {
    const int value = parse_number(word, "integer bits");
    if (value < std::numeric_limits<int>::min() + width) {
      fail("integer bits out of range, got " + std::string(word));
    }
    return value;
  }

  int parse_saturation_bits(std::string_view word, int width) const {
    const int value = parse_number(word, "saturation bits");
    if (value < 0 || value > width) {
      fail("saturation bits must be between 0 and the width " + std::to_string(width) + ", got " +
           std::string(word));
    }
    return value;
  }

  template <typename Mode, std::size_t Size>
  Mode parse_mode(const NamedMode<Mode> (&table)[Size], std::string_view word,
                  const char* what) const {
    const Mode* found = mode_named(table, word);
    if (found == nullptr) fail("bad " + std::string(what) + " mode '" + std::string(word) + "'");
    return *found;
  }

  std::string_view text_;
  std::string_view rest_;
};

// ---------------------------------------------------------------------------
// Conversion.  A value of the type is V * 2^-F with V an integer "code" in
// [min_code, max_code]; codes are held in doubles, exact up to 53 bits.

double min_code(const FixedType& type) {
  return type.is_signed ? -std::ldexp(1.0, type.width - 1) : 0.0;
}

double max_code(const FixedType& type) {
  return std::ldexp(1.0, type.is_signed ? type.width - 1 : type.width) - 1.0;
}

void check_exactly_convertible(const FixedType& type) {
  if (type.width < 1 || type.width > FixedType::kMaxExactWidth) {
    throw std::domain_error("cannot convert exactly into " + type.to_string() +
                            ": the width must be between 1 and " +
                            std::to_string(FixedType::kMaxExactWidth));
  }
  if (type.saturation_bits < 0 || type.saturation_bits > type.width) {
    throw std::domain_error("invalid saturation bit count in " + type.to_string());
  }
  if (type.fractional() > kMaxExactFractional || type.integer > kMaxExactInteger) {
    throw std::domain_error("cannot convert exactly into " + type.to_string() +
                            ": its values are outside the range of double");
  }
  if (type.overflow == OverflowMode::WRAP_SM) {
    throw std::domain_error("AP_WRAP_SM is not supported (" + type.to_string() + ")");
  }
}

// x * 2^F.  Scaling up is exact (or overflows to infinity); scaling down may
// underflow to zero, which would lose the sign that flooring a negative value
// needs.  Any magnitude below the smallest subnormal rounds like it does.
double scale_to_code(double x, int fractional) {
  const double scaled = std::ldexp(x, fractional);
  if (scaled == 0.0 && x != 0.0) return std::copysign(std::numeric_limits<double>::denorm_min(), x);
  return scaled;
}

// Where a value exactly halfway between `down` and `down + 1` goes under a
// round-to-nearest mode.
double resolve_tie(RoundingMode mode, double down) {
  const bool negative = down < 0.0;  // the tie down + 1/2 is negative iff down is
  switch (mode) {
    case RoundingMode::RND_ZERO:
      return negative ? down + 1.0 : down;
    case RoundingMode::RND_MIN_INF:
      return down;
    case RoundingMode::RND_INF:
      return negative ? down : down + 1.0;
    case RoundingMode::RND_CONV:
      return std::fmod(down, 2.0) == 0.0 ? down : down + 1.0;
    default:  // AP_RND: half toward +inf
      return down + 1.0;
  }
}

// Step 1: quantization of q = x * 2^F to an integer.  All operations are exact:
// a non-integral double is below 2^52 in magnitude, so down + 1/2 is exact and
// comparing q with it decides the nearest integer without rounding error.
double round_to_integer(double q, RoundingMode mode) {
  const double down = std::floor(q);
  if (down == q) return q;  // already on the grid (this includes infinities)
  if (mode == RoundingMode::TRN) return down;
  if (mode == RoundingMode::TRN_ZERO) return q < 0.0 ? down + 1.0 : down;
  const double midpoint = down + 0.5;
  if (q < midpoint) return down;
  if (q > midpoint) return down + 1.0;
  return resolve_tie(mode, down);
}

// AP_WRAP with N > 0 after an overflow: signed types get the source sign in the
// sign bit and its complement in the next N - 1 bits; unsigned types get all N
// top bits set.
std::uint64_t saturate_top_bits(const FixedType& type, std::uint64_t bits, bool negative_source) {
  const int n = type.saturation_bits;
  if (n == 0) return bits;
  const std::uint64_t top_bits = ((std::uint64_t{1} << n) - 1) << (type.width - n);
  if (!type.is_signed) return bits | top_bits;
  const std::uint64_t sign_bit = std::uint64_t{1} << (type.width - 1);
  const std::uint64_t cleared = bits & ~top_bits;
  return negative_source ? cleared | sign_bit : cleared | (top_bits & ~sign_bit);
}

// Keeps the low W bits of an out-of-range code, as two's complement.
double wrap(const FixedType& type, double code, double x) {
  if (std::isinf(x)) throw std::domain_error("cannot wrap infinity into " + type.to_string());
  const double modulus = std::ldexp(1.0, type.width);
  // fmod is exact.  A finite x whose code overflowed double is a multiple of at
  // least 2^(1024-53), far above 2^W, so its low W bits are all zero.
  double low = std::isinf(code) ? 0.0 : std::fmod(code, modulus);
  if (low < 0.0) low += modulus;
  const std::uint64_t bits = saturate_top_bits(type, static_cast<std::uint64_t>(low), x < 0.0);
  const bool negative = type.is_signed && (bits >> (type.width - 1)) != 0;
  return negative ? static_cast<double>(bits) - modulus : static_cast<double>(bits);
}

// Step 2: overflow handling of the rounded code.
double fit_code(const FixedType& type, double code, double x) {
  const double lowest = min_code(type);
  const double highest = max_code(type);
  const bool symmetric = type.overflow == OverflowMode::SAT_SYM && type.is_signed;
  if (code >= lowest && code <= highest) return symmetric && code == lowest ? -highest : code;
  if (type.overflow == OverflowMode::WRAP) return wrap(type, code, x);
  if (type.overflow == OverflowMode::SAT_ZERO) return 0.0;
  if (code > highest) return highest;
  return symmetric ? -highest : lowest;
}

}  // namespace

std::string_view to_string(RoundingMode mode) { return name_of(kRoundingModes, mode); }

std::string_view to_string(OverflowMode mode) { return name_of(kOverflowModes, mode); }

FixedType FixedType::parse(std::string_view text) { return TypeParser(text).parse(); }

FixedType FixedType::integer_type(int width, bool is_signed) {
  if (width < 1 || width > kMaxWidth) {
    throw FixedTypeError("width must be between 1 and " + std::to_string(kMaxWidth) + ", got " +
                         std::to_string(width) + " for " + (is_signed ? "ap_int" : "ap_uint"));
  }
  FixedType type;
  type.width = width;
  type.integer = width;
  type.is_signed = is_signed;
  return type;
}

std::string FixedType::to_string() const {
  const bool default_modes =
      rounding == RoundingMode::TRN && overflow == OverflowMode::WRAP && saturation_bits == 0;
  if (default_modes && integer == width) {
    return (is_signed ? "ap_int<" : "ap_uint<") + std::to_string(width) + ">";
  }
  std::string text = (is_signed ? "ap_fixed<" : "ap_ufixed<") + std::to_string(width) + "," +
                     std::to_string(integer);
  // Trailing arguments equal to their defaults are omitted; an earlier one is
  // spelled out whenever a later one is not the default.
  const bool with_n = saturation_bits != 0;
  const bool with_o = with_n || overflow != OverflowMode::WRAP;
  const bool with_q = with_o || rounding != RoundingMode::TRN;
  if (with_q) text += "," + std::string(quantizers::to_string(rounding));
  if (with_o) text += "," + std::string(quantizers::to_string(overflow));
  if (with_n) text += "," + std::to_string(saturation_bits);
  return text + ">";
}

double FixedType::lsb() const { return std::ldexp(1.0, -fractional()); }

double FixedType::max_value() const { return std::ldexp(max_code(*this), -fractional()); }

double FixedType::min_value() const { return std::ldexp(min_code(*this), -fractional()); }

double FixedType::quantize(double x) const {
  check_exactly_convertible(*this);
  if (std::isnan(x)) throw std::domain_error("cannot convert NaN to " + to_string());
  const double rounded = round_to_integer(scale_to_code(x, fractional()), rounding);
  // Adding +0.0 turns a -0.0 result into 0.0.
  return std::ldexp(fit_code(*this, rounded, x), -fractional()) + 0.0;
}

bool operator==(const FixedType& a, const FixedType& b) {
  return std::tie(a.width, a.integer, a.is_signed, a.rounding, a.overflow, a.saturation_bits) ==
         std::tie(b.width, b.integer, b.is_signed, b.rounding, b.overflow, b.saturation_bits);
}

}  // namespace quantizers
