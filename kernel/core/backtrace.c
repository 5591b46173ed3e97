/* SPDX-License-Identifier: MIT */
/*
 * Symbolized backtraces by walking the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer). Every frame is checked to be mapped before it is read, so a
 * corrupted chain ends the trace instead of faulting inside a panic.
 */
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/trap.h>
#include <lib/symtab.h>

#define BACKTRACE_MAX 24

static const void *symtab;
static uint64_t symtab_size;

void symbols_init(uint64_t va, uint64_t size)
{
	if (va && symtab_check((const void *)va, size)) {
		symtab = (const void *)va;
		symtab_size = size;
	} else if (va) {
		pr_warn("kernel symbol table is malformed; backtraces will be raw\n");
	}
}

const char *symbolize(uint64_t addr, uint64_t *offset)
{
	*offset = 0;
	if (!symtab)
		return NULL;
	return symtab_lookup(symtab, symtab_size, addr, offset);
}

static bool frame_readable(uint64_t fp)
{
	return fp % 8 == 0 && kaddr_mapped(fp) && kaddr_mapped(fp + 15);
}

extern char __text_start[], __text_end[];

/*
 * gcc keeps no frame in leaf functions that use no stack, so a fault there hides its caller
 * from the frame walk. The word at RSP is then the return address: print it, marked `?` as
 * unverified, when it points into kernel text.
 */
static void print_leaf_caller(enum log_level lv, uint64_t rsp)
{
	uint64_t ret = 0;
	uint64_t off = 0;
	const char *name = NULL;

	if (!rsp || rsp % 8 != 0 || !kaddr_mapped(rsp) || !kaddr_mapped(rsp + 7))
		return;
	ret = *(const uint64_t *)rsp;
	if (ret <= (uint64_t)__text_start || ret > (uint64_t)__text_end)
		return;
	name = symbolize(ret - 1, &off);
	log_printf(lv, "    ?   %016llx %s+%#llx\n", (unsigned long long)ret, name ? name : "?",
		   (unsigned long long)off + 1);
}

void backtrace_print(enum log_level lv, uint64_t rip, uint64_t rbp, uint64_t rsp)
{
	uint64_t off = 0;
	/* Without a trap frame (rsp == 0) rip is a return address: look up the call before it. */
	uint64_t adj = rsp ? 0 : 1;
	const char *name = symbolize(rip - adj, &off);

	log_printf(lv, "  backtrace:\n");
	log_printf(lv, "    #0  %016llx %s+%#llx\n", (unsigned long long)rip, name ? name : "?",
		   (unsigned long long)(off + adj));
	print_leaf_caller(lv, rsp);
	for (int depth = 1; depth < BACKTRACE_MAX && rbp && frame_readable(rbp); depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];

		if (ret == 0)
			break;
		/* A return address points after the call; look up the call itself. */
		name = symbolize(ret - 1, &off);
		log_printf(lv, "    #%-2d %016llx %s+%#llx\n", depth, (unsigned long long)ret,
			   name ? name : "?", (unsigned long long)off + 1);
		if (frame[0] <= rbp)
			break; /* the chain must move up the stack */
		rbp = frame[0];
	}
}
