// SPDX-License-Identifier: GPL-2.0
/*
 * The waits-for edges: the list resolve.c fills and graph.c reads, and the
 * names the waits file and the table print for edge types and scopes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "waits.h"

const char *const ws_edge_type_names[NR_EDGE_TYPES] = {
	[E_MUTEX_OWNER] = "mutex-owner",
	[E_PI_OWNER] = "pi-owner",
	[E_RWLOCK_WRITER] = "rwlock-writer",
	[E_JOIN] = "join",
	[E_PIPE] = "pipe",
	[E_SOCKET] = "socket",
	[E_FLOCK] = "flock",
	[E_CHILD] = "child",
	[E_UNKNOWN] = "unknown",
};

const char *const ws_wait_scope_names[3] = {
	[S_PROCESS] = "process",
	[S_EXTERNAL] = "external",
	[S_TIMED] = "timed",
};

void ws_waits_init(struct ws_waits *w)
{
	memset(w, 0, sizeof(*w));
}

void ws_waits_free(struct ws_waits *w)
{
	free(w->e);
	ws_waits_init(w);
}

/* A zeroed edge at the end of the list; NULL when memory runs out. */
struct ws_edge *ws_waits_add(struct ws_waits *w)
{
	struct ws_edge *e;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;

		if (cap > SIZE_MAX / sizeof(*e))
			return NULL;
		e = realloc(w->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		w->e = e;
		w->cap = cap;
	}
	e = &w->e[w->n++];
	memset(e, 0, sizeof(*e));
	return e;
}
