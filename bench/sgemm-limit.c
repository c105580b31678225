/*
 * The limit for Tensile's native matMul: OpenBLAS (any CBLAS) sgemm called directly from C on the same square
 * problems, timed like bench/run.ts times Tensile (warm-up calls, then the median of timed calls).
 * Built and run by bench/run.ts:  gcc -O2 bench/sgemm-limit.c $(pkg-config --cflags --libs openblas)
 * Usage: sgemm-limit n1 n2 ...   prints one line per size: "<n> <median ms> <runs>"
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    int n = atoi(argv[i]);
    if (n <= 0) continue;
    size_t size = (size_t)n * n;
    float* a = malloc(size * sizeof(float));
    float* b = malloc(size * sizeof(float));
    float* c = malloc(size * sizeof(float));
    unsigned s = 1;
    for (size_t j = 0; j < size; j++) {
      s = s * 1664525u + 1013904223u;
      a[j] = s / 4294967296.0f - 0.5f;
      b[j] = a[(j * 7) % size];
    }
    for (int w = 0; w < 3; w++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    double runs[30];
    int count = 0;
    double budget = n >= 1024 ? 1000 : 1200, end = now_ms() + budget;
    int min_runs = n >= 1024 ? 5 : 10;
    while (count < min_runs || (count < 30 && now_ms() < end)) {
      double t0 = now_ms();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      runs[count++] = now_ms() - t0;
    }
    qsort(runs, count, sizeof(double), cmp);
    double median = count % 2 ? runs[count / 2] : (runs[count / 2 - 1] + runs[count / 2]) / 2;
    printf("%d %.4f %d\n", n, median, count);
    fflush(stdout);
    free(a);
    free(b);
    free(c);
  }
  return 0;
}
