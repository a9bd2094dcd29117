/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The waits-for graph, the pipeline stage between parse and diagnose: what
 * each blocked thread waits for, and who holds it.
 *
 *   resolve.c  edges from /proc (futex words read from /proc/PID/mem, fds,
 *              /proc/locks, sock_diag, children): read only, never stops,
 *              signals or writes into a process.
 *   graph.c    chains to their root, cycles (deadlock), frozen processes.
 *   waits.c    the edges as text: the snapshot's "waits" file and the
 *              `waitscope waits` table, and its parser.
 */
#ifndef WS_WAITS_H
#define WS_WAITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ws.h"

enum ws_edge_type {
	E_MUTEX_OWNER,		/* glibc mutex: __owner, 8 bytes past the word */
	E_PI_OWNER,		/* FUTEX_LOCK_PI(2): the word's FUTEX_TID_MASK */
	E_RWLOCK_WRITER,	/* glibc rwlock: __cur_writer */
	E_JOIN,			/* pthread_join: the joined thread's tid word */
	E_PIPE,			/* the other end of a pipe or FIFO */
	E_SOCKET,		/* the peer of a unix socket */
	E_FLOCK,		/* flock/fcntl lock holder, from /proc/locks */
	E_CHILD,		/* wait4/waitid, vfork: a child */
	E_UNKNOWN,		/* nothing resolvable: no holder */
	NR_EDGE_TYPES
};

/* Who can end the wait: what the frozen-process rule needs to know. */
enum ws_wait_scope {
	S_PROCESS,		/* only the process's own threads or a signal */
	S_EXTERNAL,		/* something outside: another process, a device, the network */
	S_TIMED,		/* it has a timeout: it ends by itself */
};

/*
 * One edge: tid waits for object, held by holder_tid (0: unknown).  A pipe
 * or lock with several holders is one edge per holder.
 */
struct ws_edge {
	uint32_t tid, pid;		/* the waiter and its process */
	enum ws_edge_type type;
	enum ws_wait_scope scope;
	char object[64];		/* "futex 0x7f...", "rwlock 0x7f...", "pipe:[4411]", "socket:[N]", "file 08:01:1234" */
	uint32_t holder_tid, holder_pid;	/* 0: unknown */
	char holder_comm[32];		/* "" when unknown */
	char evidence[160];		/* how it was found, in plain words */
};

struct ws_waits {
	struct ws_edge *e;
	size_t n, cap;
	bool resolved;		/* false: not root, or offline with no waits file */
	char why_not[128];	/* when not resolved: why, for one note */
};

extern const char *const ws_edge_type_names[NR_EDGE_TYPES];
extern const char *const ws_wait_scope_names[3];

void ws_waits_init(struct ws_waits *w);
void ws_waits_free(struct ws_waits *w);
struct ws_edge *ws_waits_add(struct ws_waits *w);

/*
 * The text form ("waits" in a snapshot directory, `waitscope waits`):
 *   # waitscope waits v1 resolved=1
 *   #    tid     pid type          scope    holder_tid holder_pid holder_comm      object evidence
 * then one row per edge; holder 0 and comm "-" when unknown; comm and
 * object escaped as the module escapes comm (\xHH), evidence the rest of
 * the line.  resolved=0 files carry "# why_not: TEXT" after the header.
 * write: 0, or -1 on an output error.  parse: 0, or -1 with err
 * "waits:LINE: ..." (a truncated or garbled file).
 */
extern const char ws_waits_file[];
int ws_waits_write(FILE *f, const struct ws_waits *w);
int ws_parse_waits(struct ws_waits *w, const char *buf, size_t len, struct ws_err *err);

/* resolve.c: the edges of every thread of s blocked at least min_off_ns. */
void ws_resolve_waits(const struct ws_snapshot *s, const char *proc_root, uint64_t min_off_ns,
		      struct ws_waits *out);

#endif
