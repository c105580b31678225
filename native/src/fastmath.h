// Float math shared by the elementwise kernels and the fused bias + activation epilogues of conv and matMul.
//
// Float32 exp / tanh / sigmoid / expm1 without libm calls: std::exp and std::tanh are scalar calls, so loops over
// them ran one element at a time (tanh [64,128]: 93 µs). The functions below work in double on a branch-free exp
// (Cody-Waite reduction by ln 2, Taylor polynomial on |r| <= ln2/2, 2^n built in the exponent bits): the compiler
// vectorizes the loops, and the double result, rounded once to float, is within 1 ulp of the float64 functions.
// Inputs are clamped where the float result already is 0, 1 or inf; NaN is passed through by a final select.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "common.h"

namespace tn {

constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // n·kLn2Hi is exact for |n| < 2^11
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kRound = 6755399441055744.0;  // 1.5·2^52: adding it rounds to an integer held in the low bits

/** Splits x (|x| <= ~700) as n·ln2 + r, |r| <= ln2/2; returns r, sets scale = 2^n. */
inline double ReduceLn2(double x, double& scale) {
  const double shifted = x * kLog2e + kRound;
  const double n = shifted - kRound;
  int64_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  const int64_t e = (bits - int64_t{0x4338000000000000}) + 1023;  // n + bias (low bits of `shifted` hold n)
  const int64_t sbits = e << 52;
  std::memcpy(&scale, &sbits, sizeof scale);
  return (x - n * kLn2Hi) - n * kLn2Lo;
}

/** e^r - 1 for |r| <= ln2/2, relative error ~1e-13 (Taylor to degree 11). */
inline double Expm1Poly(double r) {
  double p = 1.0 / 39916800;
  p = p * r + 1.0 / 3628800;
  p = p * r + 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  return r + (r * r) * p;
}

inline double ExpD(double x) {  // x in [-700, 700]
  double scale;
  const double r = ReduceLn2(x, scale);
  return scale + scale * Expm1Poly(r);
}

inline double Clamp(double x, double lo, double hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

inline float ExpF(float xf) {
  const double x = Clamp(xf, -120.0, 100.0);  // float exp is 0 below -104 and inf above 89
  const float y = static_cast<float>(ExpD(x));
  return xf != xf ? xf : y;
}

inline float SigmoidF(float xf) {
  const double x = Clamp(xf, -120.0, 120.0);  // float sigmoid is 0 below -104 and 1 above 17
  const float y = static_cast<float>(1.0 / (1.0 + ExpD(-x)));
  return xf != xf ? xf : y;
}

/** tanh|x| = -m/(2+m), m = expm1(-2|x|) = 2^n·p + (2^n - 1): no cancellation near 0, sign restored from x. */
inline float TanhF(float xf) {
  const double a = std::fabs(static_cast<double>(xf));
  const double u = -2.0 * (a > 20.0 ? 20.0 : a);  // float tanh is 1 above 9.1
  double scale;
  const double r = ReduceLn2(u, scale);
  const double m = scale * Expm1Poly(r) + (scale - 1.0);
  const float t = static_cast<float>(-m / (2.0 + m));
  const float y = std::copysign(t, xf);
  return xf != xf ? xf : y;
}

/** e^x - 1 for float x (elu's negative side): expm1 = 2^n·(e^r - 1) + (2^n - 1), exact near 0. */
inline float Expm1F(float xf) {
  const double x = Clamp(xf, -120.0, 100.0);  // float expm1 is -1 below -17 and inf above 89
  double scale;
  const double r = ReduceLn2(x, scale);
  const float y = static_cast<float>(scale * Expm1Poly(r) + (scale - 1.0));
  return xf != xf ? xf : y;
}

// ---- fused activations (the activations of tn.fused.conv2d / tn.fused.matMul) ----

/** Activation codes, as src/backend/native/conv.ts sends them. */
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kTanh = 5, kLeakyRelu = 6, kActivationCount = 7 };

/** The activations that are a select or two (no transcendental function): cheap enough to apply in registers. */
inline bool IsCheap(int act) { return act == kLinear || act == kRelu || act == kRelu6 || act == kLeakyRelu; }

/** act(v) for one element, with the cpu kernels' conventions (NaN propagates; relu6 clips to [0, 6]). */
template <int A, class T>
inline T Activate(T v, T alpha) {
  if constexpr (A == kRelu) return v < T(0) ? T(0) : v;
  if constexpr (A == kRelu6) return v < T(0) ? T(0) : (v > T(6) ? T(6) : v);
  if constexpr (A == kLeakyRelu) return v > T(0) ? v : alpha * v;
  if constexpr (A == kElu) {
    if constexpr (sizeof(T) == 4) return v > T(0) ? v : Expm1F(v);
    else return v > T(0) ? v : std::expm1(v);
  }
  if constexpr (A == kSigmoid) {
    if constexpr (sizeof(T) == 4) return SigmoidF(v);
    else return v >= T(0) ? T(1) / (T(1) + std::exp(-v)) : std::exp(v) / (T(1) + std::exp(v));
  }
  if constexpr (A == kTanh) {
    if constexpr (sizeof(T) == 4) return TanhF(v);
    else return std::tanh(v);
  }
  (void)alpha;
  return v;
}

template <int A, class T>
inline void EpilogueRows(T* __restrict y, i64 rows, i64 cols, i64 ldy, const T* __restrict bias, T alpha) {
  for (i64 r = 0; r < rows; r++) {
    T* __restrict row = y + r * ldy;
    if (bias != nullptr) {
      for (i64 j = 0; j < cols; j++) row[j] = Activate<A>(row[j] + bias[j], alpha);
    } else if (A != kLinear) {
      for (i64 j = 0; j < cols; j++) row[j] = Activate<A>(row[j], alpha);
    }
  }
}

/**
 * y[r, j] = act(y[r, j] + bias[j]) in place over a [rows, cols] block (row stride ldy); bias may be null. Called on
 * blocks just written, while they are in cache.
 */
template <class T>
void Epilogue(T* y, i64 rows, i64 cols, i64 ldy, const T* bias, int act, T alpha) {
  switch (act) {
    case kRelu: EpilogueRows<kRelu>(y, rows, cols, ldy, bias, alpha); break;
    case kRelu6: EpilogueRows<kRelu6>(y, rows, cols, ldy, bias, alpha); break;
    case kElu: EpilogueRows<kElu>(y, rows, cols, ldy, bias, alpha); break;
    case kSigmoid: EpilogueRows<kSigmoid>(y, rows, cols, ldy, bias, alpha); break;
    case kTanh: EpilogueRows<kTanh>(y, rows, cols, ldy, bias, alpha); break;
    case kLeakyRelu: EpilogueRows<kLeakyRelu>(y, rows, cols, ldy, bias, alpha); break;
    default: EpilogueRows<kLinear>(y, rows, cols, ldy, bias, alpha); break;
  }
}

}  // namespace tn
