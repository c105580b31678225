// Convolution and pooling kernels of the native backend (channels-last, float32 and float64).
//
// JS-visible functions (all synchronous, all writing into an output TypedArray allocated by the caller, zero copy):
//   convForward(x, w, y, geom[, bias, act, alpha])   y = act(x ⋆ w + bias), the epilogue applied per output block
//                                         (bias: null or one value per output channel; act: fastmath.h's codes)
//   convBackpropInput(dy, w, dx, geom)    dx = col2im(dy · wᵀ)
//   convBackpropFilter(x, dy, dw, geom)   dw = im2col(x)ᵀ · dy
//   maxPool(x, y, pool)  maxPoolGrad(x, dy, dx, pool)  avgPool(x, y, pool)  avgPoolGrad(dy, dx, pool)
//   convEpilogue                          true: convForward takes the epilogue arguments
// `geom` is an Int32Array [N, D, H, W, C, OD, OH, OW, KD, KH, KW, strideD/H/W, dilationD/H/W, padBeforeD/H/W,
// groups, outC] (1-d and 2-d problems lifted to 3-d with leading size-1 dims); `pool` is the same without
// dilations, groups and outC. Array lengths are checked against the geometry before anything is touched.
#pragma once

#include <napi.h>

void InitConv(Napi::Env env, Napi::Object exports);
