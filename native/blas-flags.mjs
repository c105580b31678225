// Prints the compiler or linker flags for the CBLAS chosen by TENSILE_BLAS, for binding.gyp:
//   node blas-flags.mjs cflags | libs | name | switch
//
// TENSILE_BLAS (default "openblas"):
//   openblas    pkg-config openblas (Debian/Ubuntu: apt-get install libopenblas-dev; macOS: brew install openblas,
//               with PKG_CONFIG_PATH=$(brew --prefix openblas)/lib/pkgconfig)
//   mkl         pkg-config mkl-dynamic-lp64-seq (Intel oneMKL)
//   blis        pkg-config blis
//   accelerate  Apple's Accelerate framework (no pkg-config)
//   pkg:<name>  any other pkg-config package that provides cblas.h and cblas_sgemm (e.g. pkg:flexiblas, pkg:cblas)
// Only openblas is tested in CI; the others are a configuration switch, not a rewrite.
import { execFileSync } from "node:child_process";

const choice = (process.env.TENSILE_BLAS || "openblas").trim().toLowerCase();
const what = process.argv[2];

const PKG = { openblas: "openblas", mkl: "mkl-dynamic-lp64-seq", blis: "blis" };
const NAME = { openblas: "OpenBLAS", mkl: "oneMKL", blis: "BLIS", accelerate: "Accelerate" };

function pkgConfig(pkg, flag) {
  return execFileSync("pkg-config", [flag, pkg], { encoding: "utf8" }).trim();
}

let out = "";
if (what === "name") out = NAME[choice] ?? choice.replace(/^pkg:/, "");
else if (what === "switch") out = choice;
else if (choice === "accelerate") {
  out = what === "libs" ? "-framework Accelerate" : "-DACCELERATE_NEW_LAPACK";
} else {
  const pkg = PKG[choice] ?? (choice.startsWith("pkg:") ? choice.slice(4) : null);
  if (pkg === null) {
    process.stderr.write(`TENSILE_BLAS=${choice} is not one of openblas, mkl, blis, accelerate, pkg:<name>\n`);
    process.exit(1);
  }
  out = pkgConfig(pkg, what === "libs" ? "--libs" : "--cflags");
  if (choice === "mkl" && what === "cflags") out += " -include mkl_cblas.h";
}
process.stdout.write(out + "\n");
