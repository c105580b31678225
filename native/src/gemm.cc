// Matrix multiplication through CBLAS: sgemm / dgemm on the caller's arrays (zero copy), batched with broadcasting
// of the batch dims. Also the BLAS identity and thread control, with OpenBLAS's extensions looked up as weak symbols
// so that any CBLAS links.
//
// Threads: the BLAS always runs single-threaded, and the addon's pool (common.cc) splits each product into blocks of
// C's rows or columns, one BLAS call per thread. A BLAS with threads of its own leaves them spinning after every
// call, on the cores the pool's loops (conv, pooling, elementwise) need next: on 2 cores the small CNN's inference
// ran slower with 2 threads than with 1. One pool, one thread count (setThreads), no oversubscription.
#include <cblas.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common.h"
#include "fastmath.h"

extern "C" {
// OpenBLAS extensions; null when the linked BLAS does not have them.
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
char* openblas_get_config(void) __attribute__((weak));
// BLIS.
void bli_thread_set_num_threads(long) __attribute__((weak));
// MKL.
void MKL_Set_Num_Threads(int) __attribute__((weak));
}

#ifndef TENSILE_BLAS_NAME
#define TENSILE_BLAS_NAME "CBLAS"
#endif

namespace tn {

std::string BlasName() {
  if (openblas_get_config != nullptr) return "OpenBLAS";
  return TENSILE_BLAS_NAME;
}

std::string BlasConfig() {
  if (openblas_get_config != nullptr) {
    const char* c = openblas_get_config();
    return c == nullptr ? "" : c;
  }
  return "";
}

void BlasSetThreads(int n) {
  (void)n;  // see the top of the file: the pool's threads call the BLAS, which stays on one thread
  if (openblas_set_num_threads != nullptr) openblas_set_num_threads(1);
  if (bli_thread_set_num_threads != nullptr) bli_thread_set_num_threads(1);
  if (MKL_Set_Num_Threads != nullptr) MKL_Set_Num_Threads(1);
}

/** The threads BLAS products run on: the pool's (each thread calls the single-threaded BLAS on its block). */
int BlasGetThreads() { return Threads(); }

int BlasOwnThreads() {
  if (openblas_get_num_threads != nullptr) return openblas_get_num_threads();
  return -1;
}

namespace {

inline void Gemm(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const float* a, i64 lda, const float* b, i64 ldb,
                 double beta, float* c, i64 ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              (float)alpha, a, (int)lda, b, (int)ldb, (float)beta, c, (int)ldc);
}
inline void Gemm(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const double* a, i64 lda, const double* b,
                 i64 ldb, double beta, double* c, i64 ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

}  // namespace

/** Products below this many flops stay on one thread (a worker's wake-up costs a few µs; 2 MFLOP take ~15 µs). */
constexpr i64 kParallelGemmFlops = i64{1} << 21;

template <class T>
void ParallelGemmT(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const T* a, i64 lda, const T* b, i64 ldb,
                   double beta, T* c, i64 ldc) {
  const i64 flops = 2 * m * n * k;
  // Split the longer side of C in blocks of whole vector widths (16 floats), so every thread's block is aligned.
  const bool byRows = m >= n;
  const i64 units = ((byRows ? m : n) + 15) / 16;
  const int parts = flops >= kParallelGemmFlops ? static_cast<int>(std::min<i64>(Threads(), units)) : 1;
  if (parts <= 1) {
    Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  SingleThreadedBlas single;  // a no-op for the BLAS set up here; guards one whose threads were set elsewhere
  ParallelParts(units, parts, [&](int, i64 u0, i64 u1) {
    if (byRows) {
      const i64 r0 = u0 * 16, r1 = std::min(m, u1 * 16);
      Gemm(ta, tb, r1 - r0, n, k, alpha, a + (ta ? r0 : r0 * lda), lda, b, ldb, beta, c + r0 * ldc, ldc);
    } else {
      const i64 c0 = u0 * 16, c1 = std::min(n, u1 * 16);
      Gemm(ta, tb, m, c1 - c0, k, alpha, a, lda, b + (tb ? c0 * ldb : c0), ldb, beta, c + c0, ldc);
    }
  });
}

void ParallelGemm(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const float* a, i64 lda, const float* b, i64 ldb,
                  double beta, float* c, i64 ldc) {
  ParallelGemmT(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void ParallelGemm(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const double* a, i64 lda, const double* b,
                  i64 ldb, double beta, double* c, i64 ldc) {
  ParallelGemmT(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

namespace {

/** Checks that a row-major (rows x cols, leading dim ld) matrix at `off` lies inside an array of `len`. */
bool Fits(i64 off, i64 rows, i64 cols, i64 ld, i64 len) {
  if (rows == 0 || cols == 0) return off >= 0 && off <= len;
  return off >= 0 && ld >= cols && off + (rows - 1) * ld + cols <= len;
}

// gemm(transA, transB, m, n, k, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
// C[m x n] = alpha · op(A) · op(B) + beta · C, all row-major; op(A) is m x k (A stored k x m when transA).
Napi::Value GemmEntry(const Napi::CallbackInfo& info) {
  const char* fn = "gemm";
  Napi::Env env = info.Env();
  if (info.Length() < 16) return Fail(env, fn, "expected 16 arguments");
  bool ta = info[0].ToBoolean(), tb = info[1].ToBoolean();
  i64 m = IntArg(info, 2), n = IntArg(info, 3), k = IntArg(info, 4);
  double alpha = info[5].ToNumber().DoubleValue();
  Arr A, B, C;
  if (!GetArr(info, 6, A, fn) || !GetArr(info, 9, B, fn) || !GetArr(info, 13, C, fn)) return env.Undefined();
  i64 aOff = IntArg(info, 7), lda = IntArg(info, 8), bOff = IntArg(info, 10), ldb = IntArg(info, 11);
  double beta = info[12].ToNumber().DoubleValue();
  i64 cOff = IntArg(info, 14), ldc = IntArg(info, 15);
  if (m < 0 || n < 0 || k < 0) return Fail(env, fn, "m, n and k must be non-negative integers");
  if (A.kind != B.kind || A.kind != C.kind || (A.kind != Kind::F32 && A.kind != Kind::F64)) {
    return Fail(env, fn, "A, B and C must all be Float32Array or all Float64Array");
  }
  if (!Fits(aOff, ta ? k : m, ta ? m : k, lda, A.length) || !Fits(bOff, tb ? n : k, tb ? k : n, ldb, B.length) ||
      !Fits(cOff, m, n, ldc, C.length)) {
    return Fail(env, fn, "a matrix does not fit in its array (check offsets and leading dimensions)");
  }
  if (m == 0 || n == 0) return env.Undefined();
  if (k == 0) {  // C = beta · C (BLAS would reject a leading dimension of 0)
    for (i64 i = 0; i < m; i++) {
      for (i64 j = 0; j < n; j++) {
        i64 at = cOff + i * ldc + j;
        if (C.kind == Kind::F32) C.as<float>()[at] = beta == 0 ? 0.0f : (float)(beta * C.as<float>()[at]);
        else C.as<double>()[at] = beta == 0 ? 0.0 : beta * C.as<double>()[at];
      }
    }
    return env.Undefined();
  }
  if (A.kind == Kind::F32) {
    ParallelGemm(ta, tb, m, n, k, alpha, A.as<float>() + aOff, lda, B.as<float>() + bOff, ldb, beta, C.as<float>() + cOff, ldc);
  } else {
    ParallelGemm(ta, tb, m, n, k, alpha, A.as<double>() + aOff, lda, B.as<double>() + bOff, ldb, beta,
                 C.as<double>() + cOff, ldc);
  }
  return env.Undefined();
}

/** One product per batch entry: the entries split across the pool's threads, or each product split when few. */
template <class T>
void Batched(bool ta, bool tb, i64 m, i64 n, i64 k, const T* a, const T* b, T* c, i64 rank, const int32_t* shape,
             const int32_t* as, const int32_t* bs, i64 batches) {
  i64 lda = ta ? m : k, ldb = tb ? k : n;
  std::vector<i64> aOff(batches), bOff(batches);
  i64 index[32] = {0};
  i64 ao = 0, bo = 0;
  for (i64 t = 0; t < batches; t++) {
    aOff[t] = ao;
    bOff[t] = bo;
    for (i64 d = rank - 1; d >= 0; d--) {
      ao += as[d];
      bo += bs[d];
      if (++index[d] < shape[d]) break;
      ao -= as[d] * shape[d];
      bo -= bs[d] * shape[d];
      index[d] = 0;
    }
  }
  const i64 flops = 2 * m * n * k;
  if (batches >= 2 * Threads() && flops * batches >= kParallelGemmFlops) {
    SingleThreadedBlas single;
    ParallelParts(batches, Threads(), [&](int, i64 t0, i64 t1) {
      for (i64 t = t0; t < t1; t++) Gemm(ta, tb, m, n, k, 1.0, a + aOff[t], lda, b + bOff[t], ldb, 0.0, c + t * m * n, n);
    });
    return;
  }
  for (i64 t = 0; t < batches; t++) ParallelGemm(ta, tb, m, n, k, 1.0, a + aOff[t], lda, b + bOff[t], ldb, 0.0, c + t * m * n, n);
}

// matMulBatched(transA, transB, m, n, k, A, B, C, geom): geom = Int32Array [rank, batchShape…, aStrides…, bStrides…]
// (batch strides in elements, 0 along broadcast dims); C is the zeroed [batch…, m, n] output.
Napi::Value MatMulBatchedEntry(const Napi::CallbackInfo& info) {
  const char* fn = "matMulBatched";
  Napi::Env env = info.Env();
  bool ta = info[0].ToBoolean(), tb = info[1].ToBoolean();
  i64 m = IntArg(info, 2), n = IntArg(info, 3), k = IntArg(info, 4);
  Arr A, B, C;
  const int32_t* g;
  i64 glen;
  if (!GetArr(info, 5, A, fn) || !GetArr(info, 6, B, fn) || !GetArr(info, 7, C, fn) || !GetInts(info, 8, g, glen, fn)) {
    return env.Undefined();
  }
  if (m < 0 || n < 0 || k < 0) return Fail(env, fn, "m, n and k must be non-negative integers");
  if (A.kind != B.kind || A.kind != C.kind || (A.kind != Kind::F32 && A.kind != Kind::F64)) {
    return Fail(env, fn, "A, B and C must all be Float32Array or all Float64Array");
  }
  i64 rank = glen > 0 ? g[0] : -1;
  if (rank < 0 || rank > 32 || glen != 1 + 3 * rank) return Fail(env, fn, "bad geometry");
  const int32_t* shape = g + 1;
  const int32_t* as = g + 1 + rank;
  const int32_t* bs = g + 1 + 2 * rank;
  i64 batches = 1, aMax = 0, bMax = 0;
  for (i64 d = 0; d < rank; d++) {
    if (shape[d] < 0 || as[d] < 0 || bs[d] < 0) return Fail(env, fn, "bad geometry");
    batches *= shape[d];
    if (shape[d] > 0) aMax += as[d] * (i64)(shape[d] - 1), bMax += bs[d] * (i64)(shape[d] - 1);
  }
  if (batches * m * n != C.length) return Fail(env, fn, "C has the wrong length");
  if (batches == 0 || m == 0 || n == 0 || k == 0) return env.Undefined();  // C is already zero
  if (aMax + m * k > A.length || bMax + k * n > B.length) return Fail(env, fn, "A or B is too short for the geometry");
  if (A.kind == Kind::F32) {
    Batched<float>(ta, tb, m, n, k, A.as<float>(), B.as<float>(), C.as<float>(), rank, shape, as, bs, batches);
  } else {
    Batched<double>(ta, tb, m, n, k, A.as<double>(), B.as<double>(), C.as<double>(), rank, shape, as, bs, batches);
  }
  return env.Undefined();
}

// biasActivation(y, bias | null, cols, act, alpha): y seen as [rows, cols] = act(y + bias) in place: the fused
// matMul's epilogue, run on the product just written. bias: null or `cols` values of y's type; act: fastmath.h.
Napi::Value BiasActivationEntry(const Napi::CallbackInfo& info) {
  const char* fn = "biasActivation";
  Napi::Env env = info.Env();
  Arr y, bias;
  if (!GetArr(info, 0, y, fn)) return env.Undefined();
  const bool hasBias = info.Length() > 1 && info[1].IsTypedArray();
  if (hasBias && !GetArr(info, 1, bias, fn)) return env.Undefined();
  const i64 cols = IntArg(info, 2), act = IntArg(info, 3);
  const double alpha = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : 0.0;
  if (y.kind != Kind::F32 && y.kind != Kind::F64) return Fail(env, fn, "y must be a Float32Array or Float64Array");
  if (cols <= 0 || y.length % cols != 0) return Fail(env, fn, "cols must be a positive divisor of y's length");
  if (hasBias && (bias.kind != y.kind || bias.length != cols)) return Fail(env, fn, "bias must have y's type and cols elements");
  if (act < 0 || act >= kActivationCount) return Fail(env, fn, "unknown activation code");
  const i64 rows = y.length / cols;
  ParallelFor(rows, rows * cols, IsCheap(static_cast<int>(act)) ? kCheapWork : kExpensiveWork, [&](i64 b, i64 e) {
    if (y.kind == Kind::F32) {
      Epilogue(y.as<float>() + b * cols, e - b, cols, cols, hasBias ? bias.as<float>() : nullptr, (int)act, (float)alpha);
    } else {
      Epilogue(y.as<double>() + b * cols, e - b, cols, cols, hasBias ? bias.as<double>() : nullptr, (int)act, alpha);
    }
  });
  return env.Undefined();
}

}  // namespace

void InitGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, GemmEntry, "gemm"));
  exports.Set("biasActivation", Napi::Function::New(env, BiasActivationEntry, "biasActivation"));
  exports.Set("matMulBatched", Napi::Function::New(env, MatMulBatchedEntry, "matMulBatched"));
}

}  // namespace tn
