// SPDX-License-Identifier: GPL-2.0
/*
 * What each blocked thread waits for, and who holds it, from /proc: the
 * syscall it is in (/proc/PID/task/TID/syscall), then by syscall
 *   futex       the lock word and the glibc mutex around it, read from
 *               /proc/PID/mem (a mutex's __owner, a PI word's owner tid, a
 *               joined thread's tid word)
 *   read/write  the other end of a pipe or FIFO, the peer of a unix socket
 *               (sock_diag), from every process's fd table
 *   flock/fcntl /proc/locks
 *   wait4/vfork the children
 * and a plain "unknown" for what has no owner to read (condition variables,
 * sleeps, event loops).  Only what a field of the process or the kernel
 * names is a holder: a hint (the last waker) goes into the evidence, never
 * into holder_tid.
 *
 * Read only and bounded: a few bytes of memory per edge (pread of
 * /proc/PID/mem opened O_RDONLY: no ptrace, no signal, no write), one scan
 * of the fd tables, one sock_diag dump and one read of /proc/locks per
 * call, each only when an edge needs it.  Whatever ends while we look
 * (ENOENT, ESRCH) makes an "unknown" edge, never a guessed holder.
 *
 * The root is "/proc" live or a fake tree in tests ($WAITSCOPE_PROC).  A
 * fake tree's fd links are symlinks to nothing ("pipe:[4411]"), so pipes
 * and sockets are matched on the link text; FIFOs and locked files need a
 * stat() of the link, so in a fake tree their links point at real files.
 * sock_diag and the pid namespace checks are live only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include "waits.h"

/* x86-64 syscall numbers (the syscall file's first field). */
enum {
	SC_READ = 0, SC_WRITE = 1, SC_POLL = 7, SC_PREAD64 = 17, SC_PWRITE64 = 18, SC_READV = 19,
	SC_WRITEV = 20, SC_SELECT = 23, SC_PAUSE = 34, SC_NANOSLEEP = 35, SC_SENDFILE = 40,
	SC_CONNECT = 42, SC_ACCEPT = 43, SC_SENDTO = 44, SC_RECVFROM = 45, SC_SENDMSG = 46,
	SC_RECVMSG = 47, SC_CLONE = 56, SC_VFORK = 58, SC_WAIT4 = 61, SC_FCNTL = 72,
	SC_FLOCK = 73, SC_SIGTIMEDWAIT = 128, SC_SIGSUSPEND = 130, SC_FUTEX = 202,
	SC_IO_GETEVENTS = 208, SC_RESTART = 219, SC_CLOCK_NANOSLEEP = 230, SC_EPOLL_WAIT = 232,
	SC_WAITID = 247, SC_PSELECT6 = 270, SC_PPOLL = 271, SC_SPLICE = 275,
	SC_EPOLL_PWAIT = 281, SC_ACCEPT4 = 288, SC_PREADV = 295, SC_PWRITEV = 296,
	SC_RECVMMSG = 299, SC_SENDMMSG = 307, SC_PREADV2 = 327, SC_PWRITEV2 = 328,
	SC_IO_URING_ENTER = 426, SC_CLONE3 = 435, SC_EPOLL_PWAIT2 = 441, SC_FUTEX_WAITV = 449,
	SC_FUTEX_WAIT = 455,
};

/* The futex ABI (linux/futex.h; the FUTEX2 flags are newer than our headers). */
#define FX_WAIT 0
#define FX_LOCK_PI 6
#define FX_WAIT_BITSET 9
#define FX_WAIT_REQUEUE_PI 11
#define FX_LOCK_PI2 13
#define FX_PRIVATE 128u
#define FX_WAITERS 0x80000000u
#define FX_TID_MASK 0x3fffffffu
#define FX2_SIZE_MASK 3u
#define FX2_SIZE_U32 2u

/* glibc's pthread_mutex_t __kind bits (REFERENCE.md). */
#define MK_ROBUST 16u
#define MK_PSHARED 128u
#define MK_NO_ELISION 512u

/*
 * glibc's pthread_rwlock_t (x86-64, REFERENCE.md): __readers +0 (bit 0 the
 * write phase, bit 1 write-locked), __wrphase_futex +8, __writers_futex
 * +12, __cur_writer +24, __shared +28, __flags +48.  Readers behind a
 * writer wait on __wrphase_futex, writers behind a writer on
 * __writers_futex, both with the value 1 | PTHREAD_RWLOCK_FUTEX_USED.
 */
#define RW_WAIT_VAL 3u
#define RW_WRPHASE 1u
#define RW_WRLOCKED 2u
#define RW_WORDS 14

#define CLONE_VFORK_FLAG 0x4000u
#define F_SETLKW_CMD 7
#define F_OFD_SETLKW_CMD 38

#define PATH_N 4200
/* Edges per wait: a pipe inherited by a hundred forks is a crowd, not an answer. */
#define MAX_HOLDERS 16
/* Bounds of the few whole-file reads: /proc/locks, a children list. */
#define BIG_FILE_MAX (4u << 20)

struct holder {
	uint32_t tid, pid;
};

/* One blocked thread as /proc shows it now. */
struct look {
	const struct ws_thread *t;
	enum ws_proc_rc rc;
	long nr;
	uint64_t args[6];
};

enum { K_PIPE = 1, K_SOCK, K_FIFO };
#define M_READ 1u
#define M_WRITE 2u

/* One open descriptor on a pipe, FIFO or socket, of some process. */
struct fd_ent {
	uint64_t dev, ino;	/* dev: FIFOs only (pipe and socket inodes are unique) */
	uint32_t pid;
	int fd;
	uint8_t kind, mode;
};

struct fd_index {
	struct fd_ent *e;
	size_t n, cap;
	bool built, ok;
};

struct peer {
	uint32_t ino, peer;	/* peer 0: a unix socket with no peer */
};

struct peer_map {
	struct peer *p;
	size_t n, cap;
	bool built, ok;
};

/* A line of /proc/locks. */
struct lock_ent {
	long id, pid;
	int level;		/* 0: a held lock; 1+: "->" a waiter blocked by it */
	char cls[12], mode[8];
	unsigned maj, min;
	uint64_t ino;
};

struct lock_list {
	struct lock_ent *e;
	size_t n, cap;
	bool read, ok;
};

/* A process, for children: from /proc/PID/stat. */
struct proc_ent {
	uint32_t pid, ppid;
	long pgrp;		/* -1: not known */
	uint64_t start;		/* clock ticks since boot; 0: not known */
};

struct proc_list {
	struct proc_ent *e;
	size_t n, cap;
	bool built;
};

struct rctx {
	const struct ws_snapshot *s;
	const char *root;
	bool live;		/* root is the real /proc */
	bool want_fifos;	/* a thread waits on a FIFO: the fd scan stats path links */
	struct ws_waits *out;
	struct fd_index fds;
	struct peer_map peers;
	struct lock_list locks;
	struct proc_list procs;
	char self_ns[64];	/* /proc/self/ns/pid; "" when unknown */
};

/* ---- small reads ---- */

/* vsnprintf into buf; a string too long is cut, which is fine for words to a reader. */
static void say(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* say() after what buf already holds. */
static void say_more(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say_more(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

/* root/rest: false when it does not fit. */
static bool ppath(char *buf, size_t n, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool ppath(char *buf, size_t n, const char *root, const char *fmt, ...)
{
	int len = snprintf(buf, n, "%s/", root), more;
	va_list ap;

	if (len < 0 || (size_t)len >= n)
		return false;
	va_start(ap, fmt);
	more = vsnprintf(buf + len, n - (size_t)len, fmt, ap);
	va_end(ap);
	return more >= 0 && (size_t)more < n - (size_t)len;
}

static int open_ro(int dirfd, const char *path, int flags)
{
	int fd;

	do
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | flags);
	while (fd < 0 && errno == EINTR);
	return fd;
}

/* Up to n - 1 bytes of fd, NUL-terminated: the length, or -1 with errno. */
static ssize_t read_fd_small(int fd, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t r;

	while (len + 1 < n) {
		r = read(fd, buf + len, n - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static ssize_t read_small_at(int dirfd, const char *path, char *buf, size_t n)
{
	int fd = open_ro(dirfd, path, 0), e;
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read_fd_small(fd, buf, n);
	e = errno;
	close(fd);
	errno = e;
	return len;
}

static ssize_t read_small(const char *path, char *buf, size_t n)
{
	return read_small_at(AT_FDCWD, path, buf, n);
}

/* A whole file of at most BIG_FILE_MAX bytes, NUL-terminated, in *buf (to free). */
static bool read_big(const char *path, char **buf, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *b = malloc(cap), *nb;
	int fd = open_ro(AT_FDCWD, path, 0);
	ssize_t r;

	if (!b || fd < 0)
		goto fail;
	for (;;) {
		if (n + 1 == cap) {
			if (cap >= BIG_FILE_MAX || !(nb = realloc(b, cap * 2)))
				goto fail;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return true;
fail:
	if (fd >= 0)
		close(fd);
	free(b);
	return false;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* "pipe:[4411]" with prefix "pipe:[" -> 4411. */
static bool link_inode(const char *link, const char *prefix, uint64_t *ino)
{
	size_t n = strlen(prefix);
	char *end;

	if (strncmp(link, prefix, n) || link[n] < '0' || link[n] > '9')
		return false;
	errno = 0;
	*ino = strtoull(link + n, &end, 10);
	return !errno && end[0] == ']' && !end[1];
}

/* The value after "\nkey" (key includes the colon) in a /proc status-like text. */
static bool field_ul(const char *text, const char *key, int base, unsigned long long *v)
{
	size_t n = strlen(key);
	const char *p = text;
	char *end;

	while (p && strncmp(p, key, n))
		p = (p = strchr(p, '\n')) ? p + 1 : NULL;
	if (!p)
		return false;
	errno = 0;
	*v = strtoull(p + n, &end, base);
	return !errno && end != p + n;
}

/* A thread's comm, "" when it cannot be read. */
static void read_comm(const struct rctx *c, uint32_t pid, uint32_t tid, char *buf, size_t n)
{
	char path[PATH_N];

	buf[0] = '\0';
	if (!ppath(path, sizeof(path), c->root, "%u/task/%u/comm", pid, tid) ||
	    read_small(path, buf, n) < 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
}

static bool thread_live(const struct rctx *c, uint32_t pid, uint32_t tid)
{
	char path[PATH_N];

	return tid && ppath(path, sizeof(path), c->root, "%u/task/%u", pid, tid) && exists(path);
}

/* The process of any thread (its status Tgid:). */
static bool tgid_of(const struct rctx *c, uint32_t tid, uint32_t *tgid)
{
	char path[PATH_N], buf[1024];
	unsigned long long v;

	if (!ppath(path, sizeof(path), c->root, "%u/status", tid) ||
	    read_small(path, buf, sizeof(buf)) < 0 || !field_ul(buf, "Tgid:", 10, &v) || !v ||
	    v > UINT32_MAX)
		return false;
	*tgid = (uint32_t)v;
	return true;
}

/*
 * Is process pid in our pid namespace?  A tid a process stores (a mutex's
 * __owner, a PI word) is a number of its own namespace; only in ours is it
 * the number /proc uses.  A fake tree has no namespaces.
 */
static bool ns_same(const struct rctx *c, uint32_t pid)
{
	char path[PATH_N], link[64];
	ssize_t n;

	if (!c->live || !c->self_ns[0] || !ppath(path, sizeof(path), c->root, "%u/ns/pid", pid))
		return true;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return true;	/* gone: the task checks that follow fail */
	link[n] = '\0';
	return !strcmp(link, c->self_ns);
}

/* The last number of a status NSpid: line: the tid in the thread's own namespace. */
static bool nspid_last(const char *status, unsigned long *v)
{
	const char *p = strstr(status, "\nNSpid:");
	char *end;
	bool any = false;

	if (!p)
		return false;
	p += 7;
	for (;;) {
		unsigned long x;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return any;
		x = strtoul(p, &end, 10);
		*v = x;
		any = true;
		p = end;
	}
}

/* Which of process pid's threads (its /proc tid) is nstid in the process's own namespace. */
static bool tid_from_ns(const struct rctx *c, uint32_t pid, uint32_t nstid, uint32_t *tid)
{
	char path[PATH_N], buf[4096], sub[300];
	struct dirent *de;
	unsigned long v;
	bool found = false;
	DIR *d;

	if (!ppath(path, sizeof(path), c->root, "%u/task", pid) || !(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		snprintf(sub, sizeof(sub), "%s/status", de->d_name);
		if (read_small_at(dirfd(d), sub, buf, sizeof(buf)) >= 0 && nspid_last(buf, &v) &&
		    v == nstid) {
			*tid = (uint32_t)strtoul(de->d_name, NULL, 10);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* nstid, a tid process pid stored, if it names one of pid's live threads: its /proc tid. */
static bool own_thread(const struct rctx *c, uint32_t pid, uint32_t nstid, uint32_t *tid)
{
	if (!nstid || nstid > FX_TID_MASK)
		return false;
	if (ns_same(c, pid)) {
		*tid = nstid;
		return thread_live(c, pid, nstid);
	}
	return tid_from_ns(c, pid, nstid, tid);
}

/*
 * The holder a futex word of process pid names.  A private word can only be
 * held by the process's own threads; a shared one by any process's, but we
 * only read another process's tid when the waiter numbers tids as we do.
 */
static bool futex_holder(const struct rctx *c, uint32_t pid, bool priv, uint32_t nstid,
			 struct holder *h)
{
	if (own_thread(c, pid, nstid, &h->tid)) {
		h->pid = pid;
		return true;
	}
	if (priv || !nstid || nstid > FX_TID_MASK || !ns_same(c, pid) || !tgid_of(c, nstid, &h->pid))
		return false;
	h->tid = nstid;
	return thread_live(c, h->pid, nstid);
}

/* len bytes at addr of process pid: 0, or -1 (gone, unmapped, no access). */
static int mem_read(const struct rctx *c, uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[PATH_N];
	ssize_t r;
	int fd;

	if (addr > (uint64_t)INT64_MAX - len || !ppath(path, sizeof(path), c->root, "%u/mem", pid))
		return -1;
	fd = open_ro(AT_FDCWD, path, 0);
	if (fd < 0)
		return -1;
	do
		r = pread(fd, buf, len, (off_t)addr);
	while (r < 0 && errno == EINTR);
	close(fd);
	return r == (ssize_t)len ? 0 : -1;
}

/* ---- edges ---- */

static struct ws_edge *new_edge(const struct rctx *c, const struct look *w,
				enum ws_edge_type type, enum ws_wait_scope scope)
{
	struct ws_edge *e = ws_waits_add(c->out);

	if (!e)
		return NULL;
	e->tid = w->t->tid;
	e->pid = w->t->tgid;
	e->type = type;
	e->scope = scope;
	strcpy(e->object, "-");
	return e;
}

static void set_holder(const struct rctx *c, struct ws_edge *e, struct holder h)
{
	e->holder_tid = h.tid;
	e->holder_pid = h.pid;
	read_comm(c, h.pid, h.tid, e->holder_comm, sizeof(e->holder_comm));
}

/* An edge with no holder: the evidence says what it waits in. */
static struct ws_edge *unknown(const struct rctx *c, const struct look *w, enum ws_wait_scope sc,
			       const char *object)
{
	struct ws_edge *e = new_edge(c, w, E_UNKNOWN, sc);

	if (e && object)
		say(e->object, sizeof(e->object), "%s", object);
	return e;
}

static const char *sc_name(long nr, char *buf, size_t n)
{
	const char *name = nr <= INT32_MAX ? ws_syscall_name((int)nr) : NULL;

	if (name)
		return name;
	say(buf, n, "syscall %ld", nr);
	return buf;
}

/* The last waker, a hint only: whoever woke the thread last is not what holds it now. */
static void waker_hint(const struct rctx *c, const struct look *w, char *buf, size_t n)
{
	char comm[64];

	if (!w->t->waker)
		return;
	ws_unescape_comm(ws_str(c->s, w->t->waker_comm), comm, sizeof(comm));
	say_more(buf, n, "; last woken by %u (%s)", w->t->waker, comm[0] ? comm : "?");
}

/* ---- futex ---- */

struct fcall {
	uint64_t addr, val;
	int cmd;		/* FX_*, -1: futex_waitv */
	bool priv, timed, u32;
};

static void futex_call(const struct look *w, struct fcall *f)
{
	memset(f, 0, sizeof(*f));
	f->addr = w->args[0];
	f->u32 = true;
	if (w->nr == SC_FUTEX) {
		f->cmd = (int)(w->args[1] & 127);
		f->priv = w->args[1] & FX_PRIVATE;
		f->val = (uint32_t)w->args[2];
		/* The timeout of every waiting command is the fourth argument. */
		f->timed = w->args[3] != 0;
	} else if (w->nr == SC_FUTEX_WAIT) {
		/* futex_wait(uaddr, val, mask, flags, timeout, clockid): FUTEX2 flags. */
		f->cmd = FX_WAIT_BITSET;
		f->val = w->args[1];
		f->priv = w->args[3] & FX_PRIVATE;
		f->u32 = (w->args[3] & FX2_SIZE_MASK) == FX2_SIZE_U32;
		f->timed = w->args[4] != 0;
	} else {
		/* futex_waitv(waiters, nr, flags, timeout, clockid): words in a vector. */
		f->cmd = -1;
		f->timed = w->args[3] != 0;
	}
}

/* Who can end it: a timeout, else where the holder (or a private word's waker) lives. */
static enum ws_wait_scope futex_scope(const struct fcall *f, const struct holder *h,
				      uint32_t pid)
{
	if (f->timed)
		return S_TIMED;
	if (h && h->pid)
		return h->pid == pid ? S_PROCESS : S_EXTERNAL;
	return f->priv ? S_PROCESS : S_EXTERNAL;
}

/*
 * A __kind whose __owner glibc keeps: normal, recursive, errorcheck or
 * adaptive, robust or not, process-shared or not.  PI and PP mutexes wait
 * otherwise; elided locks record no owner; other bits mean it is no mutex.
 */
static bool kind_keeps_owner(int32_t kind)
{
	uint32_t k = (uint32_t)kind & ~(MK_PSHARED | MK_NO_ELISION | MK_ROBUST);

	return k <= 3;
}

/* The 24 bytes of a glibc mutex from its word on: __lock, __count, __owner, __nusers, __kind. */
static bool mutex_words(const struct rctx *c, uint32_t pid, uint64_t addr, int32_t m[6])
{
	return !mem_read(c, pid, addr, m, 6 * sizeof(int32_t));
}

/* A value-2 wait: the glibc mutex's __owner, validated; else why not in why. */
static bool mutex_owner(const struct rctx *c, const struct look *w, const struct fcall *f,
			struct holder *h, int32_t m[6], char *why, size_t n)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!mutex_words(c, w->t->tgid, f->addr, m))
			return say(why, n, "memory unreadable"), false;
		if (!kind_keeps_owner(m[4]))
			return say(why, n, "kind %d", m[4]), false;
		if (!m[0])
			return say(why, n, "the word reads 0 now: released"), false;
		/* __owner is set just after the lock is won: a moment later it may be there. */
		if (m[2])
			break;
	}
	if (!m[2])
		return say(why, n, "__owner reads 0"), false;
	if (m[2] < 0 || !futex_holder(c, w->t->tgid, f->priv, (uint32_t)m[2], h))
		return say(why, n, "__owner %d is no live thread%s", m[2],
			   f->priv ? " of this process" : ""), false;
	return true;
}

/*
 * A robust mutex waits on its word's value, owner tid | FUTEX_WAITERS: the
 * owner is the word's tid when __owner says the same and __kind is robust.
 */
static bool robust_owner(const struct rctx *c, const struct look *w, const struct fcall *f,
			 struct holder *h, int32_t m[6])
{
	uint32_t tid = (uint32_t)f->val & FX_TID_MASK;

	if (!f->u32 || !((uint32_t)f->val & FX_WAITERS) || !tid ||
	    !mutex_words(c, w->t->tgid, f->addr, m))
		return false;
	if (!((uint32_t)m[4] & MK_ROBUST) || !kind_keeps_owner(m[4]) ||
	    ((uint32_t)m[0] & FX_TID_MASK) != tid || (uint32_t)m[2] != tid)
		return false;
	return futex_holder(c, w->t->tgid, f->priv, tid, h);
}

/*
 * pthread_join waits on the joined thread's tid word with that tid as the
 * value (the kernel clears it at exit): the value names a live thread of
 * the process other than the waiter, and the word still holds it.
 */
static bool join_target(const struct rctx *c, const struct look *w, const struct fcall *f,
			struct holder *h)
{
	uint32_t word;

	if (!f->u32 || !f->val || f->val > FX_TID_MASK ||
	    !own_thread(c, w->t->tgid, (uint32_t)f->val, &h->tid) || h->tid == w->t->tid)
		return false;
	if (mem_read(c, w->t->tgid, f->addr, &word, sizeof(word)) || word != f->val)
		return false;
	h->pid = w->t->tgid;
	return true;
}

/* The rwlock at base, write-locked by a live thread: its __cur_writer. */
static bool rwlock_at(const struct rctx *c, const struct look *w, const struct fcall *f,
		      uint64_t base, struct holder *h)
{
	uint32_t rw[RW_WORDS];
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (mem_read(c, w->t->tgid, base, rw, sizeof(rw)))
			return false;
		if ((rw[0] & (RW_WRPHASE | RW_WRLOCKED)) != (RW_WRPHASE | RW_WRLOCKED) ||
		    rw[(f->addr - base) / 4] != RW_WAIT_VAL || rw[7] != !f->priv || rw[12] > 2)
			return false;
		/* __cur_writer is set just after the lock is won. */
		if (rw[6])
			break;
	}
	return rw[6] && rw[6] <= FX_TID_MASK && rw[6] != w->t->tid &&
	       futex_holder(c, w->t->tgid, f->priv, rw[6], h);
}

/*
 * A value-3 wait on an rwlock's __wrphase_futex (+8) or __writers_futex
 * (+12): which one the arguments do not say, so both bases are tried; the
 * wrong one puts a padding word or a futex value where __cur_writer is.
 * Readers holding the lock are not recorded by glibc: no edge for those.
 */
static bool rwlock_writer(const struct rctx *c, const struct look *w, const struct fcall *f,
			  struct holder *h, uint64_t *base)
{
	static const unsigned off[] = { 8, 12 };

	if (!f->u32 || f->val != RW_WAIT_VAL)
		return false;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		*base = f->addr - off[i];
		if (f->addr >= off[i] && rwlock_at(c, w, f, *base, h))
			return true;
	}
	return false;
}

static void futex_object(struct ws_edge *e, const struct fcall *f)
{
	say(e->object, sizeof(e->object), "futex 0x%" PRIx64, f->addr);
}

static void resolve_futex_wait(const struct rctx *c, const struct look *w, const struct fcall *f)
{
	struct holder h = { 0, 0 };
	char why[64] = "";
	uint64_t rw_base;
	int32_t m[6];
	struct ws_edge *e;

	if (f->val == 2 && f->u32 && mutex_owner(c, w, f, &h, m, why, sizeof(why))) {
		if (!(e = new_edge(c, w, E_MUTEX_OWNER, futex_scope(f, &h, w->t->tgid))))
			return;
		say(e->evidence, sizeof(e->evidence),
		    "owner from __owner at 0x%" PRIx64 "+8 (kind %d, word %d)", f->addr, m[4], m[0]);
	} else if (robust_owner(c, w, f, &h, m)) {
		if (!(e = new_edge(c, w, E_MUTEX_OWNER, futex_scope(f, &h, w->t->tgid))))
			return;
		say(e->evidence, sizeof(e->evidence),
		    "owner from the robust mutex word at 0x%" PRIx64 " and __owner (kind %d, word 0x%x)",
		    f->addr, m[4], (uint32_t)m[0]);
	} else if (rwlock_writer(c, w, f, &h, &rw_base)) {
		if (!(e = new_edge(c, w, E_RWLOCK_WRITER, futex_scope(f, &h, w->t->tgid))))
			return;
		say(e->evidence, sizeof(e->evidence),
		    "writer from __cur_writer of the rwlock at 0x%" PRIx64 " (waits on its %s word)",
		    rw_base, f->addr - rw_base == 8 ? "__wrphase_futex" : "__writers_futex");
		/* Readers and writers wait on two words: the object is the rwlock. */
		say(e->object, sizeof(e->object), "rwlock 0x%" PRIx64, rw_base);
		set_holder(c, e, h);
		return;
	} else if (join_target(c, w, f, &h)) {
		if (!(e = new_edge(c, w, E_JOIN, futex_scope(f, &h, w->t->tgid))))
			return;
		say(e->evidence, sizeof(e->evidence),
		    "waits on tid word 0x%" PRIx64 " of thread %u (pthread_join)", f->addr, h.tid);
	} else {
		if (!(e = new_edge(c, w, E_UNKNOWN, futex_scope(f, NULL, w->t->tgid))))
			return;
		if (f->val == 2 && f->u32)
			say(e->evidence, sizeof(e->evidence),
			    "futex word 0x%" PRIx64
			    " expected 2 but no valid mutex owner (glibc-internal lock?): %s",
			    f->addr, why);
		else
			say(e->evidence, sizeof(e->evidence),
			    "futex wait on 0x%" PRIx64 " (value %" PRIu64 "): no owner to read",
			    f->addr, f->val);
		waker_hint(c, w, e->evidence, sizeof(e->evidence));
		futex_object(e, f);
		return;
	}
	futex_object(e, f);
	set_holder(c, e, h);
}

/* FUTEX_LOCK_PI(2): the kernel's PI protocol keeps the owner's tid in the word. */
static void resolve_futex_pi(const struct rctx *c, const struct look *w, const struct fcall *f)
{
	struct holder h = { 0, 0 };
	uint32_t word = 0;
	struct ws_edge *e;
	int tries;
	bool ok = false;

	for (tries = 0; tries < 2 && !ok; tries++) {
		if (mem_read(c, w->t->tgid, f->addr, &word, sizeof(word)))
			break;
		ok = (word & FX_TID_MASK) != 0;
	}
	ok = ok && futex_holder(c, w->t->tgid, f->priv, word & FX_TID_MASK, &h);
	e = new_edge(c, w, ok ? E_PI_OWNER : E_UNKNOWN, futex_scope(f, ok ? &h : NULL, w->t->tgid));
	if (!e)
		return;
	futex_object(e, f);
	if (!ok) {
		say(e->evidence, sizeof(e->evidence),
		    "PI futex 0x%" PRIx64 ": the word (0x%x) names no live thread", f->addr, word);
		return;
	}
	say(e->evidence, sizeof(e->evidence), "owner from the PI word at 0x%" PRIx64 " (0x%x)",
	    f->addr, word);
	set_holder(c, e, h);
}

static void resolve_futex(const struct rctx *c, const struct look *w)
{
	struct ws_edge *e;
	struct fcall f;

	futex_call(w, &f);
	if (f.cmd == FX_LOCK_PI || f.cmd == FX_LOCK_PI2)
		return resolve_futex_pi(c, w, &f);
	if (f.cmd == FX_WAIT || f.cmd == FX_WAIT_BITSET)
		return resolve_futex_wait(c, w, &f);
	e = unknown(c, w, futex_scope(&f, NULL, w->t->tgid), NULL);
	if (!e)
		return;
	if (f.cmd < 0) {
		say(e->object, sizeof(e->object), "futex_waitv");
		say(e->evidence, sizeof(e->evidence),
		    "futex_waitv on several words: no owner to read");
	} else {
		futex_object(e, &f);
		say(e->evidence, sizeof(e->evidence), "futex %s on 0x%" PRIx64 ": no owner to read",
		    f.cmd == FX_WAIT_REQUEUE_PI ? "WAIT_REQUEUE_PI (a PI condition variable)" : "wait",
		    f.addr);
	}
	waker_hint(c, w, e->evidence, sizeof(e->evidence));
}

/* ---- the fd tables of every process ---- */

/* statx without asking a network file system's server: a hung mount must not hang us. */
static bool stat_target(int dirfd, const char *path, struct statx *sx)
{
	return !statx(dirfd, path, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, sx);
}

static bool fifo_at(int dirfd, const char *path, uint64_t *dev, uint64_t *ino)
{
	struct statx sx;

	if (!stat_target(dirfd, path, &sx) || !S_ISFIFO(sx.stx_mode))
		return false;
	*dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	*ino = sx.stx_ino;
	return true;
}

/* The access mode of an fd from its fdinfo "flags:" (octal); false if unreadable. */
static bool fd_mode(int infod, const char *name, uint8_t *mode)
{
	unsigned long long flags;
	char buf[512];

	if (infod < 0 || read_small_at(infod, name, buf, sizeof(buf)) < 0 ||
	    !field_ul(buf, "flags:", 8, &flags))
		return false;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: *mode = M_READ; return true;
	case O_WRONLY: *mode = M_WRITE; return true;
	case O_RDWR: *mode = M_READ | M_WRITE; return true;
	default: return false;
	}
}

static void index_push(struct rctx *c, const struct fd_ent *e)
{
	struct fd_index *x = &c->fds;
	x->e = ws_grow(x->e, &x->cap, x->n + 1, sizeof(*x->e));
	x->e[x->n++] = *e;
}

static void index_fd(struct rctx *c, int fdd, int infod, uint32_t pid, const char *name)
{
	struct fd_ent e = { .pid = pid };
	char link[512];
	ssize_t n;

	if (!all_digits(name))
		return;
	n = readlinkat(fdd, name, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = '\0';
	e.fd = (int)strtol(name, NULL, 10);
	if (link_inode(link, "socket:[", &e.ino)) {
		e.kind = K_SOCK;	/* both directions: the mode does not matter */
		e.mode = M_READ | M_WRITE;
		index_push(c, &e);
		return;
	}
	if (link_inode(link, "pipe:[", &e.ino))
		e.kind = K_PIPE;
	else if (c->want_fifos && link[0] == '/' && fifo_at(fdd, name, &e.dev, &e.ino))
		e.kind = K_FIFO;
	else
		return;
	if (fd_mode(infod, name, &e.mode))
		index_push(c, &e);
}

static void index_process(struct rctx *c, int procfd, const char *pid_s)
{
	uint32_t pid = (uint32_t)strtoul(pid_s, NULL, 10);
	struct dirent *de;
	char sub[300];
	int fdd, infod;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/fd", pid_s);
	fdd = open_ro(procfd, sub, O_DIRECTORY);
	if (fdd < 0)
		return;		/* gone, or a kernel thread's */
	if (!(d = fdopendir(fdd))) {
		close(fdd);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/fdinfo", pid_s);
	infod = open_ro(procfd, sub, O_DIRECTORY);
	while ((de = readdir(d)))
		index_fd(c, dirfd(d), infod, pid, de->d_name);
	closedir(d);
	if (infod >= 0)
		close(infod);
}

static int fd_ent_cmp(const void *a, const void *b)
{
	const struct fd_ent *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* Every process's pipe, FIFO and socket fds, read once, the first time an edge needs them. */
static bool index_build(struct rctx *c)
{
	struct dirent *de;
	DIR *d;

	if (c->fds.built)
		return c->fds.ok;
	c->fds.built = true;
	if (!(d = opendir(c->root)))
		return false;
	while ((de = readdir(d)))
		if (all_digits(de->d_name))
			index_process(c, dirfd(d), de->d_name);
	closedir(d);
	if (c->fds.n)
		qsort(c->fds.e, c->fds.n, sizeof(*c->fds.e), fd_ent_cmp);
	c->fds.ok = true;
	return true;
}

/* Is entry x before the file (kind, dev, ino)? */
static bool fd_ent_before(const struct fd_ent *x, uint8_t kind, uint64_t dev, uint64_t ino)
{
	if (x->kind != kind)
		return x->kind < kind;
	if (x->dev != dev)
		return x->dev < dev;
	return x->ino < ino;
}

/* The first entry on (kind, dev, ino), and how many there are. */
static const struct fd_ent *index_find(const struct rctx *c, uint8_t kind, uint64_t dev,
				       uint64_t ino, size_t *count)
{
	size_t lo = 0, hi = c->fds.n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fd_ent_before(&c->fds.e[mid], kind, dev, ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < c->fds.n && c->fds.e[i].kind == kind && c->fds.e[i].dev == dev &&
	     c->fds.e[i].ino == ino; i++)
		;
	*count = i - lo;
	return *count ? &c->fds.e[lo] : NULL;
}

/* ---- unix socket peers (sock_diag) ---- */

static void peer_push(struct peer_map *m, uint32_t ino, uint32_t peer)
{
	m->p = ws_grow(m->p, &m->cap, m->n + 1, sizeof(*m->p));
	m->p[m->n].ino = ino;
	m->p[m->n++].peer = peer;
}

/* One SOCK_DIAG_BY_FAMILY answer: the socket's inode and its UNIX_DIAG_PEER. */
static void peer_msg(struct peer_map *m, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *d = NLMSG_DATA(h);
	const struct rtattr *a;
	uint32_t peer = 0;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
		return;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*d)));
	a = (const struct rtattr *)((const char *)d + NLMSG_ALIGN(sizeof(*d)));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(peer))
			memcpy(&peer, RTA_DATA(a), sizeof(peer));
	peer_push(m, d->udiag_ino, peer);
}

static bool peer_request(int fd)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t r;

	memset(&msg, 0, sizeof(msg));
	msg.h.nlmsg_len = sizeof(msg);
	msg.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.h.nlmsg_seq = 1;
	msg.r.sdiag_family = AF_UNIX;
	msg.r.udiag_states = ~0u;
	msg.r.udiag_show = UDIAG_SHOW_PEER;
	do
		r = sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof(msg);
}

/* Read the dump to NLMSG_DONE; false on an error, a truncated message or a timeout. */
static bool peer_answers(struct peer_map *m, int fd)
{
	enum { BUF = 65536, MAX_ROUNDS = 100000 };
	char *buf = malloc(BUF);	/* malloc'd: aligned for nlmsghdr */
	bool done = false, bad = false;
	int rounds;

	for (rounds = 0; buf && !done && !bad && rounds < MAX_ROUNDS; rounds++) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		ssize_t len = recv(fd, buf, BUF, MSG_TRUNC);

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0 || len > BUF) {
			bad = true;
			break;
		}
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != 1)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				bad = true;
				break;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				peer_msg(m, h);
		}
	}
	free(buf);
	return done;
}

static int peer_cmp(const void *a, const void *b)
{
	const struct peer *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Every unix socket of our network namespace and its peer: one dump, the first time one is needed. */
static bool peers_build(struct rctx *c)
{
	struct timeval tv = { 2, 0 };
	int fd;

	if (c->peers.built)
		return c->peers.ok;
	c->peers.built = true;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	c->peers.ok = peer_request(fd) && peer_answers(&c->peers, fd);
	close(fd);
	if (c->peers.n)
		qsort(c->peers.p, c->peers.n, sizeof(*c->peers.p), peer_cmp);
	return c->peers.ok;
}

static const struct peer *peer_find(const struct rctx *c, uint64_t ino)
{
	struct peer key = { .ino = (uint32_t)ino };

	if (ino > UINT32_MAX || !c->peers.n)
		return NULL;
	return bsearch(&key, c->peers.p, c->peers.n, sizeof(key), peer_cmp);
}

/* ---- pipes, FIFOs, sockets, files ---- */

/* Which side of its fd a read or write syscall waits on; 0: not an fd wait. */
static unsigned fd_side(long nr)
{
	switch (nr) {
	case SC_READ: case SC_PREAD64: case SC_READV: case SC_RECVFROM: case SC_RECVMSG:
	case SC_PREADV: case SC_RECVMMSG: case SC_PREADV2: case SC_SPLICE:
		return M_READ;
	case SC_WRITE: case SC_PWRITE64: case SC_WRITEV: case SC_SENDFILE: case SC_SENDTO:
	case SC_SENDMSG: case SC_PWRITEV: case SC_SENDMMSG: case SC_PWRITEV2:
		return M_WRITE;
	default:
		return 0;
	}
}

/* An fd's target: its link text, and for a FIFO its identity. */
struct fd_target {
	enum ws_fd_kind kind;
	char link[256];
	uint64_t ino, dev;
	bool fifo;
};

static void fd_target(const struct rctx *c, const struct look *w, uint64_t fd,
		      struct fd_target *x)
{
	char path[PATH_N];

	memset(x, 0, sizeof(*x));
	x->kind = ws_proc_fd_kind(c->root, w->t->tgid, fd, x->link, sizeof(x->link));
	if (x->kind == WS_FD_PIPE && !link_inode(x->link, "pipe:[", &x->ino))
		x->kind = WS_FD_OTHER;
	if (x->kind == WS_FD_SOCKET && !link_inode(x->link, "socket:[", &x->ino))
		x->kind = WS_FD_OTHER;
	if (x->kind == WS_FD_OTHER && x->link[0] == '/' &&
	    ppath(path, sizeof(path), c->root, "%u/fd/%" PRIu64, w->t->tgid, fd))
		x->fifo = fifo_at(AT_FDCWD, path, &x->dev, &x->ino);
}

/* Edges to the holders of the other end of a pipe or FIFO. */
static void pipe_edges(struct rctx *c, const struct look *w, unsigned side,
		       const struct fd_target *x)
{
	unsigned want = side == M_READ ? M_WRITE : M_READ;
	const char *end = want == M_WRITE ? "write" : "read";
	char obj[64];
	const struct fd_ent *e0;
	size_t n = 0, i, holders = 0, others = 0, shown = 0;
	struct ws_edge *e = NULL;

	if (x->fifo)
		say(obj, sizeof(obj), "fifo %s", x->link);
	else
		say(obj, sizeof(obj), "pipe:[%" PRIu64 "]", x->ino);
	e0 = index_build(c) ? index_find(c, x->fifo ? K_FIFO : K_PIPE, x->dev, x->ino, &n) : NULL;
	for (i = 0; i < n; i++)
		if (e0[i].mode & want) {
			holders++;
			others += e0[i].pid != w->t->tgid;
		}
	if (!holders) {
		if ((e = unknown(c, w, S_EXTERNAL, obj)))
			say(e->evidence, sizeof(e->evidence),
			    "%s: no %s end found in /proc (another pid namespace?)", obj, end);
		return;
	}
	for (i = 0; i < n && shown < MAX_HOLDERS; i++) {
		struct holder h = { e0[i].pid, e0[i].pid };

		if (!(e0[i].mode & want))
			continue;
		if (!(e = new_edge(c, w, E_PIPE, others ? S_EXTERNAL : S_PROCESS)))
			return;
		shown++;
		say(e->object, sizeof(e->object), "%s", obj);
		set_holder(c, e, h);
		if (!others)
			say(e->evidence, sizeof(e->evidence),
			    "%s: the only %s end is held by its own process (pid %u fd %d): %s", obj,
			    end, h.pid, e0[i].fd, side == M_READ ? "it can never see EOF" :
			    "only its own threads can drain it");
		else
			say(e->evidence, sizeof(e->evidence), "%s %s end held by pid %u fd %d%s", obj,
			    end, h.pid, e0[i].fd, h.pid == w->t->tgid ? " (its own process)" : "");
	}
	if (holders > shown)
		say_more(e->evidence, sizeof(e->evidence), " (+%zu more not listed)", holders - shown);
}

/* Edges to the holders of a unix socket's peer. */
static void socket_edges(struct rctx *c, const struct look *w, uint64_t ino)
{
	char obj[64];
	const struct peer *p;
	const struct fd_ent *e0 = NULL;
	size_t n = 0, i, others = 0, shown = 0;
	struct ws_edge *e;

	say(obj, sizeof(obj), "socket:[%" PRIu64 "]", ino);
	if (!c->live || !peers_build(c) || !(p = peer_find(c, ino)) || !p->peer) {
		if (!(e = unknown(c, w, S_EXTERNAL, obj)))
			return;
		if (!c->live)
			say(e->evidence, sizeof(e->evidence),
			    "%s: its unix peer is not looked up under a fake /proc", obj);
		else if (!c->peers.ok)
			say(e->evidence, sizeof(e->evidence), "%s: sock_diag failed: peer unknown", obj);
		else if (!peer_find(c, ino))
			say(e->evidence, sizeof(e->evidence),
			    "%s is no unix socket of this network namespace: the peer is outside", obj);
		else
			say(e->evidence, sizeof(e->evidence),
			    "%s is a unix socket with no peer (unconnected or listening)", obj);
		return;
	}
	if (index_build(c))
		e0 = index_find(c, K_SOCK, 0, p->peer, &n);
	for (i = 0; i < n; i++)
		others += e0[i].pid != w->t->tgid;
	if (!n) {
		if ((e = unknown(c, w, S_EXTERNAL, obj)))
			say(e->evidence, sizeof(e->evidence),
			    "unix socket peer socket:[%u] is held by no process in /proc (in flight?)",
			    p->peer);
		return;
	}
	for (i = 0, e = NULL; i < n && shown < MAX_HOLDERS; i++, shown++) {
		struct holder h = { e0[i].pid, e0[i].pid };

		if (!(e = new_edge(c, w, E_SOCKET, others ? S_EXTERNAL : S_PROCESS)))
			return;
		say(e->object, sizeof(e->object), "%s", obj);
		set_holder(c, e, h);
		say(e->evidence, sizeof(e->evidence), "unix socket peer socket:[%u] held by %spid %u fd %d",
		    p->peer, others ? "" : "only its own process, ", h.pid, e0[i].fd);
	}
	if (e && n > shown)
		say_more(e->evidence, sizeof(e->evidence), " (+%zu more not listed)", n - shown);
}

/* A plain file, terminal or event fd: nothing there has an owner to name. */
static void file_edge(const struct rctx *c, const struct look *w, unsigned side, uint64_t fd,
		      const struct fd_target *x)
{
	const char *verb = side == M_READ ? "reads" : "writes";
	struct ws_edge *e = unknown(c, w, S_EXTERNAL, x->link[0] ? x->link : "-");

	if (!e)
		return;
	switch (x->kind) {
	case WS_FD_GONE:
		say(e->evidence, sizeof(e->evidence), "fd %" PRIu64 " closed, or the thread gone, while looking", fd);
		break;
	case WS_FD_UNKNOWN:
		say(e->evidence, sizeof(e->evidence), "fd %" PRIu64 " unreadable", fd);
		break;
	case WS_FD_TTY:
		say(e->evidence, sizeof(e->evidence), "%s a terminal (%s): waits for its user", verb,
		    x->link);
		break;
	case WS_FD_EVENT:
		say(e->evidence, sizeof(e->evidence), "%s %s: waits for an event", verb, x->link);
		break;
	default:
		say(e->evidence, sizeof(e->evidence), "%s %s (not a pipe or socket)", verb, x->link);
		break;
	}
}

static void resolve_fd_wait(struct rctx *c, const struct look *w, unsigned side)
{
	struct fd_target x, out;
	struct ws_edge *e;

	fd_target(c, w, w->args[0], &x);
	/* splice into a pipe may wait for room in it as well: which, /proc does not say. */
	if (w->nr == SC_SPLICE) {
		fd_target(c, w, w->args[2], &out);
		if (out.kind == WS_FD_PIPE || out.fifo) {
			if ((e = unknown(c, w, S_EXTERNAL, "splice")))
				say(e->evidence, sizeof(e->evidence),
				    "splice from fd %" PRIu64 " into a pipe (fd %" PRIu64
				    "): which end it waits on is not visible", w->args[0], w->args[2]);
			return;
		}
	}
	if (x.kind == WS_FD_PIPE || x.fifo)
		pipe_edges(c, w, side, &x);
	else if (x.kind == WS_FD_SOCKET)
		socket_edges(c, w, x.ino);
	else
		file_edge(c, w, side, w->args[0], &x);
}

static void resolve_accept(const struct rctx *c, const struct look *w)
{
	char link[128];
	struct ws_edge *e;

	ws_proc_fd_kind(c->root, w->t->tgid, w->args[0], link, sizeof(link));
	if ((e = unknown(c, w, S_EXTERNAL, link[0] ? link : "-")))
		say(e->evidence, sizeof(e->evidence), "waits for a connection on %s",
		    link[0] ? link : "a socket");
}

/* ---- file locks ---- */

/* "1: -> FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" */
static bool lock_parse(char *line, struct lock_ent *l)
{
	char *save, *tok, *end;
	int field = 0;

	memset(l, 0, sizeof(*l));
	l->id = strtol(line, &end, 10);
	if (end == line || *end != ':')
		return false;
	for (tok = strtok_r(end + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "->")) {
			l->level++;
			continue;
		}
		switch (field++) {
		case 0: say(l->cls, sizeof(l->cls), "%s", tok); break;
		case 1: break;	/* ADVISORY, MANDATORY, ACTIVE, BREAKING */
		case 2: say(l->mode, sizeof(l->mode), "%s", tok); break;
		case 3: l->pid = strtol(tok, &end, 10); if (*end) return false; break;
		case 4:
			return sscanf(tok, "%x:%x:%" SCNu64, &l->maj, &l->min, &l->ino) == 3;
		}
	}
	return false;
}

static bool locks_read(struct rctx *c)
{
	struct lock_list *x = &c->locks;
	char path[PATH_N], *buf, *line, *save;
	size_t len;

	if (x->read)
		return x->ok;
	x->read = true;
	if (!ppath(path, sizeof(path), c->root, "locks") || !read_big(path, &buf, &len))
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct lock_ent l;

		if (!lock_parse(line, &l))
			continue;
		x->e = ws_grow(x->e, &x->cap, x->n + 1, sizeof(*x->e));
		x->e[x->n++] = l;
	}
	free(buf);
	x->ok = true;
	return true;
}

/* flock() and fcntl() locks do not block each other; POSIX and OFD locks do. */
static bool lock_class_ok(const struct lock_ent *l, bool flock_call)
{
	if (flock_call)
		return !strcmp(l->cls, "FLOCK");
	return !strcmp(l->cls, "POSIX") || !strcmp(l->cls, "OFDLCK");
}

struct lock_want {
	unsigned maj, min;
	uint64_t ino;
	bool flock_call;
	int write;		/* 1 write, 0 read, -1 not known */
	uint32_t pid;
};

static bool lock_same_file(const struct lock_ent *l, const struct lock_want *q)
{
	return l->maj == q->maj && l->min == q->min && l->ino == q->ino && lock_class_ok(l, q->flock_call);
}

/* Does held lock l block the request?  Read locks share; with no mode known, any does. */
static bool lock_conflicts(const struct lock_ent *l, const struct lock_want *q)
{
	return q->write != 0 || strcmp(l->mode, "READ");
}

/* Is the held lock at index i one the kernel lists our waiter under (a "->" line of its pid)? */
static bool lock_blocks_us(const struct rctx *c, size_t i, const struct lock_want *q)
{
	size_t j;

	for (j = i + 1; j < c->locks.n && c->locks.e[j].level > 0 &&
	     c->locks.e[j].id == c->locks.e[i].id; j++)
		if (c->locks.e[j].pid == (long)q->pid && lock_same_file(&c->locks.e[j], q))
			return true;
	return false;
}

static bool waiter_listed(const struct rctx *c, const struct lock_want *q)
{
	size_t i;

	for (i = 0; i < c->locks.n; i++)
		if (c->locks.e[i].level > 0 && c->locks.e[i].pid == (long)q->pid &&
		    lock_same_file(&c->locks.e[i], q))
			return true;
	return false;
}

/* The lock the thread asks for: read or write. */
static int lock_request_mode(const struct rctx *c, const struct look *w, bool flock_call)
{
	int16_t type;

	if (flock_call)
		return w->args[1] & 2 ? 1 : w->args[1] & 1 ? 0 : -1;	/* LOCK_EX, LOCK_SH */
	/* struct flock starts with short l_type: F_RDLCK 0, F_WRLCK 1. */
	if (mem_read(c, w->t->tgid, w->args[2], &type, sizeof(type)))
		return -1;
	return type == 1 ? 1 : type == 0 ? 0 : -1;
}

static bool lock_file(const struct rctx *c, const struct look *w, struct lock_want *q)
{
	char path[PATH_N];
	struct statx sx;

	if (!ppath(path, sizeof(path), c->root, "%u/fd/%" PRIu64, w->t->tgid, w->args[0]) ||
	    !stat_target(AT_FDCWD, path, &sx))
		return false;
	q->maj = sx.stx_dev_major;
	q->min = sx.stx_dev_minor;
	q->ino = sx.stx_ino;
	return true;
}

/* One holder's edge: pid -1 (an OFD lock) has no holder to name. */
static void lock_edge(const struct rctx *c, const struct look *w, const struct lock_want *q,
		      const char *obj, long pid)
{
	struct holder h = { (uint32_t)pid, (uint32_t)pid };
	struct ws_edge *e;

	e = new_edge(c, w, E_FLOCK, pid == (long)w->t->tgid ? S_PROCESS : S_EXTERNAL);
	if (!e)
		return;
	say(e->object, sizeof(e->object), "%s", obj);
	if (pid <= 0 || pid > (long)UINT32_MAX) {
		say(e->evidence, sizeof(e->evidence),
		    "lock on %s held by an open file description (OFD lock, pid -1): holder not recorded",
		    obj);
		return;
	}
	set_holder(c, e, h);
	say(e->evidence, sizeof(e->evidence), "%s on %s held by pid %ld (/proc/locks)",
	    q->flock_call ? "flock" : "fcntl lock", obj, pid);
}

/*
 * The holders /proc/locks names: the kernel lists each waiter under the
 * lock that blocks it, so the lock our waiter's pid is listed under is the
 * answer; with no such line (an OFD waiter shows pid -1), every held lock
 * on the file that conflicts with the request.
 */
static void resolve_flock(struct rctx *c, const struct look *w, bool flock_call)
{
	struct lock_want q = { .flock_call = flock_call, .pid = w->t->tgid };
	long seen[MAX_HOLDERS];
	size_t i, k, nseen = 0;
	bool listed, dup;
	char obj[64];
	struct ws_edge *e;

	if (!lock_file(c, w, &q) || !locks_read(c)) {
		if ((e = unknown(c, w, S_EXTERNAL, flock_call ? "flock" : "fcntl")))
			say(e->evidence, sizeof(e->evidence), "%s", c->locks.read && !c->locks.ok ?
			    "/proc/locks unreadable" : "the locked file cannot be stat()ed");
		return;
	}
	say(obj, sizeof(obj), "file %02x:%02x:%" PRIu64, q.maj, q.min, q.ino);
	q.write = lock_request_mode(c, w, flock_call);
	listed = waiter_listed(c, &q);
	for (i = 0; i < c->locks.n && nseen < MAX_HOLDERS; i++) {
		const struct lock_ent *l = &c->locks.e[i];

		if (l->level || !lock_same_file(l, &q) ||
		    (listed ? !lock_blocks_us(c, i, &q) : !lock_conflicts(l, &q)))
			continue;
		for (k = 0, dup = false; k < nseen; k++)
			dup |= seen[k] == l->pid && l->pid > 0;
		if (dup)
			continue;
		seen[nseen++] = l->pid;
		lock_edge(c, w, &q, obj, l->pid);
	}
	if (!nseen && (e = unknown(c, w, S_EXTERNAL, obj)))
		say(e->evidence, sizeof(e->evidence),
		    "no lock on %s in /proc/locks blocks it (released just now?)", obj);
}

/* ---- children ---- */

/* pid, ppid, pgrp and start time from /proc/PID/stat; false if gone or malformed. */
static bool proc_stat(const struct rctx *c, uint32_t pid, struct proc_ent *p)
{
	char path[PATH_N], buf[1024], *s, *tok, *save;
	int field;

	if (!ppath(path, sizeof(path), c->root, "%u/stat", pid) ||
	    read_small(path, buf, sizeof(buf)) < 0 || !(s = strrchr(buf, ')')))
		return false;
	/* The comm may hold anything, ')' too: the fields start after the last one. */
	for (field = 3, tok = strtok_r(s + 1, " ", &save); tok && field <= 22;
	     tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 4)
			p->ppid = (uint32_t)strtoul(tok, NULL, 10);
		else if (field == 5)
			p->pgrp = strtol(tok, NULL, 10);
		else if (field == 22)
			p->start = strtoull(tok, NULL, 10);
	}
	p->pid = pid;
	return field > 22;
}

/* A child by number: its stat when readable, else (a fake tree) only that it exists. */
static bool child_ent(const struct rctx *c, uint32_t pid, struct proc_ent *p)
{
	char path[PATH_N];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->pgrp = -1;
	if (proc_stat(c, pid, p))
		return true;
	p->pgrp = -1;
	p->start = 0;
	return ppath(path, sizeof(path), c->root, "%u", pid) && exists(path);
}

struct kids {
	struct proc_ent *e;
	size_t n, cap;
};

static void kids_push(struct kids *k, const struct proc_ent *p)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->e[i].pid == p->pid)
			return;
	k->e = ws_grow(k->e, &k->cap, k->n + 1, sizeof(*k->e));
	k->e[k->n++] = *p;
}

/* The pids of task tid's children file; false when the file is not there. */
static bool task_children(const struct rctx *c, uint32_t pid, const char *tid, struct kids *k)
{
	char path[PATH_N], *buf, *p, *end;
	size_t len;

	if (!ppath(path, sizeof(path), c->root, "%u/task/%s/children", pid, tid) ||
	    !read_big(path, &buf, &len))
		return false;
	for (p = buf;; p = end) {
		unsigned long v = strtoul(p, &end, 10);
		struct proc_ent e;

		if (end == p)
			break;
		if (v && v <= UINT32_MAX && child_ent(c, (uint32_t)v, &e))
			kids_push(k, &e);
	}
	free(buf);
	return true;
}

/* Without children files (CONFIG_PROC_CHILDREN off): every process's stat, once. */
static void procs_build(struct rctx *c)
{
	struct dirent *de;
	struct proc_ent p;
	DIR *d;

	if (c->procs.built)
		return;
	c->procs.built = true;
	if (!(d = opendir(c->root)))
		return;
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name) ||
		    !proc_stat(c, (uint32_t)strtoul(de->d_name, NULL, 10), &p))
			continue;
		c->procs.e = ws_grow(c->procs.e, &c->procs.cap, c->procs.n + 1, sizeof(*c->procs.e));
		c->procs.e[c->procs.n++] = p;
	}
	closedir(d);
}

/* The children of process pid (only_tid: of that thread, when the files say). */
static void children_of(struct rctx *c, uint32_t pid, uint32_t only_tid, struct kids *k)
{
	char path[PATH_N], tid[16];
	struct dirent *de;
	bool files = false;
	size_t i;
	DIR *d;

	if (only_tid) {
		snprintf(tid, sizeof(tid), "%u", only_tid);
		files = task_children(c, pid, tid, k);
	} else if (ppath(path, sizeof(path), c->root, "%u/task", pid) && (d = opendir(path))) {
		while ((de = readdir(d)))
			if (all_digits(de->d_name))
				files |= task_children(c, pid, de->d_name, k);
		closedir(d);
	}
	if (files)
		return;
	procs_build(c);
	for (i = 0; i < c->procs.n; i++)
		if (c->procs.e[i].ppid == pid)
			kids_push(k, &c->procs.e[i]);
}

/* The process a pidfd refers to: its fdinfo "Pid:". */
static long pidfd_pid(const struct rctx *c, uint32_t pid, uint64_t fd)
{
	char path[PATH_N], buf[512];
	unsigned long long v;

	if (!ppath(path, sizeof(path), c->root, "%u/fdinfo/%" PRIu64, pid, fd) ||
	    read_small(path, buf, sizeof(buf)) < 0 || !field_ul(buf, "Pid:", 10, &v))
		return -1;
	return (long)v;
}

/* What wait4/waitid waits for: a pid (> 0), a process group (< 0, as -pgrp), or any (0). */
static long wait_filter(const struct rctx *c, const struct look *w)
{
	int32_t a0 = (int32_t)w->args[0], id = (int32_t)w->args[1];
	struct proc_ent self = { 0, 0, -1, 0 };

	if (w->nr == SC_WAIT4) {
		if (a0 == 0 && proc_stat(c, w->t->tgid, &self))
			return -self.pgrp;
		return a0 == -1 || a0 == 0 ? 0 : a0;
	}
	switch (a0) {		/* idtype: P_ALL 0, P_PID 1, P_PGID 2, P_PIDFD 3 */
	case 1: return id > 0 ? id : 0;
	case 2:
		if (id == 0 && proc_stat(c, w->t->tgid, &self))
			return -self.pgrp;
		return id > 0 ? -id : 0;
	case 3: {
		long p = pidfd_pid(c, w->t->tgid, (uint32_t)id);

		return p > 0 ? p : 0;
	}
	default: return 0;
	}
}

static bool kid_matches(const struct proc_ent *p, long filter)
{
	if (filter > 0)
		return p->pid == (uint32_t)filter;
	if (filter < 0)
		return p->pgrp == -filter || p->pgrp < 0;	/* pgrp unknown: a fake tree */
	return true;
}

static void child_edge(const struct rctx *c, const struct look *w, uint32_t kid,
		       const char *how)
{
	struct holder h = { kid, kid };
	struct ws_edge *e = new_edge(c, w, E_CHILD, S_EXTERNAL);

	if (!e)
		return;
	say(e->object, sizeof(e->object), "child %u", kid);
	set_holder(c, e, h);
	say(e->evidence, sizeof(e->evidence), "%s: child pid %u", how, kid);
}

static void resolve_wait_child(struct rctx *c, const struct look *w)
{
	struct kids k = { NULL, 0, 0 };
	long filter = wait_filter(c, w);
	char how[48], nm[24];
	size_t i, shown = 0, match = 0;
	struct ws_edge *e;

	children_of(c, w->t->tgid, 0, &k);
	say(how, sizeof(how), "%s(%ld) waits for it to end", sc_name(w->nr, nm, sizeof(nm)),
	    filter > 0 ? filter : filter < 0 ? filter : -1L);
	for (i = 0; i < k.n; i++) {
		if (!kid_matches(&k.e[i], filter))
			continue;
		if (match++ < MAX_HOLDERS) {
			child_edge(c, w, k.e[i].pid, how);
			shown++;
		}
	}
	if (match > shown && shown && c->out->n && (e = &c->out->e[c->out->n - 1]))
		say_more(e->evidence, sizeof(e->evidence), " (+%zu more not listed)", match - shown);
	if (!match && (e = unknown(c, w, S_EXTERNAL, "children")))
		say(e->evidence, sizeof(e->evidence), "%s for a child, but none is listed in /proc",
		    sc_name(w->nr, nm, sizeof(nm)));
	free(k.e);
}

/* vfork, or clone(CLONE_VFORK): the parent waits for its newest child to exec or exit. */
static void resolve_vfork(struct rctx *c, const struct look *w)
{
	struct kids k = { NULL, 0, 0 };
	size_t i, best = 0;
	struct ws_edge *e;

	children_of(c, w->t->tgid, w->t->tid, &k);
	for (i = 1; i < k.n; i++)
		if (k.e[i].start >= k.e[best].start)
			best = i;
	if (k.n)
		child_edge(c, w, k.e[best].pid, "vfork: waits until it execs or exits");
	else if ((e = unknown(c, w, S_EXTERNAL, "vfork")))
		say(e->evidence, sizeof(e->evidence), "vfork: the child is not listed in /proc yet");
	free(k.e);
}

/* clone3's flags are the first field of struct clone_args, in memory. */
static bool clone_vforks(const struct rctx *c, const struct look *w)
{
	uint64_t flags;

	if (w->nr == SC_VFORK)
		return true;
	if (w->nr == SC_CLONE)
		return w->args[0] & CLONE_VFORK_FLAG;
	return !mem_read(c, w->t->tgid, w->args[0], &flags, sizeof(flags)) &&
	       (flags & CLONE_VFORK_FLAG);
}

/* ---- sleeps and the rest ---- */

enum tmo { T_NONE, T_ALWAYS, T_PTR, T_MS };

static const struct sleep_kind {
	long nr;
	enum ws_wait_scope scope;	/* with no timeout */
	enum tmo tmo;
	int arg;			/* the timeout argument */
	const char *what;
} sleeps[] = {
	/* A signal comes from outside: a process idle in pause() is not frozen. */
	{ SC_PAUSE, S_EXTERNAL, T_NONE, 0, "sleeps in pause(): only a signal ends it" },
	{ SC_SIGSUSPEND, S_EXTERNAL, T_NONE, 0, "waits for a signal (sigsuspend)" },
	{ SC_SIGTIMEDWAIT, S_EXTERNAL, T_PTR, 2, "waits for a signal (sigtimedwait)" },
	{ SC_NANOSLEEP, S_TIMED, T_ALWAYS, 0, "sleeps in nanosleep()" },
	{ SC_CLOCK_NANOSLEEP, S_TIMED, T_ALWAYS, 0, "sleeps in clock_nanosleep()" },
	{ SC_POLL, S_EXTERNAL, T_MS, 2, "waits in poll() for its fds" },
	{ SC_PPOLL, S_EXTERNAL, T_PTR, 2, "waits in ppoll() for its fds" },
	{ SC_SELECT, S_EXTERNAL, T_PTR, 4, "waits in select() for its fds" },
	{ SC_PSELECT6, S_EXTERNAL, T_PTR, 4, "waits in pselect6() for its fds" },
	{ SC_EPOLL_WAIT, S_EXTERNAL, T_MS, 3, "waits in epoll_wait() for events" },
	{ SC_EPOLL_PWAIT, S_EXTERNAL, T_MS, 3, "waits in epoll_pwait() for events" },
	{ SC_EPOLL_PWAIT2, S_EXTERNAL, T_PTR, 3, "waits in epoll_pwait2() for events" },
	{ SC_IO_GETEVENTS, S_EXTERNAL, T_PTR, 4, "waits for AIO completions (io_getevents)" },
	{ SC_IO_URING_ENTER, S_EXTERNAL, T_NONE, 0, "waits in io_uring_enter()" },
	{ SC_CONNECT, S_EXTERNAL, T_NONE, 0, "waits for a connect() to complete" },
	{ SC_RESTART, S_EXTERNAL, T_NONE, 0,
	  "in restart_syscall: the wait it resumes is not visible" },
};

static void resolve_other(const struct rctx *c, const struct look *w)
{
	char nm[24], obj[32];
	enum ws_wait_scope sc = S_EXTERNAL;
	const struct sleep_kind *k = NULL;
	struct ws_edge *e;
	size_t i;

	for (i = 0; i < sizeof(sleeps) / sizeof(sleeps[0]) && !k; i++)
		if (sleeps[i].nr == w->nr)
			k = &sleeps[i];
	if (k) {
		uint64_t a = w->args[k->arg];

		sc = k->scope;
		/* An int timeout in a register: only the low 32 bits count. */
		if (k->tmo == T_ALWAYS || (k->tmo == T_PTR && a) ||
		    (k->tmo == T_MS && (int32_t)(uint32_t)a >= 0))
			sc = S_TIMED;
	}
	say(obj, sizeof(obj), "%s", sc_name(w->nr, nm, sizeof(nm)));
	if (!(e = unknown(c, w, sc, obj)))
		return;
	if (k)
		say(e->evidence, sizeof(e->evidence), "%s%s", k->what,
		    sc == S_TIMED && k->tmo != T_ALWAYS ? ", with a timeout" : "");
	else
		say(e->evidence, sizeof(e->evidence), "in %s: not resolved", obj);
}

/* ---- one thread ---- */

static void resolve_state(const struct rctx *c, const struct look *w)
{
	struct ws_edge *e = unknown(c, w, S_EXTERNAL, "-");

	if (!e)
		return;
	if (w->rc == WS_PROC_GONE)
		say(e->evidence, sizeof(e->evidence), "thread gone (ended while looking)");
	else if (w->rc != WS_PROC_OK)
		say(e->evidence, sizeof(e->evidence), "its syscall file is unreadable");
	else
		say(e->evidence, sizeof(e->evidence),
		    "no syscall: running, or blocked outside one (a page fault?)");
}

static void resolve_one(struct rctx *c, const struct look *w)
{
	unsigned side;
	struct ws_edge *e;

	if (w->rc != WS_PROC_OK || w->nr < 0)
		return resolve_state(c, w);
	if ((side = fd_side(w->nr)))
		return resolve_fd_wait(c, w, side);
	switch (w->nr) {
	case SC_FUTEX: case SC_FUTEX_WAIT: case SC_FUTEX_WAITV:
		return resolve_futex(c, w);
	case SC_FLOCK:
		return resolve_flock(c, w, true);
	case SC_FCNTL:
		if (w->args[1] == F_SETLKW_CMD || w->args[1] == F_OFD_SETLKW_CMD)
			return resolve_flock(c, w, false);
		if ((e = unknown(c, w, S_EXTERNAL, "fcntl")))
			say(e->evidence, sizeof(e->evidence), "in fcntl(cmd %" PRIu64 "): not resolved",
			    w->args[1]);
		return;
	case SC_WAIT4: case SC_WAITID:
		return resolve_wait_child(c, w);
	case SC_VFORK: case SC_CLONE: case SC_CLONE3:
		if (clone_vforks(c, w))
			return resolve_vfork(c, w);
		break;
	case SC_ACCEPT: case SC_ACCEPT4:
		return resolve_accept(c, w);
	}
	resolve_other(c, w);
}

/* ---- the call ---- */

static bool live_root(const char *root)
{
	return !strcmp(root, "/proc") || !strcmp(root, "/proc/");
}

/* Can we open process pid's mem?  1 yes, 0 no permission, -1 it is not there (a fake tree). */
static int mem_opens(const char *root, uint32_t pid)
{
	char path[PATH_N];
	int fd;

	if (!ppath(path, sizeof(path), root, "%u/mem", pid))
		return -1;
	fd = open_ro(AT_FDCWD, path, 0);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EACCES || errno == EPERM ? 0 : -1;
}

/*
 * Holders are read from other processes' memory: that needs root (ptrace
 * access to every process).  Live, a user other than root is not resolved.
 * A root that cannot open /proc/1/mem (a container without CAP_SYS_PTRACE,
 * Yama, or an init guarded on its own, as on some sandboxes) is not either,
 * unless the processes we look at open: then only their own unreadable
 * words turn into "unknown" edges.  A fake tree is files, read by whoever
 * runs the test.
 */
static bool can_resolve(const char *root, bool live, const struct look *l, size_t n)
{
	enum { PROBES = 8 };
	uint32_t tried[PROBES];
	size_t i, k, ntried = 0;
	bool dup;

	if (live && geteuid() != 0)
		return false;
	if (mem_opens(root, 1) != 0)
		return true;
	for (i = 0; i < n && ntried < PROBES; i++) {
		for (k = 0, dup = false; k < ntried; k++)
			dup |= tried[k] == l[i].t->tgid;
		if (dup)
			continue;
		tried[ntried++] = l[i].t->tgid;
		if (mem_opens(root, l[i].t->tgid) == 1)
			return true;
	}
	return !ntried;		/* nothing blocked: nothing to read */
}

static bool is_blocked(const struct ws_thread *t, uint64_t min_off_ns)
{
	if (t->kthread || !t->tid || !t->tgid)
		return false;
	return (t->blocked || (t->state >= 0 && t->state != R_RUNQ)) && t->off_ns >= min_off_ns;
}

static int look_by_tid(const void *a, const void *b)
{
	const struct look *x = a, *y = b;

	if (x->t->tid != y->t->tid)
		return x->t->tid < y->t->tid ? -1 : 1;
	return (x->t > y->t) - (x->t < y->t);
}

static int look_by_order(const void *a, const void *b)
{
	const struct look *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

/* The blocked threads, each tid once (a snapshot may list a tid twice), in snapshot order. */
static struct look *blocked_threads(const struct ws_snapshot *s, uint64_t min_off_ns, size_t *n)
{
	struct look *l;
	size_t i, k = 0, m = 0;

	for (i = 0; i < s->nthreads; i++)
		k += is_blocked(&s->threads[i], min_off_ns);
	*n = 0;
	if (!k || !(l = calloc(k, sizeof(*l))))
		return NULL;
	for (i = 0, k = 0; i < s->nthreads; i++)
		if (is_blocked(&s->threads[i], min_off_ns))
			l[k++].t = &s->threads[i];
	qsort(l, k, sizeof(*l), look_by_tid);
	for (i = 0; i < k; i++)
		if (!m || l[m - 1].t->tid != l[i].t->tid)
			l[m++] = l[i];
	qsort(l, m, sizeof(*l), look_by_order);
	*n = m;
	return l;
}

/* Does any thread read or write a FIFO?  Then the fd scan must stat path links too. */
static bool any_fifo_wait(const struct rctx *c, const struct look *l, size_t n)
{
	struct fd_target x;
	size_t i;

	for (i = 0; i < n; i++) {
		if (l[i].rc != WS_PROC_OK || l[i].nr < 0 || !fd_side(l[i].nr))
			continue;
		fd_target(c, &l[i], l[i].args[0], &x);
		if (x.fifo)
			return true;
	}
	return false;
}

static void sanitize_edges(struct ws_waits *out, size_t first)
{
	size_t i;

	/* Comms and paths are anybody's bytes: no control character reaches a line or a screen. */
	for (i = first; i < out->n; i++) {
		ws_sanitize(out->e[i].object);
		ws_sanitize(out->e[i].holder_comm);
		ws_sanitize(out->e[i].evidence);
	}
}

static void rctx_free(struct rctx *c)
{
	free(c->fds.e);
	free(c->peers.p);
	free(c->locks.e);
	free(c->procs.e);
}

void ws_resolve_waits(const struct ws_snapshot *s, const char *proc_root, uint64_t min_off_ns,
		      struct ws_waits *out)
{
	struct rctx c;
	struct look *l;
	size_t n, i, first = out->n;
	ssize_t len;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.root = proc_root ? proc_root : "/proc";
	c.live = live_root(c.root);
	c.out = out;
	l = blocked_threads(s, min_off_ns, &n);
	if (!can_resolve(c.root, c.live, l, n)) {
		out->resolved = false;
		say(out->why_not, sizeof(out->why_not), "%s: holders are not resolved",
		    c.live && geteuid() == 0 ? "no access to /proc/PID/mem (EACCES)" : "not root");
		free(l);
		return;
	}
	out->resolved = true;
	out->why_not[0] = '\0';
	if (c.live && (len = readlink("/proc/self/ns/pid", c.self_ns, sizeof(c.self_ns) - 1)) > 0)
		c.self_ns[len] = '\0';
	else
		c.self_ns[0] = '\0';
	for (i = 0; i < n; i++)
		l[i].rc = ws_proc_syscall(c.root, l[i].t->tgid, l[i].t->tid, &l[i].nr, l[i].args);
	c.want_fifos = any_fifo_wait(&c, l, n);
	for (i = 0; i < n; i++)
		resolve_one(&c, &l[i]);
	sanitize_edges(out, first);
	free(l);
	rctx_free(&c);
}
