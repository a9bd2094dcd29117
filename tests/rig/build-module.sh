#!/bin/sh
# Build the module (and, with --kunit, the KUnit module; with --bench, the
# probe-path microbenchmark) for one kernel
# tree in a private copy of the sources, with W=1; any compiler or modpost
# warning fails the build.
#   build-module.sh KDIR OUTDIR [--kunit] [--bench] [--sparse]
set -eu

kdir=$1 out=$2
shift 2
tests= sparse=
for a in "$@"; do
	case $a in
	--kunit) tests="$tests kunit" ;;
	--bench) tests="$tests bench" ;;
	--sparse) sparse="C=2" ;;
	esac
done
top=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out"

# build DIR [WS_TEST=NAME]: one Kbuild run in a private copy of the sources.
build() {
	dir=$1
	shift
	mkdir -p "$dir"
	cp -r "$top/Kbuild" "$top/module" "$dir/"
	log=$dir/build.log
	# shellcheck disable=SC2086
	if ! make -C "$kdir" M="$dir" W=1 $sparse "$@" CONFIG_DEBUG_INFO_BTF_MODULES= modules > "$log" 2>&1; then
		cat "$log" >&2
		exit 1
	fi
	if grep -E 'warning:|error:|WARNING:' "$log" >&2; then
		echo "build-module: warnings building against $kdir" >&2
		exit 1
	fi
}

build "$out"
# The test modules link the same objects, so each is a build of its own.
for t in $tests; do
	build "$out/$t" "WS_TEST=$t"
	cp "$out/$t/waitscope_$t.ko" "$out/"
	cat "$out/$t/build.log" >> "$out/build.log"
done
