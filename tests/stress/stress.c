// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for tests/guest/lifecycle.sh, run inside the test VM.
 *
 *   stress load [-n NICE] [SECONDS]
 *       A context-switch-heavy load until SIGTERM/SIGINT (or SECONDS, if
 *       given and not 0): on every online CPU a pipe ping-pong pair and a
 *       futex ping-pong pair, both pinned to that CPU, plus one unpinned
 *       thread that creates and joins short-lived threads.  Writes its pid
 *       to /tmp/load.pid once everything runs; at the end prints
 *       "load: P pipe, F futex round trips, T threads" and exits 0.
 *   stress hold FILE NBYTES
 *       Opens FILE, reads NBYTES (a partial read: the file stays open
 *       mid-read), writes its pid to /tmp/hold.pid, waits for SIGUSR1,
 *       then reads on to the end of the file and closes it.  Prints
 *       "hold: N bytes, clean EOF" and exits 0 when every read succeeded
 *       and the file ended with a newline; 1 otherwise.
 *   stress write FILE STRING
 *       One write(2) of STRING to FILE.  Exit 0 when it was taken; 1 when
 *       the open or write failed because the module is not (or no longer)
 *       there: ENOENT, ENXIO, ENODEV, EBUSY, EIO; 2 for any other error,
 *       named on stderr.
 *   stress seekread FILE SEQ [BUFSIZE]
 *       The recorder's events file from SEQ on: lseek(fd, SEQ, SEEK_SET),
 *       then read(2)s of BUFSIZE bytes (default 65536) to the end, copied
 *       to stdout; then "pos P" (lseek(fd, 0, SEEK_CUR)) on stderr.  Exit
 *       0, or 1 when a call failed (named on stderr).
 *   stress unload MODULE SECONDS
 *       delete_module(MODULE) as rmmod does (O_NONBLOCK), retried every
 *       2 ms while the module is in use (EAGAIN, EBUSY: a reader holds one
 *       of its files open), for up to SECONDS.  Prints "unload: N tries";
 *       exit 0 when it unloaded, 1 when still in use at the deadline, 2 for
 *       any other error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../lib/wstest.h"

static void write_pid(const char *path)
{
	char tmp[64];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		wst_die(tmp);
	fprintf(f, "%d\n", getpid());
	if (fclose(f) || rename(tmp, path))
		wst_die(path);
}

/* ---- load ---- */

static unsigned long pipe_trips, futex_trips, threads_made;

struct pipe_pair {
	int cpu;
	int ab[2], ba[2];
};

static void *pipe_echo(void *arg)
{
	struct pipe_pair *p = arg;
	char c;

	wst_set_name("pp-echo-%d", p->cpu);
	/* A CPU that went offline meanwhile: run anywhere. */
	wst_pin(p->cpu);
	for (;;) {
		if (read(p->ab[0], &c, 1) != 1)
			wst_die("read");
		if (write(p->ba[1], &c, 1) != 1)
			wst_die("write");
	}
	return NULL;
}

static void *pipe_ping(void *arg)
{
	struct pipe_pair *p = arg;
	char c = 'x';

	wst_set_name("pp-ping-%d", p->cpu);
	wst_pin(p->cpu);
	for (;;) {
		if (write(p->ab[1], &c, 1) != 1)
			wst_die("write");
		if (read(p->ba[0], &c, 1) != 1)
			wst_die("read");
		__atomic_add_fetch(&pipe_trips, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Two threads hand a turn back and forth through one futex word. */
struct futex_pair {
	int cpu;
	int turn;
};

static void futex_wait_for(int *word, int want)
{
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != want)
		syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_pass(int *word, int to)
{
	__atomic_store_n(word, to, __ATOMIC_RELEASE);
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_side(struct futex_pair *p, int me)
{
	wst_set_name(me ? "fx-pong-%d" : "fx-ping-%d", p->cpu);
	wst_pin(p->cpu);
	for (;;) {
		futex_wait_for(&p->turn, me);
		if (!me)
			__atomic_add_fetch(&futex_trips, 1, __ATOMIC_RELAXED);
		futex_pass(&p->turn, !me);
	}
	return NULL;
}

static void *futex_ping(void *arg)
{
	return futex_side(arg, 0);
}

static void *futex_pong(void *arg)
{
	return futex_side(arg, 1);
}

static void *nothing(void *arg)
{
	return arg;
}

static void *churn(void *arg)
{
	pthread_t t[8];
	int i;

	wst_set_name("churn-%d", (int)(long)arg);
	for (;;) {
		for (i = 0; i < 8; i++)
			if (pthread_create(&t[i], NULL, nothing, NULL))
				wst_die("pthread_create");
		for (i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
		__atomic_add_fetch(&threads_made, 8, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void start(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	wst_start(&t, fn, arg);
	pthread_detach(t);
}

static int run_load(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), secs = 0, i;
	int niceness = 0, sig;
	sigset_t set;

	if (argc > 2 && !strcmp(argv[2], "-n") && argc > 3) {
		niceness = atoi(argv[3]);
		argv += 2;
		argc -= 2;
	}
	if (argc > 2)
		secs = strtol(argv[2], NULL, 10);
	if (ncpu < 1)
		ncpu = 1;
	if (setpriority(PRIO_PROCESS, 0, niceness))
		wst_die("setpriority");
	/* Only the main thread takes the signals that end the load. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGALRM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		wst_die("sigmask");
	wst_set_name("load", 0);
	for (i = 0; i < ncpu; i++) {
		struct pipe_pair *pp = calloc(1, sizeof(*pp));
		struct futex_pair *fp = calloc(1, sizeof(*fp));

		if (!pp || !fp)
			wst_die("calloc");
		pp->cpu = fp->cpu = i;
		if (pipe(pp->ab) || pipe(pp->ba))
			wst_die("pipe");
		start(pipe_echo, pp);
		start(pipe_ping, pp);
		start(futex_pong, fp);
		start(futex_ping, fp);
		start(churn, (void *)i);
	}
	if (secs > 0)
		alarm(secs);
	write_pid("/tmp/load.pid");
	if (sigwait(&set, &sig))
		wst_die("sigwait");
	printf("load: %lu pipe, %lu futex round trips, %lu threads on %ld CPUs\n",
	       __atomic_load_n(&pipe_trips, __ATOMIC_RELAXED),
	       __atomic_load_n(&futex_trips, __ATOMIC_RELAXED),
	       __atomic_load_n(&threads_made, __ATOMIC_RELAXED), ncpu);
	fflush(stdout);
	/* exit_group ends every thread wherever it is blocked. */
	_exit(0);
}

/* ---- hold ---- */

static int run_hold(int argc, char **argv)
{
	char buf[4096], last = 0;
	long want, got = 0;
	sigset_t set;
	ssize_t n;
	int fd, sig;

	if (argc != 4)
		return fprintf(stderr, "usage: stress hold FILE NBYTES\n"), 2;
	want = strtol(argv[3], NULL, 10);
	if (want < 1 || want > (long)sizeof(buf))
		want = 16;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		wst_die("sigprocmask");
	fd = open(argv[2], O_RDONLY);
	if (fd < 0)
		wst_die(argv[2]);
	n = read(fd, buf, want);
	if (n <= 0) {
		fprintf(stderr, "hold: first read of %s: %zd (%s)\n", argv[2], n,
			n ? strerror(errno) : "EOF");
		return 1;
	}
	got = n;
	last = buf[n - 1];
	write_pid("/tmp/hold.pid");
	if (sigwait(&set, &sig))
		wst_die("sigwait");
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		got += n;
		last = buf[n - 1];
	}
	if (n < 0) {
		fprintf(stderr, "hold: read of %s after %ld bytes: %s\n", argv[2], got,
			strerror(errno));
		return 1;
	}
	if (close(fd))
		wst_die("close");
	if (last != '\n') {
		fprintf(stderr, "hold: %s ended without a newline after %ld bytes\n", argv[2], got);
		return 1;
	}
	printf("hold: %ld bytes, clean EOF\n", got);
	return 0;
}

/* ---- seekread ---- */

static int run_seekread(int argc, char **argv)
{
	long bufsize = argc > 4 ? strtol(argv[4], NULL, 10) : 65536;
	static char buf[1 << 20];
	ssize_t n;
	off_t pos;
	int fd;

	if (argc < 4 || argc > 5 || bufsize < 1 || bufsize > (long)sizeof(buf))
		return fprintf(stderr, "usage: stress seekread FILE SEQ [BUFSIZE]\n"), 2;
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || lseek(fd, strtoll(argv[3], NULL, 10), SEEK_SET) < 0)
		return fprintf(stderr, "seekread: %s: %s\n", argv[2], strerror(errno)), 1;
	while ((n = read(fd, buf, bufsize)) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return 1;
	if (n < 0)
		return fprintf(stderr, "seekread: read: %s\n", strerror(errno)), 1;
	pos = lseek(fd, 0, SEEK_CUR);
	fprintf(stderr, "pos %lld\n", (long long)pos);
	close(fd);
	return pos < 0;
}

/* ---- write ---- */

static int gone(int err)
{
	return err == ENOENT || err == ENXIO || err == ENODEV || err == EBUSY || err == EIO;
}

static int run_write(int argc, char **argv)
{
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 4)
		return fprintf(stderr, "usage: stress write FILE STRING\n"), 2;
	fd = open(argv[2], O_WRONLY);
	if (fd < 0) {
		if (gone(errno))
			return 1;
		fprintf(stderr, "write: open %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	len = strlen(argv[3]);
	n = write(fd, argv[3], len);
	if (n < 0) {
		int err = errno;

		close(fd);
		if (gone(err))
			return 1;
		fprintf(stderr, "write: '%s' to %s: %s\n", argv[3], argv[2], strerror(err));
		return 2;
	}
	close(fd);
	if ((size_t)n != len) {
		fprintf(stderr, "write: '%s' to %s: %zd of %zu bytes\n", argv[3], argv[2], n, len);
		return 2;
	}
	return 0;
}

/* ---- unload ---- */

static int run_unload(int argc, char **argv)
{
	struct timespec pause = { 0, 2000000 };
	double deadline;
	long tries = 0;

	if (argc != 4)
		return fprintf(stderr, "usage: stress unload MODULE SECONDS\n"), 2;
	deadline = wst_now_s() + strtod(argv[3], NULL);
	for (;;) {
		tries++;
		if (!syscall(SYS_delete_module, argv[2], O_NONBLOCK)) {
			printf("unload: %ld tries\n", tries);
			return 0;
		}
		if (errno != EAGAIN && errno != EBUSY) {
			fprintf(stderr, "unload: %s: %s after %ld tries\n", argv[2],
				strerror(errno), tries);
			return 2;
		}
		if (wst_now_s() > deadline) {
			fprintf(stderr, "unload: %s still in use after %ld tries\n", argv[2], tries);
			return 1;
		}
		nanosleep(&pause, NULL);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "load"))
		return run_load(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "hold"))
		return run_hold(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "write"))
		return run_write(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "unload"))
		return run_unload(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "seekread"))
		return run_seekread(argc, argv);
	fprintf(stderr, "usage: stress load [-n NICE] [SECONDS] | hold FILE NBYTES |\n"
		"       write FILE STRING | unload MODULE SECONDS | seekread FILE SEQ [BUFSIZE]\n");
	return 2;
}
