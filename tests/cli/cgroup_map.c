// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup id -> path map top uses: one walk of the tree answers every
 * row, a cgroup made since is found by one more walk, and a miss rebuilds
 * the map at most once a refresh.  On a directory tree made here.
 *   cgroup_map      prints one "ok"/"not ok" line per check
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../userspace/ws.h"

#define NDIRS 40

static int bad;

static void check(int ok, const char *what)
{
	printf("%s - cgroup map: %s\n", ok ? "ok" : "not ok", what);
	bad |= !ok;
}

static uint64_t ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

int main(void)
{
	char root[] = "/tmp/ws-cgmap-XXXXXX", path[4096], got[4096], young[4200];
	uint64_t ids[NDIRS];
	struct ws_cgroup_map m;
	unsigned long w0;
	int i, right = 1;

	if (!mkdtemp(root))
		return perror("mkdtemp"), 1;
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "%s/%s%d", root, i % 2 ? "a/" : "", i);
		if (i == 1) {
			snprintf(got, sizeof(got), "%s/a", root);
			mkdir(got, 0700);
		}
		mkdir(path, 0700);
		ids[i] = ino(path);
	}
	ws_cgroup_map_init(&m, root);
	w0 = ws_cgroup_walks;
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "%s/%s%d", root, i % 2 ? "a/" : "", i);
		right &= ws_cgroup_map_path(&m, ids[i], got, sizeof(got)) && !strcmp(got, path);
	}
	check(right, "every directory's id gives its path");
	check(ws_cgroup_walks - w0 == 1, "40 lookups walk the tree once");
	check(!ws_cgroup_map_path(&m, 1, got, sizeof(got)) && ws_cgroup_walks - w0 == 1,
	      "a miss right after a walk does not walk again");
	ws_cgroup_map_refresh(&m);
	snprintf(young, sizeof(young), "%s/young", root);
	mkdir(young, 0700);
	check(ws_cgroup_map_path(&m, ino(young), got, sizeof(got)) && !strcmp(got, young) &&
	      ws_cgroup_walks - w0 == 2, "a cgroup made since is found by one more walk");
	check(!ws_cgroup_map_path(&m, 1, got, sizeof(got)) &&
	      !ws_cgroup_map_path(&m, 2, got, sizeof(got)) && ws_cgroup_walks - w0 == 2,
	      "misses rebuild at most once a refresh");
	ws_cgroup_map_refresh(&m);
	check(ws_cgroup_map_path(&m, ids[3], got, sizeof(got)) && ws_cgroup_walks - w0 == 2,
	      "a hit in the next refresh does not walk");
	ws_cgroup_map_free(&m);
	rmdir(young);
	for (i = NDIRS - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/%s%d", root, i % 2 ? "a/" : "", i);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/a", root);
	rmdir(path);
	rmdir(root);
	return bad;
}
