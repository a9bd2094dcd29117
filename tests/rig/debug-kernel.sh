#!/bin/sh
# Build (or reuse) the debug kernel from linux-source-6.12 with
# tests/debug.config, cached outside the clone:
#   debug-kernel.sh   -> prints the kernel tree (bzImage at arch/x86/boot/)
# The cache key is the source package version plus the fragment and this
# script, so a change to any of them rebuilds; an interrupted build is redone.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
frag=$here/debug.config
tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || { echo "debug-kernel: linux-source-6.12 is not installed" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (echo "$srcver"; cat "$frag" "$0") | sha256sum | cut -c1-16)
cache=${WS_CACHE:-${HOME:-/root}/.cache/waitscope}
tree=$cache/debug-$key/linux

if [ -f "$tree/.ws-built" ]; then
	echo "$tree"
	exit 0
fi
rm -rf "$cache/debug-$key"
mkdir -p "$cache/debug-$key"
log=$cache/debug-$key/build.log
echo "debug-kernel: building $srcver with $(basename "$frag") into $tree (a few minutes; log: $log)" >&2
tar -C "$cache/debug-$key" -xf "$tarball"
mv "$cache/debug-$key"/linux-source-6.12 "$tree"
(
	cd "$tree"
	make tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make olddefconfig
	# Every requested option must have survived dependency resolution.
	grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r want; do
		grep -qxF "$want" .config || { echo "debug-kernel: option lost: $want" >&2; exit 1; }
	done
	make -j"$(nproc)" bzImage modules
) > "$log" 2>&1 || { echo "debug-kernel: build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }
touch "$tree/.ws-built"
# Older builds for other keys are of no further use.
find "$cache" -maxdepth 1 -name 'debug-*' ! -name "debug-$key" -exec rm -rf {} +
echo "$tree"
