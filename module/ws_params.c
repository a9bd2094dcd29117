// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameters, and the instance they set.  capacity,
 * futex_capacity and tid_slots are fixed at load; the others mirror the
 * control file, for hosts under lockdown where debugfs files with write
 * bits cannot be opened.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "waitscope.h"
#include "ws_control.h"
#include "ws_params.h"

struct ws_state ws_module = {
	.set = {
		.capacity = WS_DEFAULT_CAPACITY,
		.futex_capacity = WS_DEFAULT_FUTEX_CAP,
		.blocked_min_ms = WS_DEFAULT_BLOCKED_MS,
		.slow_capacity = WS_REC_DEFAULT_CAP,
		.slow_min_us = WS_REC_DEFAULT_MIN_US,
		.exit_events = true,
		.enabled = true,
	},
	.ctl_mutex = __MUTEX_INITIALIZER(ws_module.ctl_mutex),
	.data_rwsem = __RWSEM_INITIALIZER(ws_module.data_rwsem),
};

static int ws_param_u32(const char *val, const char *name, u32 lo, u32 hi, u32 *out)
{
	u32 v;

	if (kstrtou32(val, 0, &v) || v < lo || v > hi) {
		pr_err("%s=%.*s refused: must be a number from %u to %u\n", name,
		       (int)strcspn(val, "\n"), val, lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int ws_set_capacity(const char *val, const struct kernel_param *kp)
{
	return ws_param_u32(val, kp->name, WS_MIN_CAPACITY, WS_MAX_CAPACITY, kp->arg);
}

static int ws_set_tid_slots(const char *val, const struct kernel_param *kp)
{
	if (!strcmp(strim((char *)val), "0")) {
		*(u32 *)kp->arg = 0;
		return 0;
	}
	return ws_param_u32(val, kp->name, WS_MIN_TID_SLOTS, PID_MAX_LIMIT, kp->arg);
}

static int ws_set_enabled(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd;
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("enabled=%.*s refused: must be 0 or 1\n", (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	cmd.op = on ? WS_CMD_ENABLE : WS_CMD_DISABLE;
	return ws_control_param(&ws_module, &cmd);
}

static int ws_set_filter(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd = { .op = WS_CMD_FILTER_OFF };
	u32 v;

	if (ws_param_u32(val, kp->name, 0, PID_MAX_LIMIT - 1, &v))
		return -EINVAL;
	if (v) {
		cmd.op = WS_CMD_FILTER;
		cmd.value = v;
	}
	return ws_control_param(&ws_module, &cmd);
}

static int ws_set_blocked_min(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd = { .op = WS_CMD_BLOCKED_MIN };

	if (ws_param_u32(val, kp->name, 0, WS_BLOCKED_MIN_MAX, &cmd.value))
		return -EINVAL;
	return ws_control_param(&ws_module, &cmd);
}

static int ws_set_slow_capacity(const char *val, const struct kernel_param *kp)
{
	return ws_param_u32(val, kp->name, WS_REC_MIN_CAP, WS_REC_MAX_CAP, kp->arg);
}

static int ws_set_slow_min(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd = { .op = WS_CMD_SLOW_MIN };

	if (ws_param_u32(val, kp->name, 0, WS_REC_MAX_MIN_US, &cmd.value))
		return -EINVAL;
	return ws_control_param(&ws_module, &cmd);
}

static int ws_set_exit_events(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd = { .op = WS_CMD_EXIT_EVENTS };
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("exit_events=%.*s refused: must be 0 or 1\n", (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	cmd.value = on;
	return ws_control_param(&ws_module, &cmd);
}

/* reset=1, slow_reset=1: a write of 1 is the command, anything else is refused. */
static int ws_param_trigger(const char *val, const struct kernel_param *kp, enum ws_cmd_op op)
{
	struct ws_cmd cmd = { .op = op };
	bool on;

	if (kstrtobool(val, &on) || !on) {
		pr_err("%s=%.*s refused: write 1 to reset\n", kp->name, (int)strcspn(val, "\n"),
		       val);
		return -EINVAL;
	}
	return ws_control_param(&ws_module, &cmd);
}

static int ws_set_reset(const char *val, const struct kernel_param *kp)
{
	return ws_param_trigger(val, kp, WS_CMD_RESET);
}

static int ws_set_slow_reset(const char *val, const struct kernel_param *kp)
{
	return ws_param_trigger(val, kp, WS_CMD_SLOW_RESET);
}

static int ws_get_zero(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "0\n");
}

static const struct kernel_param_ops ws_capacity_ops = {
	.set = ws_set_capacity, .get = param_get_uint,
};

static const struct kernel_param_ops ws_tid_slots_ops = {
	.set = ws_set_tid_slots, .get = param_get_uint,
};

static const struct kernel_param_ops ws_enabled_ops = {
	.set = ws_set_enabled, .get = param_get_bool,
};

static const struct kernel_param_ops ws_filter_ops = {
	.set = ws_set_filter, .get = param_get_uint,
};

static const struct kernel_param_ops ws_blocked_min_ops = {
	.set = ws_set_blocked_min, .get = param_get_uint,
};

static const struct kernel_param_ops ws_reset_ops = {
	.set = ws_set_reset, .get = ws_get_zero,
};

static const struct kernel_param_ops ws_slow_capacity_ops = {
	.set = ws_set_slow_capacity, .get = param_get_uint,
};

static const struct kernel_param_ops ws_slow_min_ops = {
	.set = ws_set_slow_min, .get = param_get_uint,
};

static const struct kernel_param_ops ws_exit_events_ops = {
	.set = ws_set_exit_events, .get = param_get_bool,
};

static const struct kernel_param_ops ws_slow_reset_ops = {
	.set = ws_set_slow_reset, .get = ws_get_zero,
};

module_param_cb(capacity, &ws_capacity_ops, &ws_module.set.capacity, 0444);
MODULE_PARM_DESC(capacity, "Threads tracked at most (64..4194304, default 16384; 1 KiB each)");
module_param_cb(futex_capacity, &ws_capacity_ops, &ws_module.set.futex_capacity, 0444);
MODULE_PARM_DESC(futex_capacity, "Futex words tracked at most (64..4194304, default 4096; 56 bytes each)");
module_param_cb(tid_slots, &ws_tid_slots_ops, &ws_module.set.tid_slots, 0444);
MODULE_PARM_DESC(tid_slots, "Tids below this find their entry with one load (0 = pid_max at load, default; 4 bytes each); the rest go through a locked hash");
module_param_cb(enabled, &ws_enabled_ops, &ws_module.set.enabled, 0644);
MODULE_PARM_DESC(enabled, "Tracing on (1, default) or off (0); enabling starts a fresh recording");
module_param_cb(filter_tgid, &ws_filter_ops, &ws_module.set.filter_tgid, 0644);
MODULE_PARM_DESC(filter_tgid, "Track only this process (0 = all, default); a change starts a fresh recording");
module_param_cb(blocked_min_ms, &ws_blocked_min_ops, &ws_module.set.blocked_min_ms, 0644);
MODULE_PARM_DESC(blocked_min_ms, "The blocked file lists threads off CPU at least this long (0..86400000, default 100)");
module_param_cb(reset, &ws_reset_ops, NULL, 0200);
MODULE_PARM_DESC(reset, "Write 1 to forget everything counted");
module_param_cb(slow_capacity, &ws_slow_capacity_ops, &ws_module.set.slow_capacity, 0444);
MODULE_PARM_DESC(slow_capacity, "Events kept per CPU by the recorder (16..65536, default 1024; about 200 bytes each)");
module_param_cb(slow_min_us, &ws_slow_min_ops, &ws_module.set.slow_min_us, 0644);
MODULE_PARM_DESC(slow_min_us, "The recorder keeps every off-CPU interval at least this long (0 = off, up to 3600000000; default 10000)");
module_param_cb(exit_events, &ws_exit_events_ops, &ws_module.set.exit_events, 0644);
MODULE_PARM_DESC(exit_events, "The recorder keeps an event for every thread that exits (1, default) or not (0)");
module_param_cb(slow_reset, &ws_slow_reset_ops, NULL, 0200);
MODULE_PARM_DESC(slow_reset, "Write 1 to forget the recorder's events (their numbering goes on)");

/*
 * pid_max as it is at load, for the size of the tid slots.  The variable is
 * not exported to modules, so it is read as a user reads it; without /proc,
 * every tid the kernel can hand out gets a slot.
 */
u32 ws_read_pid_max(void)
{
	char buf[16] = "";
	struct file *f;
	loff_t pos = 0;
	u32 v;

	f = filp_open("/proc/sys/kernel/pid_max", O_RDONLY, 0);
	if (IS_ERR(f))
		return PID_MAX_LIMIT;
	kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (kstrtou32(strim(buf), 10, &v) || v < WS_MIN_TID_SLOTS || v > PID_MAX_LIMIT)
		return PID_MAX_LIMIT;
	return v;
}
