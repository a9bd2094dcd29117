// SPDX-License-Identifier: GPL-2.0
/*
 * Control commands: their parser, and their effect on a running instance.
 * A command is one line:
 *
 *   reset | enable | disable | filter tgid=N | filter off | blocked_min_ms=N |
 *   slow_min_us=N | slow_reset | exit_events=0|1
 *
 * with at most one trailing newline.  Anything else is -EINVAL, and changes
 * nothing.  The parser is pure, so every accepted and refused input can be
 * unit-tested.  Commands take effect under ws->ctl_mutex, which no probe
 * takes; before init finishes (parameters given to insmod) a command only
 * sets its knob.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/threads.h>
#include "waitscope.h"
#include "ws_account.h"
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
	{ "slow_reset", WS_CMD_SLOW_RESET },
};

/* Commands "key=N", N a decimal from 0 to max. */
static const struct {
	const char *prefix;
	enum ws_cmd_op op;
	u32 max;
} ws_value_cmds[] = {
	{ "blocked_min_ms=", WS_CMD_BLOCKED_MIN, WS_BLOCKED_MIN_MAX },
	{ "slow_min_us=", WS_CMD_SLOW_MIN, WS_REC_MAX_MIN_US },
	{ "exit_events=", WS_CMD_EXIT_EVENTS, 1 },
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
	for (i = 0; i < ARRAY_SIZE(ws_value_cmds); i++) {
		size_t n = str_has_prefix(s, ws_value_cmds[i].prefix);

		if (!n)
			continue;
		cmd->op = ws_value_cmds[i].op;
		if (ws_parse_u32(s + n, &cmd->value) || cmd->value > ws_value_cmds[i].max)
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

/* Trace from now on.  ctl_mutex held. */
static int ws_start(struct ws_state *ws)
{
	int err = ws_probes_attach(ws);

	if (err)
		return err;
	ws_sweep(ws);
	ws_collect_start(&ws->collector);
	WRITE_ONCE(ws->set.enabled, true);
	return 0;
}

/* Stop tracing; returns once no probe or collector pass runs. */
static void ws_stop(struct ws_state *ws)
{
	ws_probes_detach(ws);
	ws_collect_stop(&ws->collector);
	WRITE_ONCE(ws->set.enabled, false);
}

/* Forget all data, then trace again if run.  ctl_mutex held. */
static int ws_restart(struct ws_state *ws, bool run)
{
	if (ws->set.enabled)
		ws_stop(ws);
	down_write(&ws->data_rwsem);
	ws_account_clear(ws);
	up_write(&ws->data_rwsem);
	return run ? ws_start(ws) : 0;
}

/*
 * Set a command's knob.  Before init that is all a command does; the
 * knobs that need no restart take effect at once after it.
 */
static void ws_store_setting(struct ws_state *ws, const struct ws_cmd *cmd)
{
	switch (cmd->op) {
	case WS_CMD_ENABLE:
	case WS_CMD_DISABLE:
		ws->set.enabled = cmd->op == WS_CMD_ENABLE;
		break;
	case WS_CMD_FILTER:
	case WS_CMD_FILTER_OFF:
		ws->set.filter_tgid = cmd->op == WS_CMD_FILTER ? cmd->value : 0;
		break;
	case WS_CMD_BLOCKED_MIN:
		WRITE_ONCE(ws->set.blocked_min_ms, cmd->value);
		break;
	case WS_CMD_SLOW_MIN:
		/* The probes read the recorder's copy, in nanoseconds. */
		WRITE_ONCE(ws->set.slow_min_us, cmd->value);
		if (ws->ready)
			ws_rec_set_min_us(&ws->rec, cmd->value);
		break;
	case WS_CMD_EXIT_EVENTS:
		WRITE_ONCE(ws->set.exit_events, cmd->value);
		if (ws->ready)
			WRITE_ONCE(ws->rec.exits, cmd->value);
		break;
	case WS_CMD_RESET:
	case WS_CMD_SLOW_RESET:
		break;
	}
}

static int ws_apply_locked(struct ws_state *ws, const struct ws_cmd *cmd)
{
	switch (cmd->op) {
	case WS_CMD_ENABLE:
		return ws->set.enabled ? 0 : ws_restart(ws, true);
	case WS_CMD_DISABLE:
		if (ws->set.enabled)
			ws_stop(ws);
		return 0;
	case WS_CMD_RESET:
		return ws_restart(ws, ws->set.enabled);
	case WS_CMD_FILTER:
	case WS_CMD_FILTER_OFF:
		/* Threads already counted belong to the old filter: start afresh. */
		WRITE_ONCE(ws->set.filter_tgid, cmd->op == WS_CMD_FILTER ? cmd->value : 0);
		return ws_restart(ws, ws->set.enabled);
	case WS_CMD_BLOCKED_MIN:
	case WS_CMD_SLOW_MIN:
	case WS_CMD_EXIT_EVENTS:
		ws_store_setting(ws, cmd);
		return 0;
	case WS_CMD_SLOW_RESET:
		ws_rec_forget(&ws->rec);
		return 0;
	}
	return -EINVAL;
}

/* A command from the control file: -ENODEV until init has finished. */
int ws_control_apply(struct ws_state *ws, const struct ws_cmd *cmd)
{
	int err = -ENODEV;

	mutex_lock(&ws->ctl_mutex);
	if (ws->ready)
		err = ws_apply_locked(ws, cmd);
	mutex_unlock(&ws->ctl_mutex);
	return err;
}

/* A command from a module parameter: before init it sets the knob only. */
int ws_control_param(struct ws_state *ws, const struct ws_cmd *cmd)
{
	int err = 0;

	mutex_lock(&ws->ctl_mutex);
	if (ws->ready)
		err = ws_apply_locked(ws, cmd);
	else
		ws_store_setting(ws, cmd);
	mutex_unlock(&ws->ctl_mutex);
	return err;
}

/* At init: trace if enabled, and let commands take effect from now on. */
int ws_control_begin(struct ws_state *ws)
{
	int err;

	mutex_lock(&ws->ctl_mutex);
	/* Knobs a parameter write set while init ran. */
	ws_rec_set_min_us(&ws->rec, ws->set.slow_min_us);
	WRITE_ONCE(ws->rec.exits, ws->set.exit_events);
	err = ws->set.enabled ? ws_start(ws) : 0;
	ws->ready = !err;
	mutex_unlock(&ws->ctl_mutex);
	return err;
}

/* At exit: no command takes effect any more, and tracing stops. */
void ws_control_end(struct ws_state *ws)
{
	mutex_lock(&ws->ctl_mutex);
	ws->ready = false;
	if (ws->set.enabled)
		ws_stop(ws);
	mutex_unlock(&ws->ctl_mutex);
}
