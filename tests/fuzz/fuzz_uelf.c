// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ELF and .eh_frame reader (userspace/uelf.c):
 * the input is an object file, as a process could map it.  Whatever opens
 * has its build id read and its symbols and CFI rows looked up at pcs
 * spread over where text is (PIE from 0, non-PIE from 0x400000).  The
 * seed corpus is check.sh's: small real objects (this target itself and
 * the scenario program), so the mutations start from valid .eh_frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "../../userspace/uelf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t base[] = { 0, 0x400000 };
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	struct ws_cfi_row row;
	const uint8_t *id;
	struct ws_uelf *e;
	const char *name;
	uint64_t addr, pc;
	size_t len;
	unsigned b;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	e = ws_uelf_open(fd);
	if (!e)
		return 0;
	ws_uelf_build_id(e, &id, &len);
	ws_uelf_bias(e, 0x7f0000000000, 0, &addr);
	for (b = 0; b < 2; b++)
		for (pc = base[b]; pc < base[b] + 0x4000; pc += 61) {
			ws_uelf_symbol(e, pc, &name, &addr);
			ws_uelf_cfi(e, pc, &row);
		}
	ws_uelf_close(e);
	return 0;
}
