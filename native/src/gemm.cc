// Matrix multiplication through CBLAS: sgemm / dgemm on the caller's arrays (zero copy), batched with broadcasting
// of the batch dims. Also the BLAS identity and thread control, with OpenBLAS's extensions looked up as weak symbols
// so that any CBLAS links.
#include <cblas.h>

#include <string>

#include "common.h"

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
  if (openblas_set_num_threads != nullptr) openblas_set_num_threads(n);
  if (bli_thread_set_num_threads != nullptr) bli_thread_set_num_threads(n);
  if (MKL_Set_Num_Threads != nullptr) MKL_Set_Num_Threads(n);
}

int BlasGetThreads() {
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
    Gemm(ta, tb, m, n, k, alpha, A.as<float>() + aOff, lda, B.as<float>() + bOff, ldb, beta, C.as<float>() + cOff, ldc);
  } else {
    Gemm(ta, tb, m, n, k, alpha, A.as<double>() + aOff, lda, B.as<double>() + bOff, ldb, beta, C.as<double>() + cOff,
         ldc);
  }
  return env.Undefined();
}

template <class T>
void Batched(bool ta, bool tb, i64 m, i64 n, i64 k, const T* a, const T* b, T* c, i64 rank, const int32_t* shape,
             const int32_t* as, const int32_t* bs, i64 batches) {
  i64 lda = ta ? m : k, ldb = tb ? k : n;
  i64 index[32] = {0};
  i64 ao = 0, bo = 0;
  for (i64 t = 0; t < batches; t++) {
    Gemm(ta, tb, m, n, k, 1.0, a + ao, lda, b + bo, ldb, 0.0, c + t * m * n, n);
    for (i64 d = rank - 1; d >= 0; d--) {
      ao += as[d];
      bo += bs[d];
      if (++index[d] < shape[d]) break;
      ao -= as[d] * shape[d];
      bo -= bs[d] * shape[d];
      index[d] = 0;
    }
  }
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

}  // namespace

void InitGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, GemmEntry, "gemm"));
  exports.Set("matMulBatched", Napi::Function::New(env, MatMulBatchedEntry, "matMulBatched"));
}

}  // namespace tn
