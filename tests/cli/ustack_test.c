// SPDX-License-Identifier: GPL-2.0
/*
 * ws_ustack_read (userspace/ustack.c) on threads blocked for real, with
 * known answers: a thread that calls ust_outer < ust_middle < ust_inner
 * (noinline, in this file) and blocks there in pthread_mutex_lock on a
 * mutex main holds, or in read() on a pipe nobody writes.  Its stack is
 * read from outside, as waitscope does, and must name the three functions
 * in order, below libc's frames.  Built at -O2 and -O0 by check.sh (at
 * -O0 the functions keep frame pointers: CFA from rbp).  Then the
 * answers for what it cannot know: a thread that runs (not blocked), one
 * that is gone, a pid that is no process, and a garbled object file.
 * Last, a finding's "where:" for a thread whose stack cannot be read now
 * comes from the stack kept earlier in its wait (watch's known_ustack).
 * Prints one "ok"/"not ok" line per check; exits 1 if one failed.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#ifndef UST_OPT
#define UST_OPT "?"
#endif
#include "../../userspace/diagnose.h"
#include "../../userspace/uelf.h"
#include "../../userspace/ustack.h"
#include "../../userspace/ws.h"
#define TAP_PREFIX "ustack (" UST_OPT ")"
#include "tap.h"

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int pipe_fd[2];
static atomic_int tid_of[2];
static atomic_int spin_stop;

/*
 * Each keeps a frame of its own: the call is not the last thing it does.
 * GCC may still clone them (ust_inner.isra.0): the names are compared up
 * to the clone's suffix, as uframe= rules match them.
 */
#ifdef __clang__
#define UST_KEEP __attribute__((noinline))
#else
#define UST_KEEP __attribute__((noinline, noclone))
#endif

UST_KEEP static int ust_inner(int how)
{
	char c;
	int r = 0;

	tid_of[how] = (int)syscall(SYS_gettid);
	if (how == 0)
		r = pthread_mutex_lock(&held);
	else
		r = (int)read(pipe_fd[0], &c, 1);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

UST_KEEP static int ust_middle(int how)
{
	int r = ust_inner(how);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

UST_KEEP static int ust_outer(int how)
{
	int r = ust_middle(how);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static void *blocker(void *arg)
{
	ust_outer((int)(long)arg);
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	tid_of[0] = (int)syscall(SYS_gettid);
	while (!spin_stop)
		;
	return NULL;
}

/* Until the thread is in syscall nr (its syscall line shows it). */
static void wait_blocked(int tid, long want)
{
	int i;

	for (i = 0; i < 500; i++) {
		long nr;
		uint64_t sp, pc;

		if (ws_proc_user_regs("/proc", (uint32_t)getpid(), (uint32_t)tid, &nr, &sp, &pc) ==
		    WS_PROC_OK && nr == want)
			return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

static int frame_at(const struct ws_ustack *st, const char *func)
{
	unsigned i;

	for (i = 0; i < st->n; i++)
		if (!strncmp(st->f[i].func, func, strlen(func)) &&
		    (!st->f[i].func[strlen(func)] || st->f[i].func[strlen(func)] == '.'))
			return (int)i;
	return -1;
}

/*
 * Whether the object holding frame f is stripped but has its debug file
 * installed (libc6-dbg for Debian's libc): then its frames must be named.
 */
static bool debug_file_for(const struct ws_uframe *f)
{
	char path[512], hex[129];
	const uint8_t *id;
	struct ws_uelf *e;
	size_t len, i;
	bool there = false;
	int fd;

	fd = strcmp(f->obj, "libc.so.6") ? -1 : open("/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY);
	e = fd >= 0 ? ws_uelf_open(fd) : NULL;
	if (e && !ws_uelf_has_symtab(e) && ws_uelf_build_id(e, &id, &len) && len < 64) {
		for (i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
		there = access(path, R_OK) == 0;
	}
	ws_uelf_close(e);
	return there;
}

static void check_blocked(struct ws_uwalker *w, int how, const char *what)
{
	struct ws_ustack st;
	enum ws_ustack_rc rc;
	char text[2048];
	int in, mid, out;

	wait_blocked(tid_of[how], how == 0 ? SYS_futex : SYS_read);
	rc = ws_ustack_read(w, (uint32_t)getpid(), (uint32_t)tid_of[how], &st);
	ws_ustack_format(&st, true, text, sizeof(text));
	printf("# %s: thread %d: %s\n", what, tid_of[how], text);
	check(rc == WS_USTACK_OK, "%s: the blocked thread's stack is read (rc %d)", what, rc);
	in = frame_at(&st, "ust_inner");
	mid = frame_at(&st, "ust_middle");
	out = frame_at(&st, "ust_outer");
	check(in > 0 && mid == in + 1 && out == mid + 1,
	      "%s: ust_inner < ust_middle < ust_outer, in order, below the libc frames", what);
	check(out >= 0 && frame_at(&st, "blocker") == out + 1,
	      "%s: ust_outer's caller is blocker", what);
	if (out >= 0 && (unsigned)out + 2 < st.n && debug_file_for(&st.f[out + 2]))
		check(!strcmp(st.f[out + 2].func, "start_thread"),
		      "%s: libc's debug file (by build id) names blocker's caller start_thread", what);
	else
		printf("skip - ustack (" UST_OPT "): %s: libc's frames named from its debug file (not stripped, or no libc6-dbg)\n",
		       what);
	check(st.cut == NULL, "%s: the walk ends at the outermost frame (cut: %s)", what,
	      st.cut ? st.cut : "no");
	check(ws_ustack_match(&st, "ust_mid*") && ws_ustack_match(&st, "ust_outer") &&
	      !ws_ustack_match(&st, "ust_none*") && !ws_ustack_match(&st, "ust_oute"),
	      "%s: frame globs match ust_middle and ust_outer and nothing that is not there", what);
}

static void check_not_blocked(struct ws_uwalker *w)
{
	struct ws_ustack st;
	pthread_t t;
	int tid, i;
	enum ws_ustack_rc rc = WS_USTACK_OK;

	tid_of[0] = 0;
	pthread_create(&t, NULL, spinner, NULL);
	while (!tid_of[0])
		;
	tid = tid_of[0];
	/* It runs: its syscall line says "running" or "-1 sp pc", never a stack. */
	for (i = 0; i < 20 && rc != WS_USTACK_NOT_BLOCKED; i++)
		rc = ws_ustack_read(w, (uint32_t)getpid(), (uint32_t)tid, &st);
	check(rc == WS_USTACK_NOT_BLOCKED && st.n == 0, "a spinning thread has no blocked stack");
	spin_stop = 1;
	pthread_join(t, NULL);
	/* The join's wakeup comes before the kernel reaps the thread: give it a moment. */
	for (i = 0; i < 100; i++) {
		rc = ws_ustack_read(w, (uint32_t)getpid(), (uint32_t)tid, &st);
		if (rc == WS_USTACK_GONE || st.n)
			break;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	check(rc == WS_USTACK_GONE && st.n == 0, "a joined thread is gone");
	rc = ws_ustack_read(w, 0x7ffffffe, 0x7ffffffe, &st);
	check(rc == WS_USTACK_GONE, "no such process is gone");
}

static unsigned known_calls;

static bool known_stub(void *arg, uint32_t tid, struct ws_ustack *st)
{
	known_calls++;
	if (tid != *(uint32_t *)arg)
		return false;
	memset(st, 0, sizeof(*st));
	st->n = 1;
	st->f[0].pc = 0x401000;
	snprintf(st->f[0].func, sizeof(st->f[0].func), "kept_frame");
	return true;
}

/* ws_finding_where: the stack read now first, the kept one when it is gone. */
static void check_known(struct ws_uwalker *w)
{
	uint32_t gone = 0x7ffffffe, live = (uint32_t)tid_of[0];
	struct ws_opts o = { .uw = w, .known_ustack = known_stub, .known_arg = &gone };
	struct ws_findings fs = { 0 };
	struct ws_finding *f;

	f = ws_finding_add(&fs, K_STUCK, (uint32_t)getpid(), 1);
	f->ntids = 1;
	f->tids = ws_xcalloc(1, sizeof(*f->tids));
	f->tids[0] = gone;
	ws_finding_where(f, &o);
	check(f->ustack && f->ustack_tid == gone && f->ustack->n == 1 &&
	      !strcmp(f->ustack->f[0].func, "kept_frame"),
	      "a thread whose wait ended gets the stack kept from that wait");
	free(f->ustack);
	f->ustack = NULL;
	o.known_ustack = NULL;
	ws_finding_where(f, &o);
	check(!f->ustack, "without a kept stack, a thread that is gone has none");
	/* A thread blocked now: its stack is read, the kept one not asked for. */
	o.known_ustack = known_stub;
	o.known_arg = &live;
	known_calls = 0;
	f->tids[0] = live;
	ws_finding_where(f, &o);
	check(f->ustack && frame_at(f->ustack, "blocker") >= 0 && !known_calls,
	      "a thread blocked now gets the stack read now");
	ws_findings_free(&fs);
}

/* Looks up pcs where text is (PIE from 0, static from 0x400000), and far off: no fault. */
static void poke(const struct ws_uelf *e)
{
	static const uint64_t base[] = { 0, 0x400000 };
	struct ws_cfi_row row;
	const char *name;
	uint64_t addr, pc;
	unsigned b;

	for (b = 0; b < 2; b++)
		for (pc = base[b]; pc < base[b] + 0x40000; pc += 13) {
			ws_uelf_symbol(e, pc, &name, &addr);
			ws_uelf_cfi(e, pc, &row);
		}
	ws_uelf_cfi(e, ~0ULL, &row);
	ws_uelf_symbol(e, ~0ULL, &name, &addr);
}

/*
 * Garbled objects: this program's own file with one byte in a hundred
 * past the ELF header replaced (symbols, .eh_frame, section headers all
 * get hit), five ways; then only its first 4 KiB.  Each is refused or
 * opened and looked up without a fault (ASan watches the reads).
 */
static void check_garbled(void)
{
	static char buf[16 << 20];
	char path[] = "/tmp/ustack-garbled-XXXXXX";
	int self = open("/proc/self/exe", O_RDONLY), fd, round, ok = 1, opened = 0;
	ssize_t n = self >= 0 ? read(self, buf, sizeof(buf)) : -1;
	struct ws_uelf *e;

	if (self >= 0)
		close(self);
	if (n <= 4096) {
		check(0, "garbled objects: this program's file is readable");
		return;
	}
	srand(7);
	for (round = 0; round <= 5; round++) {
		ssize_t i, len = round == 5 ? 4096 : n;

		fd = mkstemp(path);
		if (fd < 0) {
			ok = 0;
			break;
		}
		for (i = 64; round < 5 && i < n; i++)
			if (rand() % 100 == 0)
				buf[i] = (char)rand();
		ok &= write(fd, buf, (size_t)len) == len;
		unlink(path);
		memcpy(path + sizeof(path) - 7, "XXXXXX", 6);
		e = ws_uelf_open(fd);
		if (e) {
			opened++;
			poke(e);
			ws_uelf_close(e);
		}
	}
	printf("# garbled objects: %d of 6 opened\n", opened);
	check(ok, "garbled objects are refused or looked up without a fault");
	fd = open("/dev/null", O_RDONLY);
	check(ws_uelf_open(fd) == NULL, "an empty file is no object");
}

int main(void)
{
	struct ws_uwalker *w = ws_uwalker_new("/proc");
	pthread_t t[2];

	if (pipe(pipe_fd))
		return 1;
	pthread_mutex_lock(&held);
	pthread_create(&t[0], NULL, blocker, (void *)0L);
	pthread_create(&t[1], NULL, blocker, (void *)1L);
	while (!tid_of[0] || !tid_of[1])
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	check_blocked(w, 0, "pthread_mutex_lock");
	check_blocked(w, 1, "read on a pipe");
	check_known(w);
	pthread_mutex_unlock(&held);
	if (write(pipe_fd[1], "x", 1) != 1)
		return 1;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	check_not_blocked(w);
	check_garbled();
	ws_uwalker_free(w);
	return tap_bad;
}
