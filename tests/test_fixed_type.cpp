// FixedType and fake_quantize against the ap_fixed semantics of
// shared/spec/hls4ml.md §4.1-§4.3.  Every expected value is derived by hand in
// the comment next to it: q = x * 2^F, then rounding, then overflow.
#include "test_common.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "quantizers/fixed_quantize.h"
#include "quantizers/fixed_type.h"

using quantizers::FixedType;
using quantizers::FixedTypeError;
using quantizers::OverflowMode;
using quantizers::RoundingMode;

namespace {

double convert(const char* type, double x) { return FixedType::parse(type).quantize(x); }

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("FixedType rounding modes on ties and non-ties", "[fixed_type]") {
  // ap_fixed<8,3,Q>: F = 5, LSB = 1/32.  Inputs are given in LSB units u, so
  // q = u and the result is code/32.  The range [-128, 127] codes is far away.
  const std::vector<double> units = {0.5, -0.5, 2.5, 3.5, -2.5, -3.5, 2.25, 2.75, -2.25, -2.75};
  struct Case {
    const char* type;
    std::vector<double> codes;
  };
  const std::vector<Case> cases = {
      // floor: positives drop the fraction; -0.5->-1, -2.5->-3, -3.5->-4, -2.25->-3, -2.75->-3
      {"ap_fixed<8,3,AP_TRN>", {0, -1, 2, 3, -3, -4, 2, 2, -3, -3}},
      // toward zero: drop the fraction of either sign
      {"ap_fixed<8,3,AP_TRN_ZERO>", {0, 0, 2, 3, -2, -3, 2, 2, -2, -2}},
      // nearest, ties toward +inf: 0.5->1, -0.5->0, 2.5->3, 3.5->4, -2.5->-2, -3.5->-3
      {"ap_fixed<8,3,AP_RND>", {1, 0, 3, 4, -2, -3, 2, 3, -2, -3}},
      // nearest, ties toward zero: 0.5->0, -0.5->0, 2.5->2, 3.5->3, -2.5->-2, -3.5->-3
      {"ap_fixed<8,3,AP_RND_ZERO>", {0, 0, 2, 3, -2, -3, 2, 3, -2, -3}},
      // nearest, ties toward -inf: 0.5->0, -0.5->-1, 2.5->2, 3.5->3, -2.5->-3, -3.5->-4
      {"ap_fixed<8,3,AP_RND_MIN_INF>", {0, -1, 2, 3, -3, -4, 2, 3, -2, -3}},
      // nearest, ties away from zero: 0.5->1, -0.5->-1, 2.5->3, 3.5->4, -2.5->-3, -3.5->-4
      {"ap_fixed<8,3,AP_RND_INF>", {1, -1, 3, 4, -3, -4, 2, 3, -2, -3}},
      // nearest, ties to even: 0.5->0, -0.5->0, 2.5->2, 3.5->4, -2.5->-2, -3.5->-4
      {"ap_fixed<8,3,AP_RND_CONV>", {0, 0, 2, 4, -2, -4, 2, 3, -2, -3}},
  };
  for (const Case& c : cases) {
    const FixedType type = FixedType::parse(c.type);
    for (std::size_t i = 0; i < units.size(); ++i) {
      INFO(c.type << " at " << units[i] << " LSB");
      CHECK(type.quantize(units[i] / 32) == c.codes[i] / 32);
    }
  }
}

TEST_CASE("FixedType TRN floors and TRN_ZERO truncates negative values", "[fixed_type]") {
  // ap_fixed<16,6>: F = 10.  -1.3 * 1024 = -1331.2.
  CHECK(convert("ap_fixed<16,6>", -1.3) == -1332.0 / 1024);              // floor -> -1332
  CHECK(convert("ap_fixed<16,6,AP_TRN_ZERO>", -1.3) == -1331.0 / 1024);  // toward 0 -> -1331
  // 1.3 * 1024 = 1331.2: both modes drop the fraction of a positive value.
  CHECK(convert("ap_fixed<16,6>", 1.3) == 1331.0 / 1024);
  CHECK(convert("ap_fixed<16,6,AP_TRN_ZERO>", 1.3) == 1331.0 / 1024);
  // -0.0 converts to 0 (spec §4.3: "±0 -> 0"), without the sign.
  CHECK_FALSE(std::signbit(convert("ap_fixed<16,6>", -0.0)));
  // Values already on the grid are unchanged: -0.75 = -768/1024.
  CHECK(convert("ap_fixed<16,6>", -0.75) == -0.75);
  CHECK(convert("ap_fixed<16,6,AP_TRN_ZERO>", -0.75) == -0.75);
}

TEST_CASE("FixedType examples from the spec", "[fixed_type]") {
  // F = 7: 0.999 * 128 = 127.872 rounds to 128 = 2^7, one past the largest code
  // 127; wrapping 128 in 8 bits gives -128, i.e. -1.
  CHECK(convert("ap_fixed<8,1,AP_RND,AP_WRAP>", 0.999) == -1.0);
  // Saturating instead clamps to 127/128.
  CHECK(convert("ap_fixed<8,1,AP_RND,AP_SAT>", 0.999) == 0.9921875);
  // F = 6: -0.3 * 64 = -19.2 floors to -20; -20 mod 64 = 44; 44/64 = 0.6875.
  CHECK(convert("ap_ufixed<6,0>", -0.3) == 0.6875);
  // 19 = 0b10011: low 4 bits 0011.  N=1 sets the sign bit to 0 (source
  // positive) -> 0011 = 3; N=2 also sets the next bit to 1 -> 0111 = 7.
  CHECK(convert("ap_fixed<4,4,AP_TRN,AP_WRAP,1>", 19) == 3);
  CHECK(convert("ap_fixed<4,4,AP_TRN,AP_WRAP,2>", 19) == 7);
  // -19 mod 16 = 13 = 1101.  N=1: sign bit 1 -> 1101 = -3; N=2: next bit 0 ->
  // 1001 = -7.
  CHECK(convert("ap_fixed<4,4,AP_TRN,AP_WRAP,1>", -19) == -3);
  CHECK(convert("ap_fixed<4,4,AP_TRN,AP_WRAP,2>", -19) == -7);
}

TEST_CASE("FixedType AP_WRAP with saturation bits leaves in-range values alone", "[fixed_type]") {
  // ap_fixed<4,4> holds [-8, 7]: 5 = 0101 and -6 = 1010 do not overflow, so the
  // N=2 rule (which would force 01.. or 10..) is not applied.
  CHECK(convert("ap_fixed<4,4,AP_TRN,AP_WRAP,2>", 5) == 5);
  CHECK(convert("ap_fixed<4,4,AP_TRN,AP_WRAP,2>", -6) == -6);
  // Unsigned ap_ufixed<4,4> holds [0, 15]: 5 = 0101 stays 5.
  CHECK(convert("ap_ufixed<4,4,AP_TRN,AP_WRAP,1>", 5) == 5);
  // 19 mod 16 = 3 = 0011; the top bit is set -> 1011 = 11; with N=2 -> 1111 = 15.
  CHECK(convert("ap_ufixed<4,4,AP_TRN,AP_WRAP,1>", 19) == 11);
  CHECK(convert("ap_ufixed<4,4,AP_TRN,AP_WRAP,2>", 19) == 15);
  // -11 is out of range too: -11 mod 16 = 5 = 0101; top bit set -> 1101 = 13.
  CHECK(convert("ap_ufixed<4,4,AP_TRN,AP_WRAP,1>", -11) == 13);
}

TEST_CASE("FixedType AP_WRAP of large values of both signs", "[fixed_type]") {
  // ap_fixed<8,3>: F = 5.  37.25 * 32 = 1192; 1192 - 4*256 = 168 >= 128, so the
  // signed code is 168 - 256 = -88 -> -88/32 = -2.75.
  CHECK(convert("ap_fixed<8,3>", 37.25) == -2.75);
  // -1192 + 5*256 = 88 -> 88/32 = 2.75.
  CHECK(convert("ap_fixed<8,3>", -37.25) == 2.75);
  // Integers: 300 - 256 = 44; -300 + 512 = 212 -> 212 - 256 = -44.
  CHECK(convert("ap_int<8>", 300) == 44);
  CHECK(convert("ap_int<8>", -300) == -44);
  CHECK(convert("ap_uint<8>", 300) == 44);
  CHECK(convert("ap_uint<8>", -1) == 255);  // -1 + 256
  // ap_fixed<16,6>: F = 10.  (2^40 + 1.5) * 1024 = 2^50 + 1536: the low 16 bits
  // are 1536 -> 1.5.  The negative: -2^50 - 1536 mod 2^16 = 65536 - 1536 =
  // 64000 >= 32768 -> 64000 - 65536 = -1536 -> -1.5.
  const double big = std::ldexp(1.0, 40) + 1.5;
  CHECK(convert("ap_fixed<16,6>", big) == 1.5);
  CHECK(convert("ap_fixed<16,6>", -big) == -1.5);
  // ap_fixed<8,-1000>: F = 1008.  1e300 > 2^996 is a multiple of 2^(996-52),
  // so x * 2^1008 is a multiple of 2^1952: its low 8 bits are all 0.
  CHECK(convert("ap_fixed<8,-1000>", 1e300) == 0.0);
  CHECK(convert("ap_fixed<8,-1000,AP_TRN,AP_SAT>", 1e300) == std::ldexp(127.0, -1008));
}

TEST_CASE("FixedType saturating overflow modes at both boundaries", "[fixed_type]") {
  // ap_fixed<8,3>: F = 5, codes [-128, 127], values [-4, 3.96875].
  SECTION("AP_SAT clamps to max and min") {
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", 5.0) == 3.96875);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", -5.0) == -4.0);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", 3.96875) == 3.96875);  // max itself
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", -4.0) == -4.0);        // min itself
    // 3.99 * 32 = 127.68: TRN gives 127 (in range), RND gives 128 (overflow -> 127).
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", 3.99) == 3.96875);
    CHECK(convert("ap_fixed<8,3,AP_RND,AP_SAT>", 3.99) == 3.96875);
    // -4.01 * 32 = -128.32 floors to -129 < -128 -> min.
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", -4.01) == -4.0);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", kInf) == 3.96875);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT>", -kInf) == -4.0);
  }
  SECTION("AP_SAT_ZERO gives 0 on overflow and keeps the boundaries") {
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>", 5.0) == 0.0);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>", -5.0) == 0.0);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>", -4.01) == 0.0);  // code -129
    CHECK(convert("ap_fixed<8,3,AP_RND,AP_SAT_ZERO>", 3.99) == 0.0);   // code 128
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>", 3.96875) == 3.96875);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>", -4.0) == -4.0);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>", kInf) == 0.0);
  }
  SECTION("AP_SAT_SYM clamps to +-max, including the exact most negative value") {
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", 5.0) == 3.96875);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", -5.0) == -3.96875);   // -max, not -4
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", -4.0) == -3.96875);   // code -128 -> -127
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", -4.01) == -3.96875);  // code -129
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", -3.96875) == -3.96875);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", 3.96875) == 3.96875);
    CHECK(convert("ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", -kInf) == -3.96875);
  }
  SECTION("AP_WRAP cannot wrap an infinity") {
    CHECK_THROWS_AS(convert("ap_fixed<8,3>", kInf), std::domain_error);
    CHECK_THROWS_AS(convert("ap_fixed<8,3,AP_TRN,AP_WRAP,1>", -kInf), std::domain_error);
  }
}

TEST_CASE("FixedType unsigned types", "[fixed_type]") {
  // ap_ufixed<8,3>: F = 5, codes [0, 255], values [0, 7.96875].
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT>", 9.0) == 7.96875);
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT>", -1.0) == 0.0);
  // -0.01 * 32 = -0.32: TRN floors to -1 (underflow -> 0); RND gives 0.
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT>", -0.01) == 0.0);
  CHECK(convert("ap_ufixed<8,3,AP_RND,AP_SAT>", -0.01) == 0.0);
  // Unsigned SAT_SYM is SAT: the lower bound stays 0.
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT_SYM>", 9.0) == 7.96875);
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT_SYM>", -1.0) == 0.0);
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT_SYM>", 0.0) == 0.0);
  CHECK(convert("ap_ufixed<8,3,AP_TRN,AP_SAT_ZERO>", 9.0) == 0.0);
  // Wrap: 9 * 32 = 288 - 256 = 32 -> 1.0.
  CHECK(convert("ap_ufixed<8,3>", 9.0) == 1.0);
  // quantized_relu(6,0) as hls4ml maps it: 0.7 * 64 = 44.8 -> 45 -> 0.703125;
  // 1.0 * 64 = 64 > 63 -> 63/64.
  CHECK(convert("ap_ufixed<6,0,AP_RND_CONV,AP_SAT>", 0.7) == 45.0 / 64);
  CHECK(convert("ap_ufixed<6,0,AP_RND_CONV,AP_SAT>", 1.0) == 63.0 / 64);
}

TEST_CASE("FixedType with negative I and with I > W", "[fixed_type]") {
  // ap_fixed<4,-2>: F = 6, LSB 1/64, codes [-8, 7], values [-0.125, 0.109375].
  CHECK(convert("ap_fixed<4,-2>", 0.1) == 6.0 / 64);   // 6.4 -> 6
  CHECK(convert("ap_fixed<4,-2>", 0.2) == -4.0 / 64);  // 12.8 -> 12 -> 12 - 16 = -4
  CHECK(convert("ap_fixed<4,-2>", -0.125) == -0.125);  // code -8, in range
  CHECK(convert("ap_fixed<4,-2,AP_TRN,AP_SAT>", 0.2) == 7.0 / 64);
  // ap_fixed<4,8>: F = -4, LSB 16, codes [-8, 7], values [-128, 112].
  CHECK(convert("ap_fixed<4,8>", 37) == 32);         // 37/16 = 2.3125 -> 2
  CHECK(convert("ap_fixed<4,8>", -37) == -48);       // -2.3125 -> -3
  CHECK(convert("ap_fixed<4,8>", 200) == -64);       // 12.5 -> 12 -> 12 - 16 = -4
  CHECK(convert("ap_fixed<4,8,AP_RND>", 40) == 48);  // 2.5 -> 3
  CHECK(convert("ap_fixed<4,8,AP_TRN,AP_SAT>", 1000) == 112);
  // ap_ufixed<4,8>: codes [0, 15], values [0, 240].
  CHECK(convert("ap_ufixed<4,8,AP_TRN,AP_SAT>", 1000) == 240);
  // ap_fixed<8,9>: F = -1, LSB 2.  The smallest negative double floors to -2
  // even though x * 2^-1 underflows double.
  CHECK(convert("ap_fixed<8,9>", -std::numeric_limits<double>::denorm_min()) == -2.0);
  CHECK(convert("ap_fixed<8,9>", std::numeric_limits<double>::denorm_min()) == 0.0);
}

TEST_CASE("FixedType ap_int and ap_uint", "[fixed_type]") {
  // ap_int<8> = ap_fixed<8,8>: codes are the values, [-128, 127], TRN floors.
  CHECK(convert("ap_int<8>", 127) == 127);
  CHECK(convert("ap_int<8>", -128) == -128);
  CHECK(convert("ap_int<8>", 128) == -128);  // 128 - 256
  CHECK(convert("ap_int<8>", 2.7) == 2);
  CHECK(convert("ap_int<8>", -2.7) == -3);  // floor, as ap_fixed<8,8>
  CHECK(convert("ap_uint<4>", 17) == 1);    // 17 - 16
  CHECK(convert("ap_uint<4>", 15) == 15);
}

TEST_CASE("FixedType 1-bit types", "[fixed_type]") {
  // ap_uint<1> holds {0, 1}.
  CHECK(convert("ap_uint<1>", 1) == 1);
  CHECK(convert("ap_uint<1>", 1.5) == 1);  // floor 1
  CHECK(convert("ap_uint<1>", 2) == 0);    // 2 mod 2
  CHECK(convert("ap_uint<1>", -1) == 1);   // -1 mod 2 = 1
  // ap_int<1> holds {-1, 0}: the only bit is the sign bit.
  CHECK(convert("ap_int<1>", 0) == 0);
  CHECK(convert("ap_int<1>", -1) == -1);
  CHECK(convert("ap_int<1>", 1) == -1);  // 1 mod 2 = 1 = sign bit set -> 1 - 2
  CHECK(convert("ap_int<1>", 2) == 0);
  CHECK(convert("ap_fixed<1,1,AP_TRN,AP_SAT>", 5) == 0);    // max = 2^0 - 1
  CHECK(convert("ap_fixed<1,1,AP_TRN,AP_SAT>", -5) == -1);  // min = -2^0
  // SAT_SYM maps the most negative value -1 to -max = 0.
  CHECK(convert("ap_fixed<1,1,AP_TRN,AP_SAT_SYM>", -1) == 0);
}

TEST_CASE("FixedType widths up to 53 bits are exact, wider ones are rejected", "[fixed_type]") {
  // ap_fixed<48,8>: F = 40, codes [-2^47, 2^47 - 1].
  const double max48 = 128.0 - std::ldexp(1.0, -40);  // code 2^47 - 1, all 48 bits used
  CHECK(convert("ap_fixed<48,8>", max48) == max48);
  CHECK(convert("ap_fixed<48,8>", -max48) == -max48);  // code -2^47 + 1
  CHECK(convert("ap_fixed<48,8>", -128.0) == -128.0);  // code -2^47
  // max48 + half an LSB: q = 2^47 - 1/2 is a tie; RND gives 2^47, which wraps
  // to -2^47 (-128) and saturates to the max.
  const double above = max48 + std::ldexp(1.0, -41);
  CHECK(convert("ap_fixed<48,8,AP_RND>", above) == -128.0);
  CHECK(convert("ap_fixed<48,8,AP_RND,AP_SAT>", above) == max48);
  CHECK(convert("ap_fixed<48,8>", above) == max48);  // TRN drops the half LSB
  // ap_fixed<53,1>: F = 52; 1 - 2^-52 is the largest code 2^52 - 1.
  CHECK(convert("ap_fixed<53,1>", 1.0 - std::ldexp(1.0, -52)) == 1.0 - std::ldexp(1.0, -52));
  CHECK_THROWS_AS(convert("ap_fixed<54,10>", 1.0), std::domain_error);
  CHECK_THROWS_AS(convert("ap_int<64>", 1.0), std::domain_error);
  // A type whose LSB 2^-1100 is below the smallest double cannot be exact.
  CHECK_THROWS_AS(convert("ap_fixed<8,-1092>", 0.0), std::domain_error);
}

TEST_CASE("FixedType rejects NaN and AP_WRAP_SM", "[fixed_type]") {
  REQUIRE_THROWS_MATCHES(convert("ap_fixed<16,6>", kNaN), std::domain_error,
                         Catch::Message("cannot convert NaN to ap_fixed<16,6>"));
  REQUIRE_THROWS_MATCHES(convert("ap_fixed<8,3,AP_RND_CONV,AP_SAT>", kNaN), std::domain_error,
                         Catch::Message("cannot convert NaN to ap_fixed<8,3,AP_RND_CONV,AP_SAT>"));
  CHECK_THROWS_AS(convert("ap_fixed<8,3,AP_TRN,AP_WRAP_SM>", 1.0), std::domain_error);
}

TEST_CASE("FixedType range accessors", "[fixed_type]") {
  const FixedType f83 = FixedType::parse("ap_fixed<8,3>");
  CHECK(f83.lsb() == 0.03125);        // 2^-5
  CHECK(f83.max_value() == 3.96875);  // 2^2 - 2^-5
  CHECK(f83.min_value() == -4.0);     // -2^2
  const FixedType u83 = FixedType::parse("ap_ufixed<8,3>");
  CHECK(u83.max_value() == 7.96875);  // 2^3 - 2^-5
  CHECK(u83.min_value() == 0.0);
  const FixedType neg = FixedType::parse("ap_fixed<4,-2>");
  CHECK(neg.lsb() == 1.0 / 64);        // 2^-6
  CHECK(neg.max_value() == 7.0 / 64);  // 2^-3 - 2^-6
  CHECK(neg.min_value() == -0.125);    // -2^-3
  const FixedType wide = FixedType::parse("ap_fixed<4,8>");
  CHECK(wide.lsb() == 16.0);          // 2^4
  CHECK(wide.max_value() == 112.0);   // 2^7 - 2^4
  CHECK(wide.min_value() == -128.0);  // -2^7
  const FixedType bit = FixedType::integer_type(1, false);
  CHECK(bit.max_value() == 1.0);
  CHECK(bit.min_value() == 0.0);
  CHECK(FixedType::integer_type(8, true).min_value() == -128.0);
}

TEST_CASE("FixedType parse reads every field", "[fixed_type]") {
  const FixedType t = FixedType::parse("ap_ufixed<12,4,AP_RND_CONV,AP_SAT_SYM,3>");
  CHECK(t.width == 12);
  CHECK(t.integer == 4);
  CHECK_FALSE(t.is_signed);
  CHECK(t.rounding == RoundingMode::RND_CONV);
  CHECK(t.overflow == OverflowMode::SAT_SYM);
  CHECK(t.saturation_bits == 3);
  const FixedType d = FixedType::parse("fixed<16,6>");  // hls4ml default: TRN, WRAP, N = 0
  CHECK(d.width == 16);
  CHECK(d.integer == 6);
  CHECK(d.is_signed);
  CHECK(d.rounding == RoundingMode::TRN);
  CHECK(d.overflow == OverflowMode::WRAP);
  CHECK(d.saturation_bits == 0);
  // ap_int<W> is ap_fixed<W,W>.
  CHECK(FixedType::parse("ap_fixed<4,4>") == FixedType::parse("ap_int<4>"));
  CHECK(FixedType::parse("ap_ufixed<4,4>") == FixedType::integer_type(4, false));
  CHECK(FixedType::parse("ap_int<4>") != FixedType::parse("ap_uint<4>"));
  CHECK(FixedType::parse("ap_fixed<8,3>") != FixedType::parse("ap_fixed<8,3,AP_RND>"));
  CHECK(FixedType::parse("ap_fixed<8,3,AP_TRN,AP_WRAP,1>") != FixedType::parse("ap_fixed<8,3>"));
}

TEST_CASE("FixedType mode names", "[fixed_type]") {
  using quantizers::to_string;
  CHECK(to_string(RoundingMode::RND) == "AP_RND");
  CHECK(to_string(RoundingMode::RND_ZERO) == "AP_RND_ZERO");
  CHECK(to_string(RoundingMode::RND_MIN_INF) == "AP_RND_MIN_INF");
  CHECK(to_string(RoundingMode::RND_INF) == "AP_RND_INF");
  CHECK(to_string(RoundingMode::RND_CONV) == "AP_RND_CONV");
  CHECK(to_string(RoundingMode::TRN) == "AP_TRN");
  CHECK(to_string(RoundingMode::TRN_ZERO) == "AP_TRN_ZERO");
  CHECK(to_string(OverflowMode::SAT) == "AP_SAT");
  CHECK(to_string(OverflowMode::SAT_ZERO) == "AP_SAT_ZERO");
  CHECK(to_string(OverflowMode::SAT_SYM) == "AP_SAT_SYM");
  CHECK(to_string(OverflowMode::WRAP) == "AP_WRAP");
  CHECK(to_string(OverflowMode::WRAP_SM) == "AP_WRAP_SM");
}

TEST_CASE("FixedType parse and print round trip", "[fixed_type]") {
  struct Spelling {
    const char* text;
    const char* canonical;
  };
  const std::vector<Spelling> spellings = {
      {"ap_fixed<16,6>", "ap_fixed<16,6>"},
      {"fixed<16,6>", "ap_fixed<16,6>"},
      {"ap_fixed<16,6,AP_TRN,AP_WRAP,0>", "ap_fixed<16,6>"},
      {" ap_fixed < 8 , 3 , AP_RND_CONV , AP_SAT > ", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"},
      {"ap_fixed<\t16,\n6>", "ap_fixed<16,6>"},
      {"ap_fixed<8,3,AP_TRN,AP_SAT>", "ap_fixed<8,3,AP_TRN,AP_SAT>"},
      {"ap_fixed<8,3,AP_RND>", "ap_fixed<8,3,AP_RND>"},
      {"ap_fixed<8,3,AP_RND,AP_WRAP>", "ap_fixed<8,3,AP_RND>"},
      {"ap_fixed<8,3,AP_TRN,AP_SAT,0>", "ap_fixed<8,3,AP_TRN,AP_SAT>"},
      {"ap_fixed<8,3,AP_TRN,AP_SAT,2>", "ap_fixed<8,3,AP_TRN,AP_SAT,2>"},
      {"ap_fixed<4,4,AP_TRN,AP_WRAP,1>", "ap_fixed<4,4,AP_TRN,AP_WRAP,1>"},
      {"ap_ufixed<6,0,AP_RND_CONV,AP_SAT>", "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>"},
      {"ufixed<8,0>", "ap_ufixed<8,0>"},
      {"ap_fixed<4,-2>", "ap_fixed<4,-2>"},
      {"ap_fixed<4,8>", "ap_fixed<4,8>"},
      {"ap_fixed<4,4>", "ap_int<4>"},
      {"ap_ufixed<4,4>", "ap_uint<4>"},
      {"ap_fixed<8,8,AP_RND>", "ap_fixed<8,8,AP_RND>"},
      {"ap_int<8>", "ap_int<8>"},
      {"int<8>", "ap_int<8>"},
      {"uint < 1 >", "ap_uint<1>"},
      {"ap_uint<1024>", "ap_uint<1024>"},
      {"ap_fixed<54,10,AP_RND_MIN_INF,AP_SAT_ZERO>", "ap_fixed<54,10,AP_RND_MIN_INF,AP_SAT_ZERO>"},
      {"ap_fixed<8,3,AP_RND_INF,AP_WRAP_SM>", "ap_fixed<8,3,AP_RND_INF,AP_WRAP_SM>"},
      {"ap_fixed<8,3,AP_TRN_ZERO,AP_SAT_SYM>", "ap_fixed<8,3,AP_TRN_ZERO,AP_SAT_SYM>"},
      {"ap_fixed<8,3,AP_RND_ZERO>", "ap_fixed<8,3,AP_RND_ZERO>"},
  };
  for (const Spelling& s : spellings) {
    INFO(s.text);
    const FixedType type = FixedType::parse(s.text);
    CHECK(type.to_string() == s.canonical);
    CHECK(FixedType::parse(type.to_string()) == type);
  }
}

TEST_CASE("FixedType parse errors name the offending token", "[fixed_type]") {
  struct BadText {
    const char* text;
    const char* message;
  };
  const std::vector<BadText> bad = {
      // unknown prefix / no type
      {"ap_fixd<8,3>", "unknown type 'ap_fixd' in \"ap_fixd<8,3>\""},
      {"AP_FIXED<8,3>", "unknown type 'AP_FIXED' in \"AP_FIXED<8,3>\""},
      {"", "no type name in \"\""},
      {"  ", "no type name in \"  \""},
      // mode names
      {"ap_fixed<8,3,AP_ROUND>", "bad rounding mode 'AP_ROUND' in \"ap_fixed<8,3,AP_ROUND>\""},
      {"ap_fixed<8,3,ap_rnd>", "bad rounding mode 'ap_rnd' in \"ap_fixed<8,3,ap_rnd>\""},
      {"ap_fixed<8,3,AP_SAT>", "bad rounding mode 'AP_SAT' in \"ap_fixed<8,3,AP_SAT>\""},
      {"ap_fixed<8,3,AP_RND,AP_SATURATE>",
       "bad overflow mode 'AP_SATURATE' in \"ap_fixed<8,3,AP_RND,AP_SATURATE>\""},
      // missing '<' or '>'
      {"ap_fixed 8,3>", "expected '<' after 'ap_fixed', got '8' in \"ap_fixed 8,3>\""},
      {"ap_fixed", "expected '<' after 'ap_fixed', got end of text in \"ap_fixed\""},
      {"ap_fixed<8,3", "expected ',' or '>' after '3', got end of text in \"ap_fixed<8,3\""},
      {"ap_fixed<8 3>", "expected ',' or '>' after '8', got '3' in \"ap_fixed<8 3>\""},
      {"ap_fixed<8,,3>", "expected an argument, got ',' in \"ap_fixed<8,,3>\""},
      {"ap_fixed<8,3,>", "expected an argument, got '>' in \"ap_fixed<8,3,>\""},
      {"ap_fixed<>", "expected an argument, got '>' in \"ap_fixed<>\""},
      // W and N out of range
      {"ap_fixed<0,0>", "width must be between 1 and 1024, got 0 in \"ap_fixed<0,0>\""},
      {"ap_fixed<-3,2>", "width must be between 1 and 1024, got -3 in \"ap_fixed<-3,2>\""},
      {"ap_int<1025>", "width must be between 1 and 1024, got 1025 in \"ap_int<1025>\""},
      {"ap_fixed<4,4,AP_TRN,AP_WRAP,5>",
       "saturation bits must be between 0 and the width 4, got 5 in "
       "\"ap_fixed<4,4,AP_TRN,AP_WRAP,5>\""},
      {"ap_fixed<4,4,AP_TRN,AP_WRAP,-1>",
       "saturation bits must be between 0 and the width 4, got -1 in "
       "\"ap_fixed<4,4,AP_TRN,AP_WRAP,-1>\""},
      // non-numeric
      {"ap_fixed<8.5,3>", "expected an integer for the width, got '8.5' in \"ap_fixed<8.5,3>\""},
      {"ap_fixed<W,3>", "expected an integer for the width, got 'W' in \"ap_fixed<W,3>\""},
      {"ap_fixed<8,three>",
       "expected an integer for the integer bits, got 'three' in \"ap_fixed<8,three>\""},
      {"ap_fixed<8,+3>",
       "expected an integer for the integer bits, got '+3' in \"ap_fixed<8,+3>\""},
      {"ap_fixed<4,4,AP_TRN,AP_WRAP,one>",
       "expected an integer for the saturation bits, got 'one' in "
       "\"ap_fixed<4,4,AP_TRN,AP_WRAP,one>\""},
      {"ap_fixed<99999999999,3>",
       "width out of range, got 99999999999 in \"ap_fixed<99999999999,3>\""},
      // trailing junk
      {"ap_fixed<8,3> x", "unexpected 'x' after '>' in \"ap_fixed<8,3> x\""},
      {"ap_fixed<8,3>>", "unexpected '>' after '>' in \"ap_fixed<8,3>>\""},
      // argument counts
      {"ap_fixed<8,3,AP_TRN,AP_WRAP,0,1>",
       "ap_fixed takes 2 to 5 arguments <W,I,Q,O,N>, got 6 in "
       "\"ap_fixed<8,3,AP_TRN,AP_WRAP,0,1>\""},
      {"fixed<8>", "fixed takes 2 to 5 arguments <W,I,Q,O,N>, got 1 in \"fixed<8>\""},
      {"ap_int<8,3>", "ap_int takes 1 argument <W>, got 2 in \"ap_int<8,3>\""},
  };
  for (const BadText& b : bad) {
    INFO(b.text);
    CHECK_THROWS_MATCHES(FixedType::parse(b.text), FixedTypeError, Catch::Message(b.message));
  }
  CHECK_THROWS_AS(FixedType::integer_type(0, true), FixedTypeError);
  CHECK_THROWS_AS(FixedType::integer_type(1025, false), FixedTypeError);
}

TEST_CASE("FixedType fake_quantize matches the scalar conversion", "[fixed_type]") {
  const FixedType type = FixedType::parse("ap_fixed<6,2,AP_RND_CONV,AP_SAT>");
  // F = 4, LSB 1/16, codes [-32, 31], values [-2, 1.9375].
  const std::vector<double> inputs = {0.03125, 0.09375, -0.03125, 1.3, -1.3, 5.0, -5.0, 0.0};
  // 0.5 LSB -> tie -> even 0; 1.5 LSB -> tie -> even 2 (0.125); -0.5 LSB -> 0;
  // 20.8 -> 21 (1.3125); -20.8 -> -21; 80 -> max 31; -80 -> min -32; 0.
  const std::vector<double> expected = {0.0, 0.125, 0.0, 1.3125, -1.3125, 1.9375, -2.0, 0.0};
  const at::Tensor x = at::tensor(inputs, at::kFloat).reshape({2, 4});
  const at::Tensor y = quantizers::fake_quantize(x, type);
  REQUIRE(y.scalar_type() == at::kDouble);
  REQUIRE(y.sizes() == x.sizes());
  const at::Tensor flat = y.reshape({-1}).contiguous();
  for (int64_t i = 0; i < flat.numel(); ++i) {
    INFO("element " << i);
    const double value = flat[i].item<double>();
    CHECK(value == expected[static_cast<std::size_t>(i)]);
    // The float input is converted exactly, so the scalar path agrees.
    CHECK(value == type.quantize(static_cast<double>(x.reshape({-1})[i].item<float>())));
  }
}

TEST_CASE("FixedType fake_quantize over more elements than one parallel chunk", "[fixed_type]") {
  const FixedType type = FixedType::parse("ap_fixed<8,4,AP_RND,AP_SAT>");
  at::Tensor x = at::linspace(-20.0, 20.0, 100001, at::kDouble);
  const at::Tensor y = quantizers::fake_quantize(x, type);
  const double* in = x.data_ptr<double>();
  const double* out = y.data_ptr<double>();
  std::int64_t mismatches = 0;
  for (std::int64_t i = 0; i < x.numel(); ++i) mismatches += out[i] != type.quantize(in[i]);
  CHECK(mismatches == 0);
  // A NaN deep inside the last chunk is reported from the worker thread.
  x[x.numel() - 2] = kNaN;
  CHECK_THROWS_AS(quantizers::fake_quantize(x, type), std::domain_error);
}

TEST_CASE("FixedType fake_quantize's vectorised path equals the scalar conversion in every mode", "[fixed_type]") {
  // Ties of every kind (multiples of LSB/2), values far outside the range
  // (wrap and saturation), huge values that leave the vectorised path, and
  // both signs.
  at::Tensor x = at::cat({at::arange(-300, 301, at::kDouble) / 32.0, at::randn({20000}, at::kDouble) * 40.0,
                          at::tensor({1e17, -1e17, 3e-320, -0.0}, at::kDouble)});
  const double* in = x.data_ptr<double>();
  for (const char* q : {"AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV"})
    for (const char* o : {"AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM"})
      for (const char* base : {"ap_fixed<7,3", "ap_ufixed<5,2", "ap_fixed<40,20", "ap_fixed<3,-2"}) {
        const std::string text = std::string(base) + "," + q + "," + o + ">";
        INFO(text);
        const FixedType type = FixedType::parse(text);
        const at::Tensor y = quantizers::fake_quantize(x, type);
        const double* out = y.data_ptr<double>();
        std::int64_t mismatches = 0;
        for (std::int64_t i = 0; i < x.numel(); ++i) {
          const double expected = type.quantize(in[i]);
          mismatches += !(out[i] == expected && std::signbit(out[i]) == std::signbit(expected));
        }
        CHECK(mismatches == 0);
      }
}

TEST_CASE("FixedType fake_quantize passes the gradient straight through", "[fixed_type]") {
  const FixedType type = FixedType::parse("ap_fixed<4,2>");
  const at::Tensor x = at::tensor({0.3, -1.7, 5.0}, at::kFloat).set_requires_grad(true);
  const at::Tensor y = quantizers::fake_quantize(x, type);
  REQUIRE(y.requires_grad());
  // d/dx sum(w * y) with the identity gradient is w, in x's dtype.
  const at::Tensor weights = at::tensor({1.0, 2.0, 3.0}, at::kDouble);
  (y * weights).sum().backward();
  REQUIRE(x.grad().defined());
  CHECK(x.grad().scalar_type() == at::kFloat);
  CHECK(at::equal(x.grad(), at::tensor({1.0, 2.0, 3.0}, at::kFloat)));
}

TEST_CASE("FixedType fake_quantize rejects NaN and unsupported types", "[fixed_type]") {
  const FixedType type = FixedType::parse("ap_fixed<16,6>");
  const at::Tensor x = at::tensor({1.0, kNaN, 2.0}, at::kDouble);
  REQUIRE_THROWS_MATCHES(quantizers::fake_quantize(x, type), std::domain_error,
                         Catch::Message("cannot convert NaN to ap_fixed<16,6>"));
  const at::Tensor empty = at::empty({0}, at::kDouble);
  CHECK_THROWS_AS(quantizers::fake_quantize(empty, FixedType::parse("ap_int<64>")),
                  std::domain_error);
  CHECK(quantizers::fake_quantize(empty, type).numel() == 0);
}
