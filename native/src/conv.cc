// Convolution (im2col / col2im + CBLAS GEMM; direct loops for inputs of 1-4 channels), its fused bias + activation
// epilogue, and pooling kernels, channels-last. See conv.h for the JS interface.
//
// Every problem is seen as 3-d: [N, D, H, W, C] in, [N, OD, OH, OW, *] out; 1-d and 2-d ones come lifted with
// leading size-1 dims (kernel 1, stride 1, dilation 1, no padding). The results match src/backend/cpu/nn.ts: conv
// up to GEMM rounding; pooling exactly (same visiting order, same float64 arithmetic where the cpu kernel uses it).
//
// Patch matrices are group-major: column g·KK·cg + kidx·cg + c holds x[pos(kidx), g·cg + c], so group g's patch is a
// contiguous block of columns whose order matches the rows kidx·cg + c of the filter [KK, cg, outC].
//
// The addon is compiled with -ffp-contract=off (the pooling gradients must round as the cpu kernels do: a product,
// then a sum); only the direct convolutions below turn multiply-adds into FMAs, where GEMM rounding is expected.
#include "conv.h"

#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "fastmath.h"

namespace {

using i64 = int64_t;

// ---- threads ----
//
// Every loop runs on the addon's persistent pool (common.cc), with one thread count (setThreads): no thread is
// created per call. The pool's threads call the BLAS on their own blocks; the BLAS is single-threaded (gemm.cc), so
// its threads never compete with ours for the cores.

using tn::ParallelParts;
using tn::Arr;
using tn::Kind;
using tn::SingleThreadedBlas;

int Threads() { return tn::Threads(); }

/** Threads worth using for `work` element-operations of memory-bound loop work. */
int ThreadsFor(i64 work) {
  if (work < (i64{1} << 16)) return 1;
  return Threads();
}

// ---- BLAS ----

inline void Gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, i64 m, i64 n, i64 k, const float* a, i64 lda,
                 const float* b, i64 ldb, float beta, float* c, i64 ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}
inline void Gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, i64 m, i64 n, i64 k, const double* a, i64 lda,
                 const double* b, i64 ldb, double beta, double* c, i64 ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

// ---- geometry ----

struct Geom {
  i64 N, D, H, W, C;
  i64 OD, OH, OW;
  i64 KD, KH, KW;
  i64 sd, sh, sw;
  i64 dd, dh, dw;
  i64 pd, ph, pw;
  i64 groups, outC;

  i64 KK() const { return KD * KH * KW; }
  i64 M() const { return OD * OH * OW; }   // output positions per image
  i64 InSp() const { return D * H * W; }   // input positions per image
  i64 cg() const { return C / groups; }
  i64 og() const { return outC / groups; }
  i64 Patch() const { return KK() * C; }  // all groups
  bool Pointwise() const {
    return KK() == 1 && sd == 1 && sh == 1 && sw == 1 && pd == 0 && ph == 0 && pw == 0 && OD == D && OH == H &&
           OW == W;
  }
};

/** Reads and checks `geom`; on failure returns false with `err` set. `conv`: the 22-entry conv form, else 17. */
bool ReadGeom(const Napi::Value& v, bool conv, Geom& g, std::string& err) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    err = "geometry must be an Int32Array";
    return false;
  }
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  size_t want = conv ? 22 : 17;
  if (a.ElementLength() != want) {
    err = "geometry must have " + std::to_string(want) + " entries";
    return false;
  }
  const int32_t* p = a.Data();
  for (size_t i = 0; i < want; i++) {
    if (p[i] < 0) {
      err = "geometry entries must be non-negative";
      return false;
    }
  }
  g.N = p[0]; g.D = p[1]; g.H = p[2]; g.W = p[3]; g.C = p[4];
  g.OD = p[5]; g.OH = p[6]; g.OW = p[7];
  g.KD = p[8]; g.KH = p[9]; g.KW = p[10];
  g.sd = p[11]; g.sh = p[12]; g.sw = p[13];
  int i = 14;
  if (conv) {
    g.dd = p[14]; g.dh = p[15]; g.dw = p[16];
    i = 17;
  } else {
    g.dd = g.dh = g.dw = 1;
  }
  g.pd = p[i]; g.ph = p[i + 1]; g.pw = p[i + 2];
  if (conv) {
    g.groups = p[20];
    g.outC = p[21];
  } else {
    g.groups = 1;
    g.outC = g.C;
  }
  if (g.sd < 1 || g.sh < 1 || g.sw < 1 || g.dd < 1 || g.dh < 1 || g.dw < 1 || g.groups < 1 || g.KD < 1 ||
      g.KH < 1 || g.KW < 1) {
    err = "strides, dilations, window sizes and groups must be positive";
    return false;
  }
  if (g.C % g.groups != 0 || g.outC % g.groups != 0) {
    err = "channels must divide into groups";
    return false;
  }
  return true;
}

// ---- im2col / col2im over global output rows r in [r0, r1) (r = n·M + position) ----

template <class T>
void Im2col(const T* x, T* P, const Geom& g, i64 r0, i64 r1) {
  const i64 M = g.M(), patch = g.Patch(), KK = g.KK(), cg = g.cg(), C = g.C;
  const i64 groupStride = KK * cg;
  for (i64 r = r0; r < r1; r++) {
    const i64 n = r / M, rem = r % M;
    const i64 ow = rem % g.OW, oh = (rem / g.OW) % g.OH, od = rem / (g.OW * g.OH);
    const i64 d0 = od * g.sd - g.pd, h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
    const T* xn = x + n * g.InSp() * C;
    T* row = P + (r - r0) * patch;
    i64 kidx = 0;
    for (i64 kd = 0; kd < g.KD; kd++) {
      const i64 id = d0 + kd * g.dd;
      const bool dIn = id >= 0 && id < g.D;
      for (i64 kh = 0; kh < g.KH; kh++) {
        const i64 ih = h0 + kh * g.dh;
        const bool hIn = dIn && ih >= 0 && ih < g.H;
        for (i64 kw = 0; kw < g.KW; kw++, kidx++) {
          const i64 iw = w0 + kw * g.dw;
          T* dst = row + kidx * cg;
          if (hIn && iw >= 0 && iw < g.W) {
            const T* src = xn + ((id * g.H + ih) * g.W + iw) * C;
            if (g.groups == 1) {
              std::memcpy(dst, src, sizeof(T) * C);
            } else {
              for (i64 grp = 0; grp < g.groups; grp++) std::memcpy(dst + grp * groupStride, src + grp * cg, sizeof(T) * cg);
            }
          } else {
            for (i64 grp = 0; grp < g.groups; grp++) std::memset(dst + grp * groupStride, 0, sizeof(T) * cg);
          }
        }
      }
    }
  }
}

/** The adjoint of Im2col: adds P's rows into dx (padding positions dropped). Rows of one image must not be split
 *  between threads that run at the same time. */
template <class T>
void Col2im(const T* P, T* dx, const Geom& g, i64 r0, i64 r1) {
  const i64 M = g.M(), patch = g.Patch(), KK = g.KK(), cg = g.cg(), C = g.C;
  const i64 groupStride = KK * cg;
  for (i64 r = r0; r < r1; r++) {
    const i64 n = r / M, rem = r % M;
    const i64 ow = rem % g.OW, oh = (rem / g.OW) % g.OH, od = rem / (g.OW * g.OH);
    const i64 d0 = od * g.sd - g.pd, h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
    T* dn = dx + n * g.InSp() * C;
    const T* row = P + (r - r0) * patch;
    i64 kidx = 0;
    for (i64 kd = 0; kd < g.KD; kd++) {
      const i64 id = d0 + kd * g.dd;
      const bool dIn = id >= 0 && id < g.D;
      for (i64 kh = 0; kh < g.KH; kh++) {
        const i64 ih = h0 + kh * g.dh;
        const bool hIn = dIn && ih >= 0 && ih < g.H;
        for (i64 kw = 0; kw < g.KW; kw++, kidx++) {
          const i64 iw = w0 + kw * g.dw;
          if (!(hIn && iw >= 0 && iw < g.W)) continue;
          T* dst = dn + ((id * g.H + ih) * g.W + iw) * C;
          const T* src = row + kidx * cg;
          for (i64 grp = 0; grp < g.groups; grp++) {
            T* d = dst + grp * cg;
            const T* s = src + grp * groupStride;
            for (i64 c = 0; c < cg; c++) d[c] += s[c];
          }
        }
      }
    }
  }
}

/** Rows per im2col block: a patch matrix of about `elements` elements. */
i64 BlockRows(i64 patch, i64 total, i64 elements) {
  i64 rows = std::max<i64>(1, elements / std::max<i64>(1, patch));
  return std::min(rows, std::max<i64>(1, total));
}

/** Per-thread patch blocks stay in that core's L2 (with the GEMM's packed panels). */
constexpr i64 kThreadBlock = i64{1} << 16;
/** The block of a problem too small to split (one thread). */
constexpr i64 kSharedBlock = i64{1} << 20;

/**
 * Runs body(part, r0, r1, P) over the output rows [0, rows) in blocks, P a patch buffer of the block's rows:
 * on the pool's threads, each with its own buffer and single-threaded BLAS (rows split at multiples of `align`, so
 * a thread can own whole images), or, where that does not pay, on this thread. Returns false when out of memory.
 */
template <class T, class Body>
bool ForRowBlocks(i64 rows, i64 patch, i64 align, i64 flops, Body body) {
  const i64 units = (rows + align - 1) / align;
  const int threads = flops >= (i64{1} << 22) ? static_cast<int>(std::min<i64>(Threads(), units)) : 1;
  if (threads > 1) {
    SingleThreadedBlas single;
    const i64 block = BlockRows(patch, rows, kThreadBlock);
    std::vector<T*> buffers(threads, nullptr);
    bool ok = true;
    for (int t = 0; t < threads; t++) {
      buffers[t] = static_cast<T*>(std::malloc(sizeof(T) * static_cast<size_t>(block * patch)));
      ok = ok && buffers[t] != nullptr;
    }
    if (ok) {
      ParallelParts(units, threads, [&](int part, i64 u0, i64 u1) {
        const i64 end = std::min(rows, u1 * align);
        for (i64 r0 = u0 * align; r0 < end; r0 += block) body(part, r0, std::min(end, r0 + block), buffers[part]);
      });
    }
    for (T* b : buffers) std::free(b);
    return ok;
  }
  const i64 block = BlockRows(patch, rows, kSharedBlock);
  T* P = static_cast<T*>(std::malloc(sizeof(T) * static_cast<size_t>(block * patch)));
  if (!P) return false;
  for (i64 r0 = 0; r0 < rows; r0 += block) body(0, r0, std::min(rows, r0 + block), P);
  std::free(P);
  return true;
}

/** The fused epilogue of a forward convolution: y = act(y + bias), bias null for none. */
template <class T>
struct Fused {
  const T* bias = nullptr;
  int act = tn::kLinear;
  T alpha = T(0);
  bool Any() const { return bias != nullptr || act != tn::kLinear; }
  void Apply(T* y, i64 rows, i64 cols) const {
    if (Any()) tn::Epilogue(y, rows, cols, cols, bias, act, alpha);
  }
};

// ---- direct convolutions for a shallow input (C <= 4, one group: a first layer on images) ----
//
// Their im2col GEMMs have K (forward) or M (filter gradient) = KK·C of 9 or so, far too thin for BLAS (~10
// GFLOP/s). Here the output channels are the vector lanes: the filter row of a tap is loaded as vectors, the input
// value broadcast, and a block of output pixels × two vectors of channels accumulates in registers.

constexpr i64 kDirectMaxC = 4;

#if defined(__AVX512F__)
constexpr int kVecBytes = 64;
constexpr int kPixels = 8;   // 8 pixels × 2 vectors of sums: 16 of the 32 vector registers
constexpr int kFilterTaps = 12;
#elif defined(__AVX__)
constexpr int kVecBytes = 32;
constexpr int kPixels = 6;   // 12 of the 16 registers
constexpr int kFilterTaps = 6;
#else
constexpr int kVecBytes = 16;
constexpr int kPixels = 4;
constexpr int kFilterTaps = 6;
#endif

typedef float VecF __attribute__((vector_size(kVecBytes)));
typedef double VecD __attribute__((vector_size(kVecBytes)));
template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  using type = VecF;
};
template <>
struct VecOf<double> {
  using type = VecD;
};

template <class V, class T>
inline V LoadV(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <class V, class T>
inline void StoreV(T* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}
/** v in every lane (a broadcast; `V{} + v` would add 0.0 first, which the compiler must keep for -0). */
template <class V, class T, size_t... I>
inline V SplatOf(T v, std::index_sequence<I...>) {
  return V{((void)I, v)...};
}
template <class V, class T>
inline V Splat(T v) {
  return SplatOf<V>(v, std::make_index_sequence<sizeof(V) / sizeof(T)>{});
}

// GCC: these functions alone may contract a·b + c into an FMA (the file is compiled with fp-contract=off).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
#endif

/** The filter [KK·C, O] repacked to [KK·C, Op] (Op: O rounded up to whole channel blocks, zeros after O). */
template <class T>
std::vector<T> PadColumns(const T* w, i64 rows, i64 O, i64 Op) {
  std::vector<T> out(static_cast<size_t>(rows * Op), T(0));
  for (i64 r = 0; r < rows; r++) std::memcpy(out.data() + r * Op, w + r * O, sizeof(T) * O);
  return out;
}

/** act(v) on a vector for the activations that are a select or two (the others: a pass over the block after). */
template <class V, class T>
inline V ActivateCheap(V v, int act, T alpha) {
  const V zero{};
  switch (act) {
    case tn::kRelu: return v < zero ? zero : v;  // NaN stays (NaN < 0 is false)
    case tn::kRelu6: {
      const V six = Splat<V>(T(6));
      v = v < zero ? zero : v;
      return v > six ? six : v;
    }
    case tn::kLeakyRelu: return v > zero ? v : v * Splat<V>(alpha);
    default: return v;
  }
}

using tn::IsCheap;

/**
 * Output pixels ow0 … ow0 + kPixels - 1 of row (n, od, oh), channels [o0, o0 + 2L): sums of the taps in registers,
 * a cheap activation applied there, stored to out (pixel p at out + p·O) for the pixels < np and channels < O - o0.
 * kCheck: some pixels are past the row's end or read padding (they read 0). kC, kSW > 0: the channel count and
 * width stride as constants, so every input address is an immediate offset (the common first layers).
 */
template <class T, bool kCheck, int kC, int kSW>
void DirectBlock(const T* __restrict xn, const T* __restrict wp, const T* __restrict bp, T* __restrict out,
                 const Geom& g, i64 Op, i64 od, i64 oh, i64 ow0, i64 np, i64 o0, int act, T alpha) {
#if defined(__clang__)
#pragma clang fp contract(fast)
#endif
  using V = typename VecOf<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  const i64 C = kC > 0 ? kC : g.C, sw = kSW > 0 ? kSW : g.sw, O = g.outC;
  V acc[kPixels][2];
  const V b0 = LoadV<V>(bp + o0), b1 = LoadV<V>(bp + o0 + L);
#pragma GCC unroll 16
  for (int p = 0; p < kPixels; p++) {
    acc[p][0] = b0;
    acc[p][1] = b1;
  }
  const i64 d0 = od * g.sd - g.pd, h0 = oh * g.sh - g.ph, w0 = ow0 * sw - g.pw;
  for (i64 kd = 0; kd < g.KD; kd++) {
    const i64 id = d0 + kd * g.dd;
    if (id < 0 || id >= g.D) continue;
    for (i64 kh = 0; kh < g.KH; kh++) {
      const i64 ih = h0 + kh * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      const T* xrow = xn + (id * g.H + ih) * g.W * C;
      const T* wt = wp + (kd * g.KH + kh) * g.KW * C * Op + o0;
      for (i64 kw = 0; kw < g.KW; kw++, wt += C * Op) {
        const i64 iw0 = w0 + kw * g.dw;
        const T* xp = xrow + iw0 * C;  // pixel p's input at xp + p·sw·C (+ c)
#pragma GCC unroll 4
        for (i64 c = 0; c < C; c++) {
          const V f0 = LoadV<V>(wt + c * Op), f1 = LoadV<V>(wt + c * Op + L);
#pragma GCC unroll 16
          for (int p = 0; p < kPixels; p++) {
            T v;
            if (kCheck) {
              const i64 iw = iw0 + p * sw;
              const bool in = p < np && iw >= 0 && iw < g.W;
              v = in ? xrow[(in ? iw : 0) * C + c] : T(0);
            } else {
              v = xp[p * sw * C + c];
            }
            const V xv = Splat<V>(v);
            acc[p][0] += xv * f0;
            acc[p][1] += xv * f1;
          }
        }
      }
    }
  }
  const i64 left = O - o0;
#pragma GCC unroll 16
  for (int p = 0; p < kPixels; p++) {
    if (kCheck && p >= np) break;
    const V a0 = ActivateCheap(acc[p][0], act, alpha), a1 = ActivateCheap(acc[p][1], act, alpha);
    if (left >= 2 * L) {
      StoreV(out + p * O + o0, a0);
      StoreV(out + p * O + o0 + L, a1);
    } else {
      T tmp[2 * L];
      StoreV(tmp, a0);
      StoreV(tmp + L, a1);
      std::memcpy(out + p * O + o0, tmp, sizeof(T) * left);
    }
  }
}

template <class T>
using DirectBlockFn = void (*)(const T*, const T*, const T*, T*, const Geom&, i64, i64, i64, i64, i64, i64, int, T);

/** The unchecked block for this geometry: with constant channels and stride where they are 1-4 and 1-2. */
template <class T>
DirectBlockFn<T> PickDirectBlock(i64 C, i64 sw) {
#define TN_DIRECT(c, s) \
  if (C == c && sw == s) return DirectBlock<T, false, c, s>;
  TN_DIRECT(1, 1) TN_DIRECT(2, 1) TN_DIRECT(3, 1) TN_DIRECT(4, 1)
  TN_DIRECT(1, 2) TN_DIRECT(2, 2) TN_DIRECT(3, 2) TN_DIRECT(4, 2)
#undef TN_DIRECT
  return DirectBlock<T, false, 0, 0>;
}

/** y = act(x ⋆ w + bias) directly, output rows split across the pool's threads. */
template <class T>
void DirectConv(const T* x, const T* w, T* y, const Geom& g, const Fused<T>& fused) {
  constexpr i64 CB = 2 * (kVecBytes / sizeof(T));
  const i64 O = g.outC, C = g.C, KK = g.KK();
  const i64 Op = (O + CB - 1) / CB * CB;
  const std::vector<T> wp = PadColumns(w, KK * C, O, Op);
  std::vector<T> bp(static_cast<size_t>(Op), T(0));
  if (fused.bias != nullptr) std::memcpy(bp.data(), fused.bias, sizeof(T) * O);
  // Cheap activations are applied in registers; the others in a pass over each block while it is in L1.
  const bool cheap = IsCheap(fused.act);
  const int inRegisters = cheap ? fused.act : tn::kLinear;
  const Fused<T> after{nullptr, cheap ? tn::kLinear : fused.act, fused.alpha};
  const DirectBlockFn<T> fast = PickDirectBlock<T>(C, g.sw);
  const i64 rows = g.N * g.OD * g.OH;
  ParallelParts(rows, ThreadsFor(rows * g.OW * KK * C * O), [&](int, i64 b, i64 e) {
    for (i64 r = b; r < e; r++) {
      const i64 oh = r % g.OH, od = (r / g.OH) % g.OD, n = r / (g.OH * g.OD);
      const T* xn = x + n * g.InSp() * C;
      T* yrow = y + r * g.OW * O;
      for (i64 start = 0; start < g.OW; start += kPixels) {
        // A last partial block is shifted left to end at the row's end: it recomputes a few pixels (from their
        // sums, so activating them again is right) instead of running the checked path.
        const i64 ow0 = start + kPixels > g.OW && g.OW >= kPixels ? g.OW - kPixels : start;
        const i64 np = std::min<i64>(kPixels, g.OW - ow0);
        const i64 first = ow0 * g.sw - g.pw, last = (ow0 + kPixels - 1) * g.sw - g.pw + (g.KW - 1) * g.dw;
        const bool inside = np == kPixels && first >= 0 && last < g.W;
        T* out = yrow + ow0 * O;
        for (i64 o0 = 0; o0 < O; o0 += CB) {
          if (inside) fast(xn, wp.data(), bp.data(), out, g, Op, od, oh, ow0, np, o0, inRegisters, fused.alpha);
          else DirectBlock<T, true, 0, 0>(xn, wp.data(), bp.data(), out, g, Op, od, oh, ow0, np, o0, inRegisters, fused.alpha);
        }
        after.Apply(out, np, O);
      }
    }
  });
}

/**
 * dw[t, o] (t = tap·C + c) += Σ over output pixels of row (n, od, oh) of x[pixel @ tap, c] · dy[pixel, o], for taps
 * [t0, t0 + kFilterTaps) ∩ [0, KK·C) and channels [o0, o0 + 2L), with the sums in registers for the row.
 */
template <class T>
inline void FilterGradRow(const T* __restrict xn, const T* __restrict dyrow, T* __restrict acc, const Geom& g, i64 Op,
                          i64 od, i64 oh, i64 t0, i64 o0) {
#if defined(__clang__)
#pragma clang fp contract(fast)
#endif
  using V = typename VecOf<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  const i64 C = g.C, O = g.outC, taps = g.KK() * C;
  V s[kFilterTaps][2];
  i64 base[kFilterTaps];  // offset of x[id, ih, iw(ow = 0), c] for the tap (iw may be negative)
  i64 lo[kFilterTaps], hi[kFilterTaps];  // the tap reads inside the input for lo <= ow < hi (none: a padding row)
  bool full = true;
#pragma GCC unroll 16
  for (int t = 0; t < kFilterTaps; t++) {
    s[t][0] = V{};
    s[t][1] = V{};
    base[t] = 0;
    lo[t] = 0;
    hi[t] = 0;
    const i64 tc = t0 + t;
    if (tc >= taps) continue;
    const i64 c = tc % C, k = tc / C;
    const i64 kw = k % g.KW, kh = (k / g.KW) % g.KH, kd = k / (g.KW * g.KH);
    const i64 id = od * g.sd - g.pd + kd * g.dd, ih = oh * g.sh - g.ph + kh * g.dh;
    if (id < 0 || id >= g.D || ih < 0 || ih >= g.H) {
      full = false;
      continue;
    }
    const i64 off = kw * g.dw - g.pw;  // iw = ow·sw + off
    base[t] = ((id * g.H + ih) * g.W + off) * C + c;
    // ow·sw + off in [0, W)  ⇔  ow in [ceil(-off / sw), ceil((W - off) / sw))
    lo[t] = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
    hi[t] = std::min<i64>(g.OW, g.W - off <= 0 ? 0 : (g.W - off + g.sw - 1) / g.sw);
    if (lo[t] > 0 || hi[t] < g.OW) full = false;
  }
  const i64 step = g.sw * C;
  for (i64 ow = 0; ow < g.OW; ow++) {
    const V d0 = LoadV<V>(dyrow + ow * Op + o0), d1 = LoadV<V>(dyrow + ow * Op + o0 + L);
#pragma GCC unroll 16
    for (int t = 0; t < kFilterTaps; t++) {
      T v;
      if (full) v = t0 + t < taps ? xn[base[t] + ow * step] : T(0);
      else v = (ow >= lo[t] && ow < hi[t]) ? xn[ow >= lo[t] && ow < hi[t] ? base[t] + ow * step : 0] : T(0);
      const V xv = Splat<V>(v);
      s[t][0] += xv * d0;
      s[t][1] += xv * d1;
    }
  }
  (void)O;
#pragma GCC unroll 16
  for (int t = 0; t < kFilterTaps; t++) {
    if (t0 + t >= taps) break;
    T* a = acc + (t0 + t) * Op + o0;
    StoreV(a, LoadV<V>(a) + s[t][0]);
    StoreV(a + L, LoadV<V>(a + L) + s[t][1]);
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

/**
 * dw = im2col(x)ᵀ · dy directly for a shallow input: each thread sums its output rows into its own [KK·C, Op] array
 * (dy rows copied to a padded row buffer first), and the arrays are added in order at the end.
 */
template <class T>
bool DirectFilterGrad(const T* x, const T* dy, T* dw, const Geom& g) {
  constexpr i64 CB = 2 * (kVecBytes / sizeof(T));
  const i64 O = g.outC, C = g.C, taps = g.KK() * C;
  const i64 Op = (O + CB - 1) / CB * CB;
  const i64 rows = g.N * g.OD * g.OH;
  const int parts = static_cast<int>(std::min<i64>(ThreadsFor(rows * g.OW * taps * O), rows));
  std::vector<std::vector<T>> acc(std::max(parts, 1));
  for (auto& a : acc) a.assign(static_cast<size_t>(taps * Op), T(0));
  ParallelParts(rows, parts, [&](int part, i64 b, i64 e) {
    T* a = acc[part].data();
    std::vector<T> padded;
    const T* dyrows = dy;
    if (Op != O) padded.assign(static_cast<size_t>(g.OW * Op), T(0));
    for (i64 r = b; r < e; r++) {
      const i64 oh = r % g.OH, od = (r / g.OH) % g.OD, n = r / (g.OH * g.OD);
      const T* xn = x + n * g.InSp() * C;
      const T* dyrow = dyrows + r * g.OW * O;
      if (Op != O) {
        for (i64 ow = 0; ow < g.OW; ow++) std::memcpy(padded.data() + ow * Op, dyrow + ow * O, sizeof(T) * O);
        dyrow = padded.data();
      }
      for (i64 t0 = 0; t0 < taps; t0 += kFilterTaps)
        for (i64 o0 = 0; o0 < Op; o0 += CB) FilterGradRow(xn, dyrow, a, g, Op, od, oh, t0, o0);
    }
  });
  for (i64 t = 0; t < taps; t++) {
    for (i64 o = 0; o < O; o++) {
      T s = acc[0][t * Op + o];
      for (size_t p = 1; p < acc.size(); p++) s += acc[p][t * Op + o];
      dw[t * O + o] = s;
    }
  }
  return true;
}

// ---- convolution through GEMM ----

/** y[N·M, outC] = act(im2col(x) · w + bias), per group. Returns false when out of memory. */
template <class T>
bool ConvForward(const T* x, const T* w, T* y, const Geom& g, const Fused<T>& fused) {
  const i64 rows = g.N * g.M(), cg = g.cg(), og = g.og(), KK = g.KK(), patch = g.Patch();
  if (rows == 0 || g.outC == 0) return true;
  if (cg == 0) {
    std::memset(y, 0, sizeof(T) * rows * g.outC);
    if (fused.Any()) {
      tn::ParallelFor(rows, rows * g.outC, tn::kCheapWork, [&](i64 b, i64 e) { fused.Apply(y + b * g.outC, e - b, g.outC); });
    }
    return true;
  }
  if (g.groups == 1 && g.C <= kDirectMaxC) {
    DirectConv(x, w, y, g, fused);
    return true;
  }
  if (g.Pointwise()) {
    // One GEMM per group split across the pool, then the epilogue over row blocks.
    for (i64 grp = 0; grp < g.groups; grp++)
      tn::ParallelGemm(false, false, rows, og, cg, 1.0, x + grp * cg, g.C, w + grp * og, g.outC, 0.0, y + grp * og, g.outC);
    if (fused.Any()) {
      tn::ParallelFor(rows, rows * g.outC, tn::kCheapWork, [&](i64 b, i64 e) { fused.Apply(y + b * g.outC, e - b, g.outC); });
    }
    return true;
  }
  return ForRowBlocks<T>(rows, patch, 1, 2 * rows * patch * og, [&](int, i64 r0, i64 r1, T* P) {
    Im2col(x, P, g, r0, r1);
    for (i64 grp = 0; grp < g.groups; grp++)
      Gemm(CblasNoTrans, CblasNoTrans, r1 - r0, og, KK * cg, P + grp * KK * cg, patch, w + grp * og, g.outC, T(0),
           y + r0 * g.outC + grp * og, g.outC);
    fused.Apply(y + r0 * g.outC, r1 - r0, g.outC);  // the block's output is still in cache
  });
}

/** dx = col2im(dy · wᵀ), per group. Threads own whole images (col2im adds into overlapping windows). */
template <class T>
bool ConvBackpropInput(const T* dy, const T* w, T* dx, const Geom& g) {
  const i64 rows = g.N * g.M(), cg = g.cg(), og = g.og(), KK = g.KK(), patch = g.Patch();
  const i64 dxLen = g.N * g.InSp() * g.C;
  if (dxLen == 0) return true;
  if (rows == 0 || og == 0 || cg == 0) {
    std::memset(dx, 0, sizeof(T) * dxLen);
    return true;
  }
  if (g.Pointwise()) {
    for (i64 grp = 0; grp < g.groups; grp++)
      tn::ParallelGemm(false, true, rows, cg, og, 1.0, dy + grp * og, g.outC, w + grp * og, g.outC, 0.0, dx + grp * cg, g.C);
    return true;
  }
  std::memset(dx, 0, sizeof(T) * dxLen);
  return ForRowBlocks<T>(rows, patch, g.M(), 2 * rows * patch * og, [&](int, i64 r0, i64 r1, T* P) {
    for (i64 grp = 0; grp < g.groups; grp++)
      Gemm(CblasNoTrans, CblasTrans, r1 - r0, KK * cg, og, dy + r0 * g.outC + grp * og, g.outC, w + grp * og, g.outC,
           T(0), P + grp * KK * cg, patch);
    Col2im(P, dx, g, r0, r1);
  });
}

/** dw[KK·cg, og] (per group, columns of [KK, cg, outC]) = im2col(x)ᵀ · dy; per-thread partial sums, added in order. */
template <class T>
bool ConvBackpropFilter(const T* x, const T* dy, T* dw, const Geom& g) {
  const i64 rows = g.N * g.M(), cg = g.cg(), og = g.og(), KK = g.KK(), patch = g.Patch();
  const i64 dwLen = KK * cg * g.outC;
  if (dwLen == 0) return true;
  if (rows == 0) {
    std::memset(dw, 0, sizeof(T) * dwLen);
    return true;
  }
  if (g.Pointwise()) {
    for (i64 grp = 0; grp < g.groups; grp++)
      tn::ParallelGemm(true, false, cg, og, rows, 1.0, x + grp * cg, g.C, dy + grp * og, g.outC, 0.0, dw + grp * og, g.outC);
    return true;
  }
  if (g.groups == 1 && g.C <= kDirectMaxC) return DirectFilterGrad(x, dy, dw, g);
  const int parts = std::max(1, Threads());
  std::vector<T*> partial(parts, nullptr);
  std::vector<char> started(parts, 0);
  partial[0] = dw;
  bool ok = true;
  for (int t = 1; t < parts; t++) {
    partial[t] = static_cast<T*>(std::malloc(sizeof(T) * static_cast<size_t>(dwLen)));
    ok = ok && partial[t] != nullptr;
  }
  if (ok) {
    ok = ForRowBlocks<T>(rows, patch, 1, 2 * rows * patch * og, [&](int part, i64 r0, i64 r1, T* P) {
      Im2col(x, P, g, r0, r1);
      T* out = partial[part];
      for (i64 grp = 0; grp < g.groups; grp++)
        Gemm(CblasTrans, CblasNoTrans, KK * cg, og, r1 - r0, P + grp * KK * cg, patch, dy + r0 * g.outC + grp * og,
             g.outC, started[part] ? T(1) : T(0), out + grp * og, g.outC);
      started[part] = 1;
    });
  }
  if (ok) {
    if (!started[0]) std::memset(dw, 0, sizeof(T) * dwLen);
    for (int t = 1; t < parts; t++)
      if (started[t])
        for (i64 i = 0; i < dwLen; i++) dw[i] += partial[t][i];
  }
  for (int t = 1; t < parts; t++) std::free(partial[t]);
  return ok;
}

// ---- pooling ----
//
// Channels-last: every window position is a contiguous vector of C values, so the loops run over C innermost
// (vectorized) and a window's values never leave L1. Output rows (n, od, oh) are split across the pool's threads;
// the gradients split whole images (windows may overlap within an image).

/** The in-bounds window of output (od, oh, ow): kd in [kd0, kd1) etc. */
struct Window {
  i64 d0, h0, w0;
  i64 kd0, kd1, kh0, kh1, kw0, kw1;
};

inline Window WindowAt(const Geom& g, i64 od, i64 oh, i64 ow) {
  Window w;
  w.d0 = od * g.sd - g.pd;
  w.h0 = oh * g.sh - g.ph;
  w.w0 = ow * g.sw - g.pw;
  w.kd0 = std::max<i64>(0, -w.d0);
  w.kd1 = std::min<i64>(g.KD, g.D - w.d0);
  w.kh0 = std::max<i64>(0, -w.h0);
  w.kh1 = std::min<i64>(g.KH, g.H - w.h0);
  w.kw0 = std::max<i64>(0, -w.w0);
  w.kw1 = std::min<i64>(g.KW, g.W - w.w0);
  return w;
}

/** Calls f(position offset in the image, in C-vectors) for the window's in-bounds positions, in window order. */
template <class F>
inline void ForWindow(const Geom& g, const Window& w, F f) {
  for (i64 kd = w.kd0; kd < w.kd1; kd++)
    for (i64 kh = w.kh0; kh < w.kh1; kh++)
      for (i64 kw = w.kw0; kw < w.kw1; kw++) f(((w.d0 + kd) * g.H + w.h0 + kh) * g.W + w.w0 + kw);
}

/** Output rows (n, od, oh) in [b, e): calls row(n, od, oh, offset of the row's first output position). */
template <class F>
inline void ForRows(const Geom& g, i64 b, i64 e, F row) {
  for (i64 r = b; r < e; r++) {
    const i64 oh = r % g.OH, od = (r / g.OH) % g.OD, n = r / (g.OH * g.OD);
    row(n, od, oh, r * g.OW);
  }
}

/**
 * A window's in-bounds positions as element offsets of their channel vectors in the image, in window order. The
 * offsets of a whole window relative to its first position are the same everywhere: computed once (`full`), so an
 * inside window only needs its origin.
 */
class WindowPositions {
 public:
  explicit WindowPositions(const Geom& g) : g_(g), full_(static_cast<size_t>(g.KK())), part_(static_cast<size_t>(g.KK())) {
    i64 k = 0;
    for (i64 kd = 0; kd < g.KD; kd++)
      for (i64 kh = 0; kh < g.KH; kh++)
        for (i64 kw = 0; kw < g.KW; kw++) full_[k++] = ((kd * g.H + kh) * g.W + kw) * g.C;
  }
  /** Offsets of window (od, oh, ow): returns them (count of them in `count`, each plus `base`). */
  const i64* At(i64 od, i64 oh, i64 ow, i64& count, i64& base) {
    const Window w = WindowAt(g_, od, oh, ow);
    if (w.kd0 == 0 && w.kd1 == g_.KD && w.kh0 == 0 && w.kh1 == g_.KH && w.kw0 == 0 && w.kw1 == g_.KW) {
      count = g_.KK();
      base = ((w.d0 * g_.H + w.h0) * g_.W + w.w0) * g_.C;
      return full_.data();
    }
    count = 0;
    base = 0;
    ForWindow(g_, w, [&](i64 pos) { part_[count++] = pos * g_.C; });
    return part_.data();
  }

 private:
  const Geom& g_;
  std::vector<i64> full_, part_;
};

/** Max with the cpu kernel's NaN rule: the first NaN wins and stays (v > m is false against NaN). */
template <class V>
inline V MaxStep(V m, V v) {
  return ((v > m) | (v != v)) ? v : m;
}

/** Whether v is where dy goes: equal to the maximum, or a NaN where the maximum is NaN. */
template <class V>
inline auto IsArgMax(V v, V m) {
  return (v == m) | ((m != m) & (v != v));
}

/**
 * Max pooling of one window, vectors of L channels at a time (then the tail): the maximum in registers, written to
 * out. offs: the window's positions (WindowOffsets), count >= 1.
 */
template <class T>
inline void WindowMax(const T* __restrict xn, const i64* offs, i64 count, i64 C, T* __restrict out) {
  // xn: the image plus the window's base offset.
  using V = typename VecOf<T>::type;
  constexpr i64 L = kVecBytes / sizeof(T);
  i64 c = 0;
  for (; c + L <= C; c += L) {
    V m = LoadV<V>(xn + offs[0] + c);
    for (i64 k = 1; k < count; k++) m = MaxStep(m, LoadV<V>(xn + offs[k] + c));
    StoreV(out + c, m);
  }
  for (; c < C; c++) {
    T m = xn[offs[0] + c];
    for (i64 k = 1; k < count; k++) {
      const T v = xn[offs[k] + c];
      m = ((v > m) | (v != v)) ? v : m;
    }
    out[c] = m;
  }
}

template <class T>
void MaxPool(const T* x, T* y, const Geom& g) {
  const i64 rows = g.N * g.OD * g.OH, C = g.C;
  ParallelParts(rows, ThreadsFor(rows * g.OW * C * g.KK()), [&](int, i64 b, i64 e) {
    WindowPositions positions(g);
    ForRows(g, b, e, [&](i64 n, i64 od, i64 oh, i64 o0) {
      const T* xn = x + n * g.InSp() * C;
      for (i64 ow = 0; ow < g.OW; ow++) {
        T* out = y + (o0 + ow) * C;
        i64 count, base;
        const i64* offs = positions.At(od, oh, ow, count, base);
        if (count == 0) {
          std::fill(out, out + C, std::numeric_limits<T>::quiet_NaN());
        } else {
          WindowMax(xn + base, offs, count, C, out);
        }
      }
    });
  });
}

/** Splits the batch over threads (images never share dx): f(part, first image, end image). */
template <class F>
void ParallelImages(const Geom& g, i64 work, F f) {
  ParallelParts(g.N, ThreadsFor(work), [&](int part, i64 b, i64 e) { f(part, b, e); });
}

/** Whether windows never overlap (each input position is in at most one window) and together cover the input. */
bool DisjointWindows(const Geom& g) { return g.sd >= g.KD && g.sh >= g.KH && g.sw >= g.KW; }
bool CoveringWindows(const Geom& g) {
  auto covers = [](i64 size, i64 out, i64 k, i64 s, i64 pad) { return pad == 0 && s == k && out * k >= size; };
  return covers(g.D, g.OD, g.KD, g.sd, g.pd) && covers(g.H, g.OH, g.KH, g.sh, g.ph) && covers(g.W, g.OW, g.KW, g.sw, g.pw);
}

/**
 * dx = dy routed to each window's first maximum (the first NaN if any), without argmax arrays: per window and
 * vector of channels its maximum m, then in window order each position takes what is left of dy where it equals m
 * (a NaN where m is NaN), leaving 0 for the later ones. With disjoint windows every position is written once (no
 * zeroing first where the windows cover the input); otherwise the additions into zeroed dx happen in the cpu
 * kernel's order (windows in order).
 */
template <class T, bool kDisjoint>
void MaxPoolGradImages(const T* x, const T* dy, T* dx, const Geom& g, i64 b, i64 e) {
  using V = typename VecOf<T>::type;
  constexpr i64 L = kVecBytes / sizeof(T);
  const i64 C = g.C, inImage = g.InSp() * C, rowsPerImage = g.OD * g.OH;
  if (!kDisjoint || !CoveringWindows(g)) std::memset(dx + b * inImage, 0, sizeof(T) * (e - b) * inImage);
  WindowPositions positions(g);
  const V zero{};
  ForRows(g, b * rowsPerImage, e * rowsPerImage, [&](i64 n, i64 od, i64 oh, i64 o0) {
    for (i64 ow = 0; ow < g.OW; ow++) {
      i64 count, base;
      const i64* offs = positions.At(od, oh, ow, count, base);
      if (count == 0) continue;
      const T* __restrict xn = x + n * inImage + base;
      T* __restrict dn = dx + n * inImage + base;
      const T* __restrict d = dy + (o0 + ow) * C;
      i64 c = 0;
      for (; c + L <= C; c += L) {
        V m = LoadV<V>(xn + offs[0] + c);
        for (i64 k = 1; k < count; k++) m = MaxStep(m, LoadV<V>(xn + offs[k] + c));
        V left = LoadV<V>(d + c);
        for (i64 k = 0; k < count; k++) {
          const auto hit = IsArgMax(LoadV<V>(xn + offs[k] + c), m);
          const V share = hit ? left : zero;
          T* t = dn + offs[k] + c;
          StoreV(t, kDisjoint ? share : LoadV<V>(t) + share);
          left = hit ? zero : left;
        }
      }
      for (; c < C; c++) {
        T m = xn[offs[0] + c];
        for (i64 k = 1; k < count; k++) {
          const T v = xn[offs[k] + c];
          m = ((v > m) | (v != v)) ? v : m;
        }
        T left = d[c];
        for (i64 k = 0; k < count; k++) {
          const T v = xn[offs[k] + c];
          const bool hit = (v == m) | ((m != m) & (v != v));
          T* t = dn + offs[k] + c;
          *t = kDisjoint ? (hit ? left : T(0)) : *t + (hit ? left : T(0));
          left = hit ? T(0) : left;
        }
      }
    }
  });
}

template <class T>
void MaxPoolGrad(const T* x, const T* dy, T* dx, const Geom& g) {
  const bool disjoint = DisjointWindows(g);
  ParallelImages(g, g.N * g.M() * g.C * g.KK(), [&](int, i64 b, i64 e) {
    if (disjoint) MaxPoolGradImages<T, true>(x, dy, dx, g, b, e);
    else MaxPoolGradImages<T, false>(x, dy, dx, g, b, e);
  });
}

template <class T>
void AvgPool(const T* x, T* y, const Geom& g) {
  const i64 rows = g.N * g.OD * g.OH, C = g.C;
  ParallelParts(rows, ThreadsFor(rows * g.OW * C * g.KK()), [&](int, i64 b, i64 e) {
    std::vector<double> accBuf(static_cast<size_t>(C));
    double* __restrict acc = accBuf.data();
    WindowPositions positions(g);
    ForRows(g, b, e, [&](i64 n, i64 od, i64 oh, i64 o0) {
      for (i64 ow = 0; ow < g.OW; ow++) {
        T* __restrict out = y + (o0 + ow) * C;
        i64 count, base;
        const i64* offs = positions.At(od, oh, ow, count, base);
        if (count == 0) {
          std::fill(out, out + C, std::numeric_limits<T>::quiet_NaN());
          continue;
        }
        // Sums in double, positions in window order: the cpu kernel's arithmetic.
        const T* xn = x + n * g.InSp() * C + base;
        std::fill(acc, acc + C, 0.0);
        for (i64 k = 0; k < count; k++) {
          const T* __restrict v = xn + offs[k];
          for (i64 c = 0; c < C; c++) acc[c] += static_cast<double>(v[c]);
        }
        const double div = static_cast<double>(count);
        for (i64 c = 0; c < C; c++) out[c] = static_cast<T>(acc[c] / div);
      }
    });
  });
}

template <class T>
void AvgPoolGrad(const T* dy, T* dx, const Geom& g) {
  const i64 C = g.C, inImage = g.InSp() * C, rowsPerImage = g.OD * g.OH;
  ParallelImages(g, g.N * g.M() * C * g.KK(), [&](int, i64 b, i64 e) {
    std::memset(dx + b * inImage, 0, sizeof(T) * (e - b) * inImage);
    WindowPositions positions(g);
    ForRows(g, b * rowsPerImage, e * rowsPerImage, [&](i64 n, i64 od, i64 oh, i64 o0) {
      for (i64 ow = 0; ow < g.OW; ow++) {
        i64 count, base;
        const i64* offs = positions.At(od, oh, ow, count, base);
        if (count == 0) continue;
        const double scale = 1.0 / static_cast<double>(count);
        const T* __restrict d = dy + (o0 + ow) * C;
        T* dn = dx + n * inImage + base;
        for (i64 k = 0; k < count; k++) {
          T* __restrict t = dn + offs[k];
          for (i64 c = 0; c < C; c++) t[c] = static_cast<T>(static_cast<double>(t[c]) + static_cast<double>(d[c]) * scale);
        }
      }
    });
  });
}

// ---- N-API glue ----

Napi::Value Fail(Napi::Env env, const std::string& what, const std::string& msg) {
  Napi::TypeError::New(env, what + ": " + msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

/** A float32 or float64 TypedArray's memory (tn::ArrOf); false for anything else. */
bool FloatArr(const Napi::Value& v, Arr& out) { return tn::ArrOf(v, out) && (out.kind == Kind::F32 || out.kind == Kind::F64); }

/**
 * Reads info[0..count) into `arrays`, checking that each is a TypedArray of the first one's kind (float32 or float64)
 * with the expected length.
 */
bool CheckArrays(const Napi::CallbackInfo& info, size_t count, const i64* lengths, Arr* arrays, std::string& err) {
  if (info.Length() < count + 1) {
    err = "expected " + std::to_string(count + 1) + " arguments";
    return false;
  }
  if (!FloatArr(info[0], arrays[0])) {
    err = "arrays must be Float32Array or Float64Array";
    return false;
  }
  for (size_t i = 0; i < count; i++) {
    if (!FloatArr(info[i], arrays[i]) || arrays[i].kind != arrays[0].kind) {
      err = "arrays must all be Float32Array or all Float64Array";
      return false;
    }
    if (arrays[i].length != lengths[i]) {
      err = "array " + std::to_string(i) + " has " + std::to_string(arrays[i].length) + " elements, expected " +
            std::to_string(lengths[i]);
      return false;
    }
  }
  return true;
}

/** convForward's optional epilogue arguments (bias, activation, alpha) at info[4..6]; false with `err` set. */
template <class T>
bool ReadFused(const Napi::CallbackInfo& info, Kind kind, i64 outC, Fused<T>& f, std::string& err) {
  if (info.Length() > 4 && !info[4].IsUndefined() && !info[4].IsNull()) {
    Arr bias;
    if (!FloatArr(info[4], bias) || bias.kind != kind || bias.length != outC) {
      err = "bias must be a TypedArray of x's type with one value per output channel";
      return false;
    }
    f.bias = bias.as<T>();
  }
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    const int act = info[5].IsNumber() ? info[5].As<Napi::Number>().Int32Value() : -1;
    if (act < 0 || act >= tn::kActivationCount) {
      err = "unknown activation code";
      return false;
    }
    f.act = act;
  }
  if (info.Length() > 6 && info[6].IsNumber()) f.alpha = static_cast<T>(info[6].As<Napi::Number>().DoubleValue());
  return true;
}

enum class ConvOp { Forward, BackpropInput, BackpropFilter };

template <ConvOp op>
Napi::Value ConvEntry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* name = op == ConvOp::Forward ? "convForward" : op == ConvOp::BackpropInput ? "convBackpropInput" : "convBackpropFilter";
  Geom g;
  std::string err;
  if (info.Length() < 4 || !ReadGeom(info[3], true, g, err)) return Fail(env, name, err.empty() ? "expected 4 arguments" : err);
  const i64 xLen = g.N * g.InSp() * g.C, wLen = g.KK() * g.cg() * g.outC, yLen = g.N * g.M() * g.outC;
  i64 lengths[3];
  if (op == ConvOp::Forward) { lengths[0] = xLen; lengths[1] = wLen; lengths[2] = yLen; }
  if (op == ConvOp::BackpropInput) { lengths[0] = yLen; lengths[1] = wLen; lengths[2] = xLen; }
  if (op == ConvOp::BackpropFilter) { lengths[0] = xLen; lengths[1] = yLen; lengths[2] = wLen; }
  Arr arr[3];
  if (!CheckArrays(info, 3, lengths, arr, err)) return Fail(env, name, err);
  const Kind kind = arr[0].kind;
  bool ok;
  if (kind == Kind::F32) {
    const float* a = arr[0].as<float>();
    const float* b = arr[1].as<float>();
    float* c = arr[2].as<float>();
    Fused<float> f;
    if (op == ConvOp::Forward && !ReadFused(info, kind, g.outC, f, err)) return Fail(env, name, err);
    ok = op == ConvOp::Forward ? ConvForward(a, b, c, g, f) : op == ConvOp::BackpropInput ? ConvBackpropInput(a, b, c, g) : ConvBackpropFilter(a, b, c, g);
  } else {
    const double* a = arr[0].as<double>();
    const double* b = arr[1].as<double>();
    double* c = arr[2].as<double>();
    Fused<double> f;
    if (op == ConvOp::Forward && !ReadFused(info, kind, g.outC, f, err)) return Fail(env, name, err);
    ok = op == ConvOp::Forward ? ConvForward(a, b, c, g, f) : op == ConvOp::BackpropInput ? ConvBackpropInput(a, b, c, g) : ConvBackpropFilter(a, b, c, g);
  }
  if (!ok) {
    Napi::Error::New(env, std::string(name) + ": out of memory for the patch matrix").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

enum class PoolOp { Max, MaxGrad, Avg, AvgGrad };

template <PoolOp op>
Napi::Value PoolEntry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* name = op == PoolOp::Max ? "maxPool" : op == PoolOp::MaxGrad ? "maxPoolGrad" : op == PoolOp::Avg ? "avgPool" : "avgPoolGrad";
  const size_t arrays = op == PoolOp::MaxGrad ? 3 : 2;
  Geom g;
  std::string err;
  if (info.Length() < arrays + 1 || !ReadGeom(info[arrays], false, g, err))
    return Fail(env, name, err.empty() ? "expected " + std::to_string(arrays + 1) + " arguments" : err);
  const i64 xLen = g.N * g.InSp() * g.C, yLen = g.N * g.M() * g.C;
  i64 lengths[3];
  if (op == PoolOp::Max || op == PoolOp::Avg) { lengths[0] = xLen; lengths[1] = yLen; }
  if (op == PoolOp::MaxGrad) { lengths[0] = xLen; lengths[1] = yLen; lengths[2] = xLen; }
  if (op == PoolOp::AvgGrad) { lengths[0] = yLen; lengths[1] = xLen; }
  Arr a[3];
  if (!CheckArrays(info, arrays, lengths, a, err)) return Fail(env, name, err);
  if (a[0].kind == Kind::F32) {
    if (op == PoolOp::Max) MaxPool(a[0].as<float>(), a[1].as<float>(), g);
    if (op == PoolOp::MaxGrad) MaxPoolGrad(a[0].as<float>(), a[1].as<float>(), a[2].as<float>(), g);
    if (op == PoolOp::Avg) AvgPool(a[0].as<float>(), a[1].as<float>(), g);
    if (op == PoolOp::AvgGrad) AvgPoolGrad(a[0].as<float>(), a[1].as<float>(), g);
  } else {
    if (op == PoolOp::Max) MaxPool(a[0].as<double>(), a[1].as<double>(), g);
    if (op == PoolOp::MaxGrad) MaxPoolGrad(a[0].as<double>(), a[1].as<double>(), a[2].as<double>(), g);
    if (op == PoolOp::Avg) AvgPool(a[0].as<double>(), a[1].as<double>(), g);
    if (op == PoolOp::AvgGrad) AvgPoolGrad(a[0].as<double>(), a[1].as<double>(), g);
  }
  return env.Undefined();
}

}  // namespace

void InitConv(Napi::Env env, Napi::Object exports) {
  exports.Set("convForward", Napi::Function::New(env, ConvEntry<ConvOp::Forward>, "convForward"));
  exports.Set("convBackpropInput", Napi::Function::New(env, ConvEntry<ConvOp::BackpropInput>, "convBackpropInput"));
  exports.Set("convBackpropFilter", Napi::Function::New(env, ConvEntry<ConvOp::BackpropFilter>, "convBackpropFilter"));
  exports.Set("maxPool", Napi::Function::New(env, PoolEntry<PoolOp::Max>, "maxPool"));
  exports.Set("maxPoolGrad", Napi::Function::New(env, PoolEntry<PoolOp::MaxGrad>, "maxPoolGrad"));
  exports.Set("avgPool", Napi::Function::New(env, PoolEntry<PoolOp::Avg>, "avgPool"));
  exports.Set("avgPoolGrad", Napi::Function::New(env, PoolEntry<PoolOp::AvgGrad>, "avgPoolGrad"));
  exports.Set("convEpilogue", Napi::Boolean::New(env, true));  // convForward takes (bias, activation, alpha)
}
