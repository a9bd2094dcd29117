// SPDX-License-Identifier: GPL-2.0
/*
 * An ELF object's segments, function symbols and .eh_frame CFI, read from
 * a read-only mapping of its file (uelf.h).  Nothing here trusts the file:
 * every read goes through in_file(), structures are copied out with
 * memcpy (a hostile file may misalign them), and the CFI interpreter
 * bounds its state stack.  Static binaries carry no .eh_frame_hdr, so the
 * FDEs are found by one scan of .eh_frame into a sorted table instead.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uelf.h"
#include "ws.h"

#define DW_RA_X86_64 16		/* the return address column on x86_64 */
#define DW_REG_RBP 6
#define DW_REG_RSP 7
#define CFI_STACK 8		/* DW_CFA_remember_state depth followed */

struct uelf_sym {
	uint64_t addr, size;
	const char *name;
};

struct uelf_fde {
	uint64_t begin;		/* the first pc it covers */
	uint64_t off;		/* its offset in .eh_frame */
};

struct ws_uelf {
	const uint8_t *map;
	size_t len;
	Elf64_Phdr *ph;
	unsigned nph;
	struct uelf_sym *syms;
	size_t nsyms;
	bool has_symtab;	/* from .symtab; else .dynsym's exported ones only */
	struct ws_uelf *debug;	/* its separate debug file (the names), or NULL */
	const uint8_t *eh;	/* .eh_frame's bytes */
	uint64_t eh_len, eh_vaddr;
	struct uelf_fde *fdes;
	size_t nfdes;
};

/* A cursor over a range of bytes at a known address (pc-relative pointers need it). */
struct cur {
	const uint8_t *p, *end;
	const uint8_t *base;	/* the byte at address base_vaddr */
	uint64_t base_vaddr;
	bool bad;
};

static const void *in_file(const struct ws_uelf *e, uint64_t off, uint64_t len)
{
	if (off > e->len || len > e->len - off)
		return NULL;
	return e->map + off;
}

static uint64_t get_u(struct cur *c, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static int64_t get_s(struct cur *c, unsigned n)
{
	uint64_t v = get_u(c, n);
	unsigned shift = 64 - 8 * n;

	return n == 8 ? (int64_t)v : (int64_t)(v << shift) >> shift;
}

/* A LEB128 number's bits, and where its last byte ends (*shift) and that byte (*last). */
static uint64_t get_leb(struct cur *c, unsigned *shift, uint8_t *last)
{
	uint64_t v = 0;
	uint8_t b;

	*shift = 0;
	do {
		if (c->bad || c->p >= c->end) {
			c->bad = true;
			*last = 0;
			return 0;
		}
		b = *c->p++;
		if (*shift < 64)
			v |= (uint64_t)(b & 0x7f) << *shift;
		*shift += 7;
	} while (b & 0x80);
	*last = b;
	return v;
}

static uint64_t get_uleb(struct cur *c)
{
	unsigned shift;
	uint8_t last;

	return get_leb(c, &shift, &last);
}

static int64_t get_sleb(struct cur *c)
{
	unsigned shift;
	uint8_t last;
	uint64_t v = get_leb(c, &shift, &last);

	if (shift < 64 && (last & 0x40))
		v |= ~0ULL << shift;
	return (int64_t)v;
}

/* A pointer in DW_EH_PE encoding: absolute or pc-relative, of any width but indirect. */
static uint64_t get_enc(struct cur *c, uint8_t enc)
{
	uint64_t at = c->base_vaddr + (uint64_t)(c->p - c->base), v;

	if (enc == 0xff)	/* DW_EH_PE_omit */
		return 0;
	switch (enc & 0x0f) {
	case 0x00: v = get_u(c, 8); break;
	case 0x01: v = get_uleb(c); break;
	case 0x02: v = get_u(c, 2); break;
	case 0x03: v = get_u(c, 4); break;
	case 0x04: v = get_u(c, 8); break;
	case 0x09: v = (uint64_t)get_sleb(c); break;
	case 0x0a: v = (uint64_t)get_s(c, 2); break;
	case 0x0b: v = (uint64_t)get_s(c, 4); break;
	case 0x0c: v = (uint64_t)get_s(c, 8); break;
	default: c->bad = true; return 0;
	}
	switch (enc & 0x70) {
	case 0x00: return v;
	case 0x10: return v + at;	/* DW_EH_PE_pcrel */
	default: c->bad = true; return 0;	/* textrel, datarel, funcrel: not in .eh_frame */
	}
}

/* ---- segments and symbols ---- */

static bool load_phdrs(struct ws_uelf *e, const Elf64_Ehdr *eh)
{
	const uint8_t *p;
	unsigned i;

	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum)
		return false;
	p = in_file(e, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr));
	if (!p)
		return false;
	e->nph = eh->e_phnum;
	e->ph = ws_xcalloc(e->nph, sizeof(*e->ph));
	for (i = 0; i < e->nph; i++)
		memcpy(&e->ph[i], p + i * sizeof(Elf64_Phdr), sizeof(Elf64_Phdr));
	return true;
}

static bool get_shdr(const struct ws_uelf *e, const Elf64_Ehdr *eh, unsigned i, Elf64_Shdr *sh)
{
	const void *p;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) || i >= eh->e_shnum)
		return false;
	p = in_file(e, eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr), sizeof(Elf64_Shdr));
	if (!p)
		return false;
	memcpy(sh, p, sizeof(*sh));
	return true;
}

static const char *section_name(const struct ws_uelf *e, const Elf64_Ehdr *eh,
				const Elf64_Shdr *sh)
{
	Elf64_Shdr names;
	const char *s;

	if (!get_shdr(e, eh, eh->e_shstrndx, &names) || sh->sh_name >= names.sh_size)
		return NULL;
	s = in_file(e, names.sh_offset + sh->sh_name, names.sh_size - sh->sh_name);
	return s && memchr(s, '\0', names.sh_size - sh->sh_name) ? s : NULL;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct uelf_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function symbols of one symbol table, its names checked to end inside its strings. */
static void load_symtab(struct ws_uelf *e, const Elf64_Ehdr *eh, const Elf64_Shdr *sh)
{
	Elf64_Shdr strs;
	const uint8_t *tab;
	const char *str;
	size_t n, i, cap = 0;

	if (sh->sh_entsize != sizeof(Elf64_Sym) || !get_shdr(e, eh, sh->sh_link, &strs))
		return;
	n = sh->sh_size / sizeof(Elf64_Sym);
	tab = in_file(e, sh->sh_offset, n * sizeof(Elf64_Sym));
	str = in_file(e, strs.sh_offset, strs.sh_size);
	if (!tab || !str || !strs.sh_size || str[strs.sh_size - 1] != '\0')
		return;
	for (i = 0; i < n; i++) {
		Elf64_Sym s;
		unsigned type;

		memcpy(&s, tab + i * sizeof(s), sizeof(s));
		type = ELF64_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
		    !s.st_value || s.st_name >= strs.sh_size || !str[s.st_name])
			continue;
		e->syms = ws_grow(e->syms, &cap, e->nsyms + 1, sizeof(*e->syms));
		e->syms[e->nsyms++] = (struct uelf_sym){ s.st_value, s.st_size, str + s.st_name };
	}
	if (e->nsyms)
		qsort(e->syms, e->nsyms, sizeof(*e->syms), sym_cmp);
}

static void load_sections(struct ws_uelf *e, const Elf64_Ehdr *eh)
{
	Elf64_Shdr sh, symtab = { 0 }, dynsym = { 0 };
	unsigned i;

	for (i = 1; i < eh->e_shnum && get_shdr(e, eh, i, &sh); i++) {
		const char *name = section_name(e, eh, &sh);

		if (sh.sh_type == SHT_SYMTAB)
			symtab = sh;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = sh;
		else if (name && !strcmp(name, ".eh_frame") && sh.sh_type == SHT_PROGBITS &&
			 in_file(e, sh.sh_offset, sh.sh_size)) {
			e->eh = e->map + sh.sh_offset;
			e->eh_len = sh.sh_size;
			e->eh_vaddr = sh.sh_addr;
		}
	}
	/* A stripped object keeps only the dynamic symbols: exported functions. */
	e->has_symtab = symtab.sh_type == SHT_SYMTAB;
	load_symtab(e, eh, e->has_symtab ? &symtab : &dynsym);
}

/* ---- .eh_frame: CIEs, FDEs, and the table that finds a pc's FDE ---- */

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	uint8_t fde_enc;
	bool has_aug_len, signal_frame;
	const uint8_t *ins, *ins_end;	/* the initial instructions */
};

/* One entry at off: its contents [*body, *end) past the length, false at the end or if bad. */
static bool eh_entry(const struct ws_uelf *e, uint64_t off, const uint8_t **body,
		     const uint8_t **end)
{
	struct cur c = { e->eh + off, e->eh + e->eh_len, e->eh, e->eh_vaddr, false };
	uint64_t len;

	if (off >= e->eh_len)
		return false;
	len = get_u(&c, 4);
	if (len == 0xffffffff)
		len = get_u(&c, 8);
	if (c.bad || !len || len > (uint64_t)(c.end - c.p))
		return false;
	*body = c.p;
	*end = c.p + len;
	return true;
}

static struct cur eh_cur(const struct ws_uelf *e, const uint8_t *p, const uint8_t *end)
{
	return (struct cur){ p, end, e->eh, e->eh_vaddr, false };
}

static bool parse_cie(const struct ws_uelf *e, uint64_t off, struct cie *ci)
{
	const uint8_t *body, *end;
	const char *aug;
	struct cur c;
	uint8_t version;

	if (!eh_entry(e, off, &body, &end))
		return false;
	c = eh_cur(e, body, end);
	if (get_u(&c, 4) != 0)	/* a CIE's id in .eh_frame */
		return false;
	version = (uint8_t)get_u(&c, 1);
	aug = (const char *)c.p;
	if (c.bad || (version != 1 && version != 3) || !memchr(aug, '\0', (size_t)(end - c.p)))
		return false;
	c.p += strlen(aug) + 1;
	memset(ci, 0, sizeof(*ci));
	ci->fde_enc = 0;	/* absptr unless "R" says otherwise */
	ci->code_align = get_uleb(&c);
	ci->data_align = get_sleb(&c);
	ci->ra_reg = version == 1 ? get_u(&c, 1) : get_uleb(&c);
	if (aug[0] == 'z') {
		uint64_t alen = get_uleb(&c);
		const uint8_t *aend = c.p + alen;

		if (c.bad || alen > (uint64_t)(end - c.p))
			return false;
		ci->has_aug_len = true;
		for (aug++; *aug && !c.bad; aug++) {
			if (*aug == 'R')
				ci->fde_enc = (uint8_t)get_u(&c, 1);
			else if (*aug == 'P')
				get_enc(&c, (uint8_t)(get_u(&c, 1) & 0x7f));	/* personality */
			else if (*aug == 'L')
				get_u(&c, 1);
			else if (*aug == 'S')
				ci->signal_frame = true;
			else if (*aug != 'B')
				break;	/* unknown: the length lets us skip the rest */
		}
		c.p = aend;
	} else if (aug[0]) {
		return false;	/* an old augmentation without a length: cannot skip it */
	}
	ci->ins = c.p;
	ci->ins_end = end;
	return !c.bad;
}

/* The FDE at off: its CIE, the pcs it covers and its instructions. */
static bool parse_fde(const struct ws_uelf *e, uint64_t off, struct cie *ci, uint64_t *begin,
		      uint64_t *range, const uint8_t **ins, const uint8_t **ins_end)
{
	const uint8_t *body, *end;
	uint64_t id, cie_off;
	struct cur c;

	if (!eh_entry(e, off, &body, &end))
		return false;
	c = eh_cur(e, body, end);
	id = get_u(&c, 4);
	/* The CIE pointer counts back from itself. */
	cie_off = (uint64_t)(body - e->eh) - id;
	if (c.bad || !id || id > (uint64_t)(body - e->eh) || !parse_cie(e, cie_off, ci))
		return false;
	*begin = get_enc(&c, ci->fde_enc);
	*range = get_enc(&c, ci->fde_enc & 0x0f);
	if (ci->has_aug_len) {
		uint64_t alen = get_uleb(&c);

		if (c.bad || alen > (uint64_t)(end - c.p))
			return false;
		c.p += alen;
	}
	*ins = c.p;
	*ins_end = end;
	return !c.bad;
}

static int fde_cmp(const void *a, const void *b)
{
	const struct uelf_fde *x = a, *y = b;

	return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* One pass over .eh_frame: every FDE's first pc, sorted for a binary search. */
static void index_fdes(struct ws_uelf *e)
{
	uint64_t off = 0, begin, range;
	const uint8_t *body, *end, *ins, *ins_end;
	size_t cap = 0;
	struct cie ci;

	while (e->eh && eh_entry(e, off, &body, &end)) {
		struct cur c = eh_cur(e, body, end);

		if (get_u(&c, 4) && parse_fde(e, off, &ci, &begin, &range, &ins, &ins_end) &&
		    range) {
			e->fdes = ws_grow(e->fdes, &cap, e->nfdes + 1, sizeof(*e->fdes));
			e->fdes[e->nfdes++] = (struct uelf_fde){ begin, off };
		}
		off = (uint64_t)(end - e->eh);
	}
	if (e->nfdes)
		qsort(e->fdes, e->nfdes, sizeof(*e->fdes), fde_cmp);
}

struct ws_uelf *ws_uelf_open(int fd)
{
	struct ws_uelf *e;
	struct stat st;
	Elf64_Ehdr eh;
	void *m;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(eh)) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	memcpy(&eh, m, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64) {
		munmap(m, (size_t)st.st_size);
		return NULL;
	}
	e = ws_xcalloc(1, sizeof(*e));
	e->map = m;
	e->len = (size_t)st.st_size;
	if (!load_phdrs(e, &eh)) {
		ws_uelf_close(e);
		return NULL;
	}
	load_sections(e, &eh);
	index_fdes(e);
	return e;
}

void ws_uelf_close(struct ws_uelf *e)
{
	if (!e)
		return;
	ws_uelf_close(e->debug);
	munmap((void *)e->map, e->len);
	free(e->ph);
	free(e->syms);
	free(e->fdes);
	free(e);
}

bool ws_uelf_bias(const struct ws_uelf *e, uint64_t start, uint64_t pgoff, uint64_t *bias)
{
	unsigned i;

	for (i = 0; i < e->nph; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		uint64_t first = p->p_offset & ~(uint64_t)(p->p_align > 1 ? p->p_align - 1 : 0);

		if (p->p_type != PT_LOAD || pgoff < first || pgoff >= p->p_offset + p->p_filesz)
			continue;
		*bias = start - pgoff + p->p_offset - p->p_vaddr;
		return true;
	}
	return false;
}

#define NOTE_ALIGN(n) (((n) + 3) & ~(uint64_t)3)

bool ws_uelf_build_id(const struct ws_uelf *e, const uint8_t **id, size_t *len)
{
	unsigned i;

	for (i = 0; i < e->nph; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		const uint8_t *note = p->p_type == PT_NOTE ? in_file(e, p->p_offset, p->p_filesz) :
							     NULL;
		uint64_t off = 0;

		while (note && off + 12 <= p->p_filesz) {
			uint32_t h[3];	/* namesz, descsz, type */
			uint64_t name, desc;

			memcpy(h, note + off, sizeof(h));
			name = off + 12;
			desc = name + NOTE_ALIGN(h[0]);
			if (desc > p->p_filesz || h[1] > p->p_filesz - desc)
				break;
			if (h[2] == NT_GNU_BUILD_ID && h[0] == 4 && !memcmp(note + name, "GNU", 4) &&
			    h[1]) {
				*id = note + desc;
				*len = h[1];
				return true;
			}
			off = desc + NOTE_ALIGN(h[1]);
		}
	}
	return false;
}

bool ws_uelf_has_symtab(const struct ws_uelf *e)
{
	return e->has_symtab;
}

void ws_uelf_add_debug(struct ws_uelf *e, struct ws_uelf *debug)
{
	ws_uelf_close(e->debug);
	e->debug = debug;
}

/* Lower is the name a caller wrote: fewer leading underscores, no internal or old version. */
static int alias_rank(const struct uelf_sym *s)
{
	const char *at = strchr(s->name, '@');
	int under = (int)strspn(s->name, "_");

	return (strncmp(s->name, "__GI_", 5) ? 0 : 8) + (under < 3 ? under : 3) +
	       (at && at[1] != '@' ? 4 : 0);
}

static bool symbol_in(const struct ws_uelf *e, uint64_t vaddr, const char **name,
		      uint64_t *addr)
{
	const struct uelf_sym *best = NULL;
	size_t lo = 0, hi = e->nsyms;

	while (lo < hi) {	/* the first symbol above vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (e->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * Aliases share an address: of those that cover vaddr, the name a
	 * caller wrote (pthread_mutex_lock@@GLIBC_2.2.5 before
	 * ___pthread_mutex_lock, clone3 before __GI___clone3).
	 */
	while (lo-- > 0) {
		const struct uelf_sym *s = &e->syms[lo];

		if (vaddr < s->addr + s->size && (!best || alias_rank(s) < alias_rank(best)))
			best = s;
		if (!lo || e->syms[lo - 1].addr != s->addr)
			break;
	}
	if (!best)
		return false;
	*name = best->name;
	*addr = best->addr;
	return true;
}

bool ws_uelf_symbol(const struct ws_uelf *e, uint64_t vaddr, const char **name, uint64_t *addr)
{
	/* The debug file's full table first: the object's own may be .dynsym only. */
	return (e->debug && symbol_in(e->debug, vaddr, name, addr)) ||
	       symbol_in(e, vaddr, name, addr);
}

/* ---- the CFI interpreter: the row at one pc, for the three registers the walk follows ---- */

struct rule {
	enum ws_cfi_rule kind;
	int64_t off;
};

struct cfi_state {
	uint64_t cfa_reg;
	int64_t cfa_off;
	bool cfa_expr;
	struct rule ra, rbp;
};

struct cfi_run {
	const struct cie *ci;
	struct cfi_state st, init;
	struct cfi_state stack[CFI_STACK];
	unsigned depth;
	bool unsupported;
};

static struct rule *reg_rule(struct cfi_run *r, uint64_t reg)
{
	if (reg == r->ci->ra_reg)
		return &r->st.ra;
	return reg == DW_REG_RBP ? &r->st.rbp : NULL;
}

static void set_rule(struct cfi_run *r, uint64_t reg, enum ws_cfi_rule kind, int64_t off)
{
	struct rule *x = reg_rule(r, reg);

	if (x)
		*x = (struct rule){ kind, off };
}

static void restore_rule(struct cfi_run *r, uint64_t reg)
{
	struct rule *x = reg_rule(r, reg);

	if (x)
		*x = reg == r->ci->ra_reg ? r->init.ra : r->init.rbp;
}

static void skip_block(struct cur *c)
{
	uint64_t n = get_uleb(c);

	if (n > (uint64_t)(c->end - c->p))
		c->bad = true;
	else
		c->p += n;
}

/* The extended opcodes (low six bits zero): false to stop at an advance past the pc. */
static bool cfi_op(struct cfi_run *r, struct cur *c, uint8_t op, uint64_t *loc, uint64_t pc)
{
	const struct cie *ci = r->ci;
	uint64_t reg, delta = 0;

	switch (op) {
	case 0x00: return true;					/* nop */
	case 0x01: delta = get_enc(c, ci->fde_enc) - *loc; break;	/* set_loc */
	case 0x02: delta = get_u(c, 1) * ci->code_align; break;
	case 0x03: delta = get_u(c, 2) * ci->code_align; break;
	case 0x04: delta = get_u(c, 4) * ci->code_align; break;
	case 0x05: reg = get_uleb(c);				/* offset_extended */
		set_rule(r, reg, WS_CFI_AT, (int64_t)get_uleb(c) * ci->data_align);
		return true;
	case 0x06: restore_rule(r, get_uleb(c)); return true;
	case 0x07: set_rule(r, get_uleb(c), WS_CFI_UNDEF, 0); return true;
	case 0x08: set_rule(r, get_uleb(c), WS_CFI_SAME, 0); return true;
	case 0x09: reg = get_uleb(c);				/* register */
		get_uleb(c);
		if (reg_rule(r, reg))
			r->unsupported = true;
		return true;
	case 0x0a: if (r->depth >= CFI_STACK) {			/* remember_state */
			r->unsupported = true;
			return true;
		}
		r->stack[r->depth++] = r->st;
		return true;
	case 0x0b: if (!r->depth) {				/* restore_state */
			c->bad = true;
			return true;
		}
		/* The CFA rule too: GCC's epilogues in mid-function rely on it. */
		r->st = r->stack[--r->depth];
		return true;
	case 0x0c: r->st.cfa_reg = get_uleb(c);			/* def_cfa */
		r->st.cfa_off = (int64_t)get_uleb(c);
		r->st.cfa_expr = false;
		return true;
	case 0x0d: r->st.cfa_reg = get_uleb(c); r->st.cfa_expr = false; return true;
	case 0x0e: r->st.cfa_off = (int64_t)get_uleb(c); return true;
	case 0x0f: skip_block(c); r->st.cfa_expr = true; return true;
	case 0x10: case 0x16: reg = get_uleb(c);		/* (val_)expression */
		skip_block(c);
		if (reg_rule(r, reg))
			r->unsupported = true;
		return true;
	case 0x11: reg = get_uleb(c);				/* offset_extended_sf */
		set_rule(r, reg, WS_CFI_AT, get_sleb(c) * ci->data_align);
		return true;
	case 0x12: r->st.cfa_reg = get_uleb(c);			/* def_cfa_sf */
		r->st.cfa_off = get_sleb(c) * ci->data_align;
		r->st.cfa_expr = false;
		return true;
	case 0x13: r->st.cfa_off = get_sleb(c) * ci->data_align; return true;
	case 0x14: reg = get_uleb(c);				/* val_offset */
		set_rule(r, reg, WS_CFI_VAL, (int64_t)get_uleb(c) * ci->data_align);
		return true;
	case 0x15: reg = get_uleb(c);				/* val_offset_sf */
		set_rule(r, reg, WS_CFI_VAL, get_sleb(c) * ci->data_align);
		return true;
	case 0x2e: get_uleb(c); return true;			/* GNU_args_size */
	case 0x2f: reg = get_uleb(c);		/* GNU_negative_offset_extended */
		set_rule(r, reg, WS_CFI_AT, -(int64_t)get_uleb(c) * ci->data_align);
		return true;
	default: c->bad = true; return true;
	}
	if (*loc + delta > pc)
		return false;
	*loc += delta;
	return true;
}

/* Runs instructions [p, end) from loc until the row that holds pc. */
static void cfi_exec(struct cfi_run *r, const uint8_t *p, const uint8_t *end, uint64_t loc,
		     uint64_t pc, struct cur *c)
{
	c->p = p;
	c->end = end;
	while (c->p < c->end && !c->bad && !r->unsupported) {
		uint8_t op = *c->p++;

		switch (op & 0xc0) {
		case 0x40:					/* advance_loc */
			if (loc + (op & 0x3f) * r->ci->code_align > pc)
				return;
			loc += (op & 0x3f) * r->ci->code_align;
			break;
		case 0x80:					/* offset */
			set_rule(r, op & 0x3f, WS_CFI_AT, (int64_t)get_uleb(c) * r->ci->data_align);
			break;
		case 0xc0:					/* restore */
			restore_rule(r, op & 0x3f);
			break;
		default:
			if (!cfi_op(r, c, op, &loc, pc))
				return;
		}
	}
}

static const struct uelf_fde *find_fde(const struct ws_uelf *e, uint64_t vaddr)
{
	size_t lo = 0, hi = e->nfdes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->fdes[mid].begin <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &e->fdes[lo - 1] : NULL;
}

enum ws_cfi_rc ws_uelf_cfi(const struct ws_uelf *e, uint64_t vaddr, struct ws_cfi_row *row)
{
	const struct uelf_fde *f = find_fde(e, vaddr);
	const uint8_t *ins, *ins_end;
	uint64_t begin, range;
	struct cfi_run r = { 0 };
	struct cie ci;
	struct cur c;

	if (!f || !parse_fde(e, f->off, &ci, &begin, &range, &ins, &ins_end) ||
	    vaddr - begin >= range)
		return WS_CFI_NONE;
	c = eh_cur(e, ins, ins_end);
	r.ci = &ci;
	r.st.ra.kind = WS_CFI_SAME;
	r.st.rbp.kind = WS_CFI_SAME;
	cfi_exec(&r, ci.ins, ci.ins_end, begin, ~0ULL, &c);
	r.init = r.st;
	if (!c.bad && !r.unsupported)
		cfi_exec(&r, ins, ins_end, begin, vaddr, &c);
	if (c.bad || r.unsupported || r.st.cfa_expr ||
	    (r.st.cfa_reg != DW_REG_RSP && r.st.cfa_reg != DW_REG_RBP))
		return WS_CFI_UNSUPPORTED;
	*row = (struct ws_cfi_row){
		.cfa_rbp = r.st.cfa_reg == DW_REG_RBP,
		.cfa_off = r.st.cfa_off,
		.ra = r.st.ra.kind, .ra_off = r.st.ra.off,
		.rbp = r.st.rbp.kind, .rbp_off = r.st.rbp.off,
		.signal_frame = ci.signal_frame,
		.begin = begin,
	};
	return WS_CFI_OK;
}
