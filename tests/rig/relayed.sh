#!/bin/sh
# Extract the WS-FILE blocks a guest relayed on its results port:
#   relayed.sh RESULTS_LOG OUTDIR
set -eu
awk -v out="$2" '
	{ sub(/\r$/, "") }
	/^WS-FILE-BEGIN / { f = out "/" $2; d = f; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\""); printf "" > f; on = 1; next }
	/^WS-FILE-END/ { on = 0; close(f); next }
	on { print >> f }' "$1"
