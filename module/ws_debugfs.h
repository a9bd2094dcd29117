/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_DEBUGFS_H
#define WS_DEBUGFS_H

struct ws_state;

void ws_debugfs_init(struct ws_state *ws);
void ws_debugfs_exit(struct ws_state *ws);

#endif /* WS_DEBUGFS_H */
