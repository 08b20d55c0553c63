// Fixed-size two's-complement integers in 64-bit words: the arithmetic under
// every ap type.  A W-bit value lives in words_for(W) words with the bits
// above W holding copies of the sign (signed) or zeros (unsigned), so a
// value can be read past its last word as an infinite two's-complement
// number; readers that go past it say whether the value is signed.
// Word counts are compile-time constants, so loops over words unroll, and a
// value of up to 64 bits costs a single machine word.
#pragma once

#include <cassert>
#include <cstdint>

namespace ap_detail {

typedef std::uint64_t word;
const int word_bits = 64;
const word all_ones = ~word(0);

constexpr int words_for(int bits) {
  return bits <= word_bits ? 1 : (bits + word_bits - 1) / word_bits;
}

template <int N>
struct words {
  word w[N];
};

template <int N>
bool is_negative(const words<N>& a, bool is_signed) {
  return is_signed && (a.w[N - 1] >> (word_bits - 1)) != 0;
}

// The words past the last one: all ones for a negative value, else zero.
template <int N>
word fill_of(const words<N>& a, bool is_signed) {
  return is_negative(a, is_signed) ? all_ones : 0;
}

// Word `i` of the infinite extension; positions below bit 0 read as zero.
template <int N>
word word_at(const words<N>& a, bool is_signed, int i) {
  return i < 0 ? 0 : i < N ? a.w[i] : fill_of(a, is_signed);
}

// The 64 bits of the infinite extension that start at bit `pos`.
template <int N>
word bits_at(const words<N>& a, bool is_signed, int pos) {
  const int index = pos >= 0 ? pos / word_bits : -((word_bits - 1 - pos) / word_bits);
  const int offset = pos - index * word_bits;
  const word low = word_at(a, is_signed, index) >> offset;
  return offset == 0 ? low : low | word_at(a, is_signed, index + 1) << (word_bits - offset);
}

template <int N>
bool bit_at(const words<N>& a, bool is_signed, int pos) {
  return (bits_at(a, is_signed, pos) & 1) != 0;
}

// floor(a * 2^shift) modulo 2^(64 NR): alignment of binary points, sign or
// zero extension and truncation in one step.
template <int NR, int N>
words<NR> shifted(const words<N>& a, bool is_signed, int shift) {
  words<NR> r;
  for (int i = 0; i < NR; ++i) r.w[i] = bits_at(a, is_signed, i * word_bits - shift);
  return r;
}

// The bits of word `i` that lie in [lo, lo + count).
inline word range_mask(int i, int lo, int count) {
  const int first = lo - i * word_bits;  // relative to the word's bit 0
  const int last = first + count;        // one past the range
  if (last <= 0 || first >= word_bits) return 0;
  const word from_first = first <= 0 ? all_ones : all_ones << first;
  const word to_last = last >= word_bits ? all_ones : all_ones >> (word_bits - last);
  return from_first & to_last;
}

// Bits [lo, lo + count) of `a`, as an unsigned number.
template <int NR, int N>
words<NR> get_bits(const words<N>& a, bool is_signed, int lo, int count) {
  words<NR> r = shifted<NR>(a, is_signed, -lo);
  for (int i = 0; i < NR; ++i) r.w[i] &= range_mask(i, 0, count);
  return r;
}

// Replaces bits [lo, lo + count) of `a` with the low `count` bits of `v`'s
// infinite extension.
template <int N, int NV>
void set_bits(words<N>& a, int lo, int count, const words<NV>& v, bool v_signed) {
  for (int i = 0; i < N; ++i) {
    const word mask = range_mask(i, lo, count);
    a.w[i] = (a.w[i] & ~mask) | (bits_at(v, v_signed, i * word_bits - lo) & mask);
  }
}

template <int N>
void set_bit(words<N>& a, int pos, bool value) {
  assert(pos >= 0 && pos < N * word_bits && "bit index out of range");
  const word mask = word(1) << (pos % word_bits);
  a.w[pos / word_bits] = value ? a.w[pos / word_bits] | mask : a.w[pos / word_bits] & ~mask;
}

// Sets bits [lo, hi] to `value`.
template <int N>
void fill_bits(words<N>& a, int lo, int hi, bool value) {
  for (int i = 0; i < N; ++i) {
    const word mask = range_mask(i, lo, hi - lo + 1);
    a.w[i] = value ? a.w[i] | mask : a.w[i] & ~mask;
  }
}

// Whether any of the bits [0, count) is set.
template <int N>
bool any_below(const words<N>& a, int count) {
  for (int i = 0; i < N; ++i) {
    if (a.w[i] & range_mask(i, 0, count)) return true;
  }
  return false;
}

// Whether every bit from `pos` up equals the sign, i.e. the value fits in
// pos + 1 bits as a signed number (pos bits unsigned when it is not negative).
template <int N>
bool is_fill_from(const words<N>& a, bool is_signed, int pos) {
  const word fill = fill_of(a, is_signed);
  for (int i = 0; i < N; ++i) {
    if ((a.w[i] ^ fill) & range_mask(i, pos, N * word_bits)) return false;
  }
  return true;
}

template <int N>
bool is_zero(const words<N>& a) {
  for (int i = 0; i < N; ++i) {
    if (a.w[i] != 0) return false;
  }
  return true;
}

template <int N>
bool operator==(const words<N>& a, const words<N>& b) {
  for (int i = 0; i < N; ++i) {
    if (a.w[i] != b.w[i]) return false;
  }
  return true;
}

// Keeps the low `width` bits and refills the bits above them with copies of
// bit width - 1 (signed) or zeros: the storage form of a W-bit value.
template <int N>
void normalize(words<N>& a, int width, bool is_signed) {
  const int used = width - (N - 1) * word_bits;  // bits of the top word in use
  if (used >= word_bits) return;
  const word top = a.w[N - 1] & (all_ones >> (word_bits - used));
  const bool sign = is_signed && ((top >> (used - 1)) & 1) != 0;
  a.w[N - 1] = sign ? top | (all_ones << used) : top;
}

// Arithmetic modulo 2^(64 N).

template <int N>
words<N> operator+(const words<N>& a, const words<N>& b) {
  words<N> r;
  word carry = 0;
  for (int i = 0; i < N; ++i) {
    const word partial = a.w[i] + carry;
    carry = partial < carry;
    r.w[i] = partial + b.w[i];
    carry |= r.w[i] < partial;
  }
  return r;
}

template <int N>
words<N> operator-(const words<N>& a, const words<N>& b) {
  words<N> r;
  word borrow = 0;
  for (int i = 0; i < N; ++i) {
    const word partial = a.w[i] - borrow;
    borrow = a.w[i] < borrow;
    r.w[i] = partial - b.w[i];
    borrow |= partial < b.w[i];
  }
  return r;
}

template <int N>
words<N> operator-(const words<N>& a) {
  return words<N>() - a;
}

template <int N>
words<N> operator~(const words<N>& a) {
  words<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = ~a.w[i];
  return r;
}

template <int N>
words<N> operator&(const words<N>& a, const words<N>& b) {
  words<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = a.w[i] & b.w[i];
  return r;
}

template <int N>
words<N> operator|(const words<N>& a, const words<N>& b) {
  words<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = a.w[i] | b.w[i];
  return r;
}

template <int N>
words<N> operator^(const words<N>& a, const words<N>& b) {
  words<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = a.w[i] ^ b.w[i];
  return r;
}

template <int N>
void increment(words<N>& a) {
  for (int i = 0; i < N; ++i) {
    if (++a.w[i] != 0) return;
  }
}

// The 128-bit product of two words, without compiler extensions.
inline void multiply_words(word a, word b, word& high, word& low) {
  const word mask = 0xffffffffu;
  const word ll = (a & mask) * (b & mask);
  const word lh = (a & mask) * (b >> 32);
  const word hl = (a >> 32) * (b & mask);
  const word hh = (a >> 32) * (b >> 32);
  const word middle = (ll >> 32) + (lh & mask) + (hl & mask);
  low = (middle << 32) | (ll & mask);
  high = hh + (lh >> 32) + (hl >> 32) + (middle >> 32);
}

template <int N>
words<N> operator*(const words<N>& a, const words<N>& b) {
  words<N> r = {};
  for (int i = 0; i < N; ++i) {
    word carry = 0;
    for (int j = 0; i + j < N; ++j) {
      word high = 0;
      word low = a.w[i] * b.w[j];
      if (i + j + 1 < N) multiply_words(a.w[i], b.w[j], high, low);
      const word sum = r.w[i + j] + low;
      high += sum < low;
      r.w[i + j] = sum + carry;
      carry = high + (r.w[i + j] < sum);
    }
  }
  return r;
}

// Signed comparison: -1, 0 or 1.
template <int N>
int compare(const words<N>& a, const words<N>& b) {
  const bool a_negative = is_negative(a, true);
  if (a_negative != is_negative(b, true)) return a_negative ? -1 : 1;
  for (int i = N - 1; i >= 0; --i) {
    if (a.w[i] != b.w[i]) return a.w[i] < b.w[i] ? -1 : 1;
  }
  return 0;
}

// Unsigned division with remainder; `divisor` must not be zero.
template <int N>
void divide_unsigned(const words<N>& dividend, const words<N>& divisor, words<N>& quotient,
                     words<N>& remainder) {
  if (N == 1) {  // the machine instruction for the common single-word case
    quotient.w[0] = dividend.w[0] / divisor.w[0];
    remainder.w[0] = dividend.w[0] % divisor.w[0];
    return;
  }
  // Shift and subtract, one quotient bit at a time.  The partial remainder
  // gets an extra word: shifted left it may exceed 64 N bits.
  const words<N + 1> wide_divisor = shifted<N + 1>(divisor, false, 0);
  words<N + 1> partial = {};
  quotient = words<N>();
  for (int bit = N * word_bits - 1; bit >= 0; --bit) {
    partial = shifted<N + 1>(partial, false, 1);
    partial.w[0] |= (dividend.w[bit / word_bits] >> (bit % word_bits)) & 1;
    if (compare(partial, wide_divisor) >= 0) {
      partial = partial - wide_divisor;
      set_bit(quotient, bit, true);
    }
  }
  remainder = shifted<N>(partial, false, 0);
}

// Division truncated toward zero (C semantics) of signed N-word numbers that
// are not the most negative value; the remainder takes the dividend's sign.
template <int N>
void divide_signed(const words<N>& dividend, const words<N>& divisor, words<N>& quotient,
                   words<N>& remainder) {
  const bool dividend_negative = is_negative(dividend, true);
  const bool divisor_negative = is_negative(divisor, true);
  divide_unsigned(dividend_negative ? -dividend : dividend, divisor_negative ? -divisor : divisor,
                  quotient, remainder);
  if (dividend_negative != divisor_negative) quotient = -quotient;
  if (dividend_negative) remainder = -remainder;
}

// a = a * factor + addend for an unsigned `a`; factor and addend < 2^32.
template <int N>
void multiply_add_small(words<N>& a, word factor, word addend) {
  word carry = addend;
  for (int i = 0; i < N; ++i) {
    const word low = (a.w[i] & 0xffffffffu) * factor + carry;
    const word high = (a.w[i] >> 32) * factor + (low >> 32);
    a.w[i] = (high << 32) | (low & 0xffffffffu);
    carry = high >> 32;
  }
}

// a = a / divisor for an unsigned `a`, returning the remainder; divisor < 2^32.
template <int N>
word divide_small(words<N>& a, word divisor) {
  word remainder = 0;
  for (int i = N - 1; i >= 0; --i) {
    const word high = (remainder << 32) | (a.w[i] >> 32);
    const word low = ((high % divisor) << 32) | (a.w[i] & 0xffffffffu);
    a.w[i] = (high / divisor) << 32 | (low / divisor);
    remainder = low % divisor;
  }
  return remainder;
}

// Index of the highest set bit of an unsigned value, or -1 for zero.
template <int N>
int highest_bit(const words<N>& a) {
  for (int i = N - 1; i >= 0; --i) {
    if (a.w[i] == 0) continue;
    int b = word_bits - 1;
    while (((a.w[i] >> b) & 1) == 0) --b;
    return i * word_bits + b;
  }
  return -1;
}

// The low `count` bits set.
template <int N>
words<N> low_ones(int count) {
  words<N> r;
  for (int i = 0; i < N; ++i) r.w[i] = range_mask(i, 0, count);
  return r;
}

}  // namespace ap_detail
