/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the test programs that run inside the guests
 * (scenarios/scenario.c, stress/stress.c, stress/hostile.c,
 * bench/wsbench.c).  Each program is one .c file built with gcc -static, so
 * these are static inline functions in a header, not a library.
 */
#ifndef WSTEST_H
#define WSTEST_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

/*
 * A setup step failed: "what: reason" on stderr and exit 2, which the
 * guest scripts read as "the test program broke", never as a finding.
 */
static inline _Noreturn void wst_die(const char *what)
{
	perror(what);
	exit(2);
}

/* Start a thread running fn(arg); failing to is fatal. */
static inline void wst_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	/* pthread_create() returns its error instead of setting errno. */
	errno = pthread_create(t, NULL, fn, arg);
	if (errno)
		wst_die("pthread_create");
}

/* Name this thread (the comm waitscope shows) from a printf format. */
static inline void wst_set_name(const char *fmt, int i)
{
	char name[16];

	snprintf(name, sizeof(name), fmt, i);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* Run this thread on one CPU only; 0, or -1 with errno set. */
static inline int wst_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static inline uint64_t wst_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline double wst_now_s(void)
{
	return wst_now_ns() / 1e9;
}

/* Sleep ms milliseconds in one nanosleep, resumed after a signal. */
static inline void wst_sleep_ms(double ms)
{
	long long ns = (long long)(ms * 1e6);
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif
