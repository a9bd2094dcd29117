#!/bin/sh
# make bench: waitscope's cost against the tools it replaces, in one boot.
#
# Boots the Debian 6.1 kernel in qemu (2 CPUs, 2 GiB) with waitscope,
# bpftrace and perf, runs every workload of wsbench.c under eight
# conditions (nothing; waitscope enabled; enabled with the recorder off;
# waitscope loaded but disabled;
# bpftrace runqlat; runqlat + an offcputime-like program; perf sched
# record; nothing again, for the A/A spread), rotating their order each
# round, then prints the table of medians (tests/bench/table.py) and the
# CLI's report benchmark.  Numbers, not pass/fail: it exits non-zero only
# when the benchmark could not run.  A target gets a verdict only where the
# A/A spread is well below the effect it must resolve; else "noisy".
#
# With WS_BENCH_BASE=COMMIT the microbenchmark of that commit's module is
# loaded in turn with this tree's, six times each, in the same boot.
#
#   WS_BENCH_ROUNDS=10 WS_BENCH_SECONDS=1 WS_BENCH_KERNEL=6.1 tests/bench/run.sh
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
rig=$top/tests/rig
out=$top/tests/out/bench
rounds=${WS_BENCH_ROUNDS:-10} seconds=${WS_BENCH_SECONDS:-1}
label=${WS_BENCH_KERNEL:-6.1}
mkdir -p "$out"

"$rig/deps.sh" --bench
line=$("$rig/kernels.sh" "$label")
[ -n "$line" ] || { echo "bench: no installed kernel labelled $label (tests/rig/kernels.sh)" >&2; exit 1; }
set -- $line
vmlinuz=$2 kdir=$3

echo "bench: building the module, the microbenchmark and the workloads" >&2
"$rig/build-module.sh" "$kdir" "$out/build" --bench > "$out/build.log" 2>&1 ||
	{ tail -20 "$out/build.log" >&2; exit 1; }
base_ko=
if [ -n "${WS_BENCH_BASE:-}" ]; then
	echo "bench: building the microbenchmark of $WS_BENCH_BASE for the A/B" >&2
	rm -rf "$out/base-src"
	mkdir -p "$out/base-src"
	git -C "$top" archive "$WS_BENCH_BASE" Kbuild module tests/rig | tar -x -C "$out/base-src"
	"$out/base-src/tests/rig/build-module.sh" "$kdir" "$out/base" --bench > "$out/base.log" 2>&1 ||
		{ tail -20 "$out/base.log" >&2; exit 1; }
	base_ko=$out/waitscope_bench_base.ko
	cp "$out/base/waitscope_bench.ko" "$base_ko"
fi
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$out/wsbench" "$top/tests/bench/wsbench.c"
printf 'ROUNDS=%s\nSECONDS_PER_RUN=%s\nPAIRS=16\n' "$rounds" "$seconds" > "$out/bench.conf"

echo "bench: booting $label (TCG, single-threaded, 2 CPUs): $rounds rounds x 8 conditions x 6 workloads of ${seconds}s" >&2
start=$(date +%s)
# shellcheck disable=SC2086
WS_VM_MEM=2048 WS_INITRAMFS_BINS="$(command -v bpftrace) $(command -v perf)" \
	"$rig/run-boot.sh" "$out/vm" "$vmlinuz" 3000 bench "" \
	"$out/build/waitscope.ko" "$out/build/waitscope_bench.ko" "$out/wsbench" "$out/bench.conf" \
	$base_ko
echo "bench: guest ran $(( $(date +%s) - start ))s" >&2
if ! grep -q '^BENCH-DONE' "$out/vm/results.log"; then
	echo "bench: the guest did not finish; see $out/vm/console.log and results.log" >&2
	tail -20 "$out/vm/results.log" >&2
	exit 1
fi
grep -E '^not ok|^# ' "$out/vm/results.log" >&2 || true
python3 "$top/tests/bench/table.py" "$out/vm/results.log" | tee "$out/table.txt"

echo
echo "CLI: waitscope report on a synthetic 100,000-thread snapshot"
make -s -C "$top/userspace"
"$top/tests/bench/report-bench.sh" "$top/userspace/waitscope" 100000 | tee "$out/report.txt"
