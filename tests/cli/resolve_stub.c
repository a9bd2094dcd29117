// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for userspace/resolve.c in builds of the graph and output
 * side made before resolve.c exists: it resolves nothing, and says so.
 * Link it instead of resolve.c, never beside it.
 */
#include <stdio.h>
#include "../../userspace/waits.h"

void ws_resolve_waits(const struct ws_snapshot *s, const char *proc_root, uint64_t min_off_ns,
		      struct ws_waits *out)
{
	(void)s;
	(void)proc_root;
	(void)min_off_ns;
	out->n = 0;
	out->resolved = false;
	snprintf(out->why_not, sizeof(out->why_not),
		 "this build has no resolver (tests/cli/resolve_stub.c)");
}
