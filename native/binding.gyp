{
  # The native backend's addon. Built from source on the machine that runs it (`npm install` runs
  # scripts/build-native.mjs; `npm run build:native` by hand), so -march=native is safe: the binary never travels.
  # The CBLAS comes from TENSILE_BLAS (see blas-flags.mjs): openblas (default), mkl, blis, accelerate, pkg:<name>.
  # -fno-trapping-math lets the compiler vectorize loops with selects on floats (relu, clamps, NaN checks, pooling);
  # it changes no result (the addon never reads the floating-point exception flags).
  "variables": {
    "blas_cflags": "<!(node blas-flags.mjs cflags)",
    "blas_name": "<!(node blas-flags.mjs name)",
    "blas_switch": "<!(node blas-flags.mjs switch)",
    "opt_flags": "-O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math"
  },
  "targets": [
    {
      "target_name": "tensile_native",
      "sources": [
        "src/addon.cc",
        "src/common.cc",
        "src/gemm.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/shape.cc",
        "src/optimizer.cc",
        "src/conv.cc",
        "src/rnn.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "TENSILE_BLAS_NAME=\"<(blas_name)\"",
        "TENSILE_BLAS_SWITCH=\"<(blas_switch)\"",
        "TENSILE_CFLAGS=\"<(opt_flags)\""
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "<@(opt_flags)", "<@(blas_cflags)"],
      "libraries": ["<!@(node blas-flags.mjs libs)"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_OPTIMIZATION_LEVEL": "3",
            "OTHER_CPLUSPLUSFLAGS": ["-mcpu=native", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "<@(blas_cflags)"]
          }
        }]
      ]
    }
  ]
}
