#!/bin/sh
# Packaging tests, on the host: DKMS builds in a private tree, make
# install/uninstall into a DESTDIR, the Debian packages (lintian, contents,
# an install into a throwaway root).  Prints ok / not ok lines; the DKMS
# modules it built are left in OUT for the VM boots to load.
#   pkg.sh OUT
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
mkdir -p "$out"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
log=$out/pkg-last.log

check() {
	what=$1
	shift
	if "$@" > "$log" 2>&1; then echo "ok - $what"; else
		echo "not ok - $what"; tail -15 "$log" | sed 's/^/#   /'; fi
}

# ---- DKMS, in a private tree: the system's trees stay untouched ----
dk=$out/dkms
rm -rf "$dk"
mkdir -p "$dk/src/waitscope-$ver/module" "$dk/tree" "$dk/install"
cp "$top/dkms.conf" "$top/Kbuild" "$top/Makefile" "$dk/src/waitscope-$ver/"
cp "$top"/module/*.c "$top"/module/*.h "$dk/src/waitscope-$ver/module/"
rm "$dk/src/waitscope-$ver/module/ws_kunit.c"
D="--dkmstree $dk/tree --sourcetree $dk/src --installtree $dk/install"
# shellcheck disable=SC2086
check "dkms add (private tree)" dkms add $D -m waitscope -v "$ver"
"$top/tests/rig/kernels.sh" | while read -r label vmlinuz kdir; do
	case $label in *-rt) continue ;; esac
	rel=${vmlinuz#/boot/vmlinuz-}
	# shellcheck disable=SC2086
	check "dkms build against the $label headers" \
		dkms build $D -m waitscope -v "$ver" -k "$rel" --kernelsourcedir "$kdir"
	# DKMS compresses the module the way the kernel's config says (6.12: xz).
	ko=$(ls "$dk/tree/waitscope/$ver/$rel/x86_64/module/"waitscope.ko* 2>/dev/null | head -n 1)
	check "dkms built waitscope.ko for $label ($rel)" test -s "$ko"
	case $ko in
	*.xz) xz -dc "$ko" > "$out/dkms-$label.ko" ;;
	*.zst) zstd -dcq "$ko" > "$out/dkms-$label.ko" ;;
	?*) cp "$ko" "$out/dkms-$label.ko" ;;
	esac
done
check "dkms.conf leaves the KUnit module out" sh -c "! grep -q kunit '$top/dkms.conf'"

# ---- make install / uninstall into a DESTDIR ----
set -- $("$top/tests/rig/kernels.sh" 6.12)
if [ $# = 3 ]; then
	rel=${2#/boot/vmlinuz-}
	dest=$out/destdir
	rm -rf "$dest" "$out/build-inst"
	mkdir -p "$out/build-inst"
	cp -r "$top/Kbuild" "$top/Makefile" "$top/dkms.conf" "$top/module" "$top/userspace" \
		"$out/build-inst/"
	make -s -C "$out/build-inst/userspace" clean >/dev/null
	check "make install DESTDIR=... puts module, CLI, man page, completion in place" sh -c "
		make -s -C '$out/build-inst' install DESTDIR='$dest' PREFIX=/usr KDIR='$3' KRELEASE='$rel' >/dev/null &&
		test -f '$dest/lib/modules/$rel/extra/waitscope.ko' && test -x '$dest/usr/sbin/waitscope' &&
		test -f '$dest/usr/share/man/man8/waitscope.8' &&
		test -f '$dest/usr/share/bash-completion/completions/waitscope'"
	check "make uninstall leaves nothing behind" sh -c "
		make -s -C '$out/build-inst' uninstall DESTDIR='$dest' PREFIX=/usr KDIR='$3' KRELEASE='$rel' >/dev/null &&
		[ -z \"\$(find '$dest' -type f)\" ]"
	rm -rf "$out/build-inst"
fi
check "the man page renders without warnings (groff -ww)" sh -c "
	groff -ww -man -Tutf8 '$top/userspace/waitscope.8' 2>&1 >/dev/null | (! grep .)"

# ---- Debian packages ----
rm -rf "$out/deb"
check "make deb builds two packages" sh -c "make -s -C '$top' deb >/dev/null &&
	cp -r '$top/build/deb' '$out/deb' && ls '$out'/deb/waitscope-dkms_*_all.deb '$out'/deb/waitscope_*.deb"
check "lintian reports no error or warning on either package" sh -c "
	lintian --allow-root --fail-on error,warning '$out'/deb/*.deb"
check "waitscope-dkms holds the module source and dkms.conf, no KUnit" sh -c "
	dpkg-deb --contents '$out'/deb/waitscope-dkms_*.deb > '$out/dkms.contents' &&
	grep -q './usr/src/waitscope-$ver/dkms.conf' '$out/dkms.contents' &&
	grep -q './usr/src/waitscope-$ver/module/ws_table.c' '$out/dkms.contents' &&
	! grep -q kunit '$out/dkms.contents' &&
	dpkg-deb -f '$out'/deb/waitscope-dkms_*.deb Depends | grep -q dkms"
check "waitscope holds the CLI, man page and completion" sh -c "
	dpkg-deb --contents '$out'/deb/waitscope_*.deb > '$out/cli.contents' &&
	grep -q './usr/sbin/waitscope' '$out/cli.contents' &&
	grep -q './usr/share/man/man8/waitscope.8.gz' '$out/cli.contents' &&
	grep -q './usr/share/bash-completion/completions/waitscope' '$out/cli.contents'"
root=$out/root
rm -rf "$root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: > "$root/var/lib/dpkg/status"
check "both packages unpack into a throwaway root" sh -c "
	dpkg --root='$root' --force-depends --force-not-root --unpack '$out'/deb/*.deb &&
	test -x '$root/usr/sbin/waitscope' && test -f '$root/usr/src/waitscope-$ver/dkms.conf'"
# Configuring runs the postinst chrooted in the root, which has no shell or
# dkms: it must fail, and for that reason, not half-register anything.
dpkg --root="$root" --force-depends --configure waitscope-dkms > "$out/configure.log" 2>&1
check "configuring waitscope-dkms in a root without dkms fails for that reason" sh -c "
	grep -q 'waitscope-dkms' '$out/configure.log' &&
	grep -qiE 'post-installation|postinst|execute|No such file' '$out/configure.log' &&
	[ ! -e '$root/var/lib/dkms' ]"
check "the postinst registers with dkms add and builds with dkms autoinstall" sh -c "
	f='$root/var/lib/dpkg/info/waitscope-dkms.postinst'
	grep -q 'dkms add -m waitscope -v $ver' \"\$f\" && grep -q 'dkms autoinstall' \"\$f\" &&
	grep -q 'dkms remove -m waitscope -v $ver --all' '$root/var/lib/dpkg/info/waitscope-dkms.prerm'"
