#include "tests/test_common.h"

// Our ap_fixed / ap_int headers (export/ap_types) against
// shared/spec/hls4ml.md §4 (and §1.9 for printing).  Every expected value is
// worked out by hand in the comment next to it: the code is x * 2^F, then
// the quantization mode, then the overflow mode.  The last test cross-checks
// conversions against quantizers::FixedType, built from the same spec.

#include <climits>
#include <cmath>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ap_fixed.h"
#include "ap_int.h"
#include "quantizers/fixed_type.h"

namespace {

// A value in units of its LSB: the integer code, signed.
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
double code_of(const ap_fixed_base<W, I, S, Q, O, N>& x) {
  return std::ldexp(x.to_double(), W - I);
}

// Each of `units` LSBs converted into Fixed, as a code.
template <class Fixed>
std::vector<double> codes_in_lsb(const std::vector<double>& units) {
  std::vector<double> codes;
  for (double u : units)
    codes.push_back(std::ldexp(Fixed(std::ldexp(u, Fixed::iwidth - Fixed::width)).to_double(),
                               Fixed::width - Fixed::iwidth));
  return codes;
}

template <class T>
std::string printed(const T& x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// Whether a * b compiles (mixed ap_fixed / double arithmetic must not).
template <class A, class B, class = void>
struct can_multiply : std::false_type {};
template <class A, class B>
struct can_multiply<A, B, decltype(void(std::declval<A>() * std::declval<B>()))> : std::true_type {
};

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("ap types: enumerators and static members", "[ap_types]") {
  // Spec §4.1: the vendor values, visible in mangled RTL names.
  STATIC_REQUIRE(AP_RND == 0);
  STATIC_REQUIRE(AP_RND_ZERO == 1);
  STATIC_REQUIRE(AP_RND_MIN_INF == 2);
  STATIC_REQUIRE(AP_RND_INF == 3);
  STATIC_REQUIRE(AP_RND_CONV == 4);
  STATIC_REQUIRE(AP_TRN == 5);
  STATIC_REQUIRE(AP_TRN_ZERO == 6);
  STATIC_REQUIRE(AP_SAT == 0);
  STATIC_REQUIRE(AP_SAT_ZERO == 1);
  STATIC_REQUIRE(AP_SAT_SYM == 2);
  STATIC_REQUIRE(AP_WRAP == 3);
  STATIC_REQUIRE(AP_WRAP_SM == 4);
  typedef ap_fixed<16, 6, AP_RND, AP_SAT> fixed_t;
  STATIC_REQUIRE(fixed_t::width == 16);
  STATIC_REQUIRE(fixed_t::iwidth == 6);
  STATIC_REQUIRE(fixed_t::qmode == AP_RND);
  STATIC_REQUIRE(fixed_t::omode == AP_SAT);
  STATIC_REQUIRE(ap_ufixed<8, 2>::qmode == AP_TRN);  // defaults: AP_TRN, AP_WRAP, 0
  STATIC_REQUIRE(ap_ufixed<8, 2>::omode == AP_WRAP);
  STATIC_REQUIRE(ap_uint<7>::width == 7);
  STATIC_REQUIRE(std::is_base_of<ap_fixed_base<16, 6, true, AP_RND, AP_SAT, 0>, fixed_t>::value);
  STATIC_REQUIRE(std::is_base_of<ap_int_base<5, false>, ap_uint<5> >::value);
  const fixed_t x = 1;
  CHECK(x.length() == 16);
  CHECK(x.wl() == 16);
  CHECK(x.iwl() == 6);
  CHECK(x.q_mode() == AP_RND);
  CHECK(x.o_mode() == AP_SAT);
  CHECK(x.n_bits() == 0);
  CHECK(ap_int<9>().length() == 9);
  CHECK(ap_fixed<8, 3>().to_double() == 0.0);  // default construction is zero here
}

TEST_CASE("ap_fixed representation: LSB, range, raw code", "[ap_types]") {
  // ap_fixed<8,3>: F = 5, LSB 1/32; codes -128..127 -> [-4, 3.96875].
  CHECK(ap_fixed<8, 3>(3.96875).to_double() == 3.96875);
  CHECK(ap_fixed<8, 3>(-4.0).to_double() == -4.0);
  CHECK(ap_fixed<8, 3>(1.0 / 32).to_double() == 1.0 / 32);
  // ap_ufixed<8,3>: codes 0..255 -> [0, 7.96875].
  CHECK(ap_ufixed<8, 3>(7.96875).to_double() == 7.96875);
  // -1.5 in ap_fixed<8,3> is code -48, bit pattern 0xd0 = 208.
  CHECK(ap_fixed<8, 3>(-1.5).range(7, 0).to_uint() == 208u);
  CHECK(ap_fixed<8, 3>(-1.5).is_neg());
  CHECK_FALSE(ap_ufixed<8, 3>(7.5).is_neg());
  // I < 0: ap_fixed<4,-2> has F = 6, LSB 1/64, range [-1/8, 7/64].
  CHECK(ap_fixed<4, -2>(7.0 / 64).to_double() == 7.0 / 64);
  CHECK(ap_fixed<4, -2>(-0.125).to_double() == -0.125);
  // I > W: ap_fixed<4,8> has F = -4, LSB 16, range [-128, 112].
  CHECK(ap_fixed<4, 8>(112).to_double() == 112.0);
  CHECK(ap_fixed<4, 8>(-128).to_double() == -128.0);
  CHECK(ap_fixed<4, 8>(40).to_double() == 32.0);  // 40/16 = 2.5 -> floor 2
}

TEST_CASE("ap_fixed quantization modes on ties and non-ties", "[ap_types]") {
  // ap_fixed<8,3,Q>: F = 5.  Inputs in LSB units u (x = u/32), so q = u.
  const std::vector<double> units = {0.5, -0.5, 2.5, 3.5, -2.5, -3.5, 2.25, 2.75, -2.25, -2.75};
  // floor: 0.5->0, -0.5->-1, 2.5->2, 3.5->3, -2.5->-3, -3.5->-4, 2.25->2, 2.75->2, -2.25->-3,
  // -2.75->-3
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_TRN> >(units) ==
        std::vector<double>{0, -1, 2, 3, -3, -4, 2, 2, -3, -3});
  // toward zero: the fraction goes for either sign
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_TRN_ZERO> >(units) ==
        std::vector<double>{0, 0, 2, 3, -2, -3, 2, 2, -2, -2});
  // floor(q + 1/2): ties up; 2.75->3, -2.25->-2, -2.75->-3
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_RND> >(units) ==
        std::vector<double>{1, 0, 3, 4, -2, -3, 2, 3, -2, -3});
  // nearest, ties toward zero
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_RND_ZERO> >(units) ==
        std::vector<double>{0, 0, 2, 3, -2, -3, 2, 3, -2, -3});
  // nearest, ties toward -inf
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_RND_MIN_INF> >(units) ==
        std::vector<double>{0, -1, 2, 3, -3, -4, 2, 3, -2, -3});
  // nearest, ties away from zero
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_RND_INF> >(units) ==
        std::vector<double>{1, -1, 3, 4, -3, -4, 2, 3, -2, -3});
  // nearest, ties to even
  CHECK(codes_in_lsb<ap_fixed<8, 3, AP_RND_CONV> >(units) ==
        std::vector<double>{0, 0, 2, 4, -2, -4, 2, 3, -2, -3});
  // Values on the grid are unchanged in every mode: 1.375 = 44/32, -2.21875 = -71/32.
  CHECK(ap_fixed<8, 3, AP_RND_INF>(1.375).to_double() == 1.375);
  CHECK(ap_fixed<8, 3, AP_TRN_ZERO>(-2.21875).to_double() == -2.21875);
  // ap_fixed<16,6>: -1.3 * 1024 = -1331.2 -> floor -1332, toward zero -1331.
  CHECK(code_of(ap_fixed<16, 6>(-1.3)) == -1332);
  CHECK(code_of(ap_fixed<16, 6, AP_TRN_ZERO>(-1.3)) == -1331);
  // -0.0 converts to 0.
  CHECK_FALSE(std::signbit(ap_fixed<8, 3>(-0.0).to_double()));
}

TEST_CASE("ap_fixed quantization when the dropped bits reach past the source", "[ap_types]") {
  // ap_fixed<2,0> holds -0.5 as code -2 (bits 10, F = 2).  Into ap_fixed<4,4>
  // (F = 0) both source bits are dropped: first dropped bit 1 (the sign),
  // the rest 0, so q = -0.5 is a tie.
  const ap_fixed<2, 0> minus_half = -0.5;
  CHECK(ap_fixed<4, 4, AP_TRN>(minus_half).to_int() == -1);          // floor
  CHECK(ap_fixed<4, 4, AP_TRN_ZERO>(minus_half).to_int() == 0);      // toward zero
  CHECK(ap_fixed<4, 4, AP_RND>(minus_half).to_int() == 0);           // floor(-0.5 + 0.5)
  CHECK(ap_fixed<4, 4, AP_RND_ZERO>(minus_half).to_int() == 0);      // tie toward zero
  CHECK(ap_fixed<4, 4, AP_RND_MIN_INF>(minus_half).to_int() == -1);  // tie toward -inf
  CHECK(ap_fixed<4, 4, AP_RND_INF>(minus_half).to_int() == -1);      // tie away from zero
  CHECK(ap_fixed<4, 4, AP_RND_CONV>(minus_half).to_int() == 0);      // tie to even (0)
  // ap_fixed<2,-1> holds -0.25 (code -2, F = 3): three bits dropped, the first
  // is a sign copy (1) and the rest is not zero, so -0.25 is no tie.
  const ap_fixed<2, -1> minus_quarter = -0.25;
  CHECK(ap_fixed<4, 4, AP_TRN>(minus_quarter).to_int() == -1);
  CHECK(ap_fixed<4, 4, AP_RND>(minus_quarter).to_int() == 0);
  CHECK(ap_fixed<4, 4, AP_RND_MIN_INF>(minus_quarter).to_int() == 0);
  CHECK(ap_fixed<4, 4, AP_RND_INF>(minus_quarter).to_int() == 0);
  CHECK(ap_fixed<4, 4, AP_TRN_ZERO>(minus_quarter).to_int() == 0);
}

TEST_CASE("ap_fixed examples from the spec", "[ap_types]") {
  // F = 7: 0.999 * 128 = 127.872 rounds to 128, one past the largest code;
  // wrapped in 8 bits that is -128, i.e. -1.  Saturated: 127/128.
  CHECK(ap_fixed<8, 1, AP_RND, AP_WRAP>(0.999).to_double() == -1.0);
  CHECK(ap_fixed<8, 1, AP_RND, AP_SAT>(0.999).to_double() == 0.9921875);
  // F = 6: -0.3 * 64 = -19.2 -> floor -20 -> + 64 = 44 -> 44/64.
  CHECK(ap_ufixed<6, 0>(-0.3).to_double() == 0.6875);
  // (1024 << 10) / 3072 = 341.33 -> 341 -> 341/1024.
  CHECK((ap_fixed<16, 6>(1) / ap_fixed<16, 6>(3)).to_double() == 0.3330078125);
  // ap_fixed<4,4> with AP_WRAP and N saturated bits: 19 -> 3 (N=1), 7 (N=2);
  // -19 -> -3 (N=1), -7 (N=2).
  CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 1>(19).to_int() == 3);
  CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 2>(19).to_int() == 7);
  CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 1>(-19).to_int() == -3);
  CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 2>(-19).to_int() == -7);
}

TEST_CASE("ap_fixed overflow modes", "[ap_types]") {
  // ap_fixed<4,4> holds the integers -8..7.
  SECTION("AP_WRAP keeps the low four bits") {
    CHECK(ap_fixed<4, 4>(8).to_int() == -8);    // 1000
    CHECK(ap_fixed<4, 4>(9).to_int() == -7);    // 1001
    CHECK(ap_fixed<4, 4>(19).to_int() == 3);    // 19 - 16
    CHECK(ap_fixed<4, 4>(-9).to_int() == 7);    // -9 + 16
    CHECK(ap_fixed<4, 4>(-19).to_int() == -3);  // -19 + 16
    CHECK(ap_fixed<4, 4>(7).to_int() == 7);
    CHECK(ap_fixed<4, 4>(-8).to_int() == -8);
  }
  SECTION("AP_WRAP with N saturated bits") {
    // N=1: the sign bit becomes the source sign.  9 = 1001 -> 0001; -9 -> low
    // bits 0111 -> 1111.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 1>(9).to_int() == 1);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 1>(-9).to_int() == -1);
    // N=2: sign bit, then its complement.  9: 1001 -> 0101 = 5; -9: 0111 -> 1011.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 2>(9).to_int() == 5);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 2>(-9).to_int() == -5);
    // N=W saturates: 0111 and 1000.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 4>(9).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 4>(-100).to_int() == -8);
    // In range nothing changes.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 2>(5).to_int() == 5);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP, 2>(-6).to_int() == -6);
  }
  SECTION("AP_SAT clamps to max and min") {
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(8).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(100).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(-9).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(-100).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(-8).to_int() == -8);
    // Boundaries: 7.99 floors to 7 (in range); -8.01 floors to -9 (clamped).
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(7.99).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(-8.01).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP>(-8.01).to_int() == 7);  // -9 wraps
    // Far out of range doubles, and infinities (the vendor's 2^1024).
    CHECK(ap_fixed<8, 3, AP_TRN, AP_SAT>(1e300).to_double() == 3.96875);
    CHECK(ap_fixed<8, 3, AP_TRN, AP_SAT>(-1e300).to_double() == -4.0);
    CHECK(ap_fixed<8, 3, AP_TRN, AP_SAT>(kInf).to_double() == 3.96875);
    CHECK(ap_fixed<8, 3, AP_TRN, AP_SAT>(-kInf).to_double() == -4.0);
    // 1e300 is an integer multiple of 2^900: its low bits, hence the wrap, are 0.
    CHECK(ap_fixed<8, 3>(1e300).to_double() == 0.0);
  }
  SECTION("AP_SAT_ZERO gives zero on overflow") {
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_ZERO>(8).to_int() == 0);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_ZERO>(-9).to_int() == 0);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_ZERO>(7).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_ZERO>(-8).to_int() == -8);
  }
  SECTION("AP_SAT_SYM saturates to +-max, including the exact minimum") {
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_SYM>(8).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_SYM>(-9).to_int() == -7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_SYM>(-8).to_int() == -7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_SYM>(-7).to_int() == -7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT_SYM>(7).to_int() == 7);
    // Unsigned: as AP_SAT.
    CHECK(ap_ufixed<4, 4, AP_TRN, AP_SAT_SYM>(-1).to_int() == 0);
    CHECK(ap_ufixed<4, 4, AP_TRN, AP_SAT_SYM>(16).to_int() == 15);
  }
  SECTION("the rounding carry counts") {
    // 7.5 rounds up to 8: past the maximum.
    CHECK(ap_fixed<4, 4, AP_RND, AP_SAT>(7.5).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_RND, AP_WRAP>(7.5).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_RND_ZERO, AP_SAT>(7.5).to_int() == 7);  // tie toward 0: no carry
    // -8.5: RND gives floor(-8) = -8, in range; RND_INF gives -9.
    CHECK(ap_fixed<4, 4, AP_RND, AP_SAT>(-8.5).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_RND_INF, AP_SAT>(-8.5).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_RND_INF, AP_WRAP>(-8.5).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_RND_INF, AP_SAT_SYM>(-8.5).to_int() == -7);
  }
  SECTION("AP_WRAP_SM (the vendor's sign-magnitude rule; the spec defers it)") {
    // N=0: if the first deleted bit differs from the kept sign bit, the kept
    // bits are complemented and the sign becomes that deleted bit.
    // 8 = 0|1000 -> 0111 = 7; 9 = 0|1001 -> 0110 = 6; 15 = 0|1111 -> 0000;
    // 16 = 1|0000 -> 1111 = -1; -9 = 1|0111 -> 1000 = -8; -10 = 1|0110 -> 1001 = -7.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(8).to_int() == 7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(9).to_int() == 6);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(15).to_int() == 0);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(16).to_int() == -1);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(-9).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(-10).to_int() == -7);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM>(5).to_int() == 5);  // in range
    // N=1: complement when the sign of the value differs from the kept sign
    // bit, then force the sign.  9: 1001 -> 0110 = 6; 19: 0011 -> 3;
    // -9: 0111 -> 1000 = -8; -19: 1101 -> -3.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM, 1>(9).to_int() == 6);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM, 1>(19).to_int() == 3);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM, 1>(-9).to_int() == -8);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM, 1>(-19).to_int() == -3);
    // N=2: complement when bit W-N equals the sign; then bit 2 = !sign, bit 3
    // = sign.  19: 0011 -> 1100 -> 0100 = 4; -19: 1101 -> 0010 -> 1010 = -6.
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM, 2>(19).to_int() == 4);
    CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP_SM, 2>(-19).to_int() == -6);
    // With rounding the deleted bit is taken before the carry: 7.5 floors to
    // 0|0111 and rounds to 1000; 0 != 1 -> 0111 = 7.
    CHECK(ap_fixed<4, 4, AP_RND, AP_WRAP_SM>(7.5).to_int() == 7);
  }
}

TEST_CASE("ap_ufixed conversions", "[ap_types]") {
  // F = 4: 3.3 * 16 = 52.8 -> TRN 52 (3.25), RND 53 (3.3125).
  CHECK(ap_ufixed<8, 4>(3.3).to_double() == 3.25);
  CHECK(ap_ufixed<8, 4, AP_RND>(3.3).to_double() == 3.3125);
  // Codes 0..255 -> [0, 15.9375].
  CHECK(ap_ufixed<8, 4, AP_TRN, AP_SAT>(-0.5).to_double() == 0.0);
  CHECK(ap_ufixed<8, 4, AP_TRN, AP_SAT>(16).to_double() == 15.9375);
  CHECK(ap_ufixed<8, 4, AP_TRN, AP_SAT_ZERO>(16).to_double() == 0.0);
  CHECK(ap_ufixed<8, 4, AP_TRN, AP_SAT_ZERO>(-1).to_double() == 0.0);
  // ap_ufixed<4,4> wraps modulo 16: 17 -> 1, -1 -> 15, -3 -> 13.
  CHECK(ap_ufixed<4, 4>(17).to_int() == 1);
  CHECK(ap_ufixed<4, 4>(-1).to_int() == 15);
  CHECK(ap_ufixed<4, 4>(-3).to_int() == 13);
  // N=2 sets the top two bits on overflow: 17 -> 0001 -> 1101 = 13;
  // 20 -> 0100 -> 1100 = 12; -3 -> 1101 (already set).
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_WRAP, 2>(17).to_int() == 13);
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_WRAP, 2>(20).to_int() == 12);
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_WRAP, 2>(-3).to_int() == 13);
  // A negative ap_fixed into an ap_ufixed (AP_TRN_ZERO: the source sign counts).
  CHECK(ap_ufixed<8, 4, AP_TRN_ZERO, AP_SAT>(ap_fixed<8, 4>(-0.0625)).to_double() == 0.0);
  CHECK(ap_ufixed<8, 4>(ap_fixed<8, 4>(-0.0625)).to_double() == 15.9375);  // code -1 -> 255
}

TEST_CASE("ap_int and ap_uint wrap on storing", "[ap_types]") {
  CHECK(ap_int<8>(200).to_int() == -56);
  CHECK(ap_int<8>(-129).to_int() == 127);
  CHECK(ap_uint<8>(-1).to_int() == 255);
  CHECK(ap_uint<8>(256).to_int() == 0);
  // From floating point and ap_fixed: the integer part toward zero, then wrap.
  CHECK(ap_int<8>(2.7).to_int() == 2);
  CHECK(ap_int<8>(-2.7).to_int() == -2);
  CHECK(ap_int<8>(ap_fixed<8, 4>(-7.5)).to_int() == -7);
  CHECK(ap_uint<4>(ap_fixed<10, 6>(17.5)).to_int() == 1);  // 17 mod 16
  CHECK(ap_int<8>(300.9f).to_int() == 44);                 // 300 - 256
  // One bit: ap_int<1> holds {-1, 0}, ap_uint<1> {0, 1}.
  CHECK(ap_int<1>(1).to_int() == -1);
  CHECK(ap_int<1>(2).to_int() == 0);
  CHECK(ap_uint<1>(3).to_int() == 1);
  CHECK(ap_uint<1>(true).to_int() == 1);
  // The implicit conversion goes to (unsigned) long long, like the vendor's.
  const long long from_signed = ap_int<8>(-5);
  const unsigned long long from_unsigned = ap_uint<8>(200);
  CHECK(from_signed == -5);
  CHECK(from_unsigned == 200u);
  STATIC_REQUIRE(std::is_same<ap_int<8>::RetType, long long>::value);
  STATIC_REQUIRE(std::is_same<ap_uint<8>::RetType, unsigned long long>::value);
  // Compound assignment and increments wrap.
  ap_int<8> a = 100;
  a += 100;
  CHECK(a.to_int() == -56);
  ap_uint<4> u = 15;
  ++u;
  CHECK(u.to_int() == 0);
  --u;
  CHECK(u.to_int() == 15);
  CHECK((u++).to_int() == 15);
  CHECK(u.to_int() == 0);
  // An ap_fixed operand contributes its integer part: 1 + 2 (from 2.75).
  ap_int<8> i = 1;
  i += ap_fixed<8, 4>(2.75);
  CHECK(i.to_int() == 3);
  // Integer literals.
  CHECK(ap_int<8>("-5").to_int() == -5);
  CHECK(ap_uint<8>("0x1f").to_int() == 31);
  CHECK(ap_uint<8>("0b101").to_int() == 5);
  CHECK(ap_uint<8>("ff", 16).to_int() == 255);
  CHECK(ap_int<8>("12z").to_int() == 0);  // malformed
}

TEST_CASE("result types of mixed-width arithmetic follow spec §4.4", "[ap_types]") {
  const ap_fixed<16, 6> a16 = 5.5;
  const ap_fixed<6, 1> a6 = -0.75;
  const ap_ufixed<6, 0> u6 = 0.984375;  // 63/64, the largest value
  // Verified against the reference header in the spec.
  STATIC_REQUIRE(std::is_same<decltype(a16 * a6), ap_fixed<22, 7> >::value);
  STATIC_REQUIRE(std::is_same<decltype(a16 + u6), ap_fixed<17, 7> >::value);
  STATIC_REQUIRE(std::is_same<decltype(a16 / a6), ap_fixed<22, 12> >::value);
  STATIC_REQUIRE(std::is_same<decltype(-a16), ap_fixed<17, 7> >::value);
  STATIC_REQUIRE(std::is_same<decltype(a16 * 1u), ap_fixed<48, 38> >::value);
  // + : I = max(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1, W = I + max(F1, F2).
  // ufixed<8,2> + ufixed<4,4>: I = max(2, 4) + 1 = 5, F = max(6, 0) = 6.
  STATIC_REQUIRE(
      std::is_same<decltype(ap_ufixed<8, 2>() + ap_ufixed<4, 4>()), ap_ufixed<11, 5> >::value);
  // - is always signed: ufixed<8,2> - ufixed<8,2>: I = 3, W = 9.
  STATIC_REQUIRE(
      std::is_same<decltype(ap_ufixed<8, 2>() - ap_ufixed<8, 2>()), ap_fixed<9, 3> >::value);
  // & | ^: I = max(2 + 1, 4 + 0) = 4, F = 6.
  STATIC_REQUIRE(
      std::is_same<decltype(ap_ufixed<8, 2>() & ap_fixed<4, 4>()), ap_fixed<10, 4> >::value);
  // / with an unsigned divisor: W = 0 + 8 + max(6, 0) = 14, I = 0 + 2 + 6 = 8.
  STATIC_REQUIRE(
      std::is_same<decltype(ap_ufixed<8, 2>() / ap_ufixed<8, 2>()), ap_ufixed<14, 8> >::value);
  // ap_int mixed with ap_fixed is ap_fixed<W, W>: I = max(3, 4) + 1 = 5, F = 5.
  STATIC_REQUIRE(std::is_same<decltype(ap_fixed<8, 3>() + ap_int<4>()), ap_fixed<10, 5> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_int<4>() * ap_fixed<8, 3>()), ap_fixed<12, 7> >::value);
  // Integers: the same formulas with F = 0; / is W1 + S2; % is min(W1, W2 + (!S2 && S1)), S1.
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() * ap_uint<4>()), ap_int<12> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() + ap_uint<8>()), ap_int<10> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_uint<8>() - ap_uint<8>()), ap_int<9> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() / ap_int<4>()), ap_int<9> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_uint<8>() / ap_uint<4>()), ap_uint<8> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() % ap_uint<4>()), ap_int<5> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_uint<8>() % ap_int<4>()), ap_uint<4> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() + 1), ap_int<33> >::value);
  STATIC_REQUIRE(std::is_same<decltype(2 * ap_uint<1>()), ap_int<33> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_uint<8>() & ap_uint<3>()), ap_uint<8> >::value);
  // Unary minus: ap_fixed<W+1, I+1>; for integers 0 - x: max(W, 1 + S) + 1 bits.
  STATIC_REQUIRE(std::is_same<decltype(-ap_ufixed<8, 2>()), ap_fixed<9, 3> >::value);
  STATIC_REQUIRE(std::is_same<decltype(-ap_int<8>()), ap_int<9> >::value);
  STATIC_REQUIRE(std::is_same<decltype(-ap_uint<8>()), ap_int<9> >::value);
  STATIC_REQUIRE(std::is_same<decltype(-ap_int<1>()), ap_int<3> >::value);
  // Shifts keep the operand's type, modes included.
  STATIC_REQUIRE(std::is_same<decltype(ap_fixed<16, 6, AP_RND, AP_SAT>() >> 1),
                              ap_fixed<16, 6, AP_RND, AP_SAT> >::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_uint<8>() << 3), ap_uint<8> >::value);
  // ap_int with floating point converts to the C type; ap_fixed does not compile.
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() * 0.5), double>::value);
  STATIC_REQUIRE(std::is_same<decltype(ap_int<8>() * 0.5f), float>::value);
  STATIC_REQUIRE_FALSE(can_multiply<ap_fixed<8, 4>, double>::value);
  STATIC_REQUIRE(can_multiply<ap_fixed<8, 4>, int>::value);

  // Values are exact.
  CHECK((a16 * a6).to_double() == -4.125);  // 5.5 * -0.75
  CHECK((ap_fixed<16, 6>(-32) * ap_fixed<16, 6>(-32)).to_double() ==
        1024);                                                   // min * min fits <32,12>
  CHECK((ap_fixed<16, 6>(-32) + u6).to_double() == -31.015625);  // -32 + 63/64
  CHECK((a16 - ap_fixed<16, 6>(31.9990234375)).to_double() == -26.4990234375);
  CHECK((ap_uint<8>(0) - ap_uint<8>(255)).to_int() == -255);
  CHECK((ap_int<8>(-128) * ap_uint<4>(15)).to_int() == -1920);
  CHECK((ap_int<8>(127) + ap_uint<8>(255)).to_int() == 382);
  CHECK((ap_fixed<8, 3>(-4) + ap_int<4>(-8)).to_double() == -12.0);
  CHECK((ap_int<8>(3) * 0.5) == 1.5);
  // Bitwise on aligned codes: 2.75 = 0010.1100, 1.5 = 0001.1000.
  CHECK((ap_fixed<8, 4>(2.75) & ap_fixed<8, 4>(1.5)).to_double() == 0.5);
  CHECK((ap_fixed<8, 4>(2.75) | ap_fixed<8, 4>(1.5)).to_double() == 3.75);
  CHECK((ap_fixed<8, 4>(2.75) ^ ap_fixed<8, 4>(1.5)).to_double() == 3.25);
  // Signed operands are sign-extended into the wider logic type <5,5>:
  // -8 = 11000, 9 = 01001 -> ^ = 10001 = -15 (zero extension would give 1).
  CHECK((ap_fixed<4, 4>(-8) ^ ap_ufixed<4, 4>(9)).to_int() == -15);
}

TEST_CASE("division truncates toward zero", "[ap_types]") {
  // (-1024 << 10) / 3072 = -341.33 -> -341 (not floor's -342).
  CHECK((ap_fixed<16, 6>(-1) / ap_fixed<16, 6>(3)).to_double() == -0.3330078125);
  // By an int: F2 = 0, so the codes divide: -120 / 2 = -60 (F = 4).
  CHECK((ap_fixed<8, 4>(-7.5) / 2).to_double() == -3.75);
  CHECK((ap_fixed<8, 4>(-7.5) / 16).to_double() == -0.4375);  // -7.5 -> -7 LSBs
  // A divisor with negative F: ap_fixed<4,6> has LSB 4, 8.0 is code 2;
  // 96 / 2 = 48 in W = 9, I = 3 (F = 6): 0.75.
  CHECK((ap_fixed<8, 4>(6.0) / ap_fixed<4, 6>(8.0)).to_double() == 0.75);
  // The sigmoid index of spec §2.6: x * 1024u / 16 -> to_int: -308 / 16 = -19.25 -> -19.
  const ap_fixed<16, 6> x = -0.30078125;
  const int data_round = x * 1024u / 16;
  CHECK(data_round == -19);
  CHECK(data_round + 8 * 1024 / 16 == 493);
  // Integers, C semantics.
  CHECK((ap_int<8>(-7) / ap_int<8>(2)).to_int() == -3);
  CHECK((ap_int<8>(-7) % ap_int<8>(2)).to_int() == -1);
  CHECK((ap_int<8>(7) % ap_int<8>(-2)).to_int() == 1);
  CHECK((ap_uint<8>(200) / ap_int<4>(-3)).to_int() == -66);
  CHECK((ap_int<8>(-128) / ap_int<8>(-1)).to_int() == 128);  // why / gets S2 more bits
  CHECK((ap_uint<8>(200) / 7).to_int() == 28);
  CHECK((200 % ap_uint<8>(7)).to_int() == 4);
  ap_fixed<8, 4> y = 7;
  y /= 2;
  CHECK(y.to_double() == 3.5);
}

TEST_CASE("shifts keep the type and move raw bits", "[ap_types]") {
  // ap_fixed<8,4>: F = 4.  1.5 is code 24.
  CHECK((ap_fixed<8, 4>(1.5) << 1).to_double() == 3.0);
  CHECK((ap_fixed<8, 4>(1.5) << 3).to_double() == -4.0);  // 192 wraps to -64
  // -3.25 is code -52: >> 1 = -26 (-1.625), >> 3 = floor(-6.5) = -7 (-0.4375).
  CHECK((ap_fixed<8, 4>(-3.25) >> 1).to_double() == -1.625);
  CHECK((ap_fixed<8, 4>(-3.25) >> 3).to_double() == -0.4375);
  CHECK((ap_ufixed<8, 4>(15.9375) >> 4).to_double() == 0.9375);  // 255 >> 4 = 15
  // Negative signed counts reverse; counts as ap_int / ap_uint.
  CHECK((ap_fixed<8, 4>(1.5) << -1).to_double() == 0.75);
  CHECK((ap_fixed<8, 4>(1.5) >> ap_int<4>(-1)).to_double() == 3.0);
  CHECK((ap_fixed<8, 4>(1.5) << ap_uint<3>(2)).to_double() == 6.0);
  // Everything shifted out: zero, or the sign for a right shift.
  CHECK((ap_fixed<8, 4>(1.5) << 8).to_double() == 0.0);
  CHECK((ap_fixed<8, 4>(-1.5) >> 20).to_double() == -0.0625);
  // No saturation in shifts, even with AP_SAT: 5 << 1 = 10 -> code 160 -> -96.
  ap_fixed<8, 4, AP_RND, AP_SAT> s = 5;
  s <<= 1;
  CHECK(s.to_double() == -6.0);
  // Integers.
  CHECK((ap_int<8>(-128) >> 7).to_int() == -1);
  CHECK((ap_uint<8>(128) >> 7).to_int() == 1);
  CHECK((ap_int<8>(1) << 7).to_int() == -128);
  ap_uint<8> u = 3;
  u <<= ap_uint<2>(3);
  CHECK(u.to_int() == 24);
  u >>= 2;
  CHECK(u.to_int() == 6);
  // The exact alternative: moving the binary point.
  CHECK(ap_fixed<8, 4>(1.5).lshift<3>().to_double() == 12.0);
  CHECK(ap_fixed<8, 4>(1.5).rshift<2>().to_double() == 0.375);
}

TEST_CASE("range and bit access read and write the raw code", "[ap_types]") {
  ap_fixed<16, 6> x = 0.5;  // code 512 = bit 9
  CHECK(x.range(15, 0).to_uint() == 512u);
  CHECK(x.range().to_uint() == 512u);
  CHECK(x(15, 8).to_uint() == 2u);
  CHECK(x[9]);
  CHECK(x.bit(9));
  CHECK_FALSE(x[8]);
  CHECK(x.get_bit(-1));  // bit 9 is the first fraction bit (F = 10)
  x[9] = 0;
  CHECK(x.to_double() == 0.0);
  x(15, 10) = -3;  // the integer bits: 111101
  CHECK(x.to_double() == -3.0);
  x.range(9, 0) = 256;  // .25
  CHECK(x.to_double() == -2.75);
  // A range reads as unsigned: the bits of ap_int<8>(-1).
  const ap_int<8> minus_one = -1;
  CHECK(minus_one.range(7, 0).to_uint() == 255u);
  CHECK(static_cast<unsigned>(minus_one(3, 0)) == 15u);
  CHECK(ap_uint<8>(0x5a).range(3, 0).to_uint() == 0xau);
  // hi < lo reverses: 00000110 read from bit 0 up is 01100000.
  CHECK(ap_uint<8>(6).range(0, 7).to_uint() == 96u);
  ap_uint<8> reversed = 0;
  reversed.range(0, 7) = 6;
  CHECK(reversed.to_uint() == 96u);
  // Writing the sign bit changes the value's sign.
  ap_int<8> v = 0;
  v[7] = 1;
  CHECK(v.to_int() == -128);
  v[7] = false;
  v.set(0);
  CHECK(v.to_int() == 1);
  // Ranges convert to ap types and C integers.
  const ap_uint<4> nibble = ap_uint<8>(0xc3)(7, 4);
  CHECK(nibble.to_int() == 0xc);
  const ap_fixed<8, 4> from_range = ap_uint<8>(0x18).range(7, 0);  // 24 -> 24.0, wraps: -8
  CHECK(from_range.to_double() == -8.0);
  // Assigning an ap_fixed into a range: bits into an ap_fixed, integer part
  // into an ap_int.
  ap_fixed<8, 4> f = 0;
  f.range(7, 0) = ap_fixed<8, 4>(-0.0625);  // code 0xff
  CHECK(f.to_double() == -0.0625);
  ap_uint<8> g = 0;
  g.range(7, 0) = ap_fixed<8, 4>(2.75);
  CHECK(g.to_int() == 2);
  // Softmax table addressing (spec §2.6): the top 10 bits of -1.25 in
  // ap_fixed<16,6> (code -1280 = 0xfb00) are 0xfb00 >> 6 = 1004, and writing
  // 1004 back into the top bits of a zero gives -1.25.
  const ap_fixed<16, 6> data = -1.25;
  const ap_uint<10> index = data(data.width - 1, data.width - 10);
  CHECK(index.to_int() == 1004);
  ap_fixed<16, 6> edge(0);
  edge(edge.width - 1, edge.width - 10) = 1004u;
  CHECK(static_cast<float>(edge) == -1.25f);
  // Reductions over all W bits.
  CHECK(ap_uint<4>(15).and_reduce());
  CHECK_FALSE(ap_uint<4>(7).and_reduce());
  CHECK(ap_int<4>(-1).and_reduce());
  CHECK_FALSE(ap_uint<4>(0).or_reduce());
  CHECK(ap_uint<4>(11).xor_reduce());  // 1011: three ones
  CHECK(ap_uint<4>(11).range(1, 0).and_reduce());
  CHECK(ap_fixed<8, 4>(-0.0625).and_reduce());
  CHECK(ap_fixed<8, 4>(0).iszero());
  CHECK(ap_uint<8>(0).iszero());
  CHECK(ap_uint<8>(1).countLeadingZeros() == 7);
}

TEST_CASE("comparisons are exact across formats", "[ap_types]") {
  CHECK(ap_fixed<8, 4>(1.5) == ap_ufixed<4, 2>(1.5));
  CHECK(ap_fixed<8, 4>(-0.5) < ap_ufixed<4, 2>(0));
  CHECK(ap_ufixed<8, 8>(200) > ap_fixed<8, 8>(-1));
  CHECK(ap_fixed<4, -2>(0.0625) < ap_fixed<4, 8>(16));
  CHECK(ap_fixed<4, -2>(0.0625) != ap_fixed<8, 4>(0.0));
  // Not C's unsigned conversion: 255 > -1.
  CHECK(ap_uint<8>(255) > ap_int<8>(-1));
  CHECK(ap_int<8>(-1) != ap_uint<8>(255));
  CHECK(ap_uint<64>(~0ull) > ap_int<64>(-1));
  // With C integers, ap_int, double and float.
  const ap_fixed<8, 4> x = 2.5;
  CHECK(x > 2);
  CHECK(3 > x);
  CHECK(x != 2);
  CHECK(x == 2.5);
  CHECK(2.5 == x);
  CHECK(x > 2.4);
  CHECK(x < 2.6f);
  CHECK(x >= ap_int<4>(2));
  CHECK(ap_int<4>(3) > x);
  CHECK(ap_fixed<8, 4>(2.0) == ap_int<4>(2));
  CHECK(ap_uint<1>(1) == 1);
  CHECK(ap_int<2>(-1) == -1);
  CHECK(ap_int<8>(-3) < 2.5);
  CHECK(ap_uint<8>(200) == 200u);
  CHECK(ap_fixed<8, 4>(0) <= 0);
  CHECK_FALSE(ap_fixed<8, 4>(-0.0625) >= 0);
  CHECK(ap_ufixed<8, 4>(0.0625) > false);
}

TEST_CASE("conversions to and from double, float and integers", "[ap_types]") {
  // to_double is exact for up to 53 significant bits: 0.3 -> 307/1024.
  CHECK(ap_fixed<16, 6>(0.3).to_double() == 307.0 / 1024);
  // to_int truncates toward zero (-7.5 -> -7), unlike the floor of AP_TRN.
  CHECK(ap_fixed<8, 4>(-7.5).to_int() == -7);
  CHECK(ap_fixed<8, 4>(-0.5).to_int() == 0);
  CHECK(ap_fixed<8, 4>(7.9375).to_int() == 7);
  CHECK(ap_fixed<8, -2>(-0.0625).to_int() == 0);  // no integer bits at all
  CHECK(ap_ufixed<8, 8>(255).to_int() == 255);
  CHECK(ap_fixed<8, 4>(-7.5).to_ap_int_base().to_int() == -7);
  CHECK(ap_fixed<8, 4>(-7.5).to_ap_int_base(false).to_int() == -8);  // floor
  CHECK(ap_fixed<40, 40>(-4294967297.0).to_int() == -1);  // -(2^32 + 1) wraps like a C cast
  CHECK(ap_fixed<40, 40>(-4294967297.0).to_int64() == -4294967297LL);
  // The implicit conversions of ap_fixed.
  const ap_fixed<8, 4> y = -2.75;
  const double as_double = y;
  const float as_float = y;
  const int as_int = y;
  const long long as_long_long = y;
  CHECK(as_double == -2.75);
  CHECK(as_float == -2.75f);
  CHECK(as_int == -2);
  CHECK(as_long_long == -2);
  CHECK(static_cast<bool>(y));
  CHECK_FALSE(static_cast<bool>(ap_fixed<8, 4>(0)));
  // Rounding to nearest even beyond 53 bits: 2^53 + 1 -> 2^53, 2^53 + 3 -> 2^53 + 4.
  CHECK(ap_int<64>(9007199254740993LL).to_double() == 9007199254740992.0);
  CHECK(ap_int<64>(9007199254740995LL).to_double() == 9007199254740996.0);
  CHECK(ap_fixed<64, 60>(ap_int<64>(9007199254740993LL)).to_double() == 9007199254740992.0);
  // to_float rounds once, directly: 2^24 + 1 + 2^-30 + 2^-32 is just above
  // the tie between 2^24 and 2^24 + 2, so it rounds up (through double it
  // would first become the tie 2^24 + 1 and then go to even, 2^24).
  ap_fixed<64, 32> above_tie = 16777217;
  above_tie[0] = 1;  // + 2^-32
  above_tie[2] = 1;  // + 2^-30
  CHECK(above_tie.to_float() == 16777218.0f);
  CHECK(ap_int<32>(16777217).to_float() == 16777216.0f);  // exact tie: to even
  // From double the conversion is exact: 0.1 is 3602879701896397 * 2^-55,
  // whose code with F = 62 is 3602879701896397 * 2^7 = 461168601842738816.
  const ap_fixed<64, 2> tenth = 0.1;
  CHECK(tenth.range(63, 0).to_uint64() == 461168601842738816ull);
  CHECK(tenth.to_double() == 0.1);
  // Subnormals: 2^-1074 is half an LSB of ap_fixed<8,-1065> (F = 1073).
  CHECK(ap_fixed<8, -1065>(std::numeric_limits<double>::denorm_min()).to_double() == 0.0);
  CHECK(ap_fixed<8, -1065, AP_RND>(std::numeric_limits<double>::denorm_min()).to_double() ==
        2 * std::numeric_limits<double>::denorm_min());
  // NaN is unsupported by the vendor; ours gives 0.
  CHECK(ap_fixed<8, 4>(std::numeric_limits<double>::quiet_NaN()).to_double() == 0.0);
  // From C integers: bool, char, int, unsigned long long (spec §4.3).
  CHECK(ap_fixed<8, 4>(true).to_double() == 1.0);
  CHECK(ap_fixed<8, 4>('\x05').to_double() == 5.0);
  CHECK(ap_fixed<8, 4>(8).to_double() == -8.0);  // wraps
  CHECK(ap_fixed<8, 4, AP_TRN, AP_SAT>(-1000000000000LL).to_double() == -8.0);
  CHECK(ap_ufixed<70, 70>(~0ull).to_string(10) == "18446744073709551615");
  CHECK(ap_fixed<70, 60>(-1).to_double() == -1.0);
  enum small_enum { three = 3 };
  CHECK(ap_fixed<8, 4>(three).to_double() == 3.0);
  CHECK((ap_fixed<8, 4>(1) + three).to_double() == 4.0);
}

TEST_CASE("compound assignment quantizes each result into the target", "[ap_types]") {
  // ap_fixed<8,3>: max 3.96875.  3.5 + 0.75 = 4.25 -> wraps to 4.25 - 8.
  ap_fixed<8, 3> wrapped = 3.5;
  wrapped += ap_fixed<8, 3>(0.75);
  CHECK(wrapped.to_double() == -3.75);
  ap_fixed<8, 3, AP_TRN, AP_SAT> saturated = 3.5;
  saturated += ap_fixed<8, 3>(0.75);
  CHECK(saturated.to_double() == 3.96875);
  // acc += a * w: each partial sum quantized to accum_t (F = 2, TRN).
  // 0.3 * 0.3 = 0.09 -> floor(0.36) = 0 quarters; again 0.
  ap_fixed<8, 6> acc = 0;
  const ap_fixed<16, 2> a = 0.3;
  for (int k = 0; k < 4; ++k) acc += a * a;
  CHECK(acc.to_double() == 0.0);
  ap_fixed<8, 4> x = 2.5;
  x *= ap_fixed<8, 4>(1.5);  // 3.75
  CHECK(x.to_double() == 3.75);
  x /= 2;  // (60 << 0) / 2 = 30 -> 1.875
  CHECK(x.to_double() == 1.875);
  x -= 3;  // -1.125
  CHECK(x.to_double() == -1.125);
  x += ap_int<4>(2);  // 0.875
  CHECK(x.to_double() == 0.875);
  x &= ap_fixed<8, 4>(0.5);  // 0000.1110 & 0000.1000
  CHECK(x.to_double() == 0.5);
  x |= 1;  // 0001.1000
  CHECK(x.to_double() == 1.5);
  x ^= ap_ufixed<4, 1>(0.5);  // 0001.1000 ^ 0000.1000
  CHECK(x.to_double() == 1.0);
  ap_uint<8> u = 0xf0;
  u &= 0x3c;
  CHECK(u.to_int() == 0x30);
  u |= ap_uint<1>(1);
  CHECK(u.to_int() == 0x31);
  u ^= 0xff;
  CHECK(u.to_int() == 0xce);
  u %= 10;  // 206 % 10
  CHECK(u.to_int() == 6);
  u *= 50;  // 300 wraps to 44
  CHECK(u.to_int() == 44);
  // Increments use the type's modes: 7.5 + 1 saturates to 7.9375 or wraps to -7.5.
  ap_fixed<8, 4, AP_TRN, AP_SAT> up_saturated = 7.5;
  ++up_saturated;
  CHECK(up_saturated.to_double() == 7.9375);
  ap_fixed<8, 4> up_wrapped = 7.5;
  CHECK((up_wrapped++).to_double() == 7.5);
  CHECK(up_wrapped.to_double() == -7.5);
  --up_wrapped;
  CHECK(up_wrapped.to_double() == 7.5);  // -8.5 wraps
}

TEST_CASE("unary operators", "[ap_types]") {
  // -(-8) = 8 fits the wider ap_fixed<5,5>.
  CHECK((-ap_fixed<4, 4>(-8)).to_int() == 8);
  CHECK((-ap_ufixed<4, 4>(15)).to_int() == -15);
  CHECK((-ap_int<8>(-128)).to_int() == 128);
  CHECK((+ap_fixed<8, 4>(1.5)).to_double() == 1.5);
  CHECK((~ap_fixed<8, 4>(0)).to_double() == -0.0625);  // code -1
  CHECK((~ap_uint<4>(5)).to_int() == 10);
  CHECK(!ap_fixed<8, 4>(0));
  CHECK_FALSE(!ap_int<8>(3));
  // getNeg wraps into the same format: -(-8) is -8 again.
  CHECK(ap_fixed<4, 4>(-8).getNeg().to_int() == -8);
  CHECK(ap_fixed<4, 4>(3).getNeg().to_int() == -3);
}

TEST_CASE("widths 1, 32, 63, 64 and beyond", "[ap_types]") {
  // The xnor accumulation of spec §2.3: 2 * acc - n_in with ap_uint<1> data.
  const ap_uint<1> one = 1;
  CHECK((2 * one - 3).to_int() == -1);
  CHECK((one + one).to_int() == 2);  // ap_uint<2>
  CHECK(ap_fixed<1, 1>(-1).to_int() == -1);
  CHECK(ap_ufixed<1, 0>(0.5).to_double() == 0.5);
  // 32 bits: INT_MAX + 1 is exact in the sum's ap_int<33>, wraps when stored.
  ap_int<32> i32 = INT_MAX;
  CHECK((i32 + 1).to_int64() == 2147483648LL);
  i32 += 1;
  CHECK(i32.to_int() == INT_MIN);
  // 63 bits: max 2^62 - 1, wraps to -2^62.
  ap_int<63> i63 = 4611686018427387903LL;
  ++i63;
  CHECK(i63.to_int64() == -4611686018427387904LL);
  CHECK(ap_uint<63>(-1).to_uint64() == 9223372036854775807ull);
  // 64 bits: products need 128.
  const ap_int<64> min64 = LLONG_MIN;
  CHECK((min64 * min64).to_string(10) == "85070591730234615865843651857942052864");  // 2^126
  const ap_uint<64> max64 = ~0ull;
  CHECK((max64 * max64).to_string(10) == "340282366920938463426481119284349108225");  // (2^64-1)^2
  CHECK((max64 + max64).to_string(10) == "36893488147419103230");
  CHECK((-min64).to_string(10) == "9223372036854775808");
  CHECK((ap_int<64>(LLONG_MAX) + 1).to_string(10) == "9223372036854775808");
  // Wider: 2^150 squared is 2^300 in ap_int<400>.
  ap_int<200> big = 1;
  big <<= 150;
  CHECK((big * big).to_string(10) ==
        "203703597633448608626844568840937816105146839366593625063614044935438129976333670618339737"
        "6");
  // Long division: (2^100 + 7) / 3 and its remainder, both signs.
  ap_int<128> dividend = 1;
  dividend <<= 100;
  dividend += 7;
  CHECK((dividend / ap_int<8>(3)).to_string(10) == "422550200076076467165567735127");
  CHECK((dividend % ap_int<8>(3)).to_int() == 2);
  CHECK((-dividend / ap_int<8>(3)).to_string(10) == "-422550200076076467165567735127");
  CHECK((-dividend % ap_int<8>(3)).to_int() == -2);
  // A double converts exactly into a wide type: 1e30 is 1000000000000000019884624838656.
  CHECK(ap_fixed<200, 120>(1e30).to_string(10) == "1000000000000000019884624838656");
  CHECK(ap_fixed<200, 120>(1e30).to_double() == 1e30);
  // Saturation across word boundaries: ap_fixed<100,40> holds [-2^39, 2^39);
  // 1e13 > 2^39 saturates to the code 0111...1, -1e13 to 1000...0.
  const ap_fixed<100, 40, AP_RND, AP_SAT> high = 1e13, low = -1e13;
  CHECK((!high[99] && high.range(98, 0).and_reduce()));
  CHECK((low[99] && !low.range(98, 0).or_reduce()));
  CHECK(ap_fixed<100, 40, AP_RND, AP_SAT>(0.1).to_double() == 0.1);  // F = 60 holds 0.1 exactly
}

TEST_CASE("printing follows the vendor's stream format", "[ap_types]") {
  // Spec §1.9: exact decimal, 6 significant digits, half-up, trailing zeros off.
  CHECK(printed(ap_fixed<16, 6>(0.3)) == "0.299805");                      // 0.2998046875
  CHECK(printed(ap_fixed<16, 6>(std::ldexp(1.0, -10))) == "0.000976563");  // 0.0009765625
  CHECK(printed(ap_fixed<16, 6>(-3)) == "-3");
  CHECK(printed(ap_fixed<16, 6>(0)) == "0");
  CHECK(printed(ap_fixed<16, 6>(2.5)) == "2.5");
  // Four or more zeros after the point: scientific.  2^-16 = 0.0000152587890625.
  CHECK(printed(ap_fixed<32, 16>(std::ldexp(1.0, -16))) == "1.52588e-05");
  CHECK(printed(ap_fixed<32, 16>(std::ldexp(1.0, -13))) == "0.00012207");  // 0.0001220703125
  // Integers: all digits when they need no rounding, else scientific.
  CHECK(printed(ap_fixed<32, 32>(1000000)) == "1000000");
  CHECK(printed(ap_fixed<32, 32>(1234567)) == "1.23457e+06");
  CHECK(printed(ap_fixed<32, 24>(123456.75)) == "123457");
  // 0.9999995 (rounded up past the leading digit) in ap_fixed<40,1>: 1.
  CHECK(printed(ap_fixed<40, 1>(0.99999952316284179688)) == "1");
  std::ostringstream precise;
  precise << std::setprecision(10) << ap_fixed<16, 6>(0.3) << " " << std::setw(6)
          << ap_fixed<8, 4>(0.5);
  CHECK(precise.str() == "0.2998046875    0.5");
  // Integers print as integers; std::hex gives full-width hexadecimal digits.
  CHECK(printed(ap_int<8>(-5)) == "-5");
  CHECK(printed(ap_uint<8>(200)) == "200");
  std::ostringstream hex;
  hex << std::hex << ap_uint<8>(200);
  CHECK(hex.str() == "0xc8");
  CHECK(printed(ap_uint<8>(0xa5)(3, 0)) == "5");
  // to_string: binary by default, as the vendor's.
  CHECK(ap_int<8>(-5).to_string() == "0b11111011");
  CHECK(ap_int<8>(5).to_string(16) == "0x05");
  CHECK(ap_int<8>(-5).to_string(10) == "-5");
  CHECK(ap_int<8>(-5).to_string(10, false) == "251");
  CHECK(ap_fixed<8, 4>(2.75).to_string() == "0b0010.1100");
  CHECK(ap_fixed<8, 4>(-2.75).to_string(10) == "-2.75");
  CHECK(ap_fixed<16, 6>(1.0 / 3).to_string(10) == "0.3330078125");
  // Input: ap_fixed reads a double and converts it; ap_int reads an integer.
  ap_fixed<16, 6> parsed_fixed;
  std::istringstream("0.3") >> parsed_fixed;
  CHECK(code_of(parsed_fixed) == 307);
  ap_int<8> parsed_int;
  std::istringstream("-0x1f") >> parsed_int;
  CHECK(parsed_int.to_int() == -31);
  std::istringstream bad("1.5");
  bad >> parsed_int;
  CHECK(bad.fail());
}

namespace {

// A dense layer and activations as hls4ml's nnet_utils write them (spec
// §2.3, §2.6), checking that vendor-style code compiles and computes the
// firmware's numbers.
struct dense_config {
  static const unsigned n_in = 2;
  static const unsigned n_out = 2;
  typedef ap_fixed<8, 2> accum_t;  // F = 6
  typedef ap_fixed<8, 3> weight_t;
  typedef ap_fixed<8, 3> bias_t;
};

template <class x_T, class w_T>
struct mult {
  static auto product(x_T a, w_T w) -> decltype(a * w) { return a * w; }
};
template <class x_T, class w_T>
struct weight_ternary {
  static auto product(x_T a, w_T w) -> decltype(-a) {
    if (w == 0) return 0;
    if (w == -1) return -a;
    return a;
  }
};

template <class data_T, class res_T, class CONFIG_T>
void dense(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
           typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  typename CONFIG_T::accum_t acc[CONFIG_T::n_out];
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) acc[j] = (typename CONFIG_T::accum_t)biases[j];
  for (unsigned i = 0; i < CONFIG_T::n_in; i++) {
    for (unsigned j = 0; j < CONFIG_T::n_out; j++) {
      typename CONFIG_T::accum_t product = mult<data_T, typename CONFIG_T::weight_t>::product(
          data[i], weights[i * CONFIG_T::n_out + j]);
      acc[j] += product;
    }
  }
  for (unsigned j = 0; j < CONFIG_T::n_out; j++) res[j] = (res_T)acc[j];
}

template <class data_T, class res_T>
void relu(const data_T& data, res_T& res) {
  if (data > 0)
    res = data;
  else
    res = 0;
}

}  // namespace

TEST_CASE("vendor-style nnet code computes the firmware's numbers", "[ap_types]") {
  ap_fixed<8, 3> data[2] = {0.59375, -1.25};  // 19/32, -40/32
  ap_fixed<8, 3> weights[4] = {0.40625, 1.5, -0.75, 0.09375};
  ap_fixed<8, 3> biases[2] = {0.25, -0.5};
  ap_fixed<6, 3, AP_RND_CONV, AP_SAT> res[2];
  dense<ap_fixed<8, 3>, ap_fixed<6, 3, AP_RND_CONV, AP_SAT>, dense_config>(data, res, weights,
                                                                           biases);
  // out 0: products quantized to F = 6 (floor): 19/32 * 13/32 = 247/1024 ->
  // floor(15.4375) = 15/64; -1.25 * -0.75 = 0.9375 = 60/64.
  // acc = 16/64 + 15/64 + 60/64 = 91/64; into <6,3> (F = 3): 11.375 -> 11 -> 1.375.
  CHECK(res[0].to_double() == 1.375);
  // out 1: 19/32 * 1.5 = 57/64; -1.25 * 3/32 = -0.1171875 = -7.5/64 -> floor -8/64.
  // acc = -32/64 + 57/64 - 8/64 = 17/64; * 8 = 2.125 -> 2 -> 0.25.
  CHECK(res[1].to_double() == 0.25);
  // relu with AP_RND_CONV, AP_SAT result: 4.3 -> 4.25 (F = 3: 34.4 -> 34), -1 -> 0.
  ap_ufixed<6, 3, AP_RND_CONV, AP_SAT> relu_out;
  relu(ap_fixed<16, 6>(4.3125), relu_out);  // 34.5 -> tie -> 34 (even)
  CHECK(relu_out.to_double() == 4.25);
  relu(ap_fixed<16, 6>(9), relu_out);
  CHECK(relu_out.to_double() == 7.875);  // saturated
  relu(ap_fixed<16, 6>(-1), relu_out);
  CHECK(relu_out.to_double() == 0.0);
  // Ternary weights: 0, -a or a, as decltype(-a).
  STATIC_REQUIRE(
      std::is_same<decltype(weight_ternary<ap_fixed<8, 3>, ap_int<2> >::product(data[0], 1)),
                   ap_fixed<9, 4> >::value);
  CHECK(weight_ternary<ap_fixed<8, 3>, ap_int<2> >::product(data[1], ap_int<2>(-1)).to_double() ==
        1.25);
  CHECK(weight_ternary<ap_fixed<8, 3>, ap_int<2> >::product(data[1], ap_int<2>(0)).to_double() ==
        0.0);
  // Power-of-two weights: (r_T)a << exponent, a negative exponent shifting right.
  typedef ap_fixed<24, 12> r_T;
  CHECK((static_cast<r_T>(data[1]) << ap_int<4>(-2)).to_double() == -0.3125);
  CHECK((static_cast<r_T>(data[0]) << ap_int<4>(3)).to_double() == 4.75);
  // Max pooling's padding value: the sign bit alone, the type's minimum.
  ap_fixed<8, 3> pad = 0;
  pad[pad.width - 1] = 1;
  CHECK(pad.to_double() == -4.0);
}

// ---------------------------------------------------------------------------
// Cross-check against quantizers::FixedType::quantize for every quantization
// mode and every overflow mode it supports (not AP_WRAP_SM).

namespace {

const char* const kQuantNames[] = {"AP_RND",      "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF",
                                   "AP_RND_CONV", "AP_TRN",      "AP_TRN_ZERO"};
const char* const kOverflowNames[] = {"AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM", "AP_WRAP",
                                      "AP_WRAP_SM"};

// One format and mode: the conversion of a double, directly and through a
// wider ap_fixed<50, I + 4> (which holds doubles near the range exactly).
struct Conversion {
  int width, integer;
  bool is_signed;
  ap_q_mode quantization;
  ap_o_mode overflow;
  int saturation_bits;
  double (*from_double)(double);
  double (*from_wider)(double);
  double (*wider)(double);
};

template <int I>
double wider(double x) {
  return ap_fixed<50, I + 4>(x).to_double();
}

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
Conversion conversion() {
  struct convert {
    static double from_double(double x) { return ap_fixed_base<W, I, S, Q, O, N>(x).to_double(); }
    static double from_wider(double x) {
      return ap_fixed_base<W, I, S, Q, O, N>(ap_fixed<50, I + 4>(x)).to_double();
    }
  };
  return Conversion{W, I, S, Q, O, N, &convert::from_double, &convert::from_wider, &wider<I>};
}

// Random inputs around the range: anywhere within a factor 8 of it, grid
// points at half and quarter LSBs (ties and their neighbours), values far
// outside, and ap_fixed sources.  Returns the first disagreement, or "".
std::string disagreement(const Conversion& c, std::mt19937_64& rng) {
  std::ostringstream name;
  name << (c.is_signed ? "ap_fixed<" : "ap_ufixed<") << c.width << "," << c.integer << ","
       << kQuantNames[c.quantization] << "," << kOverflowNames[c.overflow] << ","
       << c.saturation_bits << ">";
  const quantizers::FixedType type = quantizers::FixedType::parse(name.str());
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> near(-3, 3);
  std::uniform_int_distribution<int> far(-80, 80);
  // Grid points k * 2^(I + 1 - grid_bits), |k| < 2^grid_bits: half LSBs over
  // twice the range (coarser for W > 50, where k must stay exact).
  const int grid_bits = c.width + 2 < 52 ? c.width + 2 : 52;
  for (int k = 0; k < 300; ++k) {
    const double u = unit(rng);
    double x = 0;
    switch (k % 5) {
      case 0:
      case 4:
        x = std::ldexp(u, c.integer + near(rng));
        break;
      case 1:
        x = std::ldexp(std::round(std::ldexp(u, grid_bits)), c.integer + 1 - grid_bits);
        break;
      case 2:
        x = std::ldexp(std::round(std::ldexp(u, grid_bits)), c.integer - grid_bits);
        break;
      case 3:
        x = std::ldexp(u, c.integer + far(rng));
        break;
    }
    const bool from_wider = k % 5 == 4;
    const double source = from_wider ? c.wider(x) : x;
    const double converted = from_wider ? c.from_wider(x) : c.from_double(x);
    if (converted != type.quantize(source)) {
      std::ostringstream what;
      what << name.str() << " from " << (from_wider ? "ap_fixed<50,I+4> " : "double ")
           << std::setprecision(17) << source << ": " << converted << " vs FixedType "
           << type.quantize(source);
      return what.str();
    }
  }
  return "";
}

template <int W, int I, bool S, ap_q_mode Q>
void add_overflow_modes(std::vector<Conversion>& all) {
  all.push_back(conversion<W, I, S, Q, AP_WRAP, 0>());
  all.push_back(conversion<W, I, S, Q, AP_SAT, 0>());
  all.push_back(conversion<W, I, S, Q, AP_SAT_ZERO, 0>());
  all.push_back(conversion<W, I, S, Q, AP_SAT_SYM, 0>());
  all.push_back(conversion<W, I, S, Q, AP_WRAP, 1>());
  all.push_back(conversion<W, I, S, Q, AP_WRAP, (W < 3 ? W : 3)>());
}

template <int W, int I, bool S>
void add_all_modes(std::vector<Conversion>& all) {
  add_overflow_modes<W, I, S, AP_RND>(all);
  add_overflow_modes<W, I, S, AP_RND_ZERO>(all);
  add_overflow_modes<W, I, S, AP_RND_MIN_INF>(all);
  add_overflow_modes<W, I, S, AP_RND_INF>(all);
  add_overflow_modes<W, I, S, AP_RND_CONV>(all);
  add_overflow_modes<W, I, S, AP_TRN>(all);
  add_overflow_modes<W, I, S, AP_TRN_ZERO>(all);
}

}  // namespace

TEST_CASE("ap_fixed conversion agrees with FixedType::quantize", "[ap_types][fixed_type]") {
  std::vector<Conversion> all;
  add_all_modes<1, 1, true>(all);
  add_all_modes<1, 0, false>(all);
  add_all_modes<4, 4, true>(all);
  add_all_modes<4, 4, false>(all);
  add_all_modes<8, 3, true>(all);
  add_all_modes<8, 3, false>(all);
  add_all_modes<8, -2, true>(all);
  add_all_modes<6, 9, false>(all);
  add_all_modes<16, 6, true>(all);
  add_all_modes<18, 8, true>(all);
  add_all_modes<24, 12, false>(all);
  add_all_modes<32, 16, true>(all);
  add_all_modes<40, 0, false>(all);
  add_all_modes<53, 20, true>(all);
  add_all_modes<53, 53, false>(all);
  std::mt19937_64 rng(20240601);
  std::vector<std::string> failures;
  for (const Conversion& c : all) {
    const std::string found = disagreement(c, rng);
    if (!found.empty()) failures.push_back(found);
  }
  INFO((failures.empty() ? std::string() : failures.front()));
  CHECK(failures.size() == 0u);
}
