#!/bin/sh
# Time and peak memory of `waitscope report` on a synthetic snapshot of
# 100,000 threads (target: under 0.5 s and 64 MiB).  Prints numbers; it is
# a benchmark, not a pass/fail test.
#   report-bench.sh [WAITSCOPE] [THREADS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../userspace/waitscope}
n=${2:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$here/gen-snapshot.py" "$dir" "$n"
echo "snapshot: $n threads, $(du -sh "$dir" | cut -f1) on disk"
for run in 1 2 3 4 5; do
	python3 - "$bin" "$dir" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run([sys.argv[1], "--debugfs", sys.argv[2], "report"],
                    stdout=subprocess.DEVNULL).returncode
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"report: exit {rc}, {wall:.3f} s, peak RSS {rss:.1f} MiB")
PY
done
