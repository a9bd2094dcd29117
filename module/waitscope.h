/* SPDX-License-Identifier: GPL-2.0 */
/* Module-wide settings and the operations the control paths share. */
#ifndef WAITSCOPE_H
#define WAITSCOPE_H

#include <linux/types.h>

#define WS_VERSION		"0.1.0"
#define WS_DEFAULT_CAPACITY	16384
#define WS_DEFAULT_FUTEX_CAP	4096
#define WS_MIN_CAPACITY		64
#define WS_MAX_CAPACITY		4194304U	/* 4 GiB of thread entries */
#define WS_DEFAULT_BLOCKED_MS	100
#define WS_MIN_TID_SLOTS	1024
/*
 * The collector frees entries of threads that vanished unseen: every
 * WS_COLLECT_PERIOD_S it looks at WS_COLLECT_SLICE thread entries (the whole
 * default table every 40 s) and every futex entry.
 */
#define WS_COLLECT_PERIOD_S	5
#define WS_COLLECT_SLICE	2048

extern u32 ws_capacity;
extern u32 ws_futex_capacity;
extern u32 ws_blocked_min_ms;

bool ws_is_enabled(void);
void ws_collect_soon(void);

/* Readers of the tables hold this shared; clearing them holds it exclusive. */
void ws_data_read_lock(void);
void ws_data_read_unlock(void);

int ws_debugfs_init(void);
void ws_debugfs_exit(void);

#endif /* WAITSCOPE_H */
