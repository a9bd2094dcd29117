// SPDX-License-Identifier: GPL-2.0
/*
 * ws_resolve_waits (userspace/resolve.c): what a blocked thread waits for
 * and who holds it.
 *   fake   a /proc tree made here with known answers: syscall files, a
 *          sparse "mem" holding glibc mutexes, fd links "pipe:[N]" with
 *          fdinfo flags, a locks file, children lists.  Fd links to FIFOs
 *          and locked files point at real files in the tree, so stat()
 *          works on them as it does live.
 *   live   as root only: small programs deadlocked or blocked for real (an
 *          ABBA on two mutexes, a PI mutex, a join, pipes, a FIFO, a unix
 *          socket, flock and fcntl locks, wait4, vfork), each in a process
 *          group of its own killed at the end, and a hand-built snapshot
 *          listing their threads (this host has no waitscope module).
 *   user   not root: nothing resolved, and a note why.
 * Prints one "ok"/"not ok" line per check; exits 1 if one failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../../userspace/waits.h"
#define TAP_PREFIX "resolve"
#include "tap.h"

static char root[64];

/* ---- a hand-built snapshot ---- */

#define MAX_THREADS 64
#define MAX_HOLDERS_SHOWN 16	/* resolve.c's MAX_HOLDERS */

struct snap {
	struct ws_snapshot s;
	struct ws_thread th[MAX_THREADS];
	char pool[512];
};

static void snap_init(struct snap *sn)
{
	memset(sn, 0, sizeof(*sn));
	sn->s.threads = sn->th;
	sn->s.pool = sn->pool;
	sn->s.npool = 1;	/* offset 0: "" */
}

static uint32_t snap_str(struct snap *sn, const char *str)
{
	uint32_t off = (uint32_t)sn->s.npool;

	snprintf(sn->pool + off, sizeof(sn->pool) - off, "%s", str);
	sn->s.npool += strlen(str) + 1;
	return off;
}

static struct ws_thread *snap_thread(struct snap *sn, uint32_t tid, uint32_t tgid, int state)
{
	struct ws_thread *t = &sn->th[sn->s.nthreads++];

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tgid;
	t->state = state;
	t->off_ns = 5000000000ULL;
	t->blocked = state >= 0;
	return t;
}

/* ---- looking at the answers ---- */

static size_t edges_of(const struct ws_waits *w, uint32_t tid)
{
	size_t i, n = 0;

	for (i = 0; i < w->n; i++)
		n += w->e[i].tid == tid;
	return n;
}

static const struct ws_edge *edge_of(const struct ws_waits *w, uint32_t tid, size_t k)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->e[i].tid == tid && !k--)
			return &w->e[i];
	return NULL;
}

static void show(const struct ws_waits *w, uint32_t tid)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->e[i].tid == tid)
			printf("# tid %u: %s %s holder %u/%u (%s) [%s] %s\n", tid,
			       ws_edge_type_names[w->e[i].type], ws_wait_scope_names[w->e[i].scope],
			       w->e[i].holder_tid, w->e[i].holder_pid, w->e[i].holder_comm,
			       w->e[i].object, w->e[i].evidence);
	if (!edges_of(w, tid))
		printf("# tid %u: no edge\n", tid);
}

/* Exactly one edge for tid, of this type, holder and scope, its evidence holding sub. */
static void expect1(const struct ws_waits *w, uint32_t tid, enum ws_edge_type type,
		    uint32_t holder, enum ws_wait_scope sc, const char *sub, const char *what)
{
	const struct ws_edge *e = edge_of(w, tid, 0);
	int ok = edges_of(w, tid) == 1 && e->type == type && e->holder_tid == holder &&
		 e->scope == sc && (!sub || strstr(e->evidence, sub));

	check(ok, "%s", what);
	if (!ok || getenv("WS_RESOLVE_VERBOSE"))
		show(w, tid);
}

/* Some edge of tid has this type and holder (process). */
static bool has_holder(const struct ws_waits *w, uint32_t tid, enum ws_edge_type type,
		       uint32_t holder)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->e[i].tid == tid && w->e[i].type == type && w->e[i].holder_tid == holder)
			return true;
	return false;
}

/* ---- a fake /proc ---- */

static void mkdirs(const char *rel)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *rel, const char *fmt, ...)
{
	char path[4096], dir[4096], *slash;
	va_list ap;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	if ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		mkdirs(dir);
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!(f = fopen(path, "w"))) {
		perror(path);
		exit(2);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

/* Bytes at addr of process pid's fake "mem": a sparse file. */
static void put_mem(uint32_t pid, uint64_t addr, const void *buf, size_t n)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%u/mem", root, pid);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || pwrite(fd, buf, n, (off_t)addr) != (ssize_t)n) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* A glibc pthread_mutex_t's first 24 bytes: __lock, __count, __owner, __nusers, __kind. */
static void put_mutex(uint32_t pid, uint64_t addr, uint32_t lock, int32_t owner, int32_t kind)
{
	int32_t m[6] = { (int32_t)lock, 0, owner, 1, kind, 0 };

	put_mem(pid, addr, m, sizeof(m));
}

/* A glibc rwlock: __readers, both futex words at 3 (waited on), __cur_writer. */
static void put_rwlock(uint32_t pid, uint64_t addr, uint32_t readers, uint32_t writer)
{
	uint32_t rw[14] = { readers, 0, 3, 3, 0, 0, writer };

	put_mem(pid, addr, rw, sizeof(rw));
}

static void put_word(uint32_t pid, uint64_t addr, uint32_t word)
{
	put_mem(pid, addr, &word, sizeof(word));
}

/* A thread: its comm and, if given, its syscall line ("nr arg0 ... arg5"; " sp pc" added). */
static void put_thread(uint32_t pid, uint32_t tid, const char *comm, const char *syscall)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%u/task/%u/comm", pid, tid);
	put(rel, "%s\n", comm);
	snprintf(rel, sizeof(rel), "%u/status", tid);
	put(rel, "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%u\nPid:\t%u\n", comm, pid,
	    tid);
	if (syscall) {
		snprintf(rel, sizeof(rel), "%u/task/%u/syscall", pid, tid);
		put(rel, "%s%s\n", syscall, !strncmp(syscall, "-1", 2) ? "" : " 0x7ffd0000 0x7f000000");
	}
}

/* fd N of process pid -> target, with fdinfo flags (octal text). */
static void put_fd(uint32_t pid, int fd, const char *target, const char *flags)
{
	char rel[256], path[4096];

	snprintf(rel, sizeof(rel), "%u/fd", pid);
	mkdirs(rel);
	snprintf(path, sizeof(path), "%s/%u/fd/%d", root, pid, fd);
	if (symlink(target, path)) {
		perror(path);
		exit(2);
	}
	snprintf(rel, sizeof(rel), "%u/fdinfo/%d", pid, fd);
	put(rel, "pos:\t0\nflags:\t%s\nmnt_id:\t15\n", flags);
}

/* A process's stat: pid (comm) S ppid pgrp ... with starttime as field 22. */
static void put_stat(uint32_t pid, uint32_t ppid, uint32_t pgrp, uint64_t start)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%u/stat", pid);
	put(rel, "%u (kid) S %u %u %u 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %" PRIu64
	    " 1000 100 18446744073709551615\n", pid, ppid, pgrp, pgrp, start);
}

static void rm_tree(const char *dir)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

/* The fake tree: one process (100) whose threads wait in every way we resolve. */
static void fake_tree(struct snap *sn, char *fifo, size_t nf)
{
	char lockfile[4096], sys[64], locks[1024];
	struct ws_thread *t;
	struct stat st;
	int fd;

	/* process 100 "app" */
	put_thread(100, 100, "app", "7 0x0 0x0 0x0 0x0 0x0 0x0");	/* poll: not in the snapshot */
	put_thread(100, 101, "locker", "202 0x1000 0x80 0x2 0x0 0x0 0x0");
	put_mutex(100, 0x1000, 2, 102, 0);
	put_thread(100, 102, "holder", "35 0x7ffd1000 0x0 0x0 0x0 0x0 0x0");
	put_thread(100, 103, "garbage", "202 0x2000 0x80 0x2 0x0 0x0 0x0");
	put_mutex(100, 0x2000, 2, 102, 99);
	put_thread(100, 104, "foreign", "202 0x3000 0x80 0x2 0x0 0x0 0x0");
	put_mutex(100, 0x3000, 2, 201, 0);
	put_thread(100, 105, "noowner", "202 0x4000 0x80 0x2 0x0 0x0 0x0");
	put_mutex(100, 0x4000, 2, 0, 0);
	put_thread(100, 106, "pi", "202 0x5000 0x86 0x0 0x0 0x0 0x0");
	put_word(100, 0x5000, 0x80000000u | 102);
	put_thread(100, 107, "joiner", "202 0x6000 0x109 0x6c 0x0 0x0 0xffffffff");
	put_word(100, 0x6000, 108);
	put_thread(100, 108, "joined", "34 0x0 0x0 0x0 0x0 0x0 0x0");
	put_thread(100, 109, "condvar", "202 0x7000 0x189 0x0 0x0 0x0 0xffffffff");
	put_thread(100, 110, "piperead", "0 0x5 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_fd(100, 5, "pipe:[4411]", "00");
	put_thread(100, 111, "ownpipe", "0 0x6 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_fd(100, 6, "pipe:[5522]", "00");
	put_fd(100, 7, "pipe:[5522]", "01");
	put_thread(100, 112, "flocker", "73 0x8 0x2 0x0 0x0 0x0 0x0");
	put_thread(100, 113, "waiter", "61 0xffffffffffffffff 0x7ffd3000 0x0 0x0 0x0 0x0");
	put("100/task/113/children", "400 401 ");
	put("100/task/101/children", "%s", "");
	put_thread(100, 115, "fiforead", "0 0x9 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_thread(100, 116, "pipewrite", "1 0xa 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_fd(100, 10, "pipe:[6633]", "01");
	put_thread(100, 117, "robust", "202 0x8000 0x0 0x80000066 0x0 0x0 0x0");
	put_mutex(100, 0x8000, 0x80000066u, 102, 16);
	put_thread(100, 118, "epoll", "232 0x3 0x7ffd4000 0x40 0xffffffff 0x0 0x0");
	put_thread(100, 119, "timedcv", "202 0x7100 0x189 0x0 0x7ffd5000 0x0 0xffffffff");
	put_thread(100, 120, "futex2", "455 0x1000 0x2 0xffffffff 0x82 0x0 0x1");
	put_thread(100, 121, "sockread", "45 0xb 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_fd(100, 11, "socket:[7744]", "02");
	put_thread(100, 122, "young", "34 0x0 0x0 0x0 0x0 0x0 0x0");
	put_thread(100, 124, "user", "-1 0x7ffd0000 0x7f000000");
	put_thread(100, 126, "fcntl", "72 0x8 0x7 0x0 0x0 0x0 0x0");
	put_thread(100, 127, "vforker", "58 0x0 0x0 0x0 0x0 0x0 0x0");
	put("100/task/127/children", "402 403\n");
	put_thread(100, 128, "shared", "202 0x3100 0x0 0x2 0x0 0x0 0x0");
	put_mutex(100, 0x3100, 2, 201, 128);
	put_thread(100, 129, "requeue", "202 0x7200 0x8b 0x0 0x0 0x7300 0x0");
	put_thread(100, 130, "selfpi", "202 0x5100 0x86 0x0 0x0 0x0 0x0");
	put_word(100, 0x5100, 0x80000000u | 999);
	put_thread(100, 131, "accept", "43 0xb 0x0 0x0 0x0 0x0 0x0");
	put_thread(100, 132, "reader", "0 0x3 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_fd(100, 3, "/var/log/syslog", "00");
	put_thread(100, 133, "waitone", "61 0x191 0x7ffd3000 0x0 0x0 0x0 0x0");
	put_thread(100, 134, "crowd", "0 0xc 0x7ffd2000 0x1000 0x0 0x0 0x0");
	put_fd(100, 12, "pipe:[8855]", "0100000");
	for (uint32_t p = 500; p < 520; p++) {
		put_thread(p, p, "forked", "34 0x0 0x0 0x0 0x0 0x0 0x0");
		put_fd(p, 1, "pipe:[8855]", "0100001");
	}
	put_thread(100, 135, "splicer", "275 0x5 0x0 0x7 0x0 0x1000 0x0");
	put_thread(100, 136, "rwreader", "202 0x9008 0x189 0x3 0x0 0x0 0xffffffff");
	put_thread(100, 137, "rwwriter2", "202 0x900c 0x189 0x3 0x0 0x0 0xffffffff");
	put_rwlock(100, 0x9000, 0x0b, 102);	/* one reader queued, write-locked by 102 */
	put_thread(100, 138, "rwidle", "202 0x9108 0x189 0x3 0x0 0x0 0xffffffff");
	put_rwlock(100, 0x9100, 0x0b, 0);	/* __cur_writer 0: not known */
	put_thread(100, 139, "rwread", "202 0x9208 0x189 0x3 0x0 0x0 0xffffffff");
	put_rwlock(100, 0x9200, 0x08, 102);	/* read phase: no writer holds it */
	put_stat(100, 1, 100, 50);

	/* process 200 "other": 201 is its thread, never 100's */
	put_thread(200, 201, "other", "34 0x0 0x0 0x0 0x0 0x0 0x0");
	/* process 300 "writer": the write end of pipe:[4411], a FIFO's writer, a lock holder */
	put_thread(300, 300, "writer", "34 0x0 0x0 0x0 0x0 0x0 0x0");
	put_fd(300, 3, "pipe:[4411]", "00");
	put_fd(300, 4, "pipe:[4411]", "01");
	/* process 301: a POSIX lock holder */
	put_thread(301, 301, "poser", "34 0x0 0x0 0x0 0x0 0x0 0x0");
	/* children of 100 */
	put_thread(400, 400, "kid0", NULL);
	put_stat(400, 100, 100, 1000);
	put_thread(401, 401, "kid1", NULL);
	put_stat(401, 100, 100, 1100);
	put_thread(402, 402, "vkid0", NULL);
	put_stat(402, 100, 100, 1000);
	put_thread(403, 403, "vkid1", NULL);
	put_stat(403, 100, 100, 2000);

	/* A real FIFO and a real file: fd links stat() them as live. */
	mkdirs("files");
	snprintf(fifo, nf, "%s/files/fifo", root);
	mkfifo(fifo, 0600);
	put_fd(100, 9, fifo, "00");
	put_fd(300, 9, fifo, "01");
	snprintf(lockfile, sizeof(lockfile), "%s/files/locked", root);
	fd = open(lockfile, O_WRONLY | O_CREAT, 0600);
	close(fd);
	stat(lockfile, &st);
	put_fd(100, 8, lockfile, "02");
	snprintf(sys, sizeof(sys), "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	snprintf(locks, sizeof(locks),
		 "1: FLOCK  ADVISORY  WRITE 300 %s 0 EOF\n"
		 "1: -> FLOCK  ADVISORY  WRITE 100 %s 0 EOF\n"
		 "2: POSIX  ADVISORY  WRITE 301 %s 0 EOF\n"
		 "2: -> POSIX  ADVISORY  WRITE 100 %s 0 EOF\n"
		 "3: FLOCK  ADVISORY  WRITE 302 00:00:99 0 EOF\n"
		 "4: OFDLCK ADVISORY  READ  -1 %s 0 EOF\n", sys, sys, sys, sys, sys);
	put("locks", "%s", locks);

	/* the snapshot */
	for (uint32_t tid = 101; tid <= 139; tid++) {
		if (tid == 114 || tid == 123 || tid == 125)
			continue;
		t = snap_thread(sn, tid, 100, tid == 108 || tid == 102 ? R_SLEEP : R_FUTEX);
	}
	t = snap_thread(sn, 114, 100, R_FUTEX);		/* vanished: no task dir */
	t = snap_thread(sn, 101, 100, R_FUTEX);		/* a tid listed twice */
	t = snap_thread(sn, 123, 100, R_SLEEP);		/* a kernel thread */
	t->kthread = true;
	t = snap_thread(sn, 125, 100, ST_RUNNING);	/* running, not listed blocked */
	t->blocked = false;
	t = snap_thread(sn, 100, 100, R_RUNQ);		/* runnable: not blocked */
	t->blocked = false;
	for (size_t i = 0; i < sn->s.nthreads; i++) {
		if (sn->th[i].tid == 122)
			sn->th[i].off_ns = 1000;	/* blocked, but shorter than min */
		if (sn->th[i].tid == 109) {
			sn->th[i].waker = 102;
			sn->th[i].waker_comm = snap_str(sn, "holder");
		}
	}
}

static void every_blocked_has_an_edge(const struct snap *sn, const struct ws_waits *w,
				      uint64_t min_ns)
{
	int every = 1;
	size_t i;

	for (i = 0; i < sn->s.nthreads; i++) {
		const struct ws_thread *t = &sn->th[i];

		if (!t->kthread && t->blocked && t->off_ns >= min_ns && !edges_of(w, t->tid)) {
			every = 0;
			printf("# no edge for %u\n", t->tid);
		}
	}
	check(every, "every blocked thread has an edge");
}

static void fake_checks(void)
{
	struct snap *sn = malloc(sizeof(*sn));
	char fifo[4096];
	struct ws_waits w;
	const struct ws_edge *e;

	snap_init(sn);
	fake_tree(sn, fifo, sizeof(fifo));
	ws_waits_init(&w);
	ws_resolve_waits(&sn->s, root, 1000000, &w);
	check(w.resolved && !w.why_not[0], "a fake tree is resolved");

	expect1(&w, 101, E_MUTEX_OWNER, 102, S_PROCESS, "owner from __owner at 0x1000+8 (kind 0, word 2)",
		"mutex wait (value 2): owner from __owner");
	e = edge_of(&w, 101, 0);
	check(e && e->holder_pid == 100 && !strcmp(e->holder_comm, "holder") &&
	      !strcmp(e->object, "futex 0x1000") && e->pid == 100,
	      "the mutex edge names holder pid, comm and the futex word");
	expect1(&w, 103, E_UNKNOWN, 0, S_PROCESS, "expected 2 but no valid mutex owner",
		"a garbage __kind (99): unknown, no holder");
	expect1(&w, 104, E_UNKNOWN, 0, S_PROCESS, "no valid mutex owner",
		"__owner names another process's thread on a private futex: unknown");
	expect1(&w, 128, E_MUTEX_OWNER, 201, S_EXTERNAL, "kind 128",
		"a pshared mutex on a shared futex: owner in another process");
	e = edge_of(&w, 128, 0);
	check(e && e->holder_pid == 200, "the shared owner's process comes from its status Tgid");
	expect1(&w, 105, E_UNKNOWN, 0, S_PROCESS, "__owner reads 0",
		"__owner 0, still 0 when read again: unknown");
	expect1(&w, 106, E_PI_OWNER, 102, S_PROCESS, "owner from the PI word at 0x5000",
		"FUTEX_LOCK_PI: owner from the word's tid bits");
	expect1(&w, 130, E_UNKNOWN, 0, S_PROCESS, "names no live thread",
		"a PI word naming no live thread: unknown");
	expect1(&w, 107, E_JOIN, 108, S_PROCESS, "waits on tid word 0x6000 of thread 108 (pthread_join)",
		"pthread_join: the tid word of the joined thread");
	expect1(&w, 109, E_UNKNOWN, 0, S_PROCESS, "last woken by 102 (holder)",
		"a condition variable: unknown, the last waker only a hint");
	expect1(&w, 119, E_UNKNOWN, 0, S_TIMED, "no owner to read",
		"a timed futex wait is timed");
	expect1(&w, 136, E_RWLOCK_WRITER, 102, S_PROCESS, "__cur_writer of the rwlock at 0x9000 (waits on its __wrphase_futex",
		"an rwlock reader behind a writer: the writer from __cur_writer");
	expect1(&w, 137, E_RWLOCK_WRITER, 102, S_PROCESS, "rwlock at 0x9000 (waits on its __writers_futex",
		"an rwlock writer behind a writer: the same rwlock, found from +12");
	e = edge_of(&w, 137, 0);
	check(e && !strcmp(e->object, "rwlock 0x9000") && !strcmp(e->holder_comm, "holder"),
	      "an rwlock edge's object is the rwlock (both of its words), its holder's comm");
	expect1(&w, 138, E_UNKNOWN, 0, S_PROCESS, "value 3", "an rwlock whose __cur_writer is 0: unknown");
	expect1(&w, 139, E_UNKNOWN, 0, S_PROCESS, "value 3", "an rwlock in its read phase: unknown");
	expect1(&w, 129, E_UNKNOWN, 0, S_PROCESS, "WAIT_REQUEUE_PI", "FUTEX_WAIT_REQUEUE_PI: unknown");
	expect1(&w, 117, E_MUTEX_OWNER, 102, S_PROCESS, "robust",
		"a robust mutex: owner from its word and __owner, which agree");
	expect1(&w, 120, E_MUTEX_OWNER, 102, S_PROCESS, "__owner at 0x1000+8",
		"futex_wait (futex2, private, u32) on a mutex: its owner");
	expect1(&w, 110, E_PIPE, 300, S_EXTERNAL, "pipe:[4411] write end held by pid 300 fd 4",
		"a pipe read: the write end's holder in another process (not its read end)");
	expect1(&w, 111, E_PIPE, 100, S_PROCESS,
		"the only write end is held by its own process (pid 100 fd 7): it can never see EOF",
		"a pipe whose only write end is its own process's: scope process");
	expect1(&w, 116, E_UNKNOWN, 0, S_EXTERNAL, "no read end found",
		"a pipe write with no reader found: unknown");
	expect1(&w, 115, E_PIPE, 300, S_EXTERNAL, "write end held by pid 300 fd 9",
		"a FIFO read: the writer, matched by stat() of the links");
	e = edge_of(&w, 115, 0);
	check(e && !strncmp(e->object, "fifo /", 6), "a FIFO's object is its path");
	expect1(&w, 121, E_UNKNOWN, 0, S_EXTERNAL, "fake /proc",
		"a socket under a fake tree: no sock_diag, unknown");
	expect1(&w, 112, E_FLOCK, 300, S_EXTERNAL, "held by pid 300 (/proc/locks)",
		"flock: the FLOCK lock the waiter is listed under");
	expect1(&w, 126, E_FLOCK, 301, S_EXTERNAL, "fcntl lock on file",
		"fcntl F_SETLKW: the POSIX lock, not the FLOCK one on the same file");
	/* wait4 waits for the children of every thread: 127's (vfork) too. */
	check(edges_of(&w, 113) == 4 && has_holder(&w, 113, E_CHILD, 400) &&
	      has_holder(&w, 113, E_CHILD, 401) && has_holder(&w, 113, E_CHILD, 403) &&
	      edge_of(&w, 113, 0)->scope == S_EXTERNAL,
	      "wait4(-1): one edge per child of any thread of the process");
	if (edges_of(&w, 113) != 4)
		show(&w, 113);
	expect1(&w, 133, E_CHILD, 401, S_EXTERNAL, "wait4(401)", "wait4(401): that child only");
	e = edge_of(&w, 134, MAX_HOLDERS_SHOWN - 1);
	check(edges_of(&w, 134) == MAX_HOLDERS_SHOWN && e && strstr(e->evidence, "(+4 more not listed)"),
	      "a pipe written by 20 processes: 16 edges, and how many more");
	expect1(&w, 135, E_UNKNOWN, 0, S_EXTERNAL, "which end it waits on is not visible",
		"splice into a pipe: unknown");
	expect1(&w, 127, E_CHILD, 403, S_EXTERNAL, "vfork", "vfork: the newest child");
	expect1(&w, 114, E_UNKNOWN, 0, S_EXTERNAL, "thread gone", "a vanished thread: unknown");
	expect1(&w, 124, E_UNKNOWN, 0, S_EXTERNAL, "no syscall", "not in a syscall: unknown");
	expect1(&w, 102, E_UNKNOWN, 0, S_TIMED, "nanosleep", "nanosleep: timed");
	expect1(&w, 108, E_UNKNOWN, 0, S_EXTERNAL, "pause()", "pause(): only a signal ends it");
	expect1(&w, 118, E_UNKNOWN, 0, S_EXTERNAL, "epoll_wait",
		"epoll_wait with no timeout: external");
	expect1(&w, 131, E_UNKNOWN, 0, S_EXTERNAL, "waits for a connection on socket:[7744]",
		"accept: waits for a connection");
	expect1(&w, 132, E_UNKNOWN, 0, S_EXTERNAL, "reads /var/log/syslog (not a pipe or socket)",
		"a read of a plain file: unknown, external");
	check(edges_of(&w, 101) == 1, "a tid listed twice gets its edges once");
	check(!edges_of(&w, 122), "a wait shorter than min_off_ns is left out");
	check(!edges_of(&w, 123), "kernel threads are left out");
	check(!edges_of(&w, 125) && !edges_of(&w, 100), "running and runnable threads are left out");
	every_blocked_has_an_edge(sn, &w, 1000000);
	ws_waits_free(&w);
	free(sn);
}

/* ---- not root ---- */

/* As nobody: neither live /proc nor a root-only tree is resolved. */
static void user_checks(void)
{
	struct snap *sn = malloc(sizeof(*sn));
	struct ws_waits w;
	pid_t pid;
	int st;

	snap_init(sn);
	snap_thread(sn, (uint32_t)getpid(), (uint32_t)getpid(), R_SLEEP);
	if (geteuid() != 0) {
		ws_waits_init(&w);
		ws_resolve_waits(&sn->s, "/proc", 0, &w);
		check(!w.resolved && !w.n && !strcmp(w.why_not, "not root: holders are not resolved"),
		      "not root: nothing resolved, and a note why");
		ws_waits_free(&w);
		free(sn);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int ok;

		if (setgid(65534) || setuid(65534))
			_exit(3);
		ws_waits_init(&w);
		ws_resolve_waits(&sn->s, "/proc", 0, &w);
		ok = !w.resolved && !w.n && !strcmp(w.why_not, "not root: holders are not resolved");
		ws_waits_free(&w);
		ws_resolve_waits(&sn->s, root, 0, &w);	/* 0700, root's: EACCES */
		ok = ok && !w.resolved && !w.n;
		_exit(ok ? 0 : 1);
	}
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "not root (uid 65534): nothing resolved, and a note why");
	free(sn);
}

/* ---- live ---- */

static _Atomic uint32_t tid_a, tid_b;
static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER, m2 = PTHREAD_MUTEX_INITIALIZER, pim;
static pthread_barrier_t bar;
static char live_dir[64], lock_path[128], fifo_path[128];

static uint32_t my_tid(void)
{
	return (uint32_t)gettid();
}

static void *abba_a(void *x)
{
	(void)x;
	tid_a = my_tid();
	pthread_mutex_lock(&m1);
	pthread_barrier_wait(&bar);
	pthread_mutex_lock(&m2);
	return NULL;
}

static void *abba_b(void *x)
{
	(void)x;
	tid_b = my_tid();
	pthread_mutex_lock(&m2);
	pthread_barrier_wait(&bar);
	pthread_mutex_lock(&m1);
	return NULL;
}

static void say_fd(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_fd(int fd, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(fd, buf, (size_t)n) != n)
		_exit(4);
}

static void spin_until(_Atomic uint32_t *v)
{
	while (!*v)
		usleep(1000);
}

/* Two threads, each holding the mutex the other wants; the main thread pauses. */
static void live_abba(int rfd)
{
	pthread_t a, b;

	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&a, NULL, abba_a, NULL);
	pthread_create(&b, NULL, abba_b, NULL);
	spin_until(&tid_a);
	spin_until(&tid_b);
	say_fd(rfd, "%u %u\n", tid_a, tid_b);
	for (;;)
		pause();
}

static void *pi_holder(void *x)
{
	(void)x;
	pthread_mutex_lock(&pim);
	tid_a = my_tid();
	for (;;)
		pause();
	return NULL;
}

static void *pi_waiter(void *x)
{
	(void)x;
	tid_b = my_tid();
	pthread_mutex_lock(&pim);
	return NULL;
}

/* A PI mutex held by a thread that pauses; one thread locks it, main joins the holder. */
static void live_pi_join(int rfd)
{
	pthread_mutexattr_t at;
	pthread_t h, w;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pim, &at);
	pthread_create(&h, NULL, pi_holder, NULL);
	spin_until(&tid_a);
	pthread_create(&w, NULL, pi_waiter, NULL);
	spin_until(&tid_b);
	say_fd(rfd, "%u %u\n", tid_a, tid_b);
	pthread_join(h, NULL);
}

static pthread_rwlock_t rwl = PTHREAD_RWLOCK_INITIALIZER;

static void *rw_hold(void *x)
{
	(void)x;
	pthread_rwlock_wrlock(&rwl);
	tid_a = my_tid();
	for (;;)
		pause();
	return NULL;
}

static void *rw_read(void *x)
{
	(void)x;
	tid_b = my_tid();
	pthread_rwlock_rdlock(&rwl);
	return NULL;
}

/* An rwlock held for writing by a thread that pauses; another thread reads it. */
static void live_rwlock(int rfd)
{
	pthread_t h, r;

	pthread_create(&h, NULL, rw_hold, NULL);
	spin_until(&tid_a);
	pthread_create(&r, NULL, rw_read, NULL);
	spin_until(&tid_b);
	say_fd(rfd, "%u %u\n", tid_a, tid_b);
	pthread_join(h, NULL);
}

/* A pipe read whose writer is a child that pauses. */
static void live_pipe(int rfd)
{
	int p[2];
	pid_t w;
	char c;

	if (pipe(p))
		_exit(5);
	if (!(w = fork())) {
		close(p[0]);
		for (;;)
			pause();
	}
	close(p[1]);
	say_fd(rfd, "%d\n", (int)w);
	if (read(p[0], &c, 1) < 0)
		_exit(6);
}

/* A pipe read whose only write end is its own. */
static void live_own_pipe(int rfd)
{
	int p[2];
	char c;

	if (pipe(p))
		_exit(5);
	say_fd(rfd, "%d\n", p[1]);
	if (read(p[0], &c, 1) < 0)
		_exit(6);
}

/* A unix stream socket read; the peer end is a child's. */
static void live_socket(int rfd)
{
	int sv[2];
	pid_t w;
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		_exit(5);
	if (!(w = fork())) {
		close(sv[0]);
		for (;;)
			pause();
	}
	close(sv[1]);
	say_fd(rfd, "%d\n", (int)w);
	if (read(sv[0], &c, 1) < 0)
		_exit(6);
}

static void live_flock_hold(int rfd)
{
	int fd = open(lock_path, O_RDWR);

	if (fd < 0 || flock(fd, LOCK_EX))
		_exit(5);
	say_fd(rfd, "0\n");
	for (;;)
		pause();
}

static void live_flock_wait(int rfd)
{
	int fd = open(lock_path, O_RDWR);

	say_fd(rfd, "0\n");
	if (fd < 0 || flock(fd, LOCK_EX))
		_exit(5);
}

static void live_posix(int rfd, int cmd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(lock_path, O_RDWR);

	if (fd < 0)
		_exit(5);
	if (cmd == F_SETLK) {
		if (fcntl(fd, F_SETLK, &fl))
			_exit(6);
		say_fd(rfd, "0\n");
		for (;;)
			pause();
	}
	say_fd(rfd, "0\n");
	if (fcntl(fd, F_SETLKW, &fl))
		_exit(6);
}

static void live_posix_hold(int rfd)
{
	live_posix(rfd, F_SETLK);
}

static void live_posix_wait(int rfd)
{
	live_posix(rfd, F_SETLKW);
}

/* A FIFO read: a child opened the write end and pauses. */
static void live_fifo(int rfd)
{
	pid_t w;
	char c;
	int fd;

	if (!(w = fork())) {
		if (open(fifo_path, O_WRONLY) < 0)
			_exit(5);
		for (;;)
			pause();
	}
	fd = open(fifo_path, O_RDONLY);
	say_fd(rfd, "%d\n", (int)w);
	if (fd < 0 || read(fd, &c, 1) < 0)
		_exit(6);
}

static void live_wait4(int rfd)
{
	pid_t w;

	if (!(w = fork()))
		for (;;)
			pause();
	say_fd(rfd, "%d\n", (int)w);
	waitpid(-1, NULL, 0);
}

static void live_vfork(int rfd)
{
	/* The child only writes and pauses: it is killed, never returns. */
	if (!vfork()) {
		say_fd(rfd, "%d\n", (int)getpid());
		for (;;)
			pause();
	}
}

struct kid {
	pid_t pid;
	int rfd;
	uint32_t v[2];
};

/* fn in a child of its own process group, which dies with us. */
static bool spawn(struct kid *k, void (*fn)(int))
{
	int p[2];

	memset(k, 0, sizeof(*k));
	if (pipe(p))
		return false;
	fflush(stdout);
	k->pid = fork();
	if (k->pid < 0)
		return false;
	if (!k->pid) {
		close(p[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(p[1]);
		_exit(0);
	}
	setpgid(k->pid, k->pid);
	close(p[1]);
	k->rfd = p[0];
	return true;
}

/* The child's report: up to two numbers on a line, within 3 s. */
static bool heard(struct kid *k)
{
	struct pollfd pf = { .fd = k->rfd, .events = POLLIN };
	char buf[128];
	ssize_t n = 0;

	if (poll(&pf, 1, 3000) != 1 || (n = read(k->rfd, buf, sizeof(buf) - 1)) <= 0)
		return false;
	buf[n] = '\0';
	return sscanf(buf, "%u %u", &k->v[0], &k->v[1]) >= 1;
}

/* Has tid gone into syscall nr (on futex word addr, when given) within 3 s? */
static bool settled(uint32_t pid, uint32_t tid, long nr, uint64_t addr)
{
	uint64_t args[6];
	long got;
	int i;

	for (i = 0; i < 300; i++) {
		if (ws_proc_syscall("/proc", pid, tid, &got, args) == WS_PROC_OK && got == nr &&
		    (!addr || args[0] == addr)) {
			usleep(20000);
			return true;
		}
		usleep(10000);
	}
	return false;
}

static void bury(struct kid *k)
{
	if (k->pid <= 0)
		return;
	kill(-k->pid, SIGKILL);
	kill(k->pid, SIGKILL);
	waitpid(k->pid, NULL, 0);
	close(k->rfd);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	k->pid = 0;
}

/* Resolve the snapshot of these threads (all of process pid, all blocked). */
static void resolve_live(struct ws_waits *w, uint32_t pid, const uint32_t *tids, size_t n)
{
	struct snap *sn = malloc(sizeof(*sn));
	size_t i;

	snap_init(sn);
	for (i = 0; i < n; i++)
		snap_thread(sn, tids[i], pid, R_FUTEX);
	ws_waits_init(w);
	ws_resolve_waits(&sn->s, "/proc", 0, w);
	free(sn);
}

static void live_abba_check(void)
{
	struct kid k;
	struct ws_waits w;
	uint32_t tids[3];
	const struct ws_edge *e;

	if (!spawn(&k, live_abba) || !heard(&k) ||
	    !settled((uint32_t)k.pid, k.v[0], 202, (uint64_t)(uintptr_t)&m2) ||
	    !settled((uint32_t)k.pid, k.v[1], 202, (uint64_t)(uintptr_t)&m1)) {
		check(0, "live: an ABBA deadlock set up");
		bury(&k);
		return;
	}
	tids[0] = k.v[0];
	tids[1] = k.v[1];
	tids[2] = (uint32_t)k.pid;
	resolve_live(&w, (uint32_t)k.pid, tids, 3);
	expect1(&w, k.v[0], E_MUTEX_OWNER, k.v[1], S_PROCESS, "__owner",
		"live ABBA: thread A waits for B's mutex");
	expect1(&w, k.v[1], E_MUTEX_OWNER, k.v[0], S_PROCESS, "__owner",
		"live ABBA: thread B waits for A's mutex");
	e = edge_of(&w, k.v[0], 0);
	check(e && e->holder_pid == (uint32_t)k.pid && e->holder_comm[0],
	      "live ABBA: the holder's process and comm");
	expect1(&w, (uint32_t)k.pid, E_UNKNOWN, 0, S_EXTERNAL, "pause()",
		"live ABBA: the main thread pauses");
	ws_waits_free(&w);
	bury(&k);
}

static void live_pi_join_check(void)
{
	struct kid k;
	struct ws_waits w;
	uint32_t tids[2];

	if (!spawn(&k, live_pi_join) || !heard(&k) ||
	    !settled((uint32_t)k.pid, k.v[1], 202, (uint64_t)(uintptr_t)&pim) ||
	    !settled((uint32_t)k.pid, (uint32_t)k.pid, 202, 0)) {
		check(0, "live: a PI mutex and a join set up");
		bury(&k);
		return;
	}
	tids[0] = k.v[1];
	tids[1] = (uint32_t)k.pid;
	resolve_live(&w, (uint32_t)k.pid, tids, 2);
	expect1(&w, k.v[1], E_PI_OWNER, k.v[0], S_PROCESS, "PI word",
		"live: a PI mutex waiter names the holder from the word");
	expect1(&w, (uint32_t)k.pid, E_JOIN, k.v[0], S_PROCESS, "pthread_join",
		"live: pthread_join names the joined thread");
	ws_waits_free(&w);
	bury(&k);
}

static void live_rwlock_check(void)
{
	struct kid k;
	struct ws_waits w;
	uint32_t tid;

	if (!spawn(&k, live_rwlock) || !heard(&k) ||
	    !settled((uint32_t)k.pid, k.v[1], 202, (uint64_t)(uintptr_t)&rwl + 8)) {
		check(0, "live: an rwlock held for writing set up");
		bury(&k);
		return;
	}
	tid = k.v[1];
	resolve_live(&w, (uint32_t)k.pid, &tid, 1);
	expect1(&w, k.v[1], E_RWLOCK_WRITER, k.v[0], S_PROCESS, "__cur_writer",
		"live: an rwlock reader names the writer (glibc's own rwlock)");
	ws_waits_free(&w);
	bury(&k);
}

/* A single-threaded child blocked in syscall nr; expect one edge. */
static void live_one(void (*fn)(int), long nr, enum ws_edge_type type, bool holder_is_v0,
		     enum ws_wait_scope sc, const char *sub, const char *what)
{
	struct kid k;
	struct ws_waits w;
	uint32_t tid;

	if (!spawn(&k, fn) || !heard(&k) || !settled((uint32_t)k.pid, (uint32_t)k.pid, nr, 0)) {
		check(0, "%s (set up)", what);
		bury(&k);
		return;
	}
	tid = (uint32_t)k.pid;
	resolve_live(&w, tid, &tid, 1);
	expect1(&w, tid, type, holder_is_v0 ? k.v[0] : tid, sc, sub, what);
	ws_waits_free(&w);
	bury(&k);
}

static void live_locks_check(bool flock_call)
{
	struct kid h, k;
	struct ws_waits w;
	uint32_t tid;

	if (!spawn(&h, flock_call ? live_flock_hold : live_posix_hold) || !heard(&h) ||
	    !spawn(&k, flock_call ? live_flock_wait : live_posix_wait) || !heard(&k) ||
	    !settled((uint32_t)k.pid, (uint32_t)k.pid, flock_call ? 73 : 72, 0)) {
		check(0, "live: a %s lock set up", flock_call ? "flock" : "fcntl");
		bury(&k);
		bury(&h);
		return;
	}
	tid = (uint32_t)k.pid;
	resolve_live(&w, tid, &tid, 1);
	expect1(&w, tid, E_FLOCK, (uint32_t)h.pid, S_EXTERNAL, "(/proc/locks)",
		flock_call ? "live: flock names the holder from /proc/locks" :
		"live: fcntl F_SETLKW names the holder from /proc/locks");
	ws_waits_free(&w);
	bury(&k);
	bury(&h);
}

static void live_checks(void)
{
	int fd;

	if (geteuid() != 0) {
		printf("skip - resolve: live checks need root\n");
		return;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	snprintf(live_dir, sizeof(live_dir), "/tmp/ws-resolve-live-XXXXXX");
	if (!mkdtemp(live_dir)) {
		check(0, "live: a temp dir");
		return;
	}
	snprintf(lock_path, sizeof(lock_path), "%s/locked", live_dir);
	snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", live_dir);
	fd = open(lock_path, O_RDWR | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	mkfifo(fifo_path, 0600);

	live_abba_check();
	live_pi_join_check();
	live_rwlock_check();
	live_one(live_pipe, 0, E_PIPE, true, S_EXTERNAL, "write end held by pid",
		 "live: a pipe read names the writer process");
	live_one(live_own_pipe, 0, E_PIPE, false, S_PROCESS, "it can never see EOF",
		 "live: a pipe read whose only writer is itself");
	live_one(live_socket, 0, E_SOCKET, true, S_EXTERNAL, "unix socket peer socket:[",
		 "live: a unix socket read names the peer's holder (sock_diag)");
	live_one(live_fifo, 0, E_PIPE, true, S_EXTERNAL, "write end held by pid",
		 "live: a FIFO read names the writer process");
	live_one(live_wait4, 61, E_CHILD, true, S_EXTERNAL, "child pid",
		 "live: wait4 names the child");
	live_one(live_vfork, 58, E_CHILD, true, S_EXTERNAL, "vfork",
		 "live: vfork names the child");
	live_locks_check(true);
	live_locks_check(false);
	rm_tree(live_dir);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/ws-resolve-XXXXXX");
	if (!mkdtemp(root))
		return perror("mkdtemp"), 2;
	fake_checks();
	user_checks();
	rm_tree(root);
	live_checks();
	return tap_bad;
}
