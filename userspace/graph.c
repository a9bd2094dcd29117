// SPDX-License-Identifier: GPL-2.0
/*
 * The waits-for graph (see graph.h): nodes and successor lists in arrays,
 * strongly connected components by an iterative Tarjan walk, which hands
 * them out sinks first, so that each node's root is known from its
 * successors' when its component comes out.  No recursion, no per-pair
 * work: O(E log E) in all (the sorts), for 100,000 threads and more.
 */
#include <stdlib.h>
#include <string.h>
#include "graph.h"

/* A successor: the node, and the edge that leads to it (-1: a process's thread). */
struct succ {
	int32_t node, edge;
};

struct ws_graph {
	const struct ws_snapshot *s;
	const struct ws_waits *w;
	size_t nt, np, ng, nn;		/* threads, processes, gone holders, all nodes */
	uint32_t *efirst;		/* nt + 1: each thread's edges in eptr */
	const struct ws_edge **eptr;	/* edges by waiter, in the file's order */
	int32_t *ewaiter;		/* per edge of w: its waiter's thread index, -1 none */
	uint32_t *procs;		/* np distinct tgids, sorted */
	uint32_t *pfirst;		/* np + 1: each process's threads in pthr */
	uint32_t *pthr;			/* thread indexes by (tgid, tid) */
	int32_t *gone_edge;		/* ng: the edge whose holder is not in the snapshot */
	uint32_t *sfirst;		/* nn + 1 */
	struct succ *succ;
	uint8_t *stopped;		/* nt: 0 not looked at, 1 no, 2 stopped */
	int32_t *root;			/* nn: terminal node, or -(cycle + 1) */
	int32_t *via;			/* nn: the successor entry followed, -1 at a root */
	int32_t *root_edge;		/* nn: the edge into the root, -1 none */
	uint32_t *other;		/* nn: roots of branches not followed */
	int32_t *comp;			/* nn: component id */
	uint8_t *in_cycle;		/* nn */
	int32_t *mark;			/* nn scratch, -1 when unused */
	struct ws_cycle *cycles;
	size_t ncycles, cap_cycles;
};

static bool is_blocked(const struct ws_thread *t)
{
	return t->state > R_RUNQ;
}

static size_t thread_ix(const struct ws_graph *g, const struct ws_thread *t)
{
	return (size_t)(t - g->s->threads);
}

static bool has_holder(const struct ws_edge *e)
{
	return e->holder_tid || e->holder_pid;
}

/* ---- building: edges by waiter, threads by process ---- */

/* A counting sort by waiter: stable, so each thread's edges keep the file's order. */
static void edges_by_waiter(struct ws_graph *g)
{
	const struct ws_waits *w = g->w;
	uint32_t *pos;
	size_t i;

	g->efirst = ws_xcalloc(g->nt + 1, sizeof(*g->efirst));
	g->ewaiter = ws_xcalloc(w ? w->n : 0, sizeof(*g->ewaiter));
	g->eptr = ws_xcalloc(w ? w->n : 0, sizeof(*g->eptr));
	for (i = 0; w && i < w->n; i++) {
		const struct ws_thread *t = ws_find_thread(g->s, w->e[i].tid);

		g->ewaiter[i] = t ? (int32_t)thread_ix(g, t) : -1;
		if (t)
			g->efirst[thread_ix(g, t) + 1]++;
	}
	for (i = 0; i < g->nt; i++)
		g->efirst[i + 1] += g->efirst[i];
	pos = ws_xcalloc(g->nt, sizeof(*pos));
	memcpy(pos, g->efirst, g->nt * sizeof(*pos));
	for (i = 0; w && i < w->n; i++)
		if (g->ewaiter[i] >= 0)
			g->eptr[pos[g->ewaiter[i]]++] = &w->e[i];
	free(pos);
}

static const struct ws_snapshot *sort_snap;

static int by_tgid_tid(const void *a, const void *b)
{
	const struct ws_thread *x = &sort_snap->threads[*(const uint32_t *)a];
	const struct ws_thread *y = &sort_snap->threads[*(const uint32_t *)b];

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static void threads_by_process(struct ws_graph *g)
{
	size_t i, np = 0;

	g->pthr = ws_xcalloc(g->nt, sizeof(*g->pthr));
	for (i = 0; i < g->nt; i++)
		g->pthr[i] = (uint32_t)i;
	sort_snap = g->s;
	qsort(g->pthr, g->nt, sizeof(*g->pthr), by_tgid_tid);
	g->procs = ws_xcalloc(g->nt, sizeof(*g->procs));
	g->pfirst = ws_xcalloc(g->nt + 1, sizeof(*g->pfirst));
	for (i = 0; i < g->nt; i++) {
		uint32_t tgid = g->s->threads[g->pthr[i]].tgid;

		if (!np || g->procs[np - 1] != tgid) {
			g->procs[np] = tgid;
			g->pfirst[np++] = (uint32_t)i;
		}
	}
	g->pfirst[np] = (uint32_t)g->nt;
	g->np = np;
}

/* The process node of pid, or -1 when no thread of it is in the snapshot. */
static int32_t process_node(const struct ws_graph *g, uint32_t pid)
{
	const uint32_t *p = g->np ? bsearch(&pid, g->procs, g->np, sizeof(pid), ws_u32_cmp) : NULL;

	return p ? (int32_t)(g->nt + (size_t)(p - g->procs)) : -1;
}

/* /proc/PID/task/TID/stat's state is T or t: stopped, or stopped by a tracer. */
static bool proc_stopped(const char *root, uint32_t pid, uint32_t tid)
{
	char path[4200], buf[512], *paren;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/task/%u/stat", root, pid, tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');	/* the comm may hold ')' itself */
	return paren && paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
}

static void look_stopped(struct ws_graph *g, const char *proc_root, size_t ti)
{
	const struct ws_thread *t = &g->s->threads[ti];

	if (g->stopped[ti])
		return;
	g->stopped[ti] = proc_root && proc_stopped(proc_root, t->tgid, t->tid) ? 2 : 1;
}

/* Who holds what e waits on, as a node: thread, process, or -1 (gone). */
static int32_t holder_node(const struct ws_graph *g, const struct ws_edge *e)
{
	const struct ws_thread *h;

	if (e->holder_tid) {
		h = ws_find_thread(g->s, e->holder_tid);
		return h ? (int32_t)thread_ix(g, h) : -1;
	}
	return process_node(g, e->holder_pid);
}

/* Stopped holders end chains: looked up in /proc once each, holders only. */
static void holders_stopped(struct ws_graph *g, const char *proc_root)
{
	size_t i, k;

	g->stopped = ws_xcalloc(g->nt, sizeof(*g->stopped));
	if (!proc_root)
		return;
	for (i = 0; i < g->efirst[g->nt]; i++) {
		const struct ws_edge *e = g->eptr[i];
		int32_t u;

		if (!has_holder(e) || (u = holder_node(g, e)) < 0)
			continue;
		if ((size_t)u < g->nt) {
			look_stopped(g, proc_root, (size_t)u);
			continue;
		}
		for (k = g->pfirst[u - g->nt]; k < g->pfirst[u - g->nt + 1]; k++)
			look_stopped(g, proc_root, g->pthr[k]);
	}
}

/* A thread whose waits are followed: blocked, and not stopped. */
static bool follows(const struct ws_graph *g, size_t ti)
{
	return is_blocked(&g->s->threads[ti]) && g->stopped[ti] != 2;
}

static int32_t edge_index(const struct ws_graph *g, const struct ws_edge *e)
{
	return (int32_t)(e - g->w->e);
}

/* Successor lists: threads to holders, processes to their threads. */
static void build_successors(struct ws_graph *g)
{
	size_t i, k, n = 0, ng = 0, gone_first;

	for (i = 0; i < g->nt; i++)
		for (k = g->efirst[i]; follows(g, i) && k < g->efirst[i + 1]; k++) {
			n += has_holder(g->eptr[k]);
			ng += has_holder(g->eptr[k]) && holder_node(g, g->eptr[k]) < 0;
		}
	gone_first = g->nt + g->np;
	g->ng = ng;
	g->nn = gone_first + ng;
	n += g->nt;	/* the processes' threads */
	g->succ = ws_xcalloc(n, sizeof(*g->succ));
	g->sfirst = ws_xcalloc(g->nn + 1, sizeof(*g->sfirst));
	g->gone_edge = ws_xcalloc(ng, sizeof(*g->gone_edge));
	n = ng = 0;
	for (i = 0; i < g->nt; i++) {
		g->sfirst[i] = (uint32_t)n;
		for (k = g->efirst[i]; follows(g, i) && k < g->efirst[i + 1]; k++) {
			const struct ws_edge *e = g->eptr[k];
			int32_t u;

			if (!has_holder(e))
				continue;
			u = holder_node(g, e);
			if (u < 0) {
				g->gone_edge[ng] = edge_index(g, e);
				u = (int32_t)(gone_first + ng++);
			}
			g->succ[n++] = (struct succ){ u, edge_index(g, e) };
		}
	}
	for (i = 0; i < g->np; i++) {
		g->sfirst[g->nt + i] = (uint32_t)n;
		for (k = g->pfirst[i]; k < g->pfirst[i + 1]; k++)
			g->succ[n++] = (struct succ){ (int32_t)g->pthr[k], -1 };
	}
	for (i = gone_first; i <= g->nn; i++)
		g->sfirst[i] = (uint32_t)n;
}

/* ---- roots, component by component ---- */

static bool is_deadlock_root(int32_t r)
{
	return r < 0;
}

/*
 * How many roots among v's successors differ from the one followed (those
 * in v's own component lead to its exits, counted there).
 */
static uint32_t other_roots_at(const struct ws_graph *g, size_t v, int32_t chosen)
{
	size_t a = g->sfirst[v], b = g->sfirst[v + 1], k, n = 0, distinct = 0;
	int32_t *r;

	if (b - a < 2)
		return 0;
	r = ws_xcalloc(b - a, sizeof(*r));
	for (k = a; k < b; k++) {
		int32_t u = g->succ[k].node;

		if (g->comp[u] != g->comp[v] && g->root[u] != chosen)
			r[n++] = g->root[u];
	}
	qsort(r, n, sizeof(*r), ws_u32_cmp);	/* any order will do: equal values meet */
	for (k = 0; k < n; k++)
		distinct += !k || r[k] != r[k - 1];
	free(r);
	return (uint32_t)distinct;
}

/* v follows successor entry k, whose node's root is known. */
static void take(struct ws_graph *g, size_t v, size_t k)
{
	int32_t u = g->succ[k].node;

	g->via[v] = (int32_t)k;
	g->root[v] = g->root[u];
	g->root_edge[v] = g->root_edge[u] >= 0 ? g->root_edge[u] : g->succ[k].edge;
	g->other[v] = g->other[u] + other_roots_at(g, v, g->root[u]);
}

/* The first of v's successors outside component c whose root is no deadlock, else the first. */
static int64_t best_exit(const struct ws_graph *g, size_t v, int32_t c)
{
	int64_t first = -1;
	size_t k;

	for (k = g->sfirst[v]; k < g->sfirst[v + 1]; k++) {
		int32_t u = g->succ[k].node;

		if (g->comp[u] == c)
			continue;
		if (!is_deadlock_root(g->root[u]))
			return (int64_t)k;
		if (first < 0)
			first = (int64_t)k;
	}
	return first;
}

static void resolve_single(struct ws_graph *g, size_t v)
{
	int64_t k = best_exit(g, v, g->comp[v]);

	if (k < 0) {
		g->root[v] = (int32_t)v;
		return;
	}
	take(g, v, (size_t)k);
}

static bool component_has_exit(const struct ws_graph *g, const int32_t *mem, size_t m)
{
	size_t i, k;

	for (i = 0; i < m; i++)
		for (k = g->sfirst[mem[i]]; k < g->sfirst[mem[i] + 1]; k++)
			if (g->comp[g->succ[k].node] != g->comp[mem[i]])
				return true;
	return false;
}

/*
 * A cycle with a way out: members with a successor outside take it, the
 * others take a member that has a root, breadth first over the reversed
 * edges inside the component.
 */
static void resolve_exits(struct ws_graph *g, const int32_t *mem, size_t m)
{
	uint32_t *rfirst = ws_xcalloc(m + 1, sizeof(*rfirst)), *rpos;
	struct succ *rev;
	int32_t *queue = ws_xcalloc(m, sizeof(*queue)), c = g->comp[mem[0]];
	size_t i, k, nq = 0, head = 0, nrev = 0;

	for (i = 0; i < m; i++)
		g->mark[mem[i]] = (int32_t)i;
	for (i = 0; i < m; i++)
		for (k = g->sfirst[mem[i]]; k < g->sfirst[mem[i] + 1]; k++)
			if (g->comp[g->succ[k].node] == c)
				rfirst[g->mark[g->succ[k].node] + 1]++, nrev++;
	for (i = 0; i < m; i++)
		rfirst[i + 1] += rfirst[i];
	rev = ws_xcalloc(nrev, sizeof(*rev));
	rpos = ws_xcalloc(m, sizeof(*rpos));
	memcpy(rpos, rfirst, m * sizeof(*rpos));
	for (i = 0; i < m; i++)
		for (k = g->sfirst[mem[i]]; k < g->sfirst[mem[i] + 1]; k++)
			if (g->comp[g->succ[k].node] == c)
				rev[rpos[g->mark[g->succ[k].node]]++] = (struct succ){ mem[i], (int32_t)k };
	for (i = 0; i < m; i++) {
		int64_t e = best_exit(g, (size_t)mem[i], c);

		if (e >= 0) {
			take(g, (size_t)mem[i], (size_t)e);
			queue[nq++] = (int32_t)i;
		}
	}
	while (head < nq) {
		size_t u = (size_t)queue[head++];

		for (k = rfirst[u]; k < rfirst[u + 1]; k++) {
			int32_t p = rev[k].node;

			if (g->via[p] >= 0)
				continue;
			take(g, (size_t)p, (size_t)rev[k].edge);
			queue[nq++] = g->mark[p];
		}
	}
	for (i = 0; i < m; i++)
		g->mark[mem[i]] = -1;
	free(rfirst);
	free(rpos);
	free(rev);
	free(queue);
}

static struct ws_cycle *new_cycle(struct ws_graph *g)
{
	g->cycles = ws_grow(g->cycles, &g->cap_cycles, g->ncycles + 1, sizeof(*g->cycles));
	memset(&g->cycles[g->ncycles], 0, sizeof(g->cycles[0]));
	return &g->cycles[g->ncycles++];
}

static const struct ws_edge *succ_edge(const struct ws_graph *g, int32_t k)
{
	return k >= 0 && g->succ[k].edge >= 0 ? &g->w->e[g->succ[k].edge] : NULL;
}

/* Every thread of the knot, sorted, their processes and time. */
static void cycle_members(struct ws_graph *g, struct ws_cycle *c, const int32_t *mem, size_t m)
{
	size_t i, np = 0;

	c->tids = ws_xcalloc(m, sizeof(*c->tids));
	c->pids = ws_xcalloc(m, sizeof(*c->pids));
	for (i = 0; i < m; i++) {
		const struct ws_thread *t;

		if ((size_t)mem[i] >= g->nt)
			continue;
		t = &g->s->threads[mem[i]];
		c->tids[c->ntids++] = t->tid;
		c->pids[np++] = t->tgid;
		c->impact_ns += t->off_ns;
	}
	qsort(c->tids, c->ntids, sizeof(*c->tids), ws_u32_cmp);
	qsort(c->pids, np, sizeof(*c->pids), ws_u32_cmp);
	for (i = 0; i < np; i++)
		if (!c->npids || c->pids[c->npids - 1] != c->pids[i])
			c->pids[c->npids++] = c->pids[i];
}

/* From the member thread with the smallest tid, along the first successors, to the loop. */
static void cycle_hops(struct ws_graph *g, struct ws_cycle *c, const int32_t *mem, size_t m)
{
	int32_t *seq = ws_xcalloc(m + 1, sizeof(*seq)), v = -1;
	struct ws_cycle_hop *rot;
	size_t i, n = 0, from, best = 0;

	for (i = 0; i < m; i++)
		if ((size_t)mem[i] < g->nt &&
		    (v < 0 || g->s->threads[mem[i]].tid < g->s->threads[v].tid))
			v = mem[i];
	while (g->mark[v] < 0) {
		g->mark[v] = (int32_t)n;
		seq[n++] = v;
		v = g->succ[g->via[v]].node;
	}
	from = (size_t)g->mark[v];
	c->hop = ws_xcalloc(n - from, sizeof(*c->hop));
	for (i = from; i < n; i++) {
		if ((size_t)seq[i] >= g->nt)
			continue;	/* a process: its thread is the next hop */
		c->hop[c->n].t = &g->s->threads[seq[i]];
		c->hop[c->n].waits = succ_edge(g, g->via[seq[i]]);
		if (c->hop[c->n].t->tid < c->hop[best].t->tid)
			best = c->n;
		c->n++;
	}
	for (i = 0; i < n; i++)
		g->mark[seq[i]] = -1;
	free(seq);
	/* From the smallest tid; each holds what the one before waits for. */
	rot = ws_xcalloc(c->n, sizeof(*rot));
	for (i = 0; i < c->n; i++) {
		rot[i] = c->hop[(best + i) % c->n];
		rot[i].holds = c->hop[(best + i + c->n - 1) % c->n].waits;
	}
	free(c->hop);
	c->hop = rot;
}

/* A knot: nothing in it can get out, so nothing in it proceeds: a deadlock. */
static void resolve_knot(struct ws_graph *g, const int32_t *mem, size_t m)
{
	struct ws_cycle *c = new_cycle(g);
	int32_t id = -(int32_t)g->ncycles;
	size_t i;

	for (i = 0; i < m; i++) {
		g->root[mem[i]] = id;
		g->via[mem[i]] = (int32_t)g->sfirst[mem[i]];
		g->in_cycle[mem[i]] = 1;
	}
	cycle_members(g, c, mem, m);
	cycle_hops(g, c, mem, m);
}

static bool self_loop(const struct ws_graph *g, int32_t v)
{
	size_t k;

	for (k = g->sfirst[v]; k < g->sfirst[v + 1]; k++)
		if (g->succ[k].node == v)
			return true;
	return false;
}

static void resolve_component(struct ws_graph *g, const int32_t *mem, size_t m)
{
	if (m == 1 && !self_loop(g, mem[0]))
		resolve_single(g, (size_t)mem[0]);
	else if (component_has_exit(g, mem, m))
		resolve_exits(g, mem, m);
	else
		resolve_knot(g, mem, m);
}

/* Tarjan's algorithm with explicit stacks. */
struct tarjan {
	int32_t *index, *low, *stack, *call;
	uint32_t *pos;
	uint8_t *on;
	size_t nstack, ncall;
	int32_t next, ncomp;
};

static void tarjan_push(struct ws_graph *g, struct tarjan *tj, int32_t v)
{
	tj->index[v] = tj->low[v] = tj->next++;
	tj->stack[tj->nstack++] = v;
	tj->on[v] = 1;
	tj->call[tj->ncall] = v;
	tj->pos[tj->ncall++] = g->sfirst[v];
}

static void tarjan_pop_component(struct ws_graph *g, struct tarjan *tj, int32_t v)
{
	size_t start = tj->nstack, i;

	do
		start--;
	while (tj->stack[start] != v);
	for (i = start; i < tj->nstack; i++) {
		tj->on[tj->stack[i]] = 0;
		g->comp[tj->stack[i]] = tj->ncomp;
	}
	tj->ncomp++;
	resolve_component(g, tj->stack + start, tj->nstack - start);
	tj->nstack = start;
}

static void tarjan_from(struct ws_graph *g, struct tarjan *tj, int32_t r)
{
	tarjan_push(g, tj, r);
	while (tj->ncall) {
		int32_t v = tj->call[tj->ncall - 1], u;

		if (tj->pos[tj->ncall - 1] < g->sfirst[v + 1]) {
			u = g->succ[tj->pos[tj->ncall - 1]++].node;
			if (tj->index[u] < 0)
				tarjan_push(g, tj, u);
			else if (tj->on[u] && tj->index[u] < tj->low[v])
				tj->low[v] = tj->index[u];
			continue;
		}
		if (tj->low[v] == tj->index[v])
			tarjan_pop_component(g, tj, v);
		if (--tj->ncall) {
			int32_t p = tj->call[tj->ncall - 1];

			if (tj->low[v] < tj->low[p])
				tj->low[p] = tj->low[v];
		}
	}
}

static void components(struct ws_graph *g)
{
	struct tarjan tj = { 0 };
	size_t i;

	tj.index = ws_xcalloc(g->nn, sizeof(int32_t));
	tj.low = ws_xcalloc(g->nn, sizeof(int32_t));
	tj.stack = ws_xcalloc(g->nn, sizeof(int32_t));
	tj.call = ws_xcalloc(g->nn, sizeof(int32_t));
	tj.pos = ws_xcalloc(g->nn, sizeof(uint32_t));
	tj.on = ws_xcalloc(g->nn, 1);
	for (i = 0; i < g->nn; i++) {
		tj.index[i] = -1;
		g->via[i] = g->root_edge[i] = g->mark[i] = -1;
	}
	for (i = 0; i < g->nn; i++)
		if (tj.index[i] < 0)
			tarjan_from(g, &tj, (int32_t)i);
	free(tj.index);
	free(tj.low);
	free(tj.stack);
	free(tj.call);
	free(tj.pos);
	free(tj.on);
}

struct ws_graph *ws_graph_build(const struct ws_snapshot *s, const struct ws_waits *w,
				const char *proc_root)
{
	struct ws_graph *g = ws_xcalloc(1, sizeof(*g));

	g->s = s;
	g->w = w && w->resolved ? w : NULL;
	g->nt = s->nthreads;
	edges_by_waiter(g);
	threads_by_process(g);
	holders_stopped(g, proc_root);
	build_successors(g);
	g->root = ws_xcalloc(g->nn, sizeof(*g->root));
	g->via = ws_xcalloc(g->nn, sizeof(*g->via));
	g->root_edge = ws_xcalloc(g->nn, sizeof(*g->root_edge));
	g->other = ws_xcalloc(g->nn, sizeof(*g->other));
	g->comp = ws_xcalloc(g->nn, sizeof(*g->comp));
	g->in_cycle = ws_xcalloc(g->nn, 1);
	g->mark = ws_xcalloc(g->nn, sizeof(*g->mark));
	components(g);
	return g;
}

void ws_graph_free(struct ws_graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->ncycles; i++) {
		free(g->cycles[i].hop);
		free(g->cycles[i].tids);
		free(g->cycles[i].pids);
	}
	free(g->cycles);
	free(g->efirst);
	free(g->eptr);
	free(g->ewaiter);
	free(g->procs);
	free(g->pfirst);
	free(g->pthr);
	free(g->gone_edge);
	free(g->sfirst);
	free(g->succ);
	free(g->stopped);
	free(g->root);
	free(g->via);
	free(g->root_edge);
	free(g->other);
	free(g->comp);
	free(g->in_cycle);
	free(g->mark);
	free(g);
}

/* ---- questions ---- */

static bool known(const struct ws_graph *g, const struct ws_thread *t)
{
	return t && g->nt && t >= g->s->threads && t < g->s->threads + g->nt;
}

size_t ws_graph_edges(const struct ws_graph *g, const struct ws_thread *t,
		      const struct ws_edge *const **e)
{
	size_t i;

	*e = NULL;
	if (!known(g, t))
		return 0;
	i = thread_ix(g, t);
	*e = g->eptr + g->efirst[i];
	return g->efirst[i + 1] - g->efirst[i];
}

size_t ws_graph_ncycles(const struct ws_graph *g)
{
	return g->ncycles;
}

const struct ws_cycle *ws_graph_cycle(const struct ws_graph *g, size_t i)
{
	return i < g->ncycles ? &g->cycles[i] : NULL;
}

bool ws_graph_in_cycle(const struct ws_graph *g, const struct ws_thread *t)
{
	return known(g, t) && g->in_cycle[thread_ix(g, t)];
}

bool ws_graph_stopped(const struct ws_graph *g, const struct ws_thread *t)
{
	return known(g, t) && g->stopped[thread_ix(g, t)] == 2;
}

/* ---- phrases ---- */

/* "futex 0x4c6140", "rwlock 0x4c6140" -> "0x4c6140": the address alone. */
static const char *addr_of(const struct ws_edge *e)
{
	if (!strncmp(e->object, "futex ", 6))
		return e->object + 6;
	return strncmp(e->object, "rwlock ", 7) ? e->object : e->object + 7;
}

static const struct ws_thread *waiter_of(const struct ws_graph *g, const struct ws_edge *e)
{
	int32_t i = g->w && e >= g->w->e && e < g->w->e + g->w->n ? g->ewaiter[e - g->w->e] : -1;

	return i >= 0 ? &g->s->threads[i] : NULL;
}

/* A pipe waiter writing (write, pwrite64, writev, pwritev) waits on the read end. */
static bool writes(const struct ws_graph *g, const struct ws_edge *e)
{
	const struct ws_thread *t = waiter_of(g, e);

	return t && (t->syscall == 1 || t->syscall == 18 || t->syscall == 20 || t->syscall == 296);
}

/* How many holders the waiter of e has for e's object. */
static unsigned holders_of(const struct ws_graph *g, const struct ws_edge *e)
{
	const struct ws_thread *t = waiter_of(g, e);
	const struct ws_edge *const *x;
	size_t n, i;
	unsigned c = 0;

	if (!t)
		return 1;
	n = ws_graph_edges(g, t, &x);
	for (i = 0; i < n; i++)
		c += has_holder(x[i]) && !strcmp(x[i]->object, e->object);
	return c ? c : 1;
}

void ws_edge_waits_phrase(const struct ws_graph *g, const struct ws_edge *e, char *buf, size_t n)
{
	switch (e->type) {
	case E_MUTEX_OWNER: snprintf(buf, n, "waits for the mutex %s", addr_of(e)); break;
	case E_PI_OWNER: snprintf(buf, n, "waits for the PI mutex %s", addr_of(e)); break;
	case E_RWLOCK_WRITER: snprintf(buf, n, "waits for the rwlock %s", addr_of(e)); break;
	case E_JOIN:
		if (e->holder_tid)
			snprintf(buf, n, "waits for thread %u to exit (pthread_join)", e->holder_tid);
		else
			snprintf(buf, n, "waits for a thread to exit (pthread_join on %s)", e->object);
		break;
	case E_PIPE:
		snprintf(buf, n, "waits to %s %s", writes(g, e) ? "write to" : "read from", e->object);
		break;
	case E_FLOCK: snprintf(buf, n, "waits for the lock on %s", e->object); break;
	case E_CHILD:
		if (e->holder_tid || e->holder_pid)
			snprintf(buf, n, "waits for its child %u", e->holder_tid ? e->holder_tid : e->holder_pid);
		else
			snprintf(buf, n, "waits for a child (%s)", e->object);
		break;
	default: snprintf(buf, n, "waits on %s", e->object); break;
	}
}

void ws_edge_holds_phrase(const struct ws_graph *g, const struct ws_edge *e, char *buf, size_t n)
{
	unsigned h = holders_of(g, e);
	const char *end = writes(g, e) ? "read" : "write";

	switch (e->type) {
	case E_MUTEX_OWNER: snprintf(buf, n, "holds the mutex %s", addr_of(e)); break;
	case E_PI_OWNER: snprintf(buf, n, "holds the PI mutex %s", addr_of(e)); break;
	case E_RWLOCK_WRITER: snprintf(buf, n, "holds the rwlock %s for writing", addr_of(e)); break;
	case E_JOIN: snprintf(buf, n, "has not exited (thread %u joins it)", e->tid); break;
	case E_PIPE:
		if (h == 1)
			snprintf(buf, n, "holds the only %s end of %s", end, e->object);
		else
			snprintf(buf, n, "holds a %s end of %s (one of %u holders)", end, e->object, h);
		break;
	case E_SOCKET: snprintf(buf, n, "holds the other end of %s", e->object); break;
	case E_FLOCK: snprintf(buf, n, "holds the lock on %s", e->object); break;
	case E_CHILD: snprintf(buf, n, "is the child thread %u waits for", e->tid); break;
	default: snprintf(buf, n, "holds %s", e->object); break;
	}
}

static const char *comm_of(const struct ws_snapshot *s, const struct ws_thread *t, char *buf,
			   size_t n)
{
	ws_unescape_comm(ws_str(s, t->comm), buf, n);
	return buf;
}

void ws_edge_holder_name(const struct ws_graph *g, const struct ws_edge *e, char *buf, size_t n)
{
	const struct ws_thread *h = NULL;
	char comm[64];

	if (e->holder_tid)
		h = ws_find_thread(g->s, e->holder_tid);
	else if (e->holder_pid)
		h = ws_find_thread(g->s, e->holder_pid);
	if (h && e->holder_tid)
		snprintf(buf, n, "thread %u (%s) of pid %u", h->tid, comm_of(g->s, h, comm, sizeof(comm)),
			 h->tgid);
	else if (e->holder_tid)
		snprintf(buf, n, "thread %u (%s)", e->holder_tid, e->holder_comm[0] ? e->holder_comm : "?");
	else if (e->holder_pid)
		snprintf(buf, n, "pid %u (%s)", e->holder_pid,
			 h ? comm_of(g->s, h, comm, sizeof(comm)) :
			 e->holder_comm[0] ? e->holder_comm : "?");
	else
		snprintf(buf, n, "an unknown holder");
}

/* A sentence names this many threads of a cycle at most. */
#define WS_CYCLE_TEXT_HOPS 8

void ws_cycle_text(const struct ws_graph *g, const struct ws_cycle *c, char *buf, size_t n)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < c->n && o + 1 < n; i++) {
		const struct ws_cycle_hop *h = &c->hop[i];

		if (i == WS_CYCLE_TEXT_HOPS && c->n > WS_CYCLE_TEXT_HOPS + 1) {
			snprintf(buf + o, n - o, "; and %zu more threads, each holding what the next waits for",
				 c->n - i);
			break;
		}
		char comm[64], holds[160] = "holds nothing known", waits[160] = "waits";

		if (h->holds)
			ws_edge_holds_phrase(g, h->holds, holds, sizeof(holds));
		if (h->waits)
			ws_edge_waits_phrase(g, h->waits, waits, sizeof(waits));
		o += (size_t)snprintf(buf + o, n - o, "%sthread %u (%s)", i ? "; " : "", h->t->tid,
				      comm_of(g->s, h->t, comm, sizeof(comm)));
		if (o < n && c->npids > 1)
			o += (size_t)snprintf(buf + o, n - o, " of pid %u", h->t->tgid);
		if (o < n)
			o += (size_t)snprintf(buf + o, n - o, " %s and %s", holds, waits);
	}
}

/* ---- a root in words ---- */

static const char *state_name(const struct ws_graph *g, const struct ws_thread *t)
{
	if (ws_graph_stopped(g, t))
		return "stopped";
	if (t->state == ST_RUNNING)
		return "running";
	if (t->state == ST_UNKNOWN)
		return "unknown";
	return ws_reason_names[t->state];
}

/* The first of t's waits that no holder is known for. */
static const struct ws_edge *holderless_edge(const struct ws_graph *g, const struct ws_thread *t)
{
	const struct ws_edge *const *e;
	size_t n = ws_graph_edges(g, t, &e), i;

	for (i = 0; i < n; i++)
		if (!has_holder(e[i]))
			return e[i];
	return NULL;
}

/*
 * A futex word nobody is known to hold (a condition variable, a semaphore,
 * a lock without an owner field): the one holderless wait that leaves the
 * chain unresolved.  Others (pause(), a sleep, epoll) end the chain at a
 * thread whose own wait is all there is to say.
 */
static bool futex_unowned(const struct ws_edge *e)
{
	return e->scope == S_PROCESS && !strncmp(e->object, "futex", 5);
}

/*
 * A wait on nothing anyone holds (pause(), a sleep, epoll, accept): its
 * evidence is the whole story of the thread at the end of a chain.
 */
bool ws_edge_is_leaf(const struct ws_edge *e)
{
	return e->type == E_UNKNOWN && strncmp(e->object, "futex", 5) &&
	       strncmp(e->object, "file", 4) && strncmp(e->object, "fifo", 4) &&
	       !strchr(e->object, ':');
}

/* A blocked thread with no edge: its reason and syscall say what it does. */
static void own_sleep(const struct ws_thread *t, char *buf, size_t n)
{
	static const char *const verb[NR_REASONS] = {
		[R_FUTEX] = "waits on a futex", [R_IO] = "waits for I/O",
		[R_UNINT] = "is in an uninterruptible sleep", [R_SLEEP] = "sleeps",
	};
	const char *sc = ws_syscall_name(t->syscall);

	if (t->state == R_FUTEX && t->has_futex)
		snprintf(buf, n, "waits on futex 0x%llx", (unsigned long long)t->futex_addr);
	else if (sc)
		snprintf(buf, n, "%s in %s()", verb[t->state], sc);
	else if (t->syscall >= 0)
		snprintf(buf, n, "%s in syscall %d", verb[t->state], t->syscall);
	else
		snprintf(buf, n, "%s", verb[t->state]);
}

/* What the root thread t itself is doing. */
static void own_wait(const struct ws_graph *g, const struct ws_thread *t, char *buf, size_t n)
{
	const struct ws_edge *e;
	char w[128];

	if (ws_graph_stopped(g, t)) {
		snprintf(buf, n, "is stopped (SIGSTOP, job control or a debugger: SIGCONT or the debugger resumes it)");
		return;
	}
	if (!is_blocked(t)) {
		snprintf(buf, n, "%s", t->state == ST_RUNNING ? "is running" :
			 t->state == R_RUNQ ? "is runnable, waiting for a CPU" :
			 "has not been seen switching (state unknown)");
		return;
	}
	e = holderless_edge(g, t);
	if (!e) {
		own_sleep(t, buf, n);
		return;
	}
	if (ws_edge_is_leaf(e)) {
		snprintf(buf, n, "%s", e->evidence);
		return;
	}
	ws_edge_waits_phrase(g, e, w, sizeof(w));
	if (e->scope == S_EXTERNAL)
		snprintf(buf, n, "%s (external: no thread on this host is known to hold it)", w);
	else if (e->scope == S_TIMED)
		snprintf(buf, n, "%s, with a timeout", w);
	else
		snprintf(buf, n, "%s (no holder known)", w);
}

static bool unknown_wait(const struct ws_graph *g, const struct ws_thread *t)
{
	const struct ws_edge *e = holderless_edge(g, t);

	return is_blocked(t) && !ws_graph_stopped(g, t) && e && futex_unowned(e);
}

static void root_deadlock(const struct ws_graph *g, int32_t rv, struct ws_root *r)
{
	const struct ws_cycle *c = &g->cycles[-rv - 1];
	char text[320];

	r->kind = WS_ROOT_DEADLOCK;
	r->cycle = (size_t)(-rv - 1);
	r->pid = c->hop[0].t->tgid;
	r->tid = c->hop[0].t->tid;
	comm_of(g->s, c->hop[0].t, r->comm, sizeof(r->comm));
	snprintf(r->state, sizeof(r->state), "deadlock");
	ws_cycle_text(g, c, text, sizeof(text));
	snprintf(r->why, sizeof(r->why), "a deadlock of %zu thread%s: %s", c->ntids,
		 c->ntids == 1 ? "" : "s", text);
}

static void root_gone(const struct ws_graph *g, int32_t rv, struct ws_root *r)
{
	const struct ws_edge *e = &g->w->e[g->gone_edge[(size_t)rv - g->nt - g->np]];
	char holds[192];

	r->kind = WS_ROOT_GONE;
	r->pid = e->holder_pid;
	r->tid = e->holder_tid;
	snprintf(r->comm, sizeof(r->comm), "%s", e->holder_comm);
	snprintf(r->state, sizeof(r->state), "gone");
	ws_edge_holds_phrase(g, e, holds, sizeof(holds));
	snprintf(r->why, sizeof(r->why), "%s, and is not in the snapshot (it exited, or the module does not track it)",
		 holds);
}

static void root_thread(const struct ws_graph *g, size_t v, int32_t rv, struct ws_root *r)
{
	const struct ws_thread *u = &g->s->threads[rv];
	char own[192], holds[176] = "";

	r->kind = unknown_wait(g, u) ? WS_ROOT_UNKNOWN : WS_ROOT_THREAD;
	r->pid = u->tgid;
	r->tid = u->tid;
	comm_of(g->s, u, r->comm, sizeof(r->comm));
	snprintf(r->state, sizeof(r->state), "%s", state_name(g, u));
	own_wait(g, u, own, sizeof(own));
	if (g->root_edge[v] >= 0)
		ws_edge_holds_phrase(g, &g->w->e[g->root_edge[v]], holds, sizeof(holds));
	snprintf(r->why, sizeof(r->why), "%s%s%s", own, holds[0] ? " and " : "", holds);
}

bool ws_graph_root(const struct ws_graph *g, const struct ws_thread *t, struct ws_root *r)
{
	size_t v;
	int32_t rv;

	memset(r, 0, sizeof(*r));
	if (!known(g, t))
		return false;
	v = thread_ix(g, t);
	rv = g->root[v];
	if (rv < 0)
		root_deadlock(g, rv, r);
	else if ((size_t)rv >= g->nt + g->np)
		root_gone(g, rv, r);
	else
		root_thread(g, v, rv, r);
	r->other_roots = g->other[v];
	return g->efirst[v] != g->efirst[v + 1];
}

/* ---- one thread's chain ---- */

const struct ws_edge *ws_graph_first_edge(const struct ws_graph *g, const struct ws_thread *t)
{
	return known(g, t) ? succ_edge(g, g->via[thread_ix(g, t)]) : NULL;
}

/*
 * The nodes of a deadlock a chain went through: a small open-addressed set
 * (chains that reach no deadlock never loop: their successors lead to
 * roots by construction, and need none).
 */
struct nodeset {
	int32_t *slot;		/* node + 1, 0 free */
	size_t mask, n;
};

static bool nodeset_add(struct nodeset *ns, int32_t v);

static void nodeset_grow(struct nodeset *ns)
{
	struct nodeset old = *ns;
	size_t i;

	ns->mask = old.slot ? old.mask * 2 + 1 : 63;
	ns->slot = ws_xcalloc(ns->mask + 1, sizeof(*ns->slot));
	ns->n = 0;
	for (i = 0; old.slot && i <= old.mask; i++)
		if (old.slot[i])
			nodeset_add(ns, old.slot[i] - 1);
	free(old.slot);
}

/* False when v was in the set already. */
static bool nodeset_add(struct nodeset *ns, int32_t v)
{
	size_t h;

	if (!ns->slot || (ns->n + 1) * 2 > ns->mask + 1)
		nodeset_grow(ns);
	for (h = ((uint32_t)v * 2654435761u) & ns->mask; ns->slot[h]; h = (h + 1) & ns->mask)
		if (ns->slot[h] == v + 1)
			return false;
	ns->slot[h] = v + 1;
	ns->n++;
	return true;
}

static void hops_push(struct ws_hop **hops, size_t *n, size_t *cap, struct ws_hop h)
{
	*hops = ws_grow(*hops, cap, *n + 1, sizeof(**hops));
	(*hops)[(*n)++] = h;
}

size_t ws_graph_chain(const struct ws_graph *g, const struct ws_thread *t, const uint8_t *stop,
		      struct ws_hop **hops)
{
	struct nodeset seen = { 0 };
	size_t n = 0, cap = 16;
	int32_t v;

	*hops = NULL;
	if (!known(g, t))
		return 0;
	*hops = ws_xcalloc(cap, sizeof(**hops));
	for (v = (int32_t)thread_ix(g, t);;) {
		const struct ws_edge *e;
		int32_t k = g->via[v];

		if (g->in_cycle[v] && !nodeset_add(&seen, v))
			break;		/* around the deadlock once */
		if ((size_t)v < g->nt)
			hops_push(hops, &n, &cap, (struct ws_hop){ &g->s->threads[v], NULL, 0 });
		if (k < 0 || ((size_t)v < g->nt && n > 1 && stop && stop[v]))
			break;
		e = succ_edge(g, k);
		if (e) {
			(*hops)[n - 1].e = e;
			(*hops)[n - 1].nholders = holders_of(g, e);
		}
		v = g->succ[k].node;
		if ((size_t)v >= g->nt + g->np) {
			hops_push(hops, &n, &cap, (struct ws_hop){ NULL, e, 0 });
			break;
		}
	}
	free(seen.slot);
	return n;
}

/* ---- frozen processes ---- */

/* The process of whoever holds e: holder_pid, else the holder thread's, else 0. */
static uint32_t holder_process(const struct ws_graph *g, const struct ws_edge *e)
{
	const struct ws_thread *h;

	if (e->holder_pid)
		return e->holder_pid;
	h = e->holder_tid ? ws_find_thread(g->s, e->holder_tid) : NULL;
	return h ? h->tgid : 0;
}

/* A wait only the process's own threads can end: no timeout, nobody outside holds it. */
static bool inside_wait(const struct ws_graph *g, const struct ws_edge *e, uint32_t pid)
{
	if (e->scope == S_TIMED)
		return false;
	if (has_holder(e))
		return holder_process(g, e) == pid;
	return e->scope == S_PROCESS;
}

static bool frozen_thread(const struct ws_graph *g, size_t ti, uint64_t stuck_ns)
{
	const struct ws_thread *t = &g->s->threads[ti];
	size_t k;

	if (!follows(g, ti) || t->off_ns < stuck_ns || g->in_cycle[ti] ||
	    g->efirst[ti] == g->efirst[ti + 1])
		return false;
	for (k = g->efirst[ti]; k < g->efirst[ti + 1]; k++)
		if (!inside_wait(g, g->eptr[k], t->tgid))
			return false;
	return true;
}

static void frozen_fill(const struct ws_graph *g, size_t p, struct ws_frozen *f)
{
	size_t k;

	f->pid = g->procs[p];
	f->n = g->pfirst[p + 1] - g->pfirst[p];
	f->tids = ws_xcalloc(f->n, sizeof(*f->tids));
	f->lo_ns = UINT64_MAX;
	for (k = 0; k < f->n; k++) {
		const struct ws_thread *t = &g->s->threads[g->pthr[g->pfirst[p] + k]];

		f->tids[k] = t->tid;
		f->sum_ns += t->off_ns;
		f->lo_ns = t->off_ns < f->lo_ns ? t->off_ns : f->lo_ns;
		f->hi_ns = t->off_ns > f->hi_ns ? t->off_ns : f->hi_ns;
	}
}

struct ws_frozen *ws_graph_frozen(const struct ws_graph *g, uint64_t stuck_ns, size_t *n)
{
	struct ws_frozen *f = NULL;
	size_t p, k, nf = 0;

	*n = 0;
	for (p = 0; p < g->np; p++) {
		for (k = g->pfirst[p]; k < g->pfirst[p + 1]; k++)
			if (!frozen_thread(g, g->pthr[k], stuck_ns))
				break;
		if (k < g->pfirst[p + 1])
			continue;
		if (!f)
			f = ws_xcalloc(g->np, sizeof(*f));
		frozen_fill(g, p, &f[nf++]);
	}
	*n = nf;
	return f;
}

void ws_frozen_free(struct ws_frozen *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].tids);
	free(f);
}
