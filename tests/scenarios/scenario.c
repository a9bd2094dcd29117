// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario programs with known answers, run inside the test VM.
 *
 *   scenario sleeper            one thread: 20 x nanosleep(50 ms)
 *   scenario locker N ITERS [spin|sleep]
 *                               N threads contending one pthread mutex, with
 *                               1 ms under it and, outside, 2 ms spinning
 *                               (CPU-bound) or 1 ms asleep
 *   scenario stuck              one thread blocked forever on a pipe read
 *   scenario vfork N MS         a parent in vfork() N times, child sleeps MS
 *   scenario starve N SECONDS   N busy workers pinned beside a busy hog
 *   scenario churn N            N short-lived threads, 50 at a time
 *   scenario execer             the main thread sleeps 5 x 200 ms, then a
 *                               second thread sleeps 10 x 20 ms and execs;
 *                               the new image ("execed") writes its old tid
 *                               to /tmp/execer.oldtid, then parks
 *   scenario futexer N          N timed-out FUTEX_WAITs of 1 ms on one word
 *                               at a fixed address (the binary is static)
 *
 * Each names its threads, does its work, then "parks": every thread waits
 * in pause() until killed, and the program writes
 * /tmp/<scenario>.done holding its pid.  The tests read the kernel's and
 * waitscope's numbers while the threads are parked, then kill the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/wstest.h"

static int done_pipe[2];
static const char *scenario;

/*
 * Tell main this thread is done, then wait idly forever, in pause(): an
 * idle wait that waitscope must not report (the stuck scenario's pipe read
 * is the one planted problem of that kind).
 */
static void park(void)
{
	char c = 1;

	if (write(done_pipe[1], &c, 1) != 1)
		wst_die("write");
	for (;;)
		pause();
}

/* Wait for n threads to park, announce it, then block forever too. */
static void park_main(int n)
{
	char path[64], c;
	FILE *f;

	while (n > 0) {
		if (read(done_pipe[0], &c, 1) == 1)
			n--;
	}
	snprintf(path, sizeof(path), "/tmp/%s.done", scenario);
	f = fopen(path, "w");
	if (!f)
		wst_die(path);
	fprintf(f, "%d\n", getpid());
	fclose(f);
	for (;;)
		pause();
}

static void start(pthread_t *t, void *(*fn)(void *), long arg)
{
	wst_start(t, fn, (void *)arg);
}

static void spin_ms(long ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static void *sleeper(void *arg)
{
	int i;

	(void)arg;

	wst_set_name("sleeper", 0);
	for (i = 0; i < 20; i++)
		wst_sleep_ms(50);
	park();
	return NULL;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long locker_iters, locker_threads;
static int lockers_ready;
static bool locker_sleeps;

static void *locker(void *arg)
{
	long i;

	wst_set_name("locker-%d", (int)(long)arg);
	/* Start together, without a futex of our own: every locker contends. */
	__atomic_add_fetch(&lockers_ready, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&lockers_ready, __ATOMIC_SEQ_CST) < locker_threads)
		sched_yield();
	/*
	 * 1 ms of work under the lock, then time outside it: no thread can
	 * keep the lock and four want it more than all the time (contention).
	 * Asleep outside, each waits about as long as it holds and sleeps, so
	 * they need 4/3 of a CPU in all: no CPU starvation on two.
	 */
	for (i = 0; i < locker_iters; i++) {
		pthread_mutex_lock(&lock);
		spin_ms(1);
		pthread_mutex_unlock(&lock);
		if (locker_sleeps)
			wst_sleep_ms(1);
		else
			spin_ms(2);
	}
	park();
	return NULL;
}

static void *stuck(void *arg)
{
	int fds[2];
	char c;

	(void)arg;

	wst_set_name("stuck", 0);
	if (pipe(fds))
		wst_die("pipe");
	/* Announce first: this thread never gets past the read. */
	c = 1;
	if (write(done_pipe[1], &c, 1) != 1)
		wst_die("write");
	for (;;)
		if (read(fds[0], &c, 1) < 0 && errno != EINTR)
			wst_die("read");
	return NULL;
}

static long vfork_ms;

static void *vforker(void *arg)
{
	long i, n = (long)arg;

	wst_set_name("vforker", 0);
	for (i = 0; i < n; i++) {
		pid_t pid = vfork();

		if (pid == 0) {
			/* Only async-signal-safe calls between vfork and _exit. */
			struct timespec ts = { vfork_ms / 1000, (vfork_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			_exit(0);
		}
		if (pid < 0)
			wst_die("vfork");
		waitpid(pid, NULL, 0);
	}
	park();
	return NULL;
}

static volatile int starve_stop;
static long starve_secs;

static void *hog(void *arg)
{
	(void)arg;
	wst_set_name("hog", 0);
	if (wst_pin(0))
		wst_die("sched_setaffinity");
	while (!starve_stop)
		;
	park();
	return NULL;
}

static void *worker(void *arg)
{
	wst_set_name("worker-%d", (int)(long)arg);
	if (wst_pin(0))
		wst_die("sched_setaffinity");
	while (!starve_stop)
		;
	park();
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

static int run_churn(long n)
{
	pthread_t t[50];
	long done = 0;
	int i, batch;

	wst_set_name("churn", 0);
	while (done < n) {
		batch = n - done < 50 ? n - done : 50;
		for (i = 0; i < batch; i++)
			start(&t[i], nothing, 0);
		for (i = 0; i < batch; i++)
			pthread_join(t[i], NULL);
		done += batch;
	}
	printf("churn: %ld threads created and joined\n", done);
	return 0;
}

/*
 * exec from a non-leader: de_thread() gives the thread its leader's pid.
 * It must keep its own numbers (10 sleeps of 20 ms), never the leader's
 * (5 of 200 ms: far apart in the histogram even when TCG stretches a sleep).
 */
static void *execer(void *arg)
{
	char tid[24];

	(void)arg;
	wst_set_name("execer", 0);
	for (int i = 0; i < 10; i++)
		wst_sleep_ms(20);
	snprintf(tid, sizeof(tid), "%d", (int)gettid());
	execl("/proc/self/exe", "scenario", "execed", tid, (char *)NULL);
	wst_die("execl");
	return NULL;
}

static int run_execed(const char *old_tid)
{
	FILE *f = fopen("/tmp/execer.oldtid", "w");

	if (!f)
		wst_die("/tmp/execer.oldtid");
	fprintf(f, "%s\n", old_tid);
	fclose(f);
	scenario = "execer";
	wst_set_name("execed", 0);
	park_main(0);
	return 0;
}

/* Timed-out waits on one word: completed futex waits with a known count. */
static unsigned int futex_word;

static int run_futexer(long n)
{
	struct timespec ts = { 0, 1000000 };

	wst_set_name("futexer", 0);
	for (long i = 0; i < n; i++)
		if (syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0) == 0)
			wst_die("futex: woken, expected a timeout");
	printf("futexer: %ld waits on %p\n", n, (void *)&futex_word);
	fflush(stdout);
	park_main(0);
	return 0;
}

static long arg_or(int argc, char **argv, int i, long def)
{
	return argc > i ? strtol(argv[i], NULL, 10) : def;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	long i, n;

	if (argc < 2) {
		fprintf(stderr, "usage: scenario sleeper|locker|stuck|vfork|starve|churn|execer|futexer [args]\n");
		return 2;
	}
	scenario = argv[1];
	if (pipe(done_pipe))
		wst_die("pipe");
	if (!strcmp(scenario, "sleeper")) {
		start(&t[0], sleeper, 0);
		park_main(1);
	} else if (!strcmp(scenario, "locker")) {
		n = arg_or(argc, argv, 2, 4);
		locker_threads = n < 64 ? n : 64;
		locker_iters = arg_or(argc, argv, 3, 200);
		locker_sleeps = argc > 4 && !strcmp(argv[4], "sleep");
		for (i = 0; i < n && i < 64; i++)
			start(&t[i], locker, i + 1);
		park_main(i);
	} else if (!strcmp(scenario, "stuck")) {
		start(&t[0], stuck, 0);
		park_main(1);
	} else if (!strcmp(scenario, "vfork")) {
		vfork_ms = arg_or(argc, argv, 3, 200);
		start(&t[0], vforker, arg_or(argc, argv, 2, 5));
		park_main(1);
	} else if (!strcmp(scenario, "starve")) {
		n = arg_or(argc, argv, 2, 4);
		starve_secs = arg_or(argc, argv, 3, 3);
		start(&t[0], hog, 0);
		for (i = 1; i <= n && i < 64; i++)
			start(&t[i], worker, i);
		wst_sleep_ms(starve_secs * 1000);
		starve_stop = 1;
		park_main(i);
	} else if (!strcmp(scenario, "churn")) {
		return run_churn(arg_or(argc, argv, 2, 20000));
	} else if (!strcmp(scenario, "execer")) {
		for (i = 0; i < 5; i++)
			wst_sleep_ms(200);
		start(&t[0], execer, 0);
		for (;;)
			pause();
	} else if (!strcmp(scenario, "execed") && argc > 2) {
		return run_execed(argv[2]);
	} else if (!strcmp(scenario, "futexer")) {
		return run_futexer(arg_or(argc, argv, 2, 10));
	} else {
		fprintf(stderr, "scenario: unknown scenario '%s'\n", scenario);
		return 2;
	}
	return 0;
}
