# waitscope: kernel module + CLI.
#
#   make              build waitscope.ko against KDIR and the waitscope CLI
#   make check        every test: KUnit, scenario suites on real kernels in qemu
#   make clean
#
# KDIR defaults to the running kernel's build directory.

KRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KRELEASE)/build
# BTF for an out-of-tree module needs the exact vmlinux; nothing here uses it.
KBUILD_OPTS ?= CONFIG_DEBUG_INFO_BTF_MODULES=

.PHONY: all module cli check clean kunit-module

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

# The KUnit test module (needs CONFIG_KUNIT in KDIR's kernel).
kunit-module:
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" $(KBUILD_OPTS) WS_KUNIT=m modules

cli:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace; fi

check:
	tests/check.sh

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf build tests/out
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
