/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_PARAMS_H
#define WS_PARAMS_H

#include <linux/types.h>

struct ws_state;

/*
 * The module's one instance, which its parameters write.  Only init and
 * exit name it; everything else is handed a pointer.
 */
extern struct ws_state ws_module;

u32 ws_read_pid_max(void);

#endif /* WS_PARAMS_H */
