// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads for make bench: context-switch-heavy loops that report their
 * own speed, so a tracer's cost shows as the difference between runs.
 *
 *   wsbench pipe   SECONDS     two threads on one CPU ping-pong a byte
 *                              through two pipes
 *   wsbench futex  SECONDS     the same with a futex word (FUTEX_WAIT/WAKE)
 *   wsbench pipe-x SECONDS     the pipe ping-pong with the two threads on
 *   wsbench futex-x SECONDS    CPUs 0 and 1: every wakeup crosses CPUs
 *                              (sched_waking on the waker's CPU, the
 *                              wakeup often on the other one)
 *   wsbench pairs  SECONDS N   N pipe ping-pong pairs, not pinned
 *   wsbench churn  SECONDS     create a thread that exits at once, join it
 *                              (on one CPU)
 *
 * Output, one line:  <mode> <ops> <ns_per_op> <switches_per_op>
 * (ops: round trips, or threads for churn; ns_per_op: the median over the
 * run's 100 ms intervals; switches: the workload's own voluntary and
 * involuntary context switches, from getrusage(RUSAGE_THREAD)).
 *
 * For make soak:
 *   wsbench latency SECONDS [FILE]
 *                              sleep 1 ms in a loop; print how late each
 *                              wakeup was: "latency <n> <mean_us> <p50_us>
 *                              <p99_us> <max_us>"; with FILE, also append
 *                              every wakeup's delay in ns to it, a line
 *                              each, so runs can be pooled
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../lib/wstest.h"

static atomic_int stop;
static atomic_long switches;
static atomic_long ops;		/* round trips or threads, all workers */
static double median_ns;	/* of the per-interval times per op */

#define SAMPLE_NS	100000000ull	/* 100 ms */

/* Add this thread's context switches so far to the total. */
static void count_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		wst_die("getrusage");
	atomic_fetch_add(&switches, ru.ru_nvcsw + ru.ru_nivcsw);
}

/* ---- pipe ping-pong ---- */

struct pipe_pair {
	int ping[2], pong[2];
	int cpu_serve, cpu_echo;	/* -1: not pinned */
	long trips;
};

static void pin_or_die(int cpu)
{
	if (cpu >= 0 && wst_pin(cpu))
		wst_die("sched_setaffinity");
}

static void *pipe_echo(void *arg)
{
	struct pipe_pair *pp = arg;
	char c;

	pin_or_die(pp->cpu_echo);
	while (read(pp->ping[0], &c, 1) == 1 && c)
		if (write(pp->pong[1], &c, 1) != 1)
			wst_die("write");
	count_switches();
	return NULL;
}

static void *pipe_serve(void *arg)
{
	struct pipe_pair *pp = arg;
	char c = 1;

	pin_or_die(pp->cpu_serve);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (write(pp->ping[1], &c, 1) != 1 || read(pp->pong[0], &c, 1) != 1)
			wst_die("ping-pong");
		pp->trips++;
		atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
	}
	c = 0;
	if (write(pp->ping[1], &c, 1) != 1)
		wst_die("write");
	count_switches();
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Let the workers run for SECONDS, reading the op counter every 100 ms,
 * then stop them.  The median of the intervals' times per op is what the
 * run reports: a hiccup of the host (this runs under TCG) spoils an
 * interval or two, not the run.
 */
static void sample(double seconds)
{
	size_t n = (size_t)(seconds * 1e9 / SAMPLE_NS), k = 0, i;
	double *v = calloc(n + 1, sizeof(*v));
	uint64_t t0 = wst_now_ns(), t;
	long o0 = atomic_load(&ops), o;

	if (!v)
		wst_die("calloc");
	for (i = 0; i < n; i++) {
		struct timespec ts = { 0, (long)SAMPLE_NS };

		nanosleep(&ts, NULL);
		t = wst_now_ns();
		o = atomic_load(&ops);
		if (o > o0)
			v[k++] = (double)(t - t0) / (double)(o - o0);
		t0 = t;
		o0 = o;
	}
	atomic_store(&stop, 1);
	qsort(v, k, sizeof(*v), cmp_double);
	median_ns = k ? v[k / 2] : 0;
	free(v);
}

/* npairs ping-pongs; their two threads on CPUs serve and echo (-1: anywhere). */
static long run_pipes(double seconds, int npairs, int cpu_serve, int cpu_echo)
{
	struct pipe_pair *pp = calloc(npairs, sizeof(*pp));
	pthread_t *t = calloc(2 * npairs, sizeof(*t));
	long trips = 0;
	int i;

	if (!pp || !t)
		wst_die("calloc");
	for (i = 0; i < npairs; i++) {
		if (pipe(pp[i].ping) || pipe(pp[i].pong))
			wst_die("pipe");
		pp[i].cpu_serve = cpu_serve;
		pp[i].cpu_echo = cpu_echo;
		wst_start(&t[2 * i], pipe_echo, &pp[i]);
		wst_start(&t[2 * i + 1], pipe_serve, &pp[i]);
	}
	sample(seconds);
	for (i = 0; i < 2 * npairs; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < npairs; i++)
		trips += pp[i].trips;
	free(pp);
	free(t);
	return trips;
}

/* ---- futex ping-pong: the word says whose turn it is ---- */

static atomic_int turn;

static void futex_wait(atomic_int *w, int val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Player me waits for its turn, then hands it to the other one. */
struct player {
	int me;
	int cpu;
	long trips;
};

static void *futex_play(void *arg)
{
	struct player *pl = arg;

	pin_or_die(pl->cpu);
	for (;;) {
		int v = atomic_load(&turn);

		if (v == 2)
			break;
		if (v != pl->me) {
			futex_wait(&turn, v);
			continue;
		}
		if (pl->me == 0 && atomic_load_explicit(&stop, memory_order_relaxed)) {
			atomic_store(&turn, 2);
			futex_wake(&turn);
			break;
		}
		atomic_store(&turn, !pl->me);
		futex_wake(&turn);
		pl->trips++;
		atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
	}
	count_switches();
	return NULL;
}

/* The two players on CPU 0, or (cross) on CPUs 0 and 1. */
static long run_futex(double seconds, bool cross)
{
	struct player pl[2] = { { .me = 0 }, { .me = 1, .cpu = cross } };
	pthread_t t[2];

	wst_start(&t[0], futex_play, &pl[0]);
	wst_start(&t[1], futex_play, &pl[1]);
	sample(seconds);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	return pl[0].trips;
}

/* ---- churn ---- */

static void *nothing(void *arg)
{
	return arg;
}

static void *churner(void *arg)
{
	long *n = arg;
	pthread_t t;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		wst_start(&t, nothing, NULL);
		pthread_join(t, NULL);
		atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
		(*n)++;
	}
	return NULL;
}

/*
 * On one CPU, where the new threads inherit it: under TCG a cross-CPU
 * wakeup waits for the other vCPU's turn, which would swamp the cost of
 * creating a thread.
 */
static long run_churn(double seconds)
{
	pthread_t t;
	long n = 0;

	if (wst_pin(0))
		wst_die("sched_setaffinity");
	wst_start(&t, churner, &n);
	sample(seconds);
	pthread_join(t, NULL);
	return n;
}

/* ---- soak helpers ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Append the delays to @path, one per line; a failed write is fatal. */
static void save_latency(const char *path, const uint64_t *late, size_t n)
{
	FILE *f = fopen(path, "a");
	size_t i;

	if (!f)
		wst_die(path);
	for (i = 0; i < n; i++)
		fprintf(f, "%llu\n", (unsigned long long)late[i]);
	if (fclose(f))
		wst_die(path);
}

static int run_latency(double seconds, const char *path)
{
	size_t cap = (size_t)(seconds * 1000) + 16, n = 0;
	uint64_t *late = malloc(cap * sizeof(*late)), end, sum = 0;
	struct timespec req = { 0, 1000000 };

	if (!late)
		wst_die("malloc");
	end = wst_now_ns() + (uint64_t)(seconds * 1e9);
	while (n < cap) {
		uint64_t t0 = wst_now_ns(), t1;

		if (t0 >= end)
			break;
		nanosleep(&req, NULL);
		t1 = wst_now_ns();
		late[n] = t1 - t0 > 1000000 ? t1 - t0 - 1000000 : 0;
		sum += late[n++];
	}
	if (!n)
		return 1;
	qsort(late, n, sizeof(*late), cmp_u64);
	if (path)
		save_latency(path, late, n);
	printf("latency %zu %.1f %.1f %.1f %.1f\n", n, sum / 1e3 / n, late[n / 2] / 1e3,
	       late[n * 99 / 100] / 1e3, late[n - 1] / 1e3);
	free(late);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds;
	long n;

	if (argc < 3) {
		fprintf(stderr, "usage: wsbench pipe|pipe-x|futex|futex-x|pairs|churn SECONDS [PAIRS]\n"
				"       wsbench latency SECONDS [FILE]\n");
		return 2;
	}
	if (!strcmp(argv[1], "latency"))
		return run_latency(atof(argv[2]), argc > 3 ? argv[3] : NULL);
	seconds = atof(argv[2]);
	if (!strcmp(argv[1], "pipe"))
		n = run_pipes(seconds, 1, 0, 0);
	else if (!strcmp(argv[1], "pipe-x"))
		n = run_pipes(seconds, 1, 0, 1);
	else if (!strcmp(argv[1], "futex"))
		n = run_futex(seconds, false);
	else if (!strcmp(argv[1], "futex-x"))
		n = run_futex(seconds, true);
	else if (!strcmp(argv[1], "pairs"))
		n = run_pipes(seconds, argc > 3 ? atoi(argv[3]) : 16, -1, -1);
	else if (!strcmp(argv[1], "churn"))
		n = run_churn(seconds);
	else {
		fprintf(stderr, "wsbench: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	if (n <= 0 || median_ns <= 0) {
		fprintf(stderr, "wsbench: %s: no operation completed\n", argv[1]);
		return 1;
	}
	printf("%s %ld %.0f %.2f\n", argv[1], n, median_ns,
	       (double)atomic_load(&switches) / n);
	return 0;
}
