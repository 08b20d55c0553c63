// Element loops compiled for the widest vector instructions the CPU has:
// each loop is built for the baseline ISA and, on x86-64, also for AVX2 and
// AVX-512, and run_loop picks one at run time.  Used by the quantizer kernels
// and by the firmware emulator's row programs.
#pragma once

#include <cstdint>

namespace quantizers::kernels {

namespace detail {

// Each element loop is compiled for the baseline ISA and, on x86-64, also
// for AVX2 (eight floats or four doubles per instruction, and blends) and
// AVX-512 (twice as many, and masks), with everything it calls inlined (flatten); run_loop picks the
// widest the CPU has.  The results are the same: run_loop's variants bring no
// FMA (and contraction is off anyway; run_exact_loop's, below, fuse only
// exact products), and flush-to-zero is MXCSR's for all three.
// The runners take the loop by value and stay out of line, so that its
// constants are their own, not variables whose address escaped to the thread
// pool (which the compiler would reload on every element instead of
// vectorising).
template <class Loop, class... A>
[[gnu::noinline, gnu::flatten]] void run_baseline(Loop loop, A... args) {
  loop(args...);
}

#if defined(__GNUC__) && defined(__x86_64__)
#define QUANTIZERS_X86_LOOPS 1
template <class Loop, class... A>
[[gnu::noinline, gnu::flatten, gnu::target("avx2")]] void run_avx2(Loop loop, A... args) {
  loop(args...);
}

template <class Loop, class... A>
[[gnu::noinline, gnu::flatten, gnu::target("avx512f,avx512bw,avx512vl,avx512dq")]] void run_avx512(Loop loop,
                                                                                                    A... args) {
  loop(args...);
}

// The same with fused multiply-adds, for run_exact_loop.
template <class Loop, class... A>
[[gnu::noinline, gnu::flatten, gnu::target("avx2,fma"), gnu::optimize("fp-contract=fast")]] void run_avx2_fma(
    Loop loop, A... args) {
  loop(args...);
}

template <class Loop, class... A>
[[gnu::noinline, gnu::flatten, gnu::target("avx512f,avx512bw,avx512vl,avx512dq,fma"),
  gnu::optimize("fp-contract=fast")]] void run_avx512_fma(Loop loop, A... args) {
  loop(args...);
}
#endif

}  // namespace detail

// The instruction sets of the element loops.
enum class Isa { Baseline, Avx2, Avx512 };

// The widest the CPU has, or a narrower one named by the environment variable
// QTRAIN_KERNEL_ISA ("baseline" or "avx2"), to test and compare the paths.
Isa loop_isa();

// Runs loop(args...), a function object holding an element loop, compiled
// for loop_isa().  Pointer parameters of the loop should be __restrict so
// that it vectorises.
template <class Loop, class... A>
void run_loop(const Loop& loop, A... args) {
#ifdef QUANTIZERS_X86_LOOPS
  switch (loop_isa()) {
    case Isa::Avx512: return detail::run_avx512(loop, args...);
    case Isa::Avx2: return detail::run_avx2(loop, args...);
    case Isa::Baseline: break;
  }
#endif
  detail::run_baseline(loop, args...);
}

// Whether the CPU has fused multiply-adds (FMA3).
bool cpu_has_fma();

// run_loop for loops whose floating-point products and sums are all exact,
// so that a fused multiply-add gives the same value in one instruction: they
// are compiled with contraction (the project's -ffp-contract=off keeps
// QKeras' order of operations everywhere else), and with FMA under AVX-512,
// and under AVX2 when the CPU has it.
template <class Loop, class... A>
void run_exact_loop(const Loop& loop, A... args) {
#ifdef QUANTIZERS_X86_LOOPS
  switch (loop_isa()) {
    case Isa::Avx512: return detail::run_avx512_fma(loop, args...);
    case Isa::Avx2:
      if (cpu_has_fma()) return detail::run_avx2_fma(loop, args...);
      return detail::run_avx2(loop, args...);
    case Isa::Baseline: break;
  }
#endif
  detail::run_baseline(loop, args...);
}

}  // namespace quantizers::kernels
