// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 ids (the kernfs inode number the module records) back to paths
 * under the unified hierarchy, and their CPU throttling from cpu.stat.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "ws.h"

static uint64_t want_id;
static char found[4096];

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
	if (nftw(root, match, 32, FTW_PHYS | FTW_MOUNT) != 1)
		return false;
	snprintf(buf, n, "%s", found);
	return true;
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
