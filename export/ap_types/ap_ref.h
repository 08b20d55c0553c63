// Proxies returned by x[i] / x.bit(i) and x.range(hi, lo) / x(hi, lo) on
// ap_int and ap_fixed: they read and write the raw two's-complement bits of
// the owner.  A range reads as an unsigned number (an ap_uint of the owner's
// width); with hi < lo its bits come in reverse order, as in the vendor
// headers.  The vendor's proxy names (ap_bit_ref, ap_range_ref, af_bit_ref,
// af_range_ref) are aliases of these, declared in ap_int.h and ap_fixed.h.
#pragma once

#include <ostream>
#include <string>

#include "ap_arith.h"
#include "ap_common.h"

namespace ap_detail {

// What a proxy needs to know about the value it refers to.
template <class Owner>
struct owner_traits;
template <int W, bool S>
struct owner_traits<ap_int_base<W, S> > {
  static const bool is_signed = S;
  static const bool is_fixed = false;
};
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct owner_traits<ap_fixed_base<W, I, S, Q, O, N> > {
  static const bool is_signed = S;
  static const bool is_fixed = true;
};
template <class Owner>
struct owner_traits<const Owner> : owner_traits<Owner> {};

template <class Owner>
class bit_ref {
 public:
  bit_ref(Owner* owner, int index) : owner_(owner), index_(index) {}
  bit_ref(const bit_ref&) = default;

  operator bool() const { return get(); }
  bool get() const { return bit_at(owner_->bits_, false, index_); }
  bool to_bool() const { return get(); }
  bool operator~() const { return !get(); }
  int length() const { return 1; }
  std::string to_string() const { return get() ? "1" : "0"; }

  // Writing stores whether the value is non-zero, like the vendor headers.
  bit_ref& operator=(const bit_ref& other) { return set(other.get()); }
  template <class OtherOwner>
  bit_ref& operator=(const bit_ref<OtherOwner>& other) {
    return set(other.get());
  }
  template <class T>
  typename std::enable_if<(c_int<T>::width > 0), bit_ref&>::type operator=(T value) {
    return set(value != 0);
  }
  bit_ref& operator=(double value) { return set(value != 0); }
  template <int W2, bool S2>
  bit_ref& operator=(const ap_int_base<W2, S2>& value) {
    return set(!value.iszero());
  }

 private:
  bit_ref& set(bool value) {
    set_bit(owner_->bits_, index_, value);
    normalize(owner_->bits_, Owner::width, owner_traits<Owner>::is_signed);
    return *this;
  }

  Owner* owner_;
  int index_;
};

template <class Owner>
class range_ref {
 public:
  enum { owner_width = Owner::width };
  typedef ap_uint<owner_width> value_type;

  range_ref(Owner* owner, int hi, int lo) : owner_(owner), hi_(hi), lo_(lo) {}
  range_ref(const range_ref&) = default;

  value_type get() const {
    value_type r;
    if (hi_ >= lo_) {
      r.bits_ = get_bits<words_for(owner_width)>(owner_->bits_, false, lo_, length());
    } else {
      for (int i = 0; i < length(); ++i) set_bit(r.bits_, i, bit_at(owner_->bits_, false, lo_ - i));
    }
    return r;
  }
  operator ap_ulong() const { return get().to_uint64(); }
  int to_int() const { return get().to_int(); }
  unsigned to_uint() const { return get().to_uint(); }
  long to_long() const { return get().to_long(); }
  unsigned long to_ulong() const { return get().to_ulong(); }
  ap_slong to_int64() const { return get().to_int64(); }
  ap_ulong to_uint64() const { return get().to_uint64(); }
  int length() const { return (hi_ >= lo_ ? hi_ - lo_ : lo_ - hi_) + 1; }
  bool and_reduce() const { return and_reduce_bits(get().bits_, length()); }
  bool or_reduce() const { return !get().iszero(); }
  bool xor_reduce() const { return xor_reduce_bits(get().bits_, length()); }
  std::string to_string(int radix = 2) const { return get().to_string(radix); }

  // Writing stores the low length() bits of the value's two's complement.
  range_ref& operator=(const range_ref& other) { return set(other.get().bits_, false); }
  template <class OtherOwner>
  range_ref& operator=(const range_ref<OtherOwner>& other) {
    return set(other.get().bits_, false);
  }
  template <class OtherOwner>
  range_ref& operator=(const bit_ref<OtherOwner>& other) {
    return set(c_int_words(other.get()), false);
  }
  template <class T>
  typename std::enable_if<(c_int<T>::width > 0), range_ref&>::type operator=(T value) {
    return set(c_int_words(value), c_int<T>::is_signed);
  }
  range_ref& operator=(double value) { return set(value_type(value).bits_, false); }
  template <int W2, bool S2>
  range_ref& operator=(const ap_int_base<W2, S2>& value) {
    return set(value.bits_, S2);
  }
  // Into an ap_fixed the bits are copied; into an ap_int the integer part
  // goes (vendor behaviour).
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  range_ref& operator=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& value) {
    return owner_traits<Owner>::is_fixed ? set(value.bits_, S2)
                                         : set(value.to_ap_int_base().bits_, S2);
  }

 private:
  template <int N>
  range_ref& set(const words<N>& value, bool is_signed) {
    if (hi_ >= lo_) {
      set_bits(owner_->bits_, lo_, length(), value, is_signed);
    } else {
      for (int i = 0; i < length(); ++i)
        set_bit(owner_->bits_, lo_ - i, bit_at(value, is_signed, i));
    }
    normalize(owner_->bits_, owner_width, owner_traits<Owner>::is_signed);
    return *this;
  }

  Owner* owner_;
  int hi_;
  int lo_;
};

template <class Owner>
std::ostream& operator<<(std::ostream& os, const range_ref<Owner>& r) {
  return os << r.get();
}

}  // namespace ap_detail
