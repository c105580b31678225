// Shared helpers of the native addon: typed-array access, errors, and the thread pool used by the own loops.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <string>

namespace tn {

using i64 = int64_t;

enum class Kind { F32, F64, I32, U8, Other };

/** A TypedArray's memory, seen in place (zero copy). */
struct Arr {
  void* data = nullptr;
  i64 length = 0;
  Kind kind = Kind::Other;
  template <class T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

/** `v` as a TypedArray's memory, in place (kind Other beyond Float32/Float64/Int32/Uint8); false if it is none. */
bool ArrOf(const Napi::Value& v, Arr& out);
/** Reads info[i] as a TypedArray (Float32/Float64/Int32/Uint8); false (and a pending JS error) otherwise. */
bool GetArr(const Napi::CallbackInfo& info, size_t i, Arr& out, const char* fn);
/** Reads info[i] as an Int32Array (shapes and strides); false with a pending JS error otherwise. */
bool GetInts(const Napi::CallbackInfo& info, size_t i, const int32_t*& data, i64& length, const char* fn);
/** Throws a JS Error "tensile_native.<fn>: <msg>" and returns undefined. */
Napi::Value Fail(Napi::Env env, const char* fn, const std::string& msg);
i64 IntArg(const Napi::CallbackInfo& info, size_t i);

/** The addon's one thread count: the pool's loops, the BLAS calls they split included (the BLAS runs single-threaded). */
int Threads();
void SetThreads(int n);

/**
 * Runs f(begin, end) over [0, n) split into contiguous ranges, on up to Threads() threads (this one included),
 * but only when `work` (roughly, element operations) reaches `minWork`; otherwise f(0, n) here.
 */
void ParallelFor(i64 n, i64 work, i64 minWork, const std::function<void(i64, i64)>& f);

/**
 * Runs f(part, begin, end) over [0, n) split into min(parts, n) contiguous ranges, one per thread of the pool (part
 * 0 on this thread): for loops that keep per-thread state (buffers, partial sums) indexed by `part`.
 */
void ParallelParts(i64 n, int parts, const std::function<void(int, i64, i64)>& f);

/** Minimum work below which a loop stays on one thread: waking a worker costs a few microseconds. */
constexpr i64 kCheapWork = i64{1} << 17;      // memory-bound loops (add, copy)
constexpr i64 kExpensiveWork = i64{1} << 14;  // transcendental functions

void InitGemm(Napi::Env env, Napi::Object exports);
void InitElementwise(Napi::Env env, Napi::Object exports);
void InitReduce(Napi::Env env, Napi::Object exports);
void InitShape(Napi::Env env, Napi::Object exports);
void InitOptimizer(Napi::Env env, Napi::Object exports);
/** BLAS identity and thread control (gemm.cc). */
std::string BlasName();
std::string BlasConfig();
void BlasSetThreads(int n);
/** The threads BLAS products run on (the pool's: see gemm.cc). */
int BlasGetThreads();
/** The BLAS library's own thread count (1 as gemm.cc sets it; -1 when it cannot be read). */
int BlasOwnThreads();

/**
 * C = alpha·op(A)·op(B) + beta·C, row-major, on the pool's threads: each calls the (single-threaded) BLAS on a block
 * of C's rows or columns; small products stay on this thread (gemm.cc).
 */
void ParallelGemm(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const float* a, i64 lda, const float* b, i64 ldb,
                  double beta, float* c, i64 ldc);
void ParallelGemm(bool ta, bool tb, i64 m, i64 n, i64 k, double alpha, const double* a, i64 lda, const double* b,
                  i64 ldb, double beta, double* c, i64 ldc);

/**
 * While alive, the BLAS runs single-threaded, so that the pool's threads can each call it on their share of the
 * work without its threads competing with ours (gemm.cc keeps it so anyway; this guards a count set elsewhere).
 */
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : saved_(BlasOwnThreads()) {
    if (saved_ > 1) BlasSetThreads(1);
  }
  ~SingleThreadedBlas() {
    if (saved_ > 1) BlasSetThreads(saved_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int saved_;
};

}  // namespace tn
