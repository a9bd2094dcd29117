#!/bin/sh
# List the Debian kernels installed here that the rig can test, one per line:
#   <label> <vmlinuz> <headers dir>
# Labels: 6.1, 6.12, 6.12-rt, from the package's own version string; no ABI
# number is written anywhere in the rig.
#   kernels.sh [LABEL]    only the kernel with that label (the newest, if
#                         several)
set -eu

want=${1:-}

for vmlinuz in /boot/vmlinuz-*; do
	[ -e "$vmlinuz" ] || continue
	rel=${vmlinuz#/boot/vmlinuz-}
	kdir=/usr/src/linux-headers-$rel
	[ -f "$kdir/Makefile" ] || continue
	label=$(echo "$rel" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	case "$rel" in *-rt-*) label="$label-rt" ;; esac
	[ -z "$want" ] || [ "$label" = "$want" ] || continue
	echo "$label $vmlinuz $kdir"
done | sort -V | if [ -n "$want" ]; then tail -n 1; else cat; fi
