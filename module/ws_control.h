/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_CONTROL_H
#define WS_CONTROL_H

#include <linux/types.h>

/* Longest command accepted on the control file, newline included. */
#define WS_CTL_MAX		64
/* blocked_min_ms is at most a day. */
#define WS_BLOCKED_MIN_MAX	(24U * 3600 * 1000)

enum ws_cmd_op {
	WS_CMD_RESET,
	WS_CMD_ENABLE,
	WS_CMD_DISABLE,
	WS_CMD_FILTER,		/* value: tgid */
	WS_CMD_FILTER_OFF,
	WS_CMD_BLOCKED_MIN,	/* value: milliseconds */
	WS_CMD_SLOW_MIN,	/* value: microseconds, 0 = recorder off */
	WS_CMD_SLOW_RESET,
	WS_CMD_EXIT_EVENTS,	/* value: 0 or 1 */
};

struct ws_cmd {
	enum ws_cmd_op op;
	u32 value;
};

struct ws_state;

int ws_control_parse(const char *buf, size_t len, struct ws_cmd *cmd);
bool ws_tgid_valid(u32 tgid);

int ws_control_apply(struct ws_state *ws, const struct ws_cmd *cmd);
int ws_control_param(struct ws_state *ws, const struct ws_cmd *cmd);
int ws_control_begin(struct ws_state *ws);
void ws_control_end(struct ws_state *ws);

#endif /* WS_CONTROL_H */
