# waitscope: kernel module + CLI.
#
#   make                  build waitscope.ko against KDIR and the waitscope CLI
#   make check            every test (see README)
#   make bench            waitscope's cost against bpftrace and perf, in one
#                         VM boot; prints a table (not pass/fail)
#   make soak             50,000 threads and busy CPUs for 5 minutes in a VM
#   make fuzz             the CLI's parser fuzz target for 10 minutes
#   make demo             boot a Debian kernel in qemu with planted problems
#                         and show what waitscope says about them
#   sudo make install     module under /lib/modules/<release>/extra (+ depmod),
#                         CLI, man page, bash completion; DESTDIR and PREFIX work
#   sudo make uninstall   remove exactly that
#   sudo make dkms-install / dkms-uninstall
#   make deb              waitscope-dkms and waitscope .deb packages in build/deb
#   make clean
#
# KDIR defaults to the running kernel's build directory.

KRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KRELEASE)/build
PREFIX ?= /usr/local
# BTF for an out-of-tree module needs the exact vmlinux; nothing here uses it.
KBUILD_OPTS ?= CONFIG_DEBUG_INFO_BTF_MODULES=
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

MODDIR := $(DESTDIR)/lib/modules/$(KRELEASE)/extra
BINDIR := $(DESTDIR)$(PREFIX)/sbin
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man8
COMPDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions

.PHONY: all module cli check clean kunit-module install uninstall dkms-install \
	dkms-uninstall deb demo bench soak fuzz

all: module cli

module:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "waitscope: no kernel build directory at $(KDIR)." >&2; \
		echo "  Debian/Ubuntu: apt-get install linux-headers-$(KRELEASE)" >&2; \
		echo "  RHEL/Fedora:   dnf install kernel-devel-$(KRELEASE)" >&2; \
		echo "  or point KDIR at a configured kernel tree: make KDIR=/path/to/linux" >&2; \
		exit 1; \
	fi
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(KBUILD_OPTS) modules

# The KUnit test module (needs CONFIG_KUNIT in KDIR's kernel); never installed.
kunit-module:
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(KBUILD_OPTS) WS_KUNIT=m modules

cli:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace; fi

check:
	tests/check.sh

demo:
	tests/demo.sh

bench:
	tests/bench/run.sh

soak:
	tests/soak.sh

fuzz:
	tests/fuzz/run.sh

install: all
	install -D -m 0644 waitscope.ko "$(MODDIR)/waitscope.ko"
	if [ -z "$(DESTDIR)" ]; then depmod -a "$(KRELEASE)"; fi
	install -D -m 0755 userspace/waitscope "$(BINDIR)/waitscope"
	install -D -m 0644 userspace/waitscope.8 "$(MANDIR)/waitscope.8"
	install -D -m 0644 userspace/waitscope.bash "$(COMPDIR)/waitscope"

uninstall:
	rm -f "$(MODDIR)/waitscope.ko" "$(BINDIR)/waitscope" "$(MANDIR)/waitscope.8" \
		"$(COMPDIR)/waitscope"
	-rmdir "$(MODDIR)" 2>/dev/null
	if [ -z "$(DESTDIR)" ]; then depmod -a "$(KRELEASE)"; fi

# The module source as DKMS wants it: Kbuild, Makefile, dkms.conf, module/.
DKMS_SRC := /usr/src/waitscope-$(VERSION)

dkms-install:
	rm -rf "$(DKMS_SRC)"
	install -d "$(DKMS_SRC)/module"
	install -m 0644 dkms.conf Kbuild Makefile "$(DKMS_SRC)/"
	install -m 0644 $(filter-out module/ws_kunit.c,$(wildcard module/*.c)) \
		$(wildcard module/*.h) "$(DKMS_SRC)/module/"
	dkms add -m waitscope -v "$(VERSION)"
	dkms build -m waitscope -v "$(VERSION)" -k "$(KRELEASE)"
	dkms install -m waitscope -v "$(VERSION)" -k "$(KRELEASE)"

dkms-uninstall:
	-dkms remove -m waitscope -v "$(VERSION)" --all
	rm -rf "$(DKMS_SRC)"

deb: cli
	packaging/mkdeb.sh build/deb

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf build tests/out
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
