// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of control commands, kept apart from their effect so that every
 * accepted and refused input can be unit-tested.  A command is one line:
 *
 *   reset | enable | disable | filter tgid=N | filter off | blocked_min_ms=N
 *
 * with at most one trailing newline.  Anything else is -EINVAL.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/threads.h>
#include "ws_control.h"

bool ws_tgid_valid(u32 tgid)
{
	return tgid > 0 && tgid < PID_MAX_LIMIT;
}

/* A decimal u32 made of digits only: no sign, no space, no base prefix. */
static int ws_parse_u32(const char *s, u32 *val)
{
	if (!isdigit(*s))
		return -EINVAL;
	return kstrtou32(s, 10, val);
}

static const struct {
	const char *word;
	enum ws_cmd_op op;
} ws_plain_cmds[] = {
	{ "reset", WS_CMD_RESET },
	{ "enable", WS_CMD_ENABLE },
	{ "disable", WS_CMD_DISABLE },
	{ "filter off", WS_CMD_FILTER_OFF },
};

static int ws_parse_line(const char *s, struct ws_cmd *cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ws_plain_cmds); i++) {
		if (!strcmp(s, ws_plain_cmds[i].word)) {
			cmd->op = ws_plain_cmds[i].op;
			cmd->value = 0;
			return 0;
		}
	}
	if (str_has_prefix(s, "filter tgid=")) {
		cmd->op = WS_CMD_FILTER;
		if (ws_parse_u32(s + strlen("filter tgid="), &cmd->value) ||
		    !ws_tgid_valid(cmd->value))
			return -EINVAL;
		return 0;
	}
	if (str_has_prefix(s, "blocked_min_ms=")) {
		cmd->op = WS_CMD_BLOCKED_MIN;
		if (ws_parse_u32(s + strlen("blocked_min_ms="), &cmd->value) ||
		    cmd->value > WS_BLOCKED_MIN_MAX)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/* Parse len bytes of buf (not NUL-terminated) into cmd. */
int ws_control_parse(const char *buf, size_t len, struct ws_cmd *cmd)
{
	char line[WS_CTL_MAX + 1];
	struct ws_cmd parsed;
	int err;

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(line) || memchr(buf, '\0', len) ||
	    memchr(buf, '\n', len))
		return -EINVAL;
	memcpy(line, buf, len);
	line[len] = '\0';
	err = ws_parse_line(line, &parsed);
	if (!err)
		*cmd = parsed;
	return err;
}
