// Typed-array access, errors and a tiny persistent thread pool (threads are started once and reused: creating a
// thread per call would cost more than the loops it splits).
#include "common.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tn {

Napi::Value Fail(Napi::Env env, const char* fn, const std::string& msg) {
  Napi::Error::New(env, std::string("tensile_native.") + fn + ": " + msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool ArrOf(const Napi::Value& v, Arr& out) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  switch (t.TypedArrayType()) {
    case napi_float32_array: out.kind = Kind::F32; break;
    case napi_float64_array: out.kind = Kind::F64; break;
    case napi_int32_array: out.kind = Kind::I32; break;
    case napi_uint8_array: out.kind = Kind::U8; break;
    default: out.kind = Kind::Other; break;
  }
  Napi::ArrayBuffer buf = t.ArrayBuffer();
  out.data = static_cast<uint8_t*>(buf.Data()) + t.ByteOffset();
  out.length = static_cast<i64>(t.ElementLength());
  return true;
}

bool GetArr(const Napi::CallbackInfo& info, size_t i, Arr& out, const char* fn) {
  if (info.Length() <= i || !ArrOf(info[i], out)) {
    Fail(info.Env(), fn, "argument " + std::to_string(i) + " must be a TypedArray");
    return false;
  }
  return true;
}

bool GetInts(const Napi::CallbackInfo& info, size_t i, const int32_t*& data, i64& length, const char* fn) {
  Arr a;
  if (!GetArr(info, i, a, fn)) return false;
  if (a.kind != Kind::I32) {
    Fail(info.Env(), fn, "argument " + std::to_string(i) + " must be an Int32Array");
    return false;
  }
  data = a.as<int32_t>();
  length = a.length;
  return true;
}

i64 IntArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) return -1;
  return static_cast<i64>(info[i].As<Napi::Number>().DoubleValue());
}

namespace {

int g_threads = 0;

class Pool {
 public:
  /** Runs f(part) for part in [0, parts): part 0 on the caller, the others on workers. */
  void Run(int parts, const std::function<void(int)>& f) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) {  // another JS thread (worker_threads) is using the pool: run here, serially
      for (int p = 0; p < parts; p++) f(p);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_);
      while (static_cast<int>(workers_.size()) < parts - 1) {
        int id = static_cast<int>(workers_.size()) + 1;
        workers_.emplace_back([this, id] { Loop(id); });
        workers_.back().detach();  // never joined: parked workers end with the process
      }
      task_ = &f;
      parts_ = parts;
      pending_ = parts - 1;
      generation_++;
    }
    cv_.notify_all();
    f(0);
    std::unique_lock<std::mutex> lock(m_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
  }

 private:
  void Loop(int id) {
    uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(m_);
      seen = generation_ - (task_ != nullptr && id < parts_ ? 1 : 0);
    }
    for (;;) {
      const std::function<void(int)>* task;
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (id >= parts_) continue;
        task = task_;
      }
      (*task)(id);
      {
        std::lock_guard<std::mutex> lock(m_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  std::mutex busy_, m_;
  std::condition_variable cv_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  int parts_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
};

Pool& ThePool() {
  static Pool* pool = new Pool();  // leaked on purpose: its detached workers outlive static destruction
  return *pool;
}

}  // namespace

int Threads() {
  if (g_threads <= 0) {
    unsigned hw = std::thread::hardware_concurrency();
    g_threads = hw == 0 ? 1 : static_cast<int>(std::min(hw, 64u));
  }
  return g_threads;
}

void SetThreads(int n) { g_threads = std::max(1, std::min(n, 64)); }

void ParallelFor(i64 n, i64 work, i64 minWork, const std::function<void(i64, i64)>& f) {
  int parts = work >= minWork ? static_cast<int>(std::min<i64>(Threads(), n)) : 1;
  if (parts <= 1) {
    if (n > 0) f(0, n);
    return;
  }
  ThePool().Run(parts, [&](int p) {
    i64 b = n * p / parts, e = n * (p + 1) / parts;
    if (b < e) f(b, e);
  });
}

void ParallelParts(i64 n, int parts, const std::function<void(int, i64, i64)>& f) {
  parts = static_cast<int>(std::min<i64>(std::max(parts, 1), n));
  if (parts <= 1) {
    if (n > 0) f(0, 0, n);
    return;
  }
  ThePool().Run(parts, [&](int p) {
    i64 b = n * p / parts, e = n * (p + 1) / parts;
    if (b < e) f(p, b, e);
  });
}

}  // namespace tn
