/* SPDX-License-Identifier: Apache-2.0 */
/* Timing helpers shared by the benchmarks. */
#ifndef PVM_BENCH_UTIL_H
#define PVM_BENCH_UTIL_H

#include <libpvm/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n values (sorts them). */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Stop the benchmark on any error: a figure measured after one means nothing. */
static inline void bench_check(const char *prog, int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", prog, what, pvm_strerror(ret));
		exit(1);
	}
}

#endif
