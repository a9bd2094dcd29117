// SPDX-License-Identifier: GPL-2.0
/*
 * Every truncated prefix of every fixture file, parsed in-process under
 * ASan/UBSan: each must either parse or fail with a message, never crash,
 * and a prefix that cuts a line must fail ("truncated").
 *   prefixes FIXTURE_DIR...   prints one "ok"/"not ok" line per file
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../userspace/ws.h"

static int check_file(const char *dir, int which)
{
	char *bufs[5] = { 0 }, path[4096];
	size_t lens[5] = { 0 }, cut, fails = 0, accepted = 0;
	struct ws_err err;
	int i, bad = 0;

	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ws_files[i]);
		if (ws_read_file(path, &bufs[i], &lens[i], &err)) {
			printf("not ok - prefixes: %s\n", err.msg);
			return 1;
		}
	}
	for (cut = 0; cut <= lens[which]; cut++) {
		struct ws_snapshot s;
		size_t lens2[5];
		int rc;

		memcpy(lens2, lens, sizeof(lens));
		lens2[which] = cut;
		ws_snapshot_init(&s);
		memset(&err, 0, sizeof(err));
		rc = ws_snapshot_parse_all(&s, bufs, lens2, &err);
		if (rc) {
			fails++;
			if (!err.msg[0])
				bad = 1;
		} else {
			accepted++;
			/* Accepted only if the cut falls at the end of a line. */
			if (cut && bufs[which][cut - 1] != '\n')
				bad = 1;
		}
		ws_snapshot_free(&s);
	}
	printf("%s - prefixes: all %zu prefixes of %s/%s parse or fail cleanly (%zu refused)\n",
	       bad ? "not ok" : "ok", lens[which] + 1, dir, ws_files[which], fails);
	for (i = 0; i < 5; i++)
		free(bufs[i]);
	return bad;
}

int main(int argc, char **argv)
{
	int i, w, bad = 0;

	for (i = 1; i < argc; i++)
		for (w = 0; w < 5; w++)
			bad |= check_file(argv[i], w);
	return bad;
}
