/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ELF object that a blocked thread's user stack runs through, mapped
 * read-only from its file: where its segments load, its function symbols,
 * and its .eh_frame call-frame information (the rules that find a
 * frame's caller).  x86_64 only, like the syscall numbers elsewhere.
 * Every offset in the file is checked: the file is whatever the
 * inspected process mapped.
 */
#ifndef WS_UELF_H
#define WS_UELF_H

#include <stdbool.h>
#include <stdint.h>

struct ws_uelf;

/* Maps the object open on fd (which it closes); NULL if it is no x86_64 ELF. */
struct ws_uelf *ws_uelf_open(int fd);
void ws_uelf_close(struct ws_uelf *e);

/*
 * The load bias (address in memory minus address in the file's program
 * headers) of a mapping at start of file offset pgoff: false if no
 * loadable segment holds that offset.
 */
bool ws_uelf_bias(const struct ws_uelf *e, uint64_t start, uint64_t pgoff, uint64_t *bias);

/* The function holding vaddr (its debug file's, else .symtab, else .dynsym). */
bool ws_uelf_symbol(const struct ws_uelf *e, uint64_t vaddr, const char **name, uint64_t *addr);

/* The GNU build id (NT_GNU_BUILD_ID note): false if it has none. */
bool ws_uelf_build_id(const struct ws_uelf *e, const uint8_t **id, size_t *len);
/* Whether it has a full symbol table (.symtab): a stripped object has not. */
bool ws_uelf_has_symtab(const struct ws_uelf *e);
/* Names from its separate debug file (that file's .symtab); e owns debug from now on. */
void ws_uelf_add_debug(struct ws_uelf *e, struct ws_uelf *debug);

/* Where one register's caller value is, by the CFI row at a pc. */
enum ws_cfi_rule {
	WS_CFI_UNDEF,		/* not saved: for the return address, the outermost frame */
	WS_CFI_SAME,		/* the caller's value is this frame's */
	WS_CFI_AT,		/* saved in memory at CFA + off */
	WS_CFI_VAL,		/* the value CFA + off itself */
};

/* The caller of the frame at a pc: CFA = rsp or rbp + cfa_off, then the two registers. */
struct ws_cfi_row {
	bool cfa_rbp;		/* CFA from rbp; else from rsp */
	int64_t cfa_off;
	enum ws_cfi_rule ra, rbp;
	int64_t ra_off, rbp_off;
	bool signal_frame;	/* a signal trampoline ("S"): its caller is no call site */
	uint64_t begin;		/* the first pc of the FDE: the function's entry */
};

enum ws_cfi_rc {
	WS_CFI_OK,
	WS_CFI_NONE,		/* no FDE covers the pc */
	WS_CFI_UNSUPPORTED,	/* a rule the walk cannot follow (an expression, another register) */
};

enum ws_cfi_rc ws_uelf_cfi(const struct ws_uelf *e, uint64_t vaddr, struct ws_cfi_row *row);

#endif
