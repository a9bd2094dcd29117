// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario programs with known answers, run inside the test VM.
 *
 *   scenario sleeper            one thread: 20 x nanosleep(50 ms)
 *       sleeper: pid P tid T sleeps 20 late L   (L took 65.536 ms or more)
 *   scenario locker N ITERS [spin|sleep]
 *                               N threads contending one pthread mutex, with
 *                               1 ms under it and, outside, 2 ms spinning
 *                               (CPU-bound) or 1 ms asleep
 *   scenario stuck              one thread blocked forever on a pipe read
 *   scenario vfork N MS         a parent in vfork() N times, child sleeps MS
 *   scenario starve N SECONDS   N busy workers pinned beside a busy hog
 *   scenario churn N            N short-lived threads, 50 at a time
 *   scenario xping N            threads "xping-0" on CPU 0 and "xping-1" on
 *                               CPU 1 pass a token N times through pipes,
 *                               each holding it 1 ms: every wakeup crosses
 *                               CPUs
 *       xping: pid P tids T0 T1 round-trips N
 *   scenario execer             the main thread sleeps 5 x 200 ms, then a
 *                               second thread sleeps 10 x 20 ms and execs;
 *                               the new image ("execed") writes its old tid
 *                               to /tmp/execer.oldtid, then parks
 *       execer: pid P tid OLD late L   (L of the 20 ms sleeps took 65.536 ms or more)
 *   scenario futexer N          N timed-out FUTEX_WAITs of 10 ms on one word
 *                               at a fixed address (the binary is static)
 *   scenario disk DEV N         thread "ioreader" reads N blocks of 4 KiB of
 *                               DEV with O_DIRECT, then thread "fsyncer"
 *                               writes N blocks through the page cache, each
 *                               followed by fsync(); on a null_blk device
 *                               with timer completions every request is one
 *                               io wait of the device's completion time
 *       disk: pid P reader R writer W reads N fsyncs N late L
 *                               (L reads took 16.384 ms or more by the
 *                               reader's own clock)
 *
 * Programs that end, for `waitscope watch` (issue 15):
 *   scenario joiner N           N threads each sleep 3 x 20 ms, main joins
 *                               them and exits 0: nothing to report
 *   scenario leaker             a worker blocks in read() on a pipe whose
 *                               write end main holds; main returns 0: the
 *                               worker is killed in its read
 *       leaker: pid P worker W pipe INODE
 *   scenario daemonizer         forks a child that calls setsid() and forks
 *                               a daemon (it sleeps in pause() forever and
 *                               outlives its parents); exits 0
 *       daemonizer: pid P daemon D
 *   scenario brief MS           a worker reads a pipe that main writes
 *                               after MS ms; joined; exit 0
 *       brief: pid P worker W
 *   With WS_SCENARIO_EXIT=1 in the environment, the parking scenarios
 *   (starve, locker, ...) exit 0 once every thread is parked (in pause():
 *   an idle wait) instead of blocking forever.
 *
 * Each names its threads, does its work, then "parks": every thread waits
 * in pause() until killed, and the program writes
 * /tmp/<scenario>.done holding its pid.  The tests read the kernel's and
 * waitscope's numbers while the threads are parked, then kill the program.
 *
 * Waits with a known cause (issue 13: who holds what a thread waits for).
 * Each blocks forever, and once every thread sits in the syscall it should
 * (as its /proc/PID/task/TID/syscall shows) prints its ground truth as one
 * line "NAME: pid P KEY VALUE KEY VALUE ..." (lists comma-separated), then
 * writes /tmp/NAME.done.  Child processes die with the scenario
 * (PR_SET_PDEATHSIG).  A kernel without the feature a scenario needs (no
 * CONFIG_NET, CONFIG_FILE_LOCKING) gets "NAME: unsupported WHAT: ERROR"
 * and exit status 3.
 *
 *   scenario abba               threads a and b lock default mutexes A
 *                               and B in opposite orders: a deadlock
 *       abba: pid P tid_a A tid_b B mutex_a 0xA mutex_b 0xB
 *                               (A holds mutex_a and waits for mutex_b)
 *   scenario piabba             the same with PTHREAD_PRIO_INHERIT: the
 *                               kernel answers EDEADLK to one side (glibc
 *                               then parks it forever on a word of its
 *                               stack), the other waits in FUTEX_LOCK_PI
 *       piabba: pid P waiter W owner O edeadlk O mutex 0xM word 0xV park 0xS
 *                               (W waits on mutex M held by O; V the word)
 *   scenario pipechain [N]      N (3) threads wait for a mutex held by a thread
 *                               H reading a pipe whose only write end a
 *                               child C holds, asleep in pause(): root C
 *       pipechain: pid P holder H child C mutex 0xM pipe INODE waiters W1,W2,W3
 *   scenario selfpipe           main joins thread J, which reads a pipe
 *                               whose write end only its own process holds
 *       selfpipe: pid P main P joined J pipe INODE
 *   scenario sockpeer           a thread reads a unix socket whose peer a
 *                               child holds and never writes to
 *       sockpeer: pid P reader R child C socket INODE peer INODE
 *   scenario flocker            the process holds flock(LOCK_EX) on a file
 *                               under /tmp; its child waits for it
 *       flocker: pid P holder P waiter C file PATH lock MAJ:MIN:INODE
 *   scenario fullpipe           a thread writes into a full pipe whose
 *                               reader, a child, never reads
 *       fullpipe: pid P writer W child C pipe INODE queued BYTES
 *   scenario semdead            two threads each in sem_wait() on the
 *                               semaphore the other would post; main joins
 *                               them: a frozen process, no owner anywhere
 *       semdead: pid P main P waiters T1,T2 sem_1 0xS1 sem_2 0xS2
 *   scenario rwwriter           a thread holds a pthread rwlock for writing
 *                               and sleeps in pause(); a reader and a
 *                               second writer wait for it
 *       rwwriter: pid P writer W reader R writer2 X rwlock 0xL
 *   scenario condpool           negative: 4 threads idle on a condition
 *                               variable, one in epoll_wait on an eventfd
 *                               (a FIFO without CONFIG_EVENTFD) that wakes
 *                               them when written from outside
 *       condpool: pid P waiters T1,T2,T3,T4 epoll E cond 0xC wakeup eventfd|fifo
 *   scenario garbagemutex       negative: FUTEX_WAIT val 2 on a word whose
 *                               "owner" (+8) is 0x7fffffff, "kind" (+16) 99
 *       garbagemutex: pid P waiter W word 0xA owner_field 0x7fffffff kind_field 99
 *   scenario foreignowner       negative: the same, private, with an owner
 *                               field naming a child process's thread
 *       foreignowner: pid P waiter W word 0xA foreign C
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
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

/* Write /tmp/<scenario>.done holding the pid: the scenario is in place. */
static void write_done(void)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/%s.done", scenario);
	f = fopen(path, "w");
	if (!f)
		wst_die(path);
	fprintf(f, "%d\n", getpid());
	fclose(f);
}

/* Wait for n threads to park, announce it, then block forever too. */
static void park_main(int n)
{
	char c;

	while (n > 0) {
		if (read(done_pipe[0], &c, 1) == 1)
			n--;
	}
	write_done();
	if (getenv("WS_SCENARIO_EXIT"))
		exit(0);
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

static void truth(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void await_park(void);

/*
 * A nanosleep that took 65.536 ms or more by the thread's own clock may be
 * counted in the 64-128 ms bucket: a late timer on a busy TCG host (seen on
 * 6.1 with 32 threads of load).  Its truth line counts them.
 */
#define SLEEPER_LATE_NS 65536000ull

static void *sleeper(void *arg)
{
	uint64_t t0;
	int i, late = 0;

	(void)arg;

	wst_set_name("sleeper", 0);
	for (i = 0; i < 20; i++) {
		t0 = wst_now_ns();
		wst_sleep_ms(50);
		late += wst_now_ns() - t0 >= SLEEPER_LATE_NS;
	}
	truth("tid %d sleeps 20 late %d", (int)gettid(), late);
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

/* ---- xping: wakeups that cross CPUs ---- */

static int xping_pipe[2][2];
static long xping_n;
static pid_t xping_tid[2];

/* Thread i on CPU i: it takes the token from pipe i, passes it to 1 - i. */
static void *xping(void *arg)
{
	int i = (int)(long)arg;
	char c = 0;

	wst_set_name("xping-%d", i);
	if (wst_pin(i))
		wst_die("sched_setaffinity");
	__atomic_store_n(&xping_tid[i], gettid(), __ATOMIC_SEQ_CST);
	for (long k = 0; k < xping_n; k++) {
		if ((i == 1 || k > 0) && read(xping_pipe[i][0], &c, 1) != 1)
			wst_die("read");
		spin_ms(1);
		if (write(xping_pipe[1 - i][1], &c, 1) != 1)
			wst_die("write");
	}
	/* Thread 0 takes the last token back, so neither thread is woken later. */
	if (i == 0 && read(xping_pipe[0][0], &c, 1) != 1)
		wst_die("read");
	park();
	return NULL;
}

static int run_xping(long n)
{
	pthread_t t[2];

	xping_n = n;
	if (pipe(xping_pipe[0]) || pipe(xping_pipe[1]))
		wst_die("pipe");
	start(&t[1], xping, 1);
	start(&t[0], xping, 0);
	await_park();
	await_park();
	truth("tids %d %d round-trips %ld", (int)xping_tid[0], (int)xping_tid[1], n);
	park_main(0);
	return 0;
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
	char tid[24], late[24];
	uint64_t t0;
	int n = 0;

	(void)arg;
	wst_set_name("execer", 0);
	for (int i = 0; i < 10; i++) {
		t0 = wst_now_ns();
		wst_sleep_ms(20);
		n += wst_now_ns() - t0 >= SLEEPER_LATE_NS;
	}
	snprintf(tid, sizeof(tid), "%d", (int)gettid());
	snprintf(late, sizeof(late), "%d", n);
	execl("/proc/self/exe", "scenario", "execed", tid, late, (char *)NULL);
	wst_die("execl");
	return NULL;
}

static int run_execed(const char *old_tid, const char *late)
{
	FILE *f = fopen("/tmp/execer.oldtid", "w");

	if (!f)
		wst_die("/tmp/execer.oldtid");
	fprintf(f, "%s\n", old_tid);
	fclose(f);
	scenario = "execer";
	truth("tid %s late %s", old_tid, late);
	wst_set_name("execed", 0);
	park_main(0);
	return 0;
}

/* Timed-out waits on one word: completed futex waits with a known count. */
static unsigned int futex_word;

static int run_futexer(long n)
{
	/*
	 * 10 ms, not less: a timeout that fires before the thread has slept
	 * (TCG can delay it that long) returns without a wait to count.
	 */
	struct timespec ts = { 0, 10000000 };

	wst_set_name("futexer", 0);
	for (long i = 0; i < n; i++)
		if (syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0) == 0)
			wst_die("futex: woken, expected a timeout");
	printf("futexer: %ld waits on %p\n", n, (void *)&futex_word);
	fflush(stdout);
	park_main(0);
	return 0;
}

/* ---- waits with a known cause (issue 13) ---- */

#ifdef SYS_epoll_wait
#define NR_EPOLL SYS_epoll_wait
#else
#define NR_EPOLL SYS_epoll_pwait
#endif

/* The scenario's ground truth: one line, "NAME: pid P " and the rest. */
__attribute__((format(printf, 1, 2)))
static void truth(const char *fmt, ...)
{
	va_list ap;

	printf("%s: pid %d ", scenario, (int)getpid());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* This kernel lacks what the scenario needs: say so, exit 3 (a skip). */
static _Noreturn void unsupported(const char *what)
{
	printf("%s: unsupported %s: %s\n", scenario, what, strerror(errno));
	fflush(stdout);
	exit(3);
}

static _Noreturn void unreachable(const char *what)
{
	fprintf(stderr, "%s: %s\n", scenario, what);
	exit(2);
}

/*
 * The syscall thread tid of process pid is in, as /proc shows it (where
 * waitscope reads it too): its number, -1 outside one, -2 running or
 * unreadable; args its first two arguments.
 */
static long proc_syscall(pid_t pid, pid_t tid, unsigned long args[2])
{
	char path[64], buf[256];
	long nr;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -2;
	args[0] = args[1] = 0;
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%ld %lx %lx", &nr, &args[0], &args[1]) < 1)
		nr = -2;
	fclose(f);
	return nr;
}

/*
 * Wait (30 s at most) until thread tid of process pid sits in syscall nr,
 * with its first argument in [lo, hi) unless lo == hi.  The truth line
 * comes only after every thread is where it should be.
 */
static void wait_in(pid_t pid, pid_t tid, long nr, uintptr_t lo, uintptr_t hi)
{
	unsigned long a[2] = { 0, 0 };
	long seen = -2;

	for (int i = 0; i < 3000; i++) {
		seen = proc_syscall(pid, tid, a);
		if (seen == nr && (lo == hi || (a[0] >= lo && a[0] < hi)))
			return;
		wst_sleep_ms(10);
	}
	fprintf(stderr, "%s: tid %d not in syscall %ld on [%#lx, %#lx) after 30 s (seen %ld %#lx)\n",
		scenario, (int)tid, nr, (unsigned long)lo, (unsigned long)hi, seen, a[0]);
	exit(2);
}

/* A thread of this process waits in syscall nr on [p, p + size). */
static void wait_on(pid_t tid, long nr, const void *p, size_t size)
{
	wait_in(getpid(), tid, nr, (uintptr_t)p, (uintptr_t)p + size);
}

/* A thread waits in a read or write of fd. */
static void wait_fd(pid_t tid, long nr, int fd)
{
	wait_in(getpid(), tid, nr, (uintptr_t)fd, (uintptr_t)fd + 1);
}

/* A child process (one thread) waits in pause(). */
static void wait_paused(pid_t pid)
{
#ifdef SYS_pause
	wait_in(pid, pid, SYS_pause, 0, 0);
#else
	(void)pid;
#endif
}

/* Thread slots: each thread publishes its tid, main waits for it. */
static pid_t tid_slot[8];

static void publish_tid(int i)
{
	__atomic_store_n(&tid_slot[i], gettid(), __ATOMIC_SEQ_CST);
}

static pid_t tid_of(int i)
{
	pid_t t;

	while (!(t = __atomic_load_n(&tid_slot[i], __ATOMIC_SEQ_CST)))
		wst_sleep_ms(1);
	return t;
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		wst_die("fstat");
	return (unsigned long)st.st_ino;
}

/* Read fd until EOF (the writer gone), then sleep in pause() forever. */
static void read_forever(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
	for (;;)
		pause();
}

static void close_fd(long fd)
{
	close((int)fd);
}

/*
 * Fork a child process named name that runs fn(arg) (if fn), then sleeps
 * in pause() forever.  It dies with the scenario (PR_SET_PDEATHSIG), so
 * killing the scenario stops it too.  Forked before any thread starts, so
 * the child may call anything.
 */
static pid_t child(const char *name, void (*fn)(long), long arg)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		wst_die("fork");
	if (pid)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(0);
	wst_set_name(name, 0);
	if (fn)
		fn(arg);
	for (;;)
		pause();
}

/* abba, piabba: each thread locks its own mutex, then the other's. */
static pthread_mutex_t abba_m[2];
static pthread_barrier_t abba_bar;
static bool abba_pi;

static void *abba_thread(void *arg)
{
	int i = (int)(long)arg;

	wst_set_name(abba_pi ? "piabba-%c" : "abba-%c", 'a' + i);
	pthread_mutex_lock(&abba_m[i]);
	publish_tid(i);
	/* Both hold their first lock before either takes its second. */
	pthread_barrier_wait(&abba_bar);
	pthread_mutex_lock(&abba_m[!i]);
	unreachable("got the second lock of a deadlock");
	return NULL;
}

static bool is_lock_pi(unsigned long op)
{
	op &= FUTEX_CMD_MASK;
#ifdef FUTEX_LOCK_PI2
	if (op == FUTEX_LOCK_PI2)
		return true;
#endif
	return op == FUTEX_LOCK_PI;
}

/*
 * The PI side: the kernel refuses the second FUTEX_LOCK_PI of the cycle
 * with EDEADLK, and glibc then parks that thread forever in a
 * FUTEX_WAIT_BITSET on a word of its own stack (a normal-kind mutex cannot
 * return the error).  Which side that is, /proc says: the other one waits
 * in FUTEX_LOCK_PI on the word of the mutex the refused one holds.
 */
static void piabba_truth(const pid_t tid[2])
{
	unsigned long a[2], b[2];
	unsigned int word;
	int w;

	for (int i = 0; i < 3000; i++) {
		for (w = 0; w < 2; w++) {
			if (proc_syscall(getpid(), tid[w], a) != SYS_futex ||
			    a[0] != (uintptr_t)&abba_m[!w] || !is_lock_pi(a[1]))
				continue;
			if (proc_syscall(getpid(), tid[!w], b) == SYS_futex &&
			    b[0] != (uintptr_t)&abba_m[0] && b[0] != (uintptr_t)&abba_m[1])
				goto found;
		}
		wst_sleep_ms(10);
	}
	unreachable("no thread in FUTEX_LOCK_PI beside one parked after EDEADLK, after 30 s");
found:
	word = __atomic_load_n((unsigned int *)&abba_m[!w].__data.__lock, __ATOMIC_SEQ_CST);
	if ((pid_t)(word & FUTEX_TID_MASK) != tid[!w])
		unreachable("the PI word does not name the owner");
	truth("waiter %d owner %d edeadlk %d mutex %p word %#x park %#lx", (int)tid[w], (int)tid[!w],
	      (int)tid[!w], (void *)&abba_m[!w], word, b[0]);
}

static int run_abba(bool pi)
{
	pthread_mutexattr_t attr;
	pthread_t t[2];
	pid_t tid[2];

	abba_pi = pi;
	pthread_mutexattr_init(&attr);
	if (pi && (errno = pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT)))
		wst_die("pthread_mutexattr_setprotocol");
	for (int i = 0; i < 2; i++)
		pthread_mutex_init(&abba_m[i], &attr);
	pthread_barrier_init(&abba_bar, NULL, 2);
	start(&t[0], abba_thread, 0);
	start(&t[1], abba_thread, 1);
	tid[0] = tid_of(0);
	tid[1] = tid_of(1);
	if (pi) {
		piabba_truth(tid);
	} else {
		wait_on(tid[0], SYS_futex, &abba_m[1], 1);
		wait_on(tid[1], SYS_futex, &abba_m[0], 1);
		truth("tid_a %d tid_b %d mutex_a %p mutex_b %p", (int)tid[0], (int)tid[1],
		      (void *)&abba_m[0], (void *)&abba_m[1]);
	}
	park_main(0);
	return 0;
}

/* pipechain: waiters -> mutex held by H -> pipe whose writer is child C. */
static pthread_mutex_t chain_m = PTHREAD_MUTEX_INITIALIZER;
static int chain_pipe[2];

static void *chain_holder(void *arg)
{
	(void)arg;
	wst_set_name("chain-holder", 0);
	pthread_mutex_lock(&chain_m);
	publish_tid(0);
	read_forever(chain_pipe[0]);
	return NULL;
}

static void *chain_waiter(void *arg)
{
	int i = (int)(long)arg;

	wst_set_name("chain-wait-%d", i);
	publish_tid(i);
	pthread_mutex_lock(&chain_m);
	unreachable("got the mutex the holder keeps");
	return NULL;
}

static int run_pipechain(int n)
{
	char list[128] = "";
	pthread_t t[8];
	pid_t c, h, w;
	size_t len = 0;

	if (n < 1 || n > 7)
		n = 3;
	if (pipe(chain_pipe))
		wst_die("pipe");
	/* The child keeps the write end only, the process the read end only. */
	c = child("chain-writer", close_fd, chain_pipe[0]);
	close(chain_pipe[1]);
	start(&t[0], chain_holder, 0);
	h = tid_of(0);
	wait_fd(h, SYS_read, chain_pipe[0]);
	for (int i = 1; i <= n; i++) {
		start(&t[i], chain_waiter, i);
		w = tid_of(i);
		wait_on(w, SYS_futex, &chain_m, 1);
		len += snprintf(list + len, sizeof(list) - len, "%s%d", i > 1 ? "," : "", (int)w);
	}
	wait_paused(c);
	truth("holder %d child %d mutex %p pipe %lu waiters %s", (int)h, (int)c, (void *)&chain_m,
	      inode_of(chain_pipe[0]), list);
	park_main(0);
	return 0;
}

/* selfpipe: main joins J; J reads a pipe only its own process can write. */
static int self_pipe[2];

static void *self_reader(void *arg)
{
	(void)arg;
	wst_set_name("self-reader", 0);
	publish_tid(0);
	read_forever(self_pipe[0]);
	return NULL;
}

static int run_selfpipe(void)
{
	pthread_t t;
	pid_t j;

	if (pipe(self_pipe))
		wst_die("pipe");
	start(&t, self_reader, 0);
	j = tid_of(0);
	wait_fd(j, SYS_read, self_pipe[0]);
	truth("main %d joined %d pipe %lu", (int)getpid(), (int)j, inode_of(self_pipe[0]));
	write_done();
	pthread_join(t, NULL);
	unreachable("joined a thread that never ends");
}

/* sockpeer: a thread reads a unix socket whose peer end a child keeps. */
static int sock_fd;

static void *sock_reader(void *arg)
{
	(void)arg;
	wst_set_name("sock-reader", 0);
	publish_tid(0);
	read_forever(sock_fd);
	return NULL;
}

static int run_sockpeer(void)
{
	unsigned long ino[2];
	pthread_t t;
	int sv[2];
	pid_t c, r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		unsupported("socketpair");
	ino[0] = inode_of(sv[0]);
	ino[1] = inode_of(sv[1]);
	c = child("sock-peer", close_fd, sv[0]);
	close(sv[1]);
	sock_fd = sv[0];
	start(&t, sock_reader, 0);
	r = tid_of(0);
	wait_fd(r, SYS_read, sv[0]);
	wait_paused(c);
	truth("reader %d child %d socket %lu peer %lu", (int)r, (int)c, ino[0], ino[1]);
	park_main(0);
	return 0;
}

/* flocker: the process holds flock(LOCK_EX); its child waits for it. */
#define FLOCK_PATH "/tmp/waitscope-flocker.lock"

static void flock_wait(long unused)
{
	/* Its own open file description: an inherited one shares the lock. */
	int fd = open(FLOCK_PATH, O_RDWR);

	(void)unused;
	if (fd < 0)
		_exit(2);
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
}

static int run_flocker(void)
{
	struct stat st;
	pid_t c;
	int fd;

	fd = open(FLOCK_PATH, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		wst_die(FLOCK_PATH);
	if (flock(fd, LOCK_EX)) {
		if (errno == ENOSYS)
			unsupported("flock");
		wst_die("flock");
	}
	if (fstat(fd, &st))
		wst_die("fstat");
	c = child("flock-waiter", flock_wait, 0);
	wait_in(c, c, SYS_flock, 0, 0);
	truth("holder %d waiter %d file %s lock %02x:%02x:%lu", (int)getpid(), (int)c, FLOCK_PATH,
	      major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	park_main(0);
	return 0;
}

/* fullpipe: a thread writes into a full pipe; the reader, a child, sleeps. */
static int full_pipe[2];

static void *full_writer(void *arg)
{
	static char buf[4096];

	(void)arg;
	wst_set_name("pipe-writer", 0);
	publish_tid(0);
	while (write(full_pipe[1], buf, sizeof(buf)) > 0 || errno == EINTR)
		;
	for (;;)
		pause();
	return NULL;
}

static int run_fullpipe(void)
{
	int size, queued = 0;
	pthread_t t;
	pid_t c, w;

	if (pipe(full_pipe))
		wst_die("pipe");
	c = child("pipe-sink", close_fd, full_pipe[1]);
	close(full_pipe[0]);
	size = fcntl(full_pipe[1], F_GETPIPE_SZ);
	start(&t, full_writer, 0);
	w = tid_of(0);
	/* In a write, with the pipe full: blocked for room, not writing. */
	for (int i = 0; i < 3000; i++) {
		if (ioctl(full_pipe[1], FIONREAD, &queued))
			wst_die("FIONREAD");
		if (size > 0 && queued >= size)
			break;
		wst_sleep_ms(10);
	}
	wait_fd(w, SYS_write, full_pipe[1]);
	wait_paused(c);
	truth("writer %d child %d pipe %lu queued %d", (int)w, (int)c, inode_of(full_pipe[1]), queued);
	park_main(0);
	return 0;
}

/* rwwriter: a reader and a writer queue behind the writer that holds the lock. */
static pthread_rwlock_t rw_lock = PTHREAD_RWLOCK_INITIALIZER;

static void *rw_holder(void *arg)
{
	(void)arg;
	wst_set_name("rw-writer", 0);
	pthread_rwlock_wrlock(&rw_lock);
	publish_tid(0);
	for (;;)
		pause();
	return NULL;
}

static void *rw_waiter(void *arg)
{
	int i = (int)(long)arg;

	wst_set_name(i == 1 ? "rw-reader" : "rw-writer2", 0);
	publish_tid(i);
	if (i == 1)
		pthread_rwlock_rdlock(&rw_lock);
	else
		pthread_rwlock_wrlock(&rw_lock);
	unreachable("took an rwlock whose writer never lets go");
}

static int run_rwwriter(void)
{
	pthread_t t[3];
	pid_t tid[3];

	start(&t[0], rw_holder, 0);
	tid[0] = tid_of(0);
	for (int i = 1; i < 3; i++) {
		start(&t[i], rw_waiter, i);
		tid[i] = tid_of(i);
		wait_on(tid[i], SYS_futex, &rw_lock, sizeof(rw_lock));
	}
	truth("writer %d reader %d writer2 %d rwlock %p", (int)tid[0], (int)tid[1], (int)tid[2],
	      (void *)&rw_lock);
	park_main(0);
	return 0;
}

/* semdead: each thread waits on the semaphore the other would post. */
static sem_t sems[2];

static void *sem_thread(void *arg)
{
	int i = (int)(long)arg;

	wst_set_name("sem-%d", i + 1);
	publish_tid(i);
	while (sem_wait(&sems[i]) && errno == EINTR)
		;
	sem_post(&sems[!i]);
	return NULL;
}

static int run_semdead(void)
{
	pthread_t t[2];
	pid_t tid[2];

	for (int i = 0; i < 2; i++)
		if (sem_init(&sems[i], 0, 0))
			wst_die("sem_init");
	for (int i = 0; i < 2; i++) {
		start(&t[i], sem_thread, i);
		tid[i] = tid_of(i);
		wait_on(tid[i], SYS_futex, &sems[i], sizeof(sems[i]));
	}
	truth("main %d waiters %d,%d sem_1 %p sem_2 %p", (int)getpid(), (int)tid[0], (int)tid[1],
	      (void *)&sems[0], (void *)&sems[1]);
	write_done();
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	unreachable("joined threads that never end");
}

/* condpool: an idle pool, woken by an event written from outside. */
#define POOL_FIFO "/tmp/waitscope-condpool.fifo"
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static int pool_work, pool_fd;

static void *pool_worker(void *arg)
{
	int i = (int)(long)arg;

	wst_set_name("pool-%d", i);
	publish_tid(i);
	pthread_mutex_lock(&pool_mu);
	for (;;) {
		while (!pool_work)
			pthread_cond_wait(&pool_cv, &pool_mu);
		pool_work--;
	}
	return NULL;
}

static void *pool_poller(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char buf[8];
	int ep;

	(void)arg;
	wst_set_name("pool-epoll", 0);
	ep = epoll_create1(0);
	ev.data.fd = pool_fd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, pool_fd, &ev))
		wst_die("epoll");
	publish_tid(0);
	for (;;) {
		if (epoll_wait(ep, &ev, 1, -1) < 1)
			continue;
		if (read(pool_fd, buf, sizeof(buf)) <= 0)
			continue;
		pthread_mutex_lock(&pool_mu);
		pool_work += 4;
		pthread_cond_broadcast(&pool_cv);
		pthread_mutex_unlock(&pool_mu);
	}
	return NULL;
}

static int run_condpool(void)
{
	const char *how = "eventfd";
	char list[64] = "";
	pthread_t t[5];
	size_t len = 0;
	pid_t e, w;

	pool_fd = eventfd(0, EFD_NONBLOCK);
	if (pool_fd < 0) {
		/* No CONFIG_EVENTFD: a FIFO anyone may open and write. */
		how = "fifo";
		unlink(POOL_FIFO);
		if (mkfifo(POOL_FIFO, 0622))
			wst_die(POOL_FIFO);
		pool_fd = open(POOL_FIFO, O_RDWR | O_NONBLOCK);
		if (pool_fd < 0)
			wst_die(POOL_FIFO);
	}
	start(&t[0], pool_poller, 0);
	e = tid_of(0);
	wait_in(getpid(), e, NR_EPOLL, 0, 0);
	for (int i = 1; i <= 4; i++) {
		start(&t[i], pool_worker, i);
		w = tid_of(i);
		wait_on(w, SYS_futex, &pool_cv, sizeof(pool_cv));
		len += snprintf(list + len, sizeof(list) - len, "%s%d", i > 1 ? "," : "", (int)w);
	}
	truth("waiters %s epoll %d cond %p wakeup %s", list, (int)e, (void *)&pool_cv, how);
	park_main(0);
	return 0;
}

/*
 * garbagemutex, foreignowner: FUTEX_WAIT (private) with val 2 on a word
 * laid out like a glibc mutex (+0 lock word, +8 owner, +16 kind) whose
 * owner names no thread of the process: nothing can say who holds it.
 */
static unsigned int garbage_word[10] __attribute__((aligned(16))) = { 2, 0, 0x7fffffff, 0, 99 };
static unsigned int foreign_word[10] __attribute__((aligned(16))) = { 2, 0, 0, 0, 0 };

static void *futex_waiter(void *arg)
{
	unsigned int *word = arg;

	wst_set_name(word == garbage_word ? "garbage-wait" : "foreign-wait", 0);
	publish_tid(0);
	for (;;)
		syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
	return NULL;
}

static int run_badowner(bool foreign)
{
	unsigned int *word = foreign ? foreign_word : garbage_word;
	pthread_t t;
	pid_t w, c = 0;

	if (foreign) {
		/* A live thread, but of another process: a private word's owner cannot be. */
		c = child("foreign-owner", NULL, 0);
		foreign_word[2] = (unsigned int)c;
		wait_paused(c);
	}
	wst_start(&t, futex_waiter, word);
	w = tid_of(0);
	wait_on(w, SYS_futex, word, 1);
	if (foreign)
		truth("waiter %d word %p foreign %d", (int)w, (void *)word, (int)c);
	else
		truth("waiter %d word %p owner_field %#x kind_field %d", (int)w, (void *)word, word[2],
		      (int)word[4]);
	park_main(0);
	return 0;
}

/* ---- disk: io waits of a known count ---- */

#define DISK_BLOCK	4096

static const char *disk_dev;
static long disk_n;
static pid_t disk_tid[2];
/*
 * Reads that took 16.384 ms or more by the reader's clock: a late
 * completion timer on a busy TCG host, whose wait may be counted past the
 * 4-16 ms buckets.
 */
#define DISK_LATE_NS 16384000ull
static int disk_late;

static void *disk_buffer(void)
{
	void *buf;

	if (posix_memalign(&buf, DISK_BLOCK, DISK_BLOCK))
		wst_die("posix_memalign");
	memset(buf, 0x5a, DISK_BLOCK);
	return buf;
}

/* N direct reads: each one request, waited for in io_schedule(). */
static void *ioreader(void *arg)
{
	void *buf = disk_buffer();
	long i;
	int fd;

	(void)arg;
	wst_set_name("ioreader", 0);
	__atomic_store_n(&disk_tid[0], gettid(), __ATOMIC_SEQ_CST);
	fd = open(disk_dev, O_RDONLY | O_DIRECT);
	if (fd < 0)
		wst_die(disk_dev);
	for (i = 0; i < disk_n; i++) {
		uint64_t t0 = wst_now_ns();

		if (pread(fd, buf, DISK_BLOCK, i * DISK_BLOCK) != DISK_BLOCK)
			wst_die("pread");
		disk_late += wst_now_ns() - t0 >= DISK_LATE_NS;
	}
	close(fd);
	free(buf);
	return NULL;
}

/* N buffered writes of a whole block, each made durable by fsync(). */
static void *fsyncer(void *arg)
{
	void *buf = disk_buffer();
	long i;
	int fd;

	(void)arg;
	wst_set_name("fsyncer", 0);
	__atomic_store_n(&disk_tid[1], gettid(), __ATOMIC_SEQ_CST);
	fd = open(disk_dev, O_WRONLY);
	if (fd < 0)
		wst_die(disk_dev);
	for (i = 0; i < disk_n; i++)
		if (pwrite(fd, buf, DISK_BLOCK, i * DISK_BLOCK) != DISK_BLOCK || fsync(fd))
			wst_die("pwrite/fsync");
	close(fd);
	free(buf);
	return NULL;
}

/*
 * One after the other, so that each thread's io is its own; both stay
 * alive (parked) for the tests to read.
 */
static void *disk_thread(void *arg)
{
	if (arg)
		fsyncer(NULL);
	else
		ioreader(NULL);
	park();
	return NULL;
}

/* Wait for one thread to park (its byte on done_pipe). */
static void await_park(void)
{
	char c;

	if (read(done_pipe[0], &c, 1) != 1)
		wst_die("read");
}

static int run_disk(const char *dev, long n)
{
	pthread_t t[2];

	disk_dev = dev;
	disk_n = n;
	start(&t[0], disk_thread, 0);
	await_park();
	start(&t[1], disk_thread, 1);
	await_park();
	truth("reader %d writer %d reads %ld fsyncs %ld late %d", (int)disk_tid[0], (int)disk_tid[1],
	      n, n, disk_late);
	park_main(0);
	return 0;
}

/* ---- programs that end, for watch ---- */

static void *joiner(void *arg)
{
	int i;

	wst_set_name("joiner-%d", (int)(long)arg);
	for (i = 0; i < 3; i++)
		wst_sleep_ms(20);
	return NULL;
}

static int run_joiner(long n)
{
	pthread_t t[64];
	long i;

	n = n < 64 ? n : 64;
	for (i = 0; i < n; i++)
		start(&t[i], joiner, i + 1);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int pipe_rd = -1;
static pid_t worker_tid;

/* Read one byte of pipe_rd: forever, or until main writes. */
static void *pipe_reader(void *arg)
{
	char c;

	wst_set_name((const char *)arg, 0);
	__atomic_store_n(&worker_tid, gettid(), __ATOMIC_SEQ_CST);
	while (read(pipe_rd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static pid_t start_pipe_reader(pthread_t *t, const char *name, int fds[2])
{
	pid_t w;

	if (pipe(fds))
		wst_die("pipe");
	pipe_rd = fds[0];
	wst_start(t, pipe_reader, (void *)name);
	while (!(w = __atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST)))
		sched_yield();
	wait_fd(w, SYS_read, fds[0]);
	return w;
}

static int run_leaker(void)
{
	pthread_t t;
	int fds[2];
	pid_t w = start_pipe_reader(&t, "leaker-worker", fds);

	truth("worker %d pipe %lu", (int)w, inode_of(fds[0]));
	return 0;	/* exit_group() ends the worker in its read */
}

static int run_brief(long ms)
{
	pthread_t t;
	int fds[2];
	pid_t w = start_pipe_reader(&t, "brief-worker", fds);

	truth("worker %d", (int)w);
	wst_sleep_ms(ms);
	if (write(fds[1], "x", 1) != 1)
		wst_die("write");
	pthread_join(t, NULL);
	return 0;
}

static int run_daemonizer(void)
{
	int fds[2];
	pid_t c, d = 0;

	if (pipe(fds))
		wst_die("pipe");
	c = fork();
	if (c < 0)
		wst_die("fork");
	if (c == 0) {
		setsid();
		d = fork();
		if (d == 0) {
			d = getpid();
			if (write(fds[1], &d, sizeof(d)) != sizeof(d))
				_exit(1);
			close(fds[1]);
			for (;;)
				pause();
		}
		_exit(d < 0);
	}
	waitpid(c, NULL, 0);
	close(fds[1]);
	if (read(fds[0], &d, sizeof(d)) != sizeof(d))
		wst_die("read");
	truth("daemon %d", (int)d);
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
		fprintf(stderr, "usage: scenario sleeper|locker|stuck|vfork|starve|xping|churn|execer|futexer|"
			"disk|joiner|leaker|brief|daemonizer|abba|piabba|pipechain|selfpipe|sockpeer|flocker|fullpipe|semdead|rwwriter|condpool|"
			"garbagemutex|foreignowner [args]\n");
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
	} else if (!strcmp(scenario, "xping")) {
		return run_xping(arg_or(argc, argv, 2, 200));
	} else if (!strcmp(scenario, "churn")) {
		return run_churn(arg_or(argc, argv, 2, 20000));
	} else if (!strcmp(scenario, "execer")) {
		for (i = 0; i < 5; i++)
			wst_sleep_ms(200);
		start(&t[0], execer, 0);
		for (;;)
			pause();
	} else if (!strcmp(scenario, "execed") && argc > 3) {
		return run_execed(argv[2], argv[3]);
	} else if (!strcmp(scenario, "futexer")) {
		return run_futexer(arg_or(argc, argv, 2, 10));
	} else if (!strcmp(scenario, "joiner")) {
		return run_joiner(arg_or(argc, argv, 2, 4));
	} else if (!strcmp(scenario, "leaker")) {
		return run_leaker();
	} else if (!strcmp(scenario, "brief")) {
		return run_brief(arg_or(argc, argv, 2, 1000));
	} else if (!strcmp(scenario, "daemonizer")) {
		return run_daemonizer();
	} else if (!strcmp(scenario, "disk") && argc > 2) {
		return run_disk(argv[2], arg_or(argc, argv, 3, 200));
	} else if (!strcmp(scenario, "abba") || !strcmp(scenario, "piabba")) {
		return run_abba(scenario[0] == 'p');
	} else if (!strcmp(scenario, "pipechain")) {
		return run_pipechain((int)arg_or(argc, argv, 2, 3));
	} else if (!strcmp(scenario, "selfpipe")) {
		return run_selfpipe();
	} else if (!strcmp(scenario, "sockpeer")) {
		return run_sockpeer();
	} else if (!strcmp(scenario, "flocker")) {
		return run_flocker();
	} else if (!strcmp(scenario, "fullpipe")) {
		return run_fullpipe();
	} else if (!strcmp(scenario, "semdead")) {
		return run_semdead();
	} else if (!strcmp(scenario, "rwwriter")) {
		return run_rwwriter();
	} else if (!strcmp(scenario, "condpool")) {
		return run_condpool();
	} else if (!strcmp(scenario, "garbagemutex") || !strcmp(scenario, "foreignowner")) {
		return run_badowner(scenario[0] == 'f');
	} else {
		fprintf(stderr, "scenario: unknown scenario '%s'\n", scenario);
		return 2;
	}
	return 0;
}
