/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_PROBES_H
#define WS_PROBES_H

#include <linux/tracepoint.h>

enum ws_probe_id {
	WS_P_SWITCH,
	WS_P_WAKING,
	WS_P_WAKEUP,
	WS_P_WAKEUP_NEW,
	WS_P_EXIT,
	WS_P_EXEC,
	WS_NR_PROBES
};

/* The tracepoints, found at load, and which probes are attached now. */
struct ws_probes {
	struct tracepoint *tp[WS_NR_PROBES];
	unsigned long attached;		/* bit per enum ws_probe_id */
};

struct ws_state;

int ws_probes_resolve(struct ws_probes *pr);
int ws_probes_attach(struct ws_state *ws);
void ws_probes_detach(struct ws_state *ws);
unsigned int ws_probes_attached(const struct ws_probes *pr);
bool ws_probe_attached(const struct ws_probes *pr, enum ws_probe_id id);
const char *ws_probe_name(enum ws_probe_id id);

#endif /* WS_PROBES_H */
