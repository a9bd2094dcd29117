/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flight recorder's events as evidence for report's findings: when a
 * starving or hidden-blocking finding's slow waits happened and who caused
 * them (evidence.c).  Between the diagnosis (diagnose.c, which knows
 * nothing of events) and the views (render.c, which only renders).
 */
#ifndef WS_EVIDENCE_H
#define WS_EVIDENCE_H

#include "diagnose.h"
#include "events.h"

/*
 * For each starving finding of fs its threads' run-queue waits in e, for
 * each hidden-blocking one their io and uninterruptible waits, those that
 * ended at or after since_ns (module clock; 0: all the events kept), as
 * the finding's events.  A recorder that is off (slow_min_us=0) adds none.
 */
void ws_evidence_attach(struct ws_findings *fs, const struct ws_snapshot *s,
			const struct ws_events *e, uint64_t since_ns);

#endif
