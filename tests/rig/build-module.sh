#!/bin/sh
# Build the module (and, with --kunit, the KUnit module; with --bench, the
# probe-path microbenchmark) for one kernel
# tree in a private copy of the sources, with W=1; any compiler or modpost
# warning fails the build.
#   build-module.sh KDIR OUTDIR [--kunit] [--bench] [--sparse]
set -eu

kdir=$1 out=$2
shift 2
kunit= bench= sparse=
for a in "$@"; do
	case $a in
	--kunit) kunit="WS_KUNIT=m" ;;
	--bench) bench="WS_BENCH=m" ;;
	--sparse) sparse="C=2" ;;
	esac
done
top=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out"
cp -r "$top/Kbuild" "$top/module" "$out/"
log=$out/build.log
# shellcheck disable=SC2086
if ! make -C "$kdir" M="$out" W=1 $sparse $kunit $bench CONFIG_DEBUG_INFO_BTF_MODULES= modules > "$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
if grep -E 'warning:|error:|WARNING:' "$log" >&2; then
	echo "build-module: warnings building against $kdir" >&2
	exit 1
fi
