// SPDX-License-Identifier: GPL-2.0
/*
 * waitscope: per-thread off-CPU and run-queue accounting from scheduler
 * tracepoints, read through debugfs.
 *
 * This file owns the module's life: parameters, init and exit, and the
 * control operations (enable, disable, reset, filter), which run under
 * ws_ctl_mutex.  Probes never take that mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/workqueue.h>
#include <linux/fs.h>
#include <linux/string.h>
#include "waitscope.h"
#include "ws_account.h"
#include "ws_control.h"
#include "ws_probes.h"

struct ws_table ws_threads;
struct ws_futex_table ws_futexes;

u32 ws_capacity = WS_DEFAULT_CAPACITY;
static u32 ws_tid_slots;		/* 0: pid_max at load */
u32 ws_futex_capacity = WS_DEFAULT_FUTEX_CAP;
u32 ws_blocked_min_ms = WS_DEFAULT_BLOCKED_MS;
u32 ws_filter_tgid;
static bool ws_enabled = true;
static bool ws_ready;		/* init finished: parameter writes take effect */

static DEFINE_MUTEX(ws_ctl_mutex);
static DECLARE_RWSEM(ws_data_rwsem);

static void ws_collect_fn(struct work_struct *work);
/*
 * Kicked when a process exits, to free its futex words; and a periodic
 * tick that also frees, a slice at a time, thread entries whose last
 * switch was never seen.
 */
static DECLARE_DELAYED_WORK(ws_collect_kick, ws_collect_fn);
static DECLARE_DELAYED_WORK(ws_collect_tick, ws_collect_fn);
static DEFINE_MUTEX(ws_collect_mutex);

void ws_data_read_lock(void)
{
	down_read(&ws_data_rwsem);
}

void ws_data_read_unlock(void)
{
	up_read(&ws_data_rwsem);
}

bool ws_is_enabled(void)
{
	return READ_ONCE(ws_enabled);
}

static void ws_collect_fn(struct work_struct *work)
{
	bool tick = work == &ws_collect_tick.work;

	mutex_lock(&ws_collect_mutex);
	down_read(&ws_data_rwsem);
	if (tick)
		ws_table_collect(&ws_threads, WS_COLLECT_SLICE);
	ws_futex_collect(&ws_futexes);
	up_read(&ws_data_rwsem);
	mutex_unlock(&ws_collect_mutex);
	if (tick)
		queue_delayed_work(system_wq, &ws_collect_tick, WS_COLLECT_PERIOD_S * HZ);
}

/* From the exit probe: coalesces into one pass a second later. */
void ws_collect_soon(void)
{
	queue_delayed_work(system_wq, &ws_collect_kick, HZ);
}

static int ws_start(void)
{
	int err = ws_probes_attach();

	if (err)
		return err;
	ws_account_sweep();
	queue_delayed_work(system_wq, &ws_collect_tick, WS_COLLECT_PERIOD_S * HZ);
	WRITE_ONCE(ws_enabled, true);
	return 0;
}

static void ws_stop(void)
{
	ws_probes_detach();
	cancel_delayed_work_sync(&ws_collect_tick);
	cancel_delayed_work_sync(&ws_collect_kick);
	WRITE_ONCE(ws_enabled, false);
}

/* Forget all data, then trace again if run.  ws_ctl_mutex held. */
static int ws_restart(bool run)
{
	if (ws_enabled)
		ws_stop();
	down_write(&ws_data_rwsem);
	ws_account_clear();
	up_write(&ws_data_rwsem);
	return run ? ws_start() : 0;
}

static int ws_apply_locked(const struct ws_cmd *cmd)
{
	switch (cmd->op) {
	case WS_CMD_ENABLE:
		return ws_enabled ? 0 : ws_restart(true);
	case WS_CMD_DISABLE:
		if (ws_enabled)
			ws_stop();
		return 0;
	case WS_CMD_RESET:
		return ws_restart(ws_enabled);
	case WS_CMD_FILTER:
	case WS_CMD_FILTER_OFF:
		/* Threads already counted belong to the old filter: start afresh. */
		WRITE_ONCE(ws_filter_tgid, cmd->op == WS_CMD_FILTER ? cmd->value : 0);
		return ws_restart(ws_enabled);
	case WS_CMD_BLOCKED_MIN:
		WRITE_ONCE(ws_blocked_min_ms, cmd->value);
		return 0;
	}
	return -EINVAL;
}

/* Before init (parameters given to insmod) a command only sets its knob. */
static void ws_store_setting(const struct ws_cmd *cmd)
{
	switch (cmd->op) {
	case WS_CMD_ENABLE:
	case WS_CMD_DISABLE:
		ws_enabled = cmd->op == WS_CMD_ENABLE;
		break;
	case WS_CMD_FILTER:
	case WS_CMD_FILTER_OFF:
		ws_filter_tgid = cmd->op == WS_CMD_FILTER ? cmd->value : 0;
		break;
	case WS_CMD_BLOCKED_MIN:
		ws_blocked_min_ms = cmd->value;
		break;
	case WS_CMD_RESET:
		break;
	}
}

int ws_control_apply(const struct ws_cmd *cmd)
{
	int err = -ENODEV;

	mutex_lock(&ws_ctl_mutex);
	if (ws_ready)
		err = ws_apply_locked(cmd);
	mutex_unlock(&ws_ctl_mutex);
	return err;
}

static int ws_param_apply(const struct ws_cmd *cmd)
{
	int err = 0;

	mutex_lock(&ws_ctl_mutex);
	if (ws_ready)
		err = ws_apply_locked(cmd);
	else
		ws_store_setting(cmd);
	mutex_unlock(&ws_ctl_mutex);
	return err;
}

/*
 * Module parameters.  capacity and futex_capacity are fixed at load; the
 * others mirror the control file, for hosts under lockdown where debugfs
 * files with write bits cannot be opened.
 */
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
	return ws_param_apply(&cmd);
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
	return ws_param_apply(&cmd);
}

static int ws_set_blocked_min(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd = { .op = WS_CMD_BLOCKED_MIN };

	if (ws_param_u32(val, kp->name, 0, WS_BLOCKED_MIN_MAX, &cmd.value))
		return -EINVAL;
	return ws_param_apply(&cmd);
}

static int ws_set_reset(const char *val, const struct kernel_param *kp)
{
	struct ws_cmd cmd = { .op = WS_CMD_RESET };
	bool on;

	if (kstrtobool(val, &on) || !on) {
		pr_err("reset=%.*s refused: write 1 to reset\n", (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	return ws_param_apply(&cmd);
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

module_param_cb(capacity, &ws_capacity_ops, &ws_capacity, 0444);
MODULE_PARM_DESC(capacity, "Threads tracked at most (64..4194304, default 16384; 1 KiB each)");
module_param_cb(futex_capacity, &ws_capacity_ops, &ws_futex_capacity, 0444);
MODULE_PARM_DESC(futex_capacity, "Futex words tracked at most (64..4194304, default 4096; 40 bytes each)");
module_param_cb(tid_slots, &ws_tid_slots_ops, &ws_tid_slots, 0444);
MODULE_PARM_DESC(tid_slots, "Tids below this find their entry with one load (0 = pid_max at load, default; 4 bytes each); the rest go through a locked hash");
module_param_cb(enabled, &ws_enabled_ops, &ws_enabled, 0644);
MODULE_PARM_DESC(enabled, "Tracing on (1, default) or off (0); enabling starts a fresh recording");
module_param_cb(filter_tgid, &ws_filter_ops, &ws_filter_tgid, 0644);
MODULE_PARM_DESC(filter_tgid, "Track only this process (0 = all, default); a change starts a fresh recording");
module_param_cb(blocked_min_ms, &ws_blocked_min_ops, &ws_blocked_min_ms, 0644);
MODULE_PARM_DESC(blocked_min_ms, "The blocked file lists threads off CPU at least this long (0..86400000, default 100)");
module_param_cb(reset, &ws_reset_ops, NULL, 0200);
MODULE_PARM_DESC(reset, "Write 1 to forget everything counted");

/*
 * pid_max as it is at load, for the size of the tid slots.  The variable is
 * not exported to modules, so it is read as a user reads it; without /proc,
 * every tid the kernel can hand out gets a slot.
 */
static u32 ws_read_pid_max(void)
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

static int __init ws_init(void)
{
	int err;

	err = ws_probes_resolve();
	if (err)
		return err;
	if (!ws_tid_slots)
		ws_tid_slots = ws_read_pid_max();
	err = ws_table_init(&ws_threads, ws_capacity, ws_tid_slots);
	if (err) {
		pr_err("cannot allocate the thread table (capacity=%u, %zu KiB)\n",
		       ws_capacity, (size_t)ws_capacity * sizeof(struct ws_thread) / 1024);
		return err;
	}
	err = ws_futex_init(&ws_futexes, ws_futex_capacity);
	if (err) {
		pr_err("cannot allocate the futex table (futex_capacity=%u)\n", ws_futex_capacity);
		goto err_threads;
	}
	mutex_lock(&ws_ctl_mutex);
	err = ws_enabled ? ws_start() : 0;
	ws_ready = !err;
	mutex_unlock(&ws_ctl_mutex);
	if (err)
		goto err_futex;
	/*
	 * The files come last: once one can be opened nothing may fail, or the
	 * module would be freed under an open file whose release is its code.
	 */
	ws_debugfs_init();
	pr_info("version %s, tracking up to %u threads (%zu KiB), slots for tids below %u (%u KiB)%s\n",
		WS_VERSION, ws_capacity, (size_t)ws_capacity * sizeof(struct ws_thread) / 1024,
		ws_tid_slots, ws_tid_slots / 256, ws_enabled ? "" : ", disabled");
	return 0;

err_futex:
	ws_futex_destroy(&ws_futexes);
err_threads:
	ws_table_destroy(&ws_threads);
	return err;
}

static void __exit ws_exit(void)
{
	/* The files go first: this waits for every open file operation. */
	ws_debugfs_exit();
	mutex_lock(&ws_ctl_mutex);
	ws_ready = false;
	if (ws_enabled)
		ws_stop();
	mutex_unlock(&ws_ctl_mutex);
	ws_futex_destroy(&ws_futexes);
	ws_table_destroy(&ws_threads);
}

module_init(ws_init);
module_exit(ws_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The waitscope authors");
MODULE_DESCRIPTION("Per-thread blocking and run-queue wait histograms from scheduler tracepoints");
MODULE_VERSION(WS_VERSION);
