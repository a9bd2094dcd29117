#!/bin/sh
# List the Debian kernels installed here that the rig can test, one per line:
#   <label> <vmlinuz> <headers dir>
# Labels: 6.1, 6.12, 6.12-rt, from the package's own version string; no ABI
# number is written anywhere in the rig.
set -eu

for vmlinuz in /boot/vmlinuz-*; do
	[ -e "$vmlinuz" ] || continue
	rel=${vmlinuz#/boot/vmlinuz-}
	kdir=/usr/src/linux-headers-$rel
	[ -f "$kdir/Makefile" ] || continue
	label=$(echo "$rel" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	case "$rel" in *-rt-*) label="$label-rt" ;; esac
	echo "$label $vmlinuz $kdir"
done | sort -V
