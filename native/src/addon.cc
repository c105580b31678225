// tensile_native: the Node-API addon behind the `native` backend (src/backend/native/). Every function works on the
// caller's TypedArrays in place (zero copy) and writes into an output array the caller allocated.
#include <napi.h>

#include "common.h"
#include "conv.h"

namespace tn {
/** The fused recurrent cell steps (rnn.cc). */
void InitRnn(Napi::Env env, Napi::Object exports);
}  // namespace tn

#ifndef TENSILE_CFLAGS
#define TENSILE_CFLAGS ""
#endif
#ifndef TENSILE_BLAS_SWITCH
#define TENSILE_BLAS_SWITCH "openblas"
#endif

namespace {

// info(): what the addon was built with and runs on.
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("blas", tn::BlasName());
  o.Set("blasConfig", tn::BlasConfig());
  o.Set("blasSwitch", TENSILE_BLAS_SWITCH);
  o.Set("blasThreads", tn::BlasGetThreads());
  o.Set("threads", tn::Threads());
#if defined(__clang__)
  o.Set("compiler", std::string("clang ") + __clang_version__);
#elif defined(__GNUC__)
  o.Set("compiler", std::string("gcc ") + __VERSION__);
#else
  o.Set("compiler", "unknown");
#endif
  o.Set("cflags", TENSILE_CFLAGS);
  return o;
}

// setThreads(n): the addon's one thread count, for every loop of the pool (conv and pooling included) and the BLAS
// calls they split; the BLAS itself stays single-threaded (gemm.cc).
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return tn::Fail(env, "setThreads", "expected a thread count");
  tn::SetThreads(info[0].As<Napi::Number>().Int32Value());
  tn::BlasSetThreads(tn::Threads());
  return env.Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), tn::Threads()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tn::BlasSetThreads(tn::Threads());  // default: the machine's cores, for BLAS and own loops alike
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads, "getThreads"));
  tn::InitGemm(env, exports);
  tn::InitElementwise(env, exports);
  tn::InitReduce(env, exports);
  tn::InitShape(env, exports);
  tn::InitOptimizer(env, exports);
  InitConv(env, exports);
  tn::InitRnn(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tensile_native, Init)
