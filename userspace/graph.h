/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The waits-for graph of a snapshot and its edges (waits.h): each blocked
 * thread's chain to its root, the cycles that are deadlocks, and processes
 * frozen in waits only their own threads could end.  Built once, in
 * O(E log E), without recursion: a snapshot may hold 100,000 threads.
 *
 * Nodes are threads, processes (for a holder known only by its pid, such
 * as the writer of a pipe: any of its threads may end the wait) and
 * holders not in the snapshot.  A wait with several holders (a pipe with
 * several writers) ends when any of them acts: a chain follows the first
 * holder in the file's order that does not run into a deadlock, and counts
 * the roots of the others.  A cycle is a deadlock only when nothing in it
 * has a way out (every holder of every wait in it is in it).
 */
#ifndef WS_GRAPH_H
#define WS_GRAPH_H

#include "waits.h"

enum ws_root_kind {
	WS_ROOT_THREAD,		/* a thread that can end the chain: running, runnable,
				   stopped, asleep on nothing anyone holds, or external */
	WS_ROOT_UNKNOWN,	/* the chain stops at a wait whose holder was not found */
	WS_ROOT_GONE,		/* the holder is not in the snapshot */
	WS_ROOT_DEADLOCK,	/* the chain runs into a deadlock (cycle) */
};

struct ws_root {
	enum ws_root_kind kind;
	uint32_t pid, tid;	/* tid 0: a process known by its pid only */
	char comm[64];		/* unescaped */
	char state[16];		/* running, runq, a reason, stopped, unknown, gone, deadlock */
	char why[384];		/* "sleeps in pause() and holds the only write end of pipe:[4411]" */
	unsigned other_roots;	/* roots of the branches not followed (counted per hop) */
	size_t cycle;		/* WS_ROOT_DEADLOCK: ws_graph_cycle(g, cycle) */
};

struct ws_cycle_hop {
	const struct ws_thread *t;
	const struct ws_edge *waits;	/* what it waits for: its edge to the next hop */
	const struct ws_edge *holds;	/* what it holds: the previous hop's edge */
};

struct ws_cycle {
	struct ws_cycle_hop *hop;	/* from its smallest tid, around once */
	size_t n;
	uint32_t *tids;			/* every thread of the deadlock, sorted */
	size_t ntids;
	uint32_t *pids;			/* their processes, sorted */
	size_t npids;
	uint64_t impact_ns;		/* their blocked time, summed */
};

/* One hop of a chain: a thread and the edge it waits on. */
struct ws_hop {
	const struct ws_thread *t;	/* NULL: a holder not in the snapshot (see e) */
	const struct ws_edge *e;	/* followed to the next hop; NULL at the last */
	unsigned nholders;		/* holders of e's object: 2+ where the chain branches */
};

/* A process whose every thread waits on what only its own threads could end. */
struct ws_frozen {
	uint32_t pid;
	uint32_t *tids;
	size_t n;
	uint64_t lo_ns, hi_ns, sum_ns;
};

struct ws_graph;

/* w NULL or not resolved: a graph with no edge.  proc_root: for stopped threads, or NULL. */
struct ws_graph *ws_graph_build(const struct ws_snapshot *s, const struct ws_waits *w,
				const char *proc_root);
void ws_graph_free(struct ws_graph *g);

/* The edges of thread t, in the file's order. */
size_t ws_graph_edges(const struct ws_graph *g, const struct ws_thread *t,
		      const struct ws_edge *const **e);
/* t's root into r (t itself when it waits on no holder); true when t has an edge. */
bool ws_graph_root(const struct ws_graph *g, const struct ws_thread *t, struct ws_root *r);
/* The edge t's chain follows first, or NULL (t is its own root). */
const struct ws_edge *ws_graph_first_edge(const struct ws_graph *g, const struct ws_thread *t);
/*
 * t's chain, allocated (free it): up to its root, or around its deadlock
 * once; or up to the first thread marked in stop (NULL, or one byte per
 * snapshot thread), so that chains that join are walked once.
 */
size_t ws_graph_chain(const struct ws_graph *g, const struct ws_thread *t, const uint8_t *stop,
		      struct ws_hop **hops);
size_t ws_graph_ncycles(const struct ws_graph *g);
const struct ws_cycle *ws_graph_cycle(const struct ws_graph *g, size_t i);
bool ws_graph_in_cycle(const struct ws_graph *g, const struct ws_thread *t);
bool ws_graph_stopped(const struct ws_graph *g, const struct ws_thread *t);
/* Frozen processes (threads blocked >= stuck_ns), allocated, by pid. */
struct ws_frozen *ws_graph_frozen(const struct ws_graph *g, uint64_t stuck_ns, size_t *n);
void ws_frozen_free(struct ws_frozen *f, size_t n);

/* Phrases for sentences: "waits for the mutex 0x4c6140", "holds the only write end of pipe:[4411]". */
bool ws_edge_is_leaf(const struct ws_edge *e);
void ws_edge_waits_phrase(const struct ws_graph *g, const struct ws_edge *e, char *buf, size_t n);
void ws_edge_holds_phrase(const struct ws_graph *g, const struct ws_edge *e, char *buf, size_t n);
/* "thread 902 (worker) of pid 900", "pid 812 (feeder)", "an unknown holder". */
void ws_edge_holder_name(const struct ws_graph *g, const struct ws_edge *e, char *buf, size_t n);
/* "thread 901 (w) holds the mutex 0x1 and waits for the mutex 0x2; thread 902 ...". */
void ws_cycle_text(const struct ws_graph *g, const struct ws_cycle *c, char *buf, size_t n);

#endif
