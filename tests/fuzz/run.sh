#!/bin/sh
# make fuzz: the CLI's parser fuzz target (tests/fuzz/fuzz_parse.c) under
# libFuzzer with ASan and UBSan, for WS_FUZZ_SECONDS (default 600) on
# WS_FUZZ_JOBS workers (default: every core).  The corpus grows in
# ~/.cache/waitscope/fuzz-corpus, outside the clone, so later runs start
# where the last one stopped.  A crash leaves its input in tests/out/fuzz/
# and fails.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/out/fuzz
seconds=${WS_FUZZ_SECONDS:-600}
corpus=${WS_CACHE:-${HOME:-/root}/.cache/waitscope}/fuzz-corpus
jobs=${WS_FUZZ_JOBS:-$(nproc)}
mkdir -p "$out" "$corpus"
u=$top/userspace
clang -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-o "$out/fuzz" "$top/tests/fuzz/fuzz_parse.c" "$u/parse.c" "$u/snapshot.c" "$u/fmt.c" \
	"$u/diagnose.c" "$u/render.c" "$u/cgroup.c" "$u/procfs.c" "$u/resolve.c" "$u/waits.c" "$u/graph.c" "$u/events.c" "$u/slow.c" "$u/evidence.c"
before=$(ls "$corpus" | wc -l)
echo "fuzz: ${seconds}s on $jobs cores, corpus $corpus ($before inputs)"
cd "$out"
rc=0
"$out/fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -jobs="$jobs" \
	-workers="$jobs" -print_final_stats=1 "$corpus" "$top/tests/fuzz/corpus" \
	> "$out/fuzz.log" 2>&1 || rc=$?
# With -jobs, each worker logs to fuzz-N.log.
cat "$out"/fuzz-*.log >> "$out/fuzz.log" 2>/dev/null || true
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$out/fuzz.log" |
	awk -F: '{ s[$3] += $NF; if ($3 ~ /rss/ && $NF > m) m = $NF }
		END { printf "fuzz: %d executions, peak RSS %d MB per worker\n", s["number_of_executed_units"], m }'
echo "fuzz: corpus now $(ls "$corpus" | wc -l) inputs"
if [ "$rc" != 0 ] || ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* > /dev/null 2>&1; then
	echo "fuzz: FAILED (exit $rc); inputs and logs in $out" >&2
	grep -m5 -E 'ERROR|SUMMARY' "$out/fuzz.log" >&2 || true
	exit 1
fi
echo "fuzz: no crash, leak or timeout"
