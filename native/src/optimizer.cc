// Fused optimizer updates (float32, float64): one pass over the variable, its gradient and its slots, writing new
// arrays the caller allocated. Each is Keras 3's update written as the op composition it replaces, with the same
// roundings: arithmetic in T (float stays float: x86-64 evaluates float in float), no fused multiply-add
// (-ffp-contract=off, and the pragma below), scalars rounded to T once. So the results equal the unfused ops'
// exactly (src/backend/cpu/optimizer.ts does the same in JS with Math.fround).
//
// The options that change the loop (momentum, Nesterov, centered, AMSGrad) are template parameters, so every loop
// is branch-free and vectorizes; big arrays are split across the pool's threads.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>
#include <vector>

#include "common.h"

namespace tn {
namespace {

/** Seven or more streams per element (reads and writes), a sqrt and a division: worth threads earlier than add. */
constexpr i64 kUpdateWork = kCheapWork / 4;

// ---- the loops (restrict parameters: inputs and fresh outputs never overlap) ----

template <class T, bool kMomentum, bool kNesterov>
void SgdRange(const T* __restrict W, const T* __restrict G, const T* __restrict M, T* __restrict w, T* __restrict m,
              T lr, T mom, i64 b, i64 e) {
  for (i64 i = b; i < e; i++) {
    T step = G[i] * lr;
    if constexpr (!kMomentum) {
      w[i] = W[i] - step;
    } else {
      T mi = M[i] * mom - step;
      m[i] = mi;
      if constexpr (kNesterov) w[i] = W[i] + (mi * mom - step);
      else w[i] = W[i] + mi;
    }
  }
}

template <class T, bool kMomentum, bool kCentered>
void RmspropRange(const T* __restrict W, const T* __restrict G, const T* __restrict V, const T* __restrict M,
                  const T* __restrict A, T* __restrict w, T* __restrict v, T* __restrict m, T* __restrict a, T lr,
                  T rho, T oneMinusRho, T eps, T mom, i64 b, i64 e) {
  for (i64 i = b; i < e; i++) {
    T g = G[i];
    T vi = V[i] * rho + (g * g) * oneMinusRho;
    v[i] = vi;
    T denominator;
    if constexpr (kCentered) {
      T ai = A[i] * rho + g * oneMinusRho;
      a[i] = ai;
      denominator = (vi - ai * ai) + eps;
    } else {
      denominator = vi + eps;
    }
    T increment = (g * lr) / std::sqrt(denominator);
    if constexpr (kMomentum) {
      T mi = M[i] * mom + increment;
      m[i] = mi;
      w[i] = W[i] - mi;
    } else {
      w[i] = W[i] - increment;
    }
  }
}

template <class T, bool kAmsgrad>
void AdamRange(const T* __restrict W, const T* __restrict G, const T* __restrict M, const T* __restrict V,
               const T* __restrict H, T* __restrict w, T* __restrict m, T* __restrict v, T* __restrict h,
               T oneMinusBeta1, T oneMinusBeta2, T eps, T stepSize, i64 b, i64 e) {
  for (i64 i = b; i < e; i++) {
    T g = G[i];
    T mi = M[i] + (g - M[i]) * oneMinusBeta1;
    m[i] = mi;
    T vi = V[i] + ((g * g) - V[i]) * oneMinusBeta2;
    v[i] = vi;
    if constexpr (kAmsgrad) {
      T hi = H[i];
      vi = (hi >= vi || hi != hi) ? hi : vi;  // maximum(vHat, v): NaN propagates, ties keep vHat
      h[i] = vi;
    }
    w[i] = W[i] - (mi * stepSize) / (std::sqrt(vi) + eps);
  }
}

// ---- argument handling ----

/** Reads info[i] as an array of TypedArrays or nulls (null: an absent slot). */
bool GetArrList(const Napi::CallbackInfo& info, size_t i, std::vector<Arr>& out, std::vector<bool>& present,
                const char* fn) {
  if (info.Length() <= i || !info[i].IsArray()) {
    Fail(info.Env(), fn, "argument " + std::to_string(i) + " must be an array of TypedArrays");
    return false;
  }
  Napi::Array list = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value item = list.Get(k);
    Arr a;
    if (item.IsNull() || item.IsUndefined()) {
      out.push_back(a);
      present.push_back(false);
      continue;
    }
    if (!ArrOf(item, a)) {
      Fail(info.Env(), fn, "array element " + std::to_string(k) + " must be a TypedArray or null");
      return false;
    }
    if (a.kind != Kind::F32 && a.kind != Kind::F64) {
      Fail(info.Env(), fn, "arrays must be Float32Arrays or Float64Arrays");
      return false;
    }
    out.push_back(a);
    present.push_back(true);
  }
  return true;
}

/**
 * The arrays of one update: `count` of them, those in the bit mask `required` present, all present ones of one kind
 * and length.
 */
bool ReadArrays(const Napi::CallbackInfo& info, size_t i, size_t count, unsigned required, std::vector<Arr>& arrs,
                std::vector<bool>& present, const char* fn) {
  if (!GetArrList(info, i, arrs, present, fn)) return false;
  if (arrs.size() != count) {
    Fail(info.Env(), fn, "expected " + std::to_string(count) + " arrays");
    return false;
  }
  for (size_t k = 0; k < count; k++) {
    if ((required >> k & 1u) && !present[k]) {
      Fail(info.Env(), fn, "array " + std::to_string(k) + " is required");
      return false;
    }
    if (present[k] && (arrs[k].kind != arrs[0].kind || arrs[k].length != arrs[0].length)) {
      Fail(info.Env(), fn, "arrays must share one type and length");
      return false;
    }
  }
  return true;
}

/** info[i] as a number; false (with a pending error) when it is not one. */
bool Num(const Napi::CallbackInfo& info, size_t i, double& out, const char* fn) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    Fail(info.Env(), fn, "argument " + std::to_string(i) + " must be a number");
    return false;
  }
  out = info[i].As<Napi::Number>().DoubleValue();
  return true;
}

template <class T>
const T* In(const std::vector<Arr>& a, size_t k) {
  return a[k].as<T>();
}

// ---- entries ----

template <class T>
void Sgd(const std::vector<Arr>& a, bool momentum, bool nesterov, double lr, double mom) {
  const T *W = In<T>(a, 0), *G = In<T>(a, 1), *M = In<T>(a, 2);
  T *w = a[3].as<T>(), *m = a[4].as<T>();
  T tlr = (T)lr, tmom = (T)mom;
  i64 n = a[0].length;
  ParallelFor(n, n, kUpdateWork, [&](i64 b, i64 e) {
    if (!momentum) SgdRange<T, false, false>(W, G, M, w, m, tlr, tmom, b, e);
    else if (nesterov) SgdRange<T, true, true>(W, G, M, w, m, tlr, tmom, b, e);
    else SgdRange<T, true, false>(W, G, M, w, m, tlr, tmom, b, e);
  });
}

// sgdUpdate([w, g, m|null, wOut, mOut|null], lr, momentum, nesterov)
Napi::Value SgdEntry(const Napi::CallbackInfo& info) {
  const char* fn = "sgdUpdate";
  Napi::Env env = info.Env();
  std::vector<Arr> a;
  std::vector<bool> p;
  double lr, mom;
  // w, g, wOut required; m and mOut together.
  if (!ReadArrays(info, 0, 5, 0b01011, a, p, fn) || !Num(info, 1, lr, fn) || !Num(info, 2, mom, fn)) return env.Undefined();
  bool nesterov = info.Length() > 3 && info[3].ToBoolean().Value();
  bool momentum = p[2];
  if (momentum != p[4]) return Fail(env, fn, "m and mOut go together");
  if (a[0].kind == Kind::F32) Sgd<float>(a, momentum, nesterov, lr, mom);
  else Sgd<double>(a, momentum, nesterov, lr, mom);
  return env.Undefined();
}

template <class T>
void Rmsprop(const std::vector<Arr>& a, bool momentum, bool centered, const double* s) {
  const T *W = In<T>(a, 0), *G = In<T>(a, 1), *V = In<T>(a, 2), *M = In<T>(a, 3), *A = In<T>(a, 4);
  T *w = a[5].as<T>(), *v = a[6].as<T>(), *m = a[7].as<T>(), *av = a[8].as<T>();
  // s = [lr, rho, epsilon, momentum]; 1 - rho is taken in double, then rounded (as a scalar tensor of it is).
  T lr = (T)s[0], rho = (T)s[1], omr = (T)(1.0 - s[1]), eps = (T)s[2], mom = (T)s[3];
  i64 n = a[0].length;
  ParallelFor(n, n, kUpdateWork, [&](i64 b, i64 e) {
    if (momentum && centered) RmspropRange<T, true, true>(W, G, V, M, A, w, v, m, av, lr, rho, omr, eps, mom, b, e);
    else if (momentum) RmspropRange<T, true, false>(W, G, V, M, A, w, v, m, av, lr, rho, omr, eps, mom, b, e);
    else if (centered) RmspropRange<T, false, true>(W, G, V, M, A, w, v, m, av, lr, rho, omr, eps, mom, b, e);
    else RmspropRange<T, false, false>(W, G, V, M, A, w, v, m, av, lr, rho, omr, eps, mom, b, e);
  });
}

// rmspropUpdate([w, g, velocity, m|null, average|null, wOut, velocityOut, mOut|null, averageOut|null],
//               lr, rho, epsilon, momentum)
Napi::Value RmspropEntry(const Napi::CallbackInfo& info) {
  const char* fn = "rmspropUpdate";
  Napi::Env env = info.Env();
  std::vector<Arr> a;
  std::vector<bool> p;
  double s[4];
  // w, g, velocity, wOut, velocityOut required; m and average with their outputs.
  if (!ReadArrays(info, 0, 9, 0b001100111, a, p, fn)) return env.Undefined();
  for (int k = 0; k < 4; k++) {
    if (!Num(info, 1 + k, s[k], fn)) return env.Undefined();
  }
  if (p[3] != p[7] || p[4] != p[8]) return Fail(env, fn, "inputs and outputs do not pair up");
  if (a[0].kind == Kind::F32) Rmsprop<float>(a, p[3], p[4], s);
  else Rmsprop<double>(a, p[3], p[4], s);
  return env.Undefined();
}

template <class T>
void Adam(const std::vector<Arr>& a, bool amsgrad, const double* s) {
  const T *W = In<T>(a, 0), *G = In<T>(a, 1), *M = In<T>(a, 2), *V = In<T>(a, 3), *H = In<T>(a, 4);
  T *w = a[5].as<T>(), *m = a[6].as<T>(), *v = a[7].as<T>(), *h = a[8].as<T>();
  // s = [lr, biasCorrection, beta1, beta2, epsilon]: the step size lr·biasCorrection is taken in double, then rounded.
  T omb1 = (T)(1.0 - s[2]), omb2 = (T)(1.0 - s[3]), eps = (T)s[4], stepSize = (T)(s[0] * s[1]);
  i64 n = a[0].length;
  ParallelFor(n, n, kUpdateWork, [&](i64 b, i64 e) {
    if (amsgrad) AdamRange<T, true>(W, G, M, V, H, w, m, v, h, omb1, omb2, eps, stepSize, b, e);
    else AdamRange<T, false>(W, G, M, V, H, w, m, v, h, omb1, omb2, eps, stepSize, b, e);
  });
}

// adamUpdate([w, g, m, v, vHat|null, wOut, mOut, vOut, vHatOut|null], lr, biasCorrection, beta1, beta2, epsilon)
Napi::Value AdamEntry(const Napi::CallbackInfo& info) {
  const char* fn = "adamUpdate";
  Napi::Env env = info.Env();
  std::vector<Arr> a;
  std::vector<bool> p;
  double s[5];
  // All but vHat and vHatOut required (they go together).
  if (!ReadArrays(info, 0, 9, 0b011101111, a, p, fn)) return env.Undefined();
  for (int k = 0; k < 5; k++) {
    if (!Num(info, 1 + k, s[k], fn)) return env.Undefined();
  }
  if (p[4] != p[8]) return Fail(env, fn, "inputs and outputs do not pair up");
  if (a[0].kind == Kind::F32) Adam<float>(a, p[4], s);
  else Adam<double>(a, p[4], s);
  return env.Undefined();
}

}  // namespace

void InitOptimizer(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdEntry, "sgdUpdate"));
  exports.Set("rmspropUpdate", Napi::Function::New(env, RmspropEntry, "rmspropUpdate"));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamEntry, "adamUpdate"));
}

}  // namespace tn
