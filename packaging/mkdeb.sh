#!/bin/sh
# Build the two Debian packages with dpkg-deb:
#   waitscope-dkms  the module source, registered with DKMS by its scripts
#   waitscope       the CLI, its man page and bash completion
#   mkdeb.sh OUTDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
arch=$(dpkg --print-architecture)
maint="waitscope developers <waitscope@example.org>"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

doc() {	# doc PKGDIR NAME: copyright and changelog where lintian wants them
	d=$1/usr/share/doc/$2
	install -d "$d"
	cat > "$d/copyright" <<CR
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: waitscope
Files: *
Copyright: 2026 The waitscope authors
License: GPL-2
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
CR
	printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  Thu, 26 Nov 2026 12:00:00 +0000\n' \
		"$2" "$ver" "$ver" "$maint" | gzip -9n > "$d/changelog.gz"
}

# ---- waitscope-dkms ----
p=$work/dkms
src=$p/usr/src/waitscope-$ver
install -d "$src/module" "$p/DEBIAN"
install -m 0644 "$top/dkms.conf" "$top/Kbuild" "$top/Makefile" "$src/"
for f in "$top"/module/*.c "$top"/module/*.h; do
	case $f in */ws_kunit.c) continue ;; esac
	install -m 0644 "$f" "$src/module/"
done
doc "$p" waitscope-dkms
cat > "$p/DEBIAN/control" <<CTL
Package: waitscope-dkms
Version: $ver
Architecture: all
Maintainer: $maint
Depends: dkms (>= 3.0), \${misc:Depends}
Section: kernel
Priority: optional
Homepage: https://example.org/waitscope
Description: blocked and starving thread finder (kernel module, DKMS)
 waitscope.ko keeps per-thread log2 histograms of off-CPU time by reason
 (run queue, futex, I/O, D state, sleep) from scheduler tracepoints, and
 shows threads blocked right now under /sys/kernel/debug/waitscope/.
 This package builds it with DKMS for every installed kernel.
CTL
sed -i 's/, \${misc:Depends}//' "$p/DEBIAN/control"
cat > "$p/DEBIAN/postinst" <<SH
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	dkms add -m waitscope -v $ver || true
	dkms autoinstall || echo "waitscope-dkms: no module built for the running kernel (headers missing?)" >&2
fi
SH
cat > "$p/DEBIAN/prerm" <<SH
#!/bin/sh
set -e
if [ "\$1" = remove ] || [ "\$1" = upgrade ]; then
	dkms remove -m waitscope -v $ver --all || true
fi
SH
chmod 0755 "$p/DEBIAN/postinst" "$p/DEBIAN/prerm"
(cd "$p" && find usr -type f -exec md5sum {} + > DEBIAN/md5sums)
dpkg-deb --root-owner-group --build "$p" "$out/waitscope-dkms_${ver}_all.deb" >/dev/null

# ---- waitscope (CLI) ----
p=$work/cli
install -d "$p/DEBIAN" "$p/usr/sbin" "$p/usr/share/man/man8" \
	"$p/usr/share/bash-completion/completions"
install -m 0755 -s "$top/userspace/waitscope" "$p/usr/sbin/waitscope"
gzip -9n < "$top/userspace/waitscope.8" > "$p/usr/share/man/man8/waitscope.8.gz"
install -m 0644 "$top/userspace/waitscope.bash" "$p/usr/share/bash-completion/completions/waitscope"
doc "$p" waitscope
libc=$(dpkg-query -W -f='${Version}' libc6 | sed 's/-.*//')
cat > "$p/DEBIAN/control" <<CTL
Package: waitscope
Version: $ver
Architecture: $arch
Maintainer: $maint
Depends: libc6 (>= $libc)
Recommends: waitscope-dkms
Section: admin
Priority: optional
Homepage: https://example.org/waitscope
Description: find blocked, stuck and starving threads
 waitscope reads the waitscope kernel module's debugfs files and says in
 plain words which threads are stuck (blocked right now, for how long, and
 where), which locks are contended, which threads hide I/O or D-state waits
 and which workers starve for a CPU, with Prometheus and JSON exports.
CTL
(cd "$p" && find usr -type f -exec md5sum {} + > DEBIAN/md5sums)
dpkg-deb --root-owner-group --build "$p" "$out/waitscope_${ver}_${arch}.deb" >/dev/null
ls "$out"/*.deb
