// Text for ap types: exact radix expansions (to_string), the vendor's stream
// format for ap_fixed (exact decimal reduced to the stream precision), and
// parsing of integer literals for ap_int.
#pragma once

#include <string>

#include "ap_words.h"

namespace ap_detail {

// Decimal digits of an unsigned value.
template <int N>
std::string decimal_digits(words<N> value) {
  const word chunk = 1000000000;  // nine digits per division
  std::string digits;
  do {
    word part = divide_small(value, chunk);
    for (int i = 0; i < 9; ++i, part /= 10) digits.insert(digits.begin(), char('0' + part % 10));
  } while (!is_zero(value));
  const std::string::size_type first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

// Digits of the value's bits [lo, lo + count) in base 2^bits_per_digit, most
// significant first; a partial top digit is padded with zeros above and a
// partial last digit (when `pad_right`) below.
template <int N>
std::string power_of_two_digits(const words<N>& value, int lo, int count, int bits_per_digit,
                                bool pad_right) {
  static const char symbols[] = "0123456789abcdef";
  const int digit_count = (count + bits_per_digit - 1) / bits_per_digit;
  const int start = pad_right ? lo + count - digit_count * bits_per_digit : lo;
  std::string digits;
  for (int d = digit_count - 1; d >= 0; --d) {
    const int pos = start + d * bits_per_digit;
    int digit = 0;
    for (int b = bits_per_digit - 1; b >= 0; --b) {
      const int bit = pos + b;
      digit = digit * 2 + (bit >= lo && bit < lo + count && bit_at(value, false, bit) ? 1 : 0);
    }
    digits += symbols[digit];
  }
  return digits;
}

inline int bits_per_digit(int radix) { return radix == 16 ? 4 : radix == 8 ? 3 : 1; }

inline const char* radix_prefix(int radix) {
  return radix == 16 ? "0x" : radix == 8 ? "0o" : radix == 2 ? "0b" : "";
}

// Text of the value code * 2^-F of a W-bit type in radix 2, 8, 10 or 16.
// With `as_signed` a negative value prints as '-' and its magnitude; else the
// bit pattern is read as unsigned.  Decimal is exact (every binary fraction
// has a finite decimal expansion); the other radices print the integer part
// in full-width digits and the fraction bits grouped from the binary point.
template <int W, int F, int N>
std::string radix_text(const words<N>& code, bool as_signed, int radix) {
  if (radix != 2 && radix != 8 && radix != 16) radix = 10;
  enum {
    SCALE = F < 0 ? -F : 0,  // an integer type scaled up by 2^-F
    FRAC = F > 0 ? F : 0,
    INT_BITS = W - F > 1 ? W - F : 1,
    NM = words_for(W + 1 + SCALE),  // the magnitude, even of the most negative value
    NF = words_for(FRAC + 4)        // a fraction times ten
  };
  const words<NM> value = as_signed ? shifted<NM>(code, true, 0) : get_bits<NM>(code, false, 0, W);
  const bool negative = is_negative(value, as_signed);
  const words<NM> magnitude = shifted<NM>(negative ? -value : value, false, SCALE);
  std::string text = negative ? "-" : "";
  text += radix_prefix(radix);
  text += radix == 10
              ? decimal_digits(shifted<NM>(magnitude, false, -FRAC))
              : power_of_two_digits(magnitude, FRAC, INT_BITS, bits_per_digit(radix), false);
  if (!any_below(magnitude, FRAC)) return text;
  text += '.';
  if (radix != 10)
    return text + power_of_two_digits(magnitude, 0, FRAC, bits_per_digit(radix), true);
  // Decimal fraction digits: multiply by ten and take the integer part, until
  // nothing is left (after at most F digits).
  words<NF> fraction = get_bits<NF>(magnitude, false, 0, FRAC);
  while (!is_zero(fraction)) {
    multiply_add_small(fraction, 10, 0);
    text += static_cast<char>('0' + bits_at(fraction, false, FRAC) % 16);
    fraction = get_bits<NF>(fraction, false, 0, FRAC);
  }
  return text;
}

// The vendor's stream format for ap_fixed: the exact decimal expansion
// rounded half-up to `precision` significant digits, trailing zeros removed.
// Values below 1 with four or more zeros after the point, and integers that
// needed rounding and still have more than `precision` digits, are printed
// in scientific notation (d.ddde-05).  `exact` is radix_text(..., 10).
inline std::string to_precision(const std::string& exact, int precision) {
  if (precision < 1) precision = 1;
  const bool negative = !exact.empty() && exact[0] == '-';
  const std::string body = exact.substr(negative ? 1 : 0);
  const std::string::size_type point = body.find('.');
  const std::string int_part = body.substr(0, point);
  const std::string frac_part = point == std::string::npos ? "" : body.substr(point + 1);
  // Significant digits and the decimal exponent of the first one.
  std::string digits = int_part + frac_part;
  const std::string::size_type first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  int exponent = static_cast<int>(int_part.size()) - 1 - static_cast<int>(first);
  digits = digits.substr(first);
  const bool rounded = static_cast<int>(digits.find_last_not_of('0')) + 1 > precision;
  if (rounded) {
    const bool up = digits[precision] >= '5';
    digits.resize(precision);
    for (int i = precision - 1; up && i >= 0; --i) {
      if (digits[i] != '9') {
        ++digits[i];
        break;
      }
      digits[i] = '0';
      if (i == 0) {  // 999... carried into a new leading digit
        digits.insert(digits.begin(), '1');
        digits.resize(precision);
        ++exponent;
      }
    }
  }
  digits.erase(digits.find_last_not_of('0') + 1);
  const int count = static_cast<int>(digits.size());
  std::string text = negative ? "-" : "";
  const bool is_integer = exponent >= count - 1;
  if ((exponent < 0 && -exponent - 1 >= 4) || (is_integer && rounded && exponent + 1 > precision)) {
    text += digits.substr(0, 1);
    if (count > 1) text += "." + digits.substr(1);
    const int magnitude = exponent < 0 ? -exponent : exponent;
    text += exponent < 0 ? "e-" : "e+";
    if (magnitude < 10) text += '0';
    return text + std::to_string(magnitude);
  }
  if (exponent < 0) return text + "0." + std::string(-exponent - 1, '0') + digits;
  if (is_integer) return text + digits + std::string(exponent + 1 - count, '0');
  return text + digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
}

// Parses an integer literal: optional sign, optional 0b/0o/0x prefix (which
// sets the radix when `radix` is 0; 0 without a prefix means decimal), then
// digits.  The value wraps modulo 2^(64 N).  Returns false, with a zero
// value, on a malformed literal.
template <int N>
bool parse_integer(const char* text, int radix, words<N>& value) {
  value = words<N>();
  bool negative = false;
  if (*text == '-' || *text == '+') negative = *text++ == '-';
  if (text[0] == '0' && text[1] != '\0') {
    const char p = static_cast<char>(text[1] | 0x20);
    const int prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefixed != 0 && (radix == 0 || radix == prefixed)) {
      radix = prefixed;
      text += 2;
    }
  }
  if (radix == 0) radix = 10;
  if (*text == '\0') return false;
  for (; *text != '\0'; ++text) {
    const char c = static_cast<char>(*text | 0x20);
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : radix;
    if (digit >= radix) {
      value = words<N>();
      return false;
    }
    multiply_add_small(value, static_cast<word>(radix), static_cast<word>(digit));
  }
  if (negative) value = -value;
  return true;
}

}  // namespace ap_detail
