// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 ids (the kernfs inode number the module records) back to paths
 * under the unified hierarchy, and their CPU throttling from cpu.stat.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ws.h"

unsigned long ws_cgroup_walks;

static uint64_t want_id;
static char found[4096];

static int walk(const char *root, int (*fn)(const char *, const struct stat *, int, struct FTW *))
{
	ws_cgroup_walks++;
	return nftw(root, fn, 32, FTW_PHYS | FTW_MOUNT);
}

static int match(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_D && (uint64_t)st->st_ino == want_id) {
		snprintf(found, sizeof(found), "%s", path);
		return 1;
	}
	return 0;
}

/* The directory of cgroup id under root, or false. */
bool ws_cgroup_path(const char *root, uint64_t id, char *buf, size_t n)
{
	if (!root || !id)
		return false;
	want_id = id;
	found[0] = '\0';
	if (walk(root, match) != 1)
		return false;
	snprintf(buf, n, "%s", found);
	return true;
}

/* ---- every cgroup under a root at once, for a view with many rows ---- */

static struct ws_cgroup_map *filling;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return q;
}

static int collect(const char *path, const struct stat *st, int type, struct FTW *f)
{
	struct ws_cgroup_map *m = filling;
	size_t len = strlen(path) + 1;

	(void)f;
	if (type != FTW_D)
		return 0;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->e = xrealloc(m->e, m->cap * sizeof(*m->e));
	}
	if (m->npaths + len > m->cap_paths) {
		while (m->npaths + len > m->cap_paths)
			m->cap_paths = m->cap_paths ? m->cap_paths * 2 : 16384;
		m->paths = xrealloc(m->paths, m->cap_paths);
	}
	memcpy(m->paths + m->npaths, path, len);
	m->e[m->n].id = (uint64_t)st->st_ino;
	m->e[m->n++].off = m->npaths;
	m->npaths += len;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ws_cgroup_ent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void map_build(struct ws_cgroup_map *m)
{
	m->n = m->npaths = 0;
	filling = m;
	walk(m->root, collect);
	filling = NULL;
	qsort(m->e, m->n, sizeof(*m->e), ent_cmp);
	m->built = m->fresh = true;
}

static const char *map_find(const struct ws_cgroup_map *m, uint64_t id)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->e[lo].id == id ? m->paths + m->e[lo].off : NULL;
}

void ws_cgroup_map_init(struct ws_cgroup_map *m, const char *root)
{
	memset(m, 0, sizeof(*m));
	m->root = root;
}

/* A new refresh: the map stands, but one miss may rebuild it again. */
void ws_cgroup_map_refresh(struct ws_cgroup_map *m)
{
	m->fresh = false;
}

/*
 * The directory of cgroup id, from one walk of the tree kept across
 * lookups; an id not in it (a cgroup made since) rebuilds the map at most
 * once a refresh.
 */
bool ws_cgroup_map_path(struct ws_cgroup_map *m, uint64_t id, char *buf, size_t n)
{
	const char *p;

	if (!m->root || !id)
		return false;
	if (!m->built)
		map_build(m);
	p = map_find(m, id);
	if (!p && !m->fresh) {
		map_build(m);
		p = map_find(m, id);
	}
	if (!p)
		return false;
	snprintf(buf, n, "%s", p);
	return true;
}

void ws_cgroup_map_free(struct ws_cgroup_map *m)
{
	free(m->e);
	free(m->paths);
	ws_cgroup_map_init(m, m->root);
}

/* nr_throttled and throttled_usec of the cgroup at path (0 when absent). */
void ws_cgroup_throttling(const char *path, uint64_t *nr, uint64_t *usec)
{
	char file[4200], key[64];
	unsigned long long v;
	FILE *f;

	*nr = *usec = 0;
	snprintf(file, sizeof(file), "%s/cpu.stat", path);
	f = fopen(file, "r");
	if (!f)
		return;
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strcmp(key, "nr_throttled"))
			*nr = v;
		else if (!strcmp(key, "throttled_usec"))
			*usec = v;
	}
	fclose(f);
}

/* The cgroup's cpu.max as "QUOTA PERIOD (N CPUs)", false when unlimited or unreadable. */
bool ws_cgroup_cpu_max(const char *path, char *buf, size_t n)
{
	char file[4200], quota[32];
	unsigned long long q, period;
	FILE *f;
	int got;

	snprintf(file, sizeof(file), "%s/cpu.max", path);
	f = fopen(file, "r");
	if (!f)
		return false;
	got = fscanf(f, "%31s %llu", quota, &period);
	fclose(f);
	if (got != 2 || !strcmp(quota, "max") || sscanf(quota, "%llu", &q) != 1 || !period)
		return false;
	snprintf(buf, n, "%llu %llu, %.2g CPUs", q, period, (double)q / (double)period);
	return true;
}
