/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_TOP_H
#define WS_TOP_H

#include "events.h"

/* src: where the current snapshot's events file is (the SLOW column). */
int ws_cmd_top(int argc, char **argv, const struct ws_source *src);
/* Where cgroup ids are resolved to paths; NULL when reading a snapshot. */
extern const char *ws_top_cgroup_root;
/* main.c: read the current source (debugfs or --debugfs DIR); 0 or exit status. */
int ws_load(struct ws_snapshot *s);

#endif
