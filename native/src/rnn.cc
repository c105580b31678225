// Fused recurrent cell steps (float32, float64) on the caller's arrays: one pass over a timestep's gates instead of
// a dozen elementwise kernels, each reading and writing [batch, units] arrays.
//
// lstmCell: z [B, 4u] (gates i, f, g, o, Keras's order), c [B, u] -> h, c' [B, u]. Float32 follows the op
// composition it replaces exactly: each gate is the float32 sigmoid/tanh of fastmath.h (as the unary kernels), and
// c' = f·c + i·g, h = o·tanh(c') are float arithmetic with no fused multiply-add, so fused and unfused steps give the
// same bits. lstmCellGrad recomputes the gates (nothing else is saved for backward) and works in double.
//
// gruCell (reset gate after the recurrent product, Keras 3's default): xp, hp [B, 3u] (gates z, r, h), h [B, u] and
// the candidate's recurrent bias bh [u] -> h' [B, u], with the float roundings of its op composition likewise;
// gruCellGrad recomputes the gates and returns the gradients of xp, hp, h and bh.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>
#include <vector>

#include "common.h"
#include "fastmath.h"

namespace tn {
namespace {

template <class T>
inline T Sigm(T x) {
  return Activate<kSigmoid, T>(x, T(0));
}

template <class T>
inline T Tanh(T x) {
  return Activate<kTanh, T>(x, T(0));
}

/** ~5 transcendental functions a unit (~30 double operations each): thread from about 8k units. */
constexpr i64 kMinUnits = i64{1} << 13;

/** One row of lstmCell: z [4u], c [u] -> h, c2 [u]. */
template <class T>
void LstmForwardRow(const T* __restrict z, const T* __restrict c, T* __restrict h, T* __restrict c2, i64 u) {
  for (i64 j = 0; j < u; j++) {
    const T i = Sigm(z[j]);
    const T f = Sigm(z[u + j]);
    const T g = Tanh(z[2 * u + j]);
    const T o = Sigm(z[3 * u + j]);
    const T cn = f * c[j] + i * g;
    c2[j] = cn;
    h[j] = o * Tanh(cn);
  }
}

/** One row of lstmCellGrad: z [4u], c, dh, dc [u] -> dz [4u], dcPrev [u]. */
template <class T>
void LstmBackwardRow(const T* __restrict z, const T* __restrict c, const T* __restrict dh, const T* __restrict dc,
                     T* __restrict dz, T* __restrict dcPrev, i64 u) {
  for (i64 j = 0; j < u; j++) {
    // The gates and tanh(c') as the forward pass computed them; the chain rule in double.
    const T iT = Sigm(z[j]);
    const T fT = Sigm(z[u + j]);
    const T gT = Tanh(z[2 * u + j]);
    const T oT = Sigm(z[3 * u + j]);
    const T cT = c[j];
    const double t = Tanh(fT * cT + iT * gT);
    const double i = iT, f = fT, g = gT, o = oT, cv = cT;
    const double dhj = dh[j];
    const double dct = static_cast<double>(dc[j]) + dhj * o * (1.0 - t * t);
    dz[j] = static_cast<T>(dct * g * i * (1.0 - i));
    dz[u + j] = static_cast<T>(dct * cv * f * (1.0 - f));
    dz[2 * u + j] = static_cast<T>(dct * i * (1.0 - g * g));
    dz[3 * u + j] = static_cast<T>(dhj * t * o * (1.0 - o));
    dcPrev[j] = static_cast<T>(dct * f);
  }
}

template <class T>
void LstmForward(const T* z, const T* c, T* h, T* c2, i64 batch, i64 u) {
  ParallelFor(batch, batch * u, kMinUnits, [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; b++) LstmForwardRow<T>(z + b * 4 * u, c + b * u, h + b * u, c2 + b * u, u);
  });
}

template <class T>
void LstmBackward(const T* z, const T* c, const T* dh, const T* dc, T* dz, T* dcPrev, i64 batch, i64 u) {
  ParallelFor(batch, batch * u, kMinUnits, [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; b++) {
      LstmBackwardRow<T>(z + b * 4 * u, c + b * u, dh + b * u, dc + b * u, dz + b * 4 * u, dcPrev + b * u, u);
    }
  });
}

/** One row of gruCell: xp, hp [3u], h [u], bh [u] -> h2 [u]. */
template <class T>
void GruForwardRow(const T* __restrict xp, const T* __restrict hp, const T* __restrict h, const T* __restrict bh,
                   T* __restrict h2, i64 u) {
  for (i64 j = 0; j < u; j++) {
    const T z = Sigm(xp[j] + hp[j]);
    const T r = Sigm(xp[u + j] + hp[u + j]);
    const T cand = Tanh(xp[2 * u + j] + r * (hp[2 * u + j] + bh[j]));
    h2[j] = cand + z * (h[j] - cand);
  }
}

/** One row of gruCellGrad: -> dxp, dhp [3u], dh [u]; dhp's candidate part holds d(hp_h), summed into dbh later. */
template <class T>
void GruBackwardRow(const T* __restrict xp, const T* __restrict hp, const T* __restrict h, const T* __restrict bh,
                    const T* __restrict dh2, T* __restrict dxp, T* __restrict dhp, T* __restrict dh, i64 u) {
  for (i64 j = 0; j < u; j++) {
    // The gates and candidate as the forward pass computed them; the chain rule in double.
    const T zT = Sigm(xp[j] + hp[j]);
    const T rT = Sigm(xp[u + j] + hp[u + j]);
    const T aT = hp[2 * u + j] + bh[j];
    const double cand = Tanh(xp[2 * u + j] + rT * aT);
    const double z = zT, r = rT, a = aT, g = dh2[j];
    const double dPre = g * (1.0 - z) * (1.0 - cand * cand);
    const double dz = g * (static_cast<double>(h[j]) - cand) * z * (1.0 - z);
    const double dr = dPre * a * r * (1.0 - r);
    dxp[j] = dhp[j] = static_cast<T>(dz);
    dxp[u + j] = dhp[u + j] = static_cast<T>(dr);
    dxp[2 * u + j] = static_cast<T>(dPre);
    dhp[2 * u + j] = static_cast<T>(dPre * r);
    dh[j] = static_cast<T>(g * z);
  }
}

template <class T>
void GruForward(const T* xp, const T* hp, const T* h, const T* bh, T* h2, i64 batch, i64 u) {
  ParallelFor(batch, batch * u, kMinUnits, [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; b++) GruForwardRow<T>(xp + b * 3 * u, hp + b * 3 * u, h + b * u, bh, h2 + b * u, u);
  });
}

template <class T>
void GruBackward(const T* xp, const T* hp, const T* h, const T* bh, const T* dh2, T* dxp, T* dhp, T* dh, T* dbh,
                 i64 batch, i64 u) {
  ParallelFor(batch, batch * u, kMinUnits, [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; b++) {
      GruBackwardRow<T>(xp + b * 3 * u, hp + b * 3 * u, h + b * u, bh, dh2 + b * u, dxp + b * 3 * u, dhp + b * 3 * u,
                        dh + b * u, u);
    }
  });
  // dbh: the candidate parts of dhp summed over the batch (in double, in row order).
  std::vector<double> acc(static_cast<size_t>(u), 0.0);
  for (i64 b = 0; b < batch; b++) {
    const T* __restrict row = dhp + b * 3 * u + 2 * u;
    for (i64 j = 0; j < u; j++) acc[j] += row[j];
  }
  for (i64 j = 0; j < u; j++) dbh[j] = static_cast<T>(acc[j]);
}

/**
 * Reads a cell entry's arguments: `count` float arrays of one kind, then units (info[count]). The arrays' lengths
 * must follow `widths`: width w > 0 is a [batch, w·u] array, 0 a [u] one (a bias); batch comes from the first.
 */
bool ReadCellArgs(const Napi::CallbackInfo& info, Arr* arrs, int count, const int* widths, i64& batch, i64& u,
                  const char* fn) {
  for (int k = 0; k < count; k++) {
    if (!GetArr(info, k, arrs[k], fn)) return false;
    if (arrs[k].kind != Kind::F32 && arrs[k].kind != Kind::F64) {
      Fail(info.Env(), fn, "arrays must be Float32Arrays or Float64Arrays");
      return false;
    }
    if (arrs[k].kind != arrs[0].kind) {
      Fail(info.Env(), fn, "arrays must all have one type");
      return false;
    }
  }
  u = IntArg(info, count);
  if (u < 1) {
    Fail(info.Env(), fn, "units must be a positive integer");
    return false;
  }
  batch = arrs[0].length / (widths[0] * u);
  for (int k = 0; k < count; k++) {
    if (arrs[k].length != (widths[k] == 0 ? u : batch * widths[k] * u)) {
      Fail(info.Env(), fn, "array " + std::to_string(k) + " has the wrong length");
      return false;
    }
  }
  return true;
}

// lstmCell(z, c, h, c2, units): h, c2 written.
Napi::Value LstmCellEntry(const Napi::CallbackInfo& info) {
  static const int kWidths[4] = {4, 1, 1, 1};
  Napi::Env env = info.Env();
  Arr a[4];
  i64 batch = 0, u = 0;
  if (!ReadCellArgs(info, a, 4, kWidths, batch, u, "lstmCell")) return env.Undefined();
  if (a[0].kind == Kind::F32) LstmForward<float>(a[0].as<float>(), a[1].as<float>(), a[2].as<float>(), a[3].as<float>(), batch, u);
  else LstmForward<double>(a[0].as<double>(), a[1].as<double>(), a[2].as<double>(), a[3].as<double>(), batch, u);
  return env.Undefined();
}

// lstmCellGrad(z, c, dh, dc, dz, dcPrev, units): dz, dcPrev written.
Napi::Value LstmCellGradEntry(const Napi::CallbackInfo& info) {
  static const int kWidths[6] = {4, 1, 1, 1, 4, 1};
  Napi::Env env = info.Env();
  Arr a[6];
  i64 batch = 0, u = 0;
  if (!ReadCellArgs(info, a, 6, kWidths, batch, u, "lstmCellGrad")) return env.Undefined();
  if (a[0].kind == Kind::F32) {
    LstmBackward<float>(a[0].as<float>(), a[1].as<float>(), a[2].as<float>(), a[3].as<float>(), a[4].as<float>(),
                        a[5].as<float>(), batch, u);
  } else {
    LstmBackward<double>(a[0].as<double>(), a[1].as<double>(), a[2].as<double>(), a[3].as<double>(),
                         a[4].as<double>(), a[5].as<double>(), batch, u);
  }
  return env.Undefined();
}

// gruCell(xp, hp, h, bh, h2, units): h2 written.
Napi::Value GruCellEntry(const Napi::CallbackInfo& info) {
  static const int kWidths[5] = {3, 3, 1, 0, 1};
  Napi::Env env = info.Env();
  Arr a[5];
  i64 batch = 0, u = 0;
  if (!ReadCellArgs(info, a, 5, kWidths, batch, u, "gruCell")) return env.Undefined();
  if (a[0].kind == Kind::F32) {
    GruForward<float>(a[0].as<float>(), a[1].as<float>(), a[2].as<float>(), a[3].as<float>(), a[4].as<float>(), batch, u);
  } else {
    GruForward<double>(a[0].as<double>(), a[1].as<double>(), a[2].as<double>(), a[3].as<double>(), a[4].as<double>(),
                       batch, u);
  }
  return env.Undefined();
}

// gruCellGrad(xp, hp, h, bh, dh2, dxp, dhp, dh, dbh, units): the last four written.
Napi::Value GruCellGradEntry(const Napi::CallbackInfo& info) {
  static const int kWidths[9] = {3, 3, 1, 0, 1, 3, 3, 1, 0};
  Napi::Env env = info.Env();
  Arr a[9];
  i64 batch = 0, u = 0;
  if (!ReadCellArgs(info, a, 9, kWidths, batch, u, "gruCellGrad")) return env.Undefined();
  if (a[0].kind == Kind::F32) {
    GruBackward<float>(a[0].as<float>(), a[1].as<float>(), a[2].as<float>(), a[3].as<float>(), a[4].as<float>(),
                       a[5].as<float>(), a[6].as<float>(), a[7].as<float>(), a[8].as<float>(), batch, u);
  } else {
    GruBackward<double>(a[0].as<double>(), a[1].as<double>(), a[2].as<double>(), a[3].as<double>(), a[4].as<double>(),
                        a[5].as<double>(), a[6].as<double>(), a[7].as<double>(), a[8].as<double>(), batch, u);
  }
  return env.Undefined();
}

}  // namespace

void InitRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("lstmCell", Napi::Function::New(env, LstmCellEntry, "lstmCell"));
  exports.Set("lstmCellGrad", Napi::Function::New(env, LstmCellGradEntry, "lstmCellGrad"));
  exports.Set("gruCell", Napi::Function::New(env, GruCellEntry, "gruCell"));
  exports.Set("gruCellGrad", Napi::Function::New(env, GruCellGradEntry, "gruCellGrad"));
}

}  // namespace tn
