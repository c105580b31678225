// Elementwise kernels on the caller's arrays: unary maps (float32, float64), binary ops with broadcasting
// (float32, float64, int32; comparisons write a Uint8Array) and `where` (any dtype, broadcasting). Each op is a
// small functor, so every loop is a plain `y[i] = f(x[i])` the compiler can vectorize; big loops are split across
// the pool's threads.
//
// Semantics follow src/backend/cpu/elementwise.ts: NaN propagates through maximum/minimum, `round` is half to even,
// `mod` takes the sign of the divisor, float32 pow/atan2/mod are computed in double and rounded once.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "common.h"
#include "fastmath.h"

namespace tn {
namespace {

// ---- unary ----

#define TN_UNARY_OPS(X)                                                        \
  X(neg, -x)                                                                   \
  X(abs, std::abs(x))                                                          \
  X(sign, x > 0 ? T(1) : x < 0 ? T(-1) : x)                                    \
  X(square, x * x)                                                             \
  X(sqrt, std::sqrt(x))                                                        \
  X(rsqrt, T(1) / std::sqrt(x))                                                \
  X(reciprocal, T(1) / x)                                                      \
  X(exp, std::exp(x))                                                          \
  X(expm1, std::expm1(x))                                                      \
  X(log, std::log(x))                                                          \
  X(log1p, std::log1p(x))                                                      \
  X(sin, std::sin(x))                                                          \
  X(cos, std::cos(x))                                                          \
  X(tan, std::tan(x))                                                          \
  X(asin, std::asin(x))                                                        \
  X(acos, std::acos(x))                                                        \
  X(atan, std::atan(x))                                                        \
  X(sinh, std::sinh(x))                                                        \
  X(cosh, std::cosh(x))                                                        \
  X(tanh, std::tanh(x))                                                        \
  X(erf, std::erf(x))                                                          \
  X(floor, std::floor(x))                                                      \
  X(ceil, std::ceil(x))                                                        \
  X(round, std::nearbyint(x))                                                  \
  X(sigmoid, x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x))) \
  X(relu, x > 0 ? x : (x == x ? T(0) : x))

enum UnaryOp {
#define X(name, expr) U_##name,
  TN_UNARY_OPS(X)
#undef X
      U_COUNT
};

const char* const kUnaryNames[] = {
#define X(name, expr) #name,
    TN_UNARY_OPS(X)
#undef X
};

/** Loops below this much per-element cost are memory-bound: thread them only when big. */
bool Cheap(int op) {
  return op == U_neg || op == U_abs || op == U_sign || op == U_square || op == U_relu || op == U_floor ||
         op == U_ceil || op == U_round || op == U_sqrt || op == U_reciprocal || op == U_rsqrt;
}

/** Runs the float32 vector forms of exp, tanh, sigmoid; false for other ops. */
bool FastFloatUnary(int op, const float* __restrict x, float* __restrict y, i64 n);

template <class T>
void UnaryLoop(int op, const T* __restrict x_, T* __restrict y, i64 n) {
  if constexpr (std::is_same_v<T, float>) {
    if (FastFloatUnary(op, x_, y, n)) return;
  }
  ParallelFor(n, n, Cheap(op) ? kCheapWork : kExpensiveWork, [&](i64 b, i64 e) {
    const T* __restrict xs = x_;
    switch (op) {
#define X(name, expr)                 \
  case U_##name:                      \
    for (i64 i = b; i < e; i++) {     \
      T x = xs[i];                    \
      y[i] = (expr);                  \
    }                                 \
    break;
      TN_UNARY_OPS(X)
#undef X
    }
  });
}

bool FastFloatUnary(int op, const float* __restrict x, float* __restrict y, i64 n) {
  // ~30 double operations an element: thread from about 32k elements (a worker's wake-up is a few µs).
  constexpr i64 kMinWork = i64{1} << 15;
  switch (op) {
    case U_exp:
      ParallelFor(n, n, kMinWork, [&](i64 b, i64 e) {
        for (i64 i = b; i < e; i++) y[i] = ExpF(x[i]);
      });
      return true;
    case U_tanh:
      ParallelFor(n, n, kMinWork, [&](i64 b, i64 e) {
        for (i64 i = b; i < e; i++) y[i] = TanhF(x[i]);
      });
      return true;
    case U_sigmoid:
      ParallelFor(n, n, kMinWork, [&](i64 b, i64 e) {
        for (i64 i = b; i < e; i++) y[i] = SigmoidF(x[i]);
      });
      return true;
    default:
      return false;
  }
}

// unary(op, x, y): y = f(x); x and y of equal length and type (Float32Array or Float64Array).
Napi::Value UnaryEntry(const Napi::CallbackInfo& info) {
  const char* fn = "unary";
  Napi::Env env = info.Env();
  i64 op = IntArg(info, 0);
  Arr x, y;
  if (!GetArr(info, 1, x, fn) || !GetArr(info, 2, y, fn)) return env.Undefined();
  if (op < 0 || op >= U_COUNT) return Fail(env, fn, "unknown op");
  if (x.kind != y.kind || x.length != y.length) return Fail(env, fn, "x and y must have the same type and length");
  if (x.kind == Kind::F32) UnaryLoop<float>((int)op, x.as<float>(), y.as<float>(), x.length);
  else if (x.kind == Kind::F64) UnaryLoop<double>((int)op, x.as<double>(), y.as<double>(), x.length);
  else return Fail(env, fn, "x must be a Float32Array or a Float64Array");
  return env.Undefined();
}

// ---- binary ----

template <class T>
T MaxNan(T a, T b) {
  return (a >= b || a != a) ? a : b;
}
template <class T>
T MinNan(T a, T b) {
  return (a <= b || a != a) ? a : b;
}
double JsPow(double a, double b) {
  // C's pow(1, NaN) = 1 and pow(±1, ±inf) = 1; JavaScript's ** gives NaN for both.
  if (b != b) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(b) && std::abs(a) == 1) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(a, b);
}
double FloorMod(double a, double b) {
  double r = std::fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
// int32 arithmetic wraps like Int32Array stores (two's complement), without signed-overflow UB.
inline int32_t Wrap(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

// name, float expression, int32 expression (or "0" with `intOk` false), output is bool
#define TN_BINARY_OPS(X)                                                                          \
  X(add, a + b, Wrap((int64_t)a + b), true, false)                                                \
  X(sub, a - b, Wrap((int64_t)a - b), true, false)                                                \
  X(mul, a * b, Wrap((int64_t)a * b), true, false)                                                \
  X(div, a / b, 0, false, false)                                                                  \
  X(floorDiv, (T)std::floor((double)a / b), 0, false, false)                                               \
  X(mod, (T)FloorMod(a, b), 0, false, false)                                                      \
  X(pow, (T)JsPow(a, b), 0, false, false)                                                         \
  X(atan2, (T)std::atan2((double)a, (double)b), 0, false, false)                                  \
  X(maximum, MaxNan(a, b), MaxNan(a, b), true, false)                                             \
  X(minimum, MinNan(a, b), MinNan(a, b), true, false)                                             \
  X(equal, a == b, a == b, true, true)                                                            \
  X(notEqual, a != b, a != b, true, true)                                                         \
  X(less, a < b, a < b, true, true)                                                               \
  X(lessEqual, a <= b, a <= b, true, true)                                                        \
  X(greater, a > b, a > b, true, true)                                                            \
  X(greaterEqual, a >= b, a >= b, true, true)

enum BinaryOp {
#define X(name, fexpr, iexpr, intOk, isBool) B_##name,
  TN_BINARY_OPS(X)
#undef X
      B_COUNT
};

const char* const kBinaryNames[] = {
#define X(name, fexpr, iexpr, intOk, isBool) #name,
    TN_BINARY_OPS(X)
#undef X
};
const bool kBinaryInt[] = {
#define X(name, fexpr, iexpr, intOk, isBool) intOk,
    TN_BINARY_OPS(X)
#undef X
};
const bool kBinaryBool[] = {
#define X(name, fexpr, iexpr, intOk, isBool) isBool,
    TN_BINARY_OPS(X)
#undef X
};

/**
 * A run of `count` outputs with input steps sa, sb ∈ {0, 1} (after the JS side merged dims, the last axis of each
 * input is either contiguous or broadcast). Specialized per step pair so each loop vectorizes.
 */
template <class T, class O, class F>
inline void Run(const T* __restrict A, const T* __restrict B, O* __restrict Y, i64 count, int sa, int sb, F f) {
  if (sa == 1 && sb == 1) {
    for (i64 i = 0; i < count; i++) Y[i] = f(A[i], B[i]);
  } else if (sa == 1 && sb == 0) {
    const T b = B[0];
    for (i64 i = 0; i < count; i++) Y[i] = f(A[i], b);
  } else if (sa == 0 && sb == 1) {
    const T a = A[0];
    for (i64 i = 0; i < count; i++) Y[i] = f(a, B[i]);
  } else {
    const O v = f(A[0], B[0]);
    for (i64 i = 0; i < count; i++) Y[i] = v;
  }
}

/**
 * out[outShape] = f(A[aStrides], B[bStrides]) over a broadcast, rank >= 1, last-axis strides in {0, 1}. Rows (all
 * axes but the last) are split across threads.
 */
template <class T, class O, class F>
void Broadcast(const T* A, const T* B, O* Y, i64 rank, const int32_t* shape, const int32_t* as, const int32_t* bs,
               i64 work, F f) {
  i64 last = shape[rank - 1];
  int sa = as[rank - 1], sb = bs[rank - 1];
  i64 rows = 1;
  for (i64 d = 0; d < rank - 1; d++) rows *= shape[d];
  if (rows * last == 0) return;
  if (rank == 1) {
    ParallelFor(last, last * work, kCheapWork, [&](i64 b, i64 e) {
      Run(A + b * sa, B + b * sb, Y + b, e - b, sa, sb, f);
    });
    return;
  }
  ParallelFor(rows, rows * last * work, kCheapWork, [&](i64 r0, i64 r1) {
    i64 index[32];
    i64 ao = 0, bo = 0, rem = r0;
    for (i64 d = rank - 2; d >= 0; d--) {
      index[d] = rem % shape[d];
      rem /= shape[d];
      ao += index[d] * as[d];
      bo += index[d] * bs[d];
    }
    for (i64 r = r0; r < r1; r++) {
      Run(A + ao, B + bo, Y + r * last, last, sa, sb, f);
      for (i64 d = rank - 2; d >= 0; d--) {
        ao += as[d];
        bo += bs[d];
        if (++index[d] < shape[d]) break;
        ao -= as[d] * shape[d];
        bo -= bs[d] * shape[d];
        index[d] = 0;
      }
    }
  });
}

template <class T>
bool FloatBinary(int op, const Arr& a, const Arr& b, const Arr& y, i64 rank, const int32_t* shape, const int32_t* as,
                 const int32_t* bs) {
  const T* A = a.as<T>();
  const T* B = b.as<T>();
  switch (op) {
#define X(name, fexpr, iexpr, intOk, isBool)                                                        \
  case B_##name:                                                                                    \
    if constexpr (isBool) {                                                                         \
      Broadcast(A, B, y.as<uint8_t>(), rank, shape, as, bs, 1, [](T a, T b) -> uint8_t { return (fexpr) ? 1 : 0; }); \
    } else {                                                                                        \
      Broadcast(A, B, y.as<T>(), rank, shape, as, bs, 1, [](T a, T b) -> T { return (T)(fexpr); }); \
    }                                                                                               \
    return true;
    TN_BINARY_OPS(X)
#undef X
  }
  return false;
}

template <class T>
bool IntBinary(int op, const Arr& a, const Arr& b, const Arr& y, i64 rank, const int32_t* shape, const int32_t* as,
               const int32_t* bs) {
  const T* A = a.as<T>();
  const T* B = b.as<T>();
  switch (op) {
#define X(name, fexpr, iexpr, intOk, isBool)                                                        \
  case B_##name:                                                                                    \
    if constexpr (!intOk) {                                                                         \
      return false;                                                                                 \
    } else if constexpr (isBool) {                                                                                   \
      Broadcast(A, B, y.as<uint8_t>(), rank, shape, as, bs, 1, [](T a, T b) -> uint8_t { (void)a; (void)b; return (iexpr) ? 1 : 0; }); \
    } else {                                                                                        \
      Broadcast(A, B, y.as<T>(), rank, shape, as, bs, 1, [](T a, T b) -> T { (void)a; (void)b; return (T)(iexpr); }); \
    }                                                                                               \
    return true;
    TN_BINARY_OPS(X)
#undef X
  }
  return false;
}

/** Checks a broadcast geometry against the arrays' lengths. */
bool CheckGeometry(i64 rank, const int32_t* shape, const int32_t* as, const int32_t* bs, i64 aLen, i64 bLen, i64 yLen) {
  if (rank < 1 || rank > 32) return false;
  i64 size = 1, aMax = 0, bMax = 0;
  for (i64 d = 0; d < rank; d++) {
    if (shape[d] < 0 || as[d] < 0 || bs[d] < 0) return false;
    size *= shape[d];
    if (shape[d] > 0) aMax += (i64)as[d] * (shape[d] - 1), bMax += (i64)bs[d] * (shape[d] - 1);
  }
  if (as[rank - 1] > 1 || bs[rank - 1] > 1) return false;
  if (size != yLen) return false;
  return size == 0 || (aMax < aLen && bMax < bLen);
}

// binary(op, a, b, y, geom): geom = Int32Array [rank, outShape…, aStrides…, bStrides…] (strides in elements, 0 where
// broadcast, last-axis strides 0 or 1). Returns false when the op/dtype pair is not supported here (the caller
// falls back to cpu), true when done.
Napi::Value BinaryEntry(const Napi::CallbackInfo& info) {
  const char* fn = "binary";
  Napi::Env env = info.Env();
  i64 op = IntArg(info, 0);
  Arr a, b, y;
  const int32_t* g;
  i64 glen;
  if (!GetArr(info, 1, a, fn) || !GetArr(info, 2, b, fn) || !GetArr(info, 3, y, fn) || !GetInts(info, 4, g, glen, fn)) {
    return env.Undefined();
  }
  if (op < 0 || op >= B_COUNT) return Fail(env, fn, "unknown op");
  if (a.kind != b.kind) return Fail(env, fn, "a and b must have the same type");
  Kind want = kBinaryBool[op] ? Kind::U8 : a.kind;
  if (y.kind != want) return Fail(env, fn, "y has the wrong type");
  i64 rank = glen > 0 ? g[0] : 0;
  if (glen != 1 + 3 * rank || !CheckGeometry(rank, g + 1, g + 1 + rank, g + 1 + 2 * rank, a.length, b.length, y.length)) {
    return Fail(env, fn, "bad geometry");
  }
  const int32_t* shape = g + 1;
  const int32_t* as = g + 1 + rank;
  const int32_t* bs = g + 1 + 2 * rank;
  bool done = false;
  if (a.kind == Kind::F32) done = FloatBinary<float>((int)op, a, b, y, rank, shape, as, bs);
  else if (a.kind == Kind::F64) done = FloatBinary<double>((int)op, a, b, y, rank, shape, as, bs);
  else if (a.kind == Kind::I32) done = IntBinary<int32_t>((int)op, a, b, y, rank, shape, as, bs);
  return Napi::Boolean::New(env, done);
}

// cast(x, y): converts between Float32Array, Float64Array, Int32Array and Uint8Array sources into a float
// destination (float → int conversions stay on the cpu backend: JS's ToInt32 wrapping has no cheap C++ twin).
template <class S, class D>
void Convert(const S* x, D* y, i64 n) {
  ParallelFor(n, n, kCheapWork, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; i++) y[i] = (D)x[i];
  });
}

template <class D>
bool CastTo(const Arr& x, D* y) {
  switch (x.kind) {
    case Kind::F32: Convert(x.as<float>(), y, x.length); return true;
    case Kind::F64: Convert(x.as<double>(), y, x.length); return true;
    case Kind::I32: Convert(x.as<int32_t>(), y, x.length); return true;
    case Kind::U8: Convert(x.as<uint8_t>(), y, x.length); return true;
    default: return false;
  }
}

Napi::Value CastEntry(const Napi::CallbackInfo& info) {
  const char* fn = "cast";
  Napi::Env env = info.Env();
  Arr x, y;
  if (!GetArr(info, 0, x, fn) || !GetArr(info, 1, y, fn)) return env.Undefined();
  if (x.length != y.length) return Fail(env, fn, "x and y must have the same length");
  bool done = false;
  if (y.kind == Kind::F32) done = CastTo(x, y.as<float>());
  else if (y.kind == Kind::F64) done = CastTo(x, y.as<double>());
  return Napi::Boolean::New(env, done);
}

// ---- where ----

/** A run of `count` outputs, each input's step 0 (broadcast) or 1, as template constants so each case vectorizes. */
template <int SC, int SA, int SB, class T>
inline void SelectRun(const uint8_t* __restrict C, const T* __restrict A, const T* __restrict B, T* __restrict Y,
                      i64 count) {
  for (i64 i = 0; i < count; i++) {
    const T a = A[i * SA], b = B[i * SB];  // loaded unconditionally: a select, not a branch (random masks)
    Y[i] = C[i * SC] != 0 ? a : b;
  }
}

template <class T>
inline void Select(const uint8_t* C, const T* A, const T* B, T* Y, i64 count, int sc, int sa, int sb) {
  switch (sc * 4 + sa * 2 + sb) {
    case 0: SelectRun<0, 0, 0>(C, A, B, Y, count); break;
    case 1: SelectRun<0, 0, 1>(C, A, B, Y, count); break;
    case 2: SelectRun<0, 1, 0>(C, A, B, Y, count); break;
    case 3: SelectRun<0, 1, 1>(C, A, B, Y, count); break;
    case 4: SelectRun<1, 0, 0>(C, A, B, Y, count); break;
    case 5: SelectRun<1, 0, 1>(C, A, B, Y, count); break;
    case 6: SelectRun<1, 1, 0>(C, A, B, Y, count); break;
    default: SelectRun<1, 1, 1>(C, A, B, Y, count); break;
  }
}

/**
 * y[outShape] = c ? a : b over a broadcast of three inputs (strides per input, last-axis strides 0 or 1). T is an
 * unsigned integer of the element's size: selecting copies bits, so one loop serves every dtype.
 */
template <class T>
void Where(const uint8_t* C, const T* A, const T* B, T* Y, i64 rank, const int32_t* shape, const int32_t* const* strides) {
  i64 last = shape[rank - 1];
  int sc = strides[0][rank - 1], sa = strides[1][rank - 1], sb = strides[2][rank - 1];
  i64 rows = 1;
  for (i64 d = 0; d < rank - 1; d++) rows *= shape[d];
  if (rows * last == 0) return;
  if (rank == 1) {
    ParallelFor(last, last, kCheapWork, [&](i64 b, i64 e) { Select(C + b * sc, A + b * sa, B + b * sb, Y + b, e - b, sc, sa, sb); });
    return;
  }
  ParallelFor(rows, rows * last, kCheapWork, [&](i64 r0, i64 r1) {
    i64 index[32];
    i64 off[3] = {0, 0, 0};
    i64 rem = r0;
    for (i64 d = rank - 2; d >= 0; d--) {
      index[d] = rem % shape[d];
      rem /= shape[d];
      for (int k = 0; k < 3; k++) off[k] += index[d] * strides[k][d];
    }
    for (i64 r = r0; r < r1; r++) {
      Select(C + off[0], A + off[1], B + off[2], Y + r * last, last, sc, sa, sb);
      for (i64 d = rank - 2; d >= 0; d--) {
        for (int k = 0; k < 3; k++) off[k] += strides[k][d];
        if (++index[d] < shape[d]) break;
        for (int k = 0; k < 3; k++) off[k] -= (i64)strides[k][d] * shape[d];
        index[d] = 0;
      }
    }
  });
}

i64 ElementBytes(Kind k) {
  switch (k) {
    case Kind::F64: return 8;
    case Kind::F32:
    case Kind::I32: return 4;
    case Kind::U8: return 1;
    default: return 0;
  }
}

// where(c, a, b, y, geom): c a Uint8Array (bool); a, b, y of one type; geom = Int32Array [rank, outShape…,
// cStrides…, aStrides…, bStrides…] (elements, 0 where broadcast, last-axis strides 0 or 1).
Napi::Value WhereEntry(const Napi::CallbackInfo& info) {
  const char* fn = "where";
  Napi::Env env = info.Env();
  Arr c, a, b, y;
  const int32_t* g;
  i64 glen;
  if (!GetArr(info, 0, c, fn) || !GetArr(info, 1, a, fn) || !GetArr(info, 2, b, fn) || !GetArr(info, 3, y, fn) ||
      !GetInts(info, 4, g, glen, fn)) {
    return env.Undefined();
  }
  i64 es = ElementBytes(a.kind);
  if (c.kind != Kind::U8 || a.kind != b.kind || a.kind != y.kind || es == 0) return Fail(env, fn, "bad array types");
  i64 rank = glen > 0 ? g[0] : 0;
  if (rank < 1 || rank > 32 || glen != 1 + 4 * rank) return Fail(env, fn, "bad geometry");
  const int32_t* shape = g + 1;
  const int32_t* strides[3] = {g + 1 + rank, g + 1 + 2 * rank, g + 1 + 3 * rank};
  const i64 lengths[3] = {c.length, a.length, b.length};
  i64 size = 1;
  for (i64 d = 0; d < rank; d++) {
    if (shape[d] < 0) return Fail(env, fn, "bad geometry");
    size *= shape[d];
  }
  if (size != y.length) return Fail(env, fn, "y does not match the geometry");
  for (int k = 0; k < 3; k++) {
    i64 maxOff = 0;
    for (i64 d = 0; d < rank; d++) {
      if (strides[k][d] < 0) return Fail(env, fn, "bad geometry");
      if (shape[d] > 0) maxOff += (i64)strides[k][d] * (shape[d] - 1);
    }
    if (strides[k][rank - 1] > 1 || (size > 0 && maxOff >= lengths[k])) return Fail(env, fn, "bad geometry");
  }
  const uint8_t* C = c.as<uint8_t>();
  switch (es) {
    case 8: Where(C, a.as<uint64_t>(), b.as<uint64_t>(), y.as<uint64_t>(), rank, shape, strides); break;
    case 4: Where(C, a.as<uint32_t>(), b.as<uint32_t>(), y.as<uint32_t>(), rank, shape, strides); break;
    default: Where(C, a.as<uint8_t>(), b.as<uint8_t>(), y.as<uint8_t>(), rank, shape, strides); break;
  }
  return env.Undefined();
}

// reluGrad(dy, x, y): y = x > 0 ? dy : 0 (relu's gradient in one pass; 0 at 0 and where x is NaN); equal lengths,
// Float32Array or Float64Array.
template <class T>
void ReluGrad(const T* __restrict dy, const T* __restrict x, T* __restrict y, i64 n) {
  ParallelFor(n, n, kCheapWork, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; i++) {
      const T d = dy[i], v = x[i];  // both loaded unconditionally, so the select vectorizes (no branch)
      y[i] = v > T(0) ? d : T(0);
    }
  });
}

Napi::Value ReluGradEntry(const Napi::CallbackInfo& info) {
  const char* fn = "reluGrad";
  Napi::Env env = info.Env();
  Arr dy, x, y;
  if (!GetArr(info, 0, dy, fn) || !GetArr(info, 1, x, fn) || !GetArr(info, 2, y, fn)) return env.Undefined();
  if (dy.kind != x.kind || dy.kind != y.kind || dy.length != x.length || dy.length != y.length) {
    return Fail(env, fn, "dy, x and y must have the same type and length");
  }
  if (dy.kind == Kind::F32) ReluGrad(dy.as<float>(), x.as<float>(), y.as<float>(), y.length);
  else if (dy.kind == Kind::F64) ReluGrad(dy.as<double>(), x.as<double>(), y.as<double>(), y.length);
  else return Fail(env, fn, "arrays must be Float32Array or Float64Array");
  return env.Undefined();
}

Napi::Object Codes(Napi::Env env, const char* const* names, int count) {
  Napi::Object o = Napi::Object::New(env);
  for (int i = 0; i < count; i++) o.Set(names[i], Napi::Number::New(env, i));
  return o;
}

}  // namespace

void InitElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, UnaryEntry, "unary"));
  exports.Set("binary", Napi::Function::New(env, BinaryEntry, "binary"));
  exports.Set("cast", Napi::Function::New(env, CastEntry, "cast"));
  exports.Set("where", Napi::Function::New(env, WhereEntry, "where"));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGradEntry, "reluGrad"));
  exports.Set("unaryOps", Codes(env, kUnaryNames, U_COUNT));
  exports.Set("binaryOps", Codes(env, kBinaryNames, B_COUNT));
  Napi::Object intOps = Napi::Object::New(env);
  for (int i = 0; i < B_COUNT; i++) intOps.Set(kBinaryNames[i], Napi::Boolean::New(env, kBinaryInt[i]));
  exports.Set("binaryIntOps", intOps);
}

}  // namespace tn
