/* SPDX-License-Identifier: MIT */
/*
 * The IDT (one, shared by all CPUs), trap dispatch and the exception report. #DF, NMI and
 * #MC run on their own IST stacks, so a kernel stack overflow (which faults again while
 * pushing the #PF frame) still reaches a working handler as #DF.
 */
#include <arch/x86/cpu.h>
#include <boot/layout.h>
#include <copra/apic.h>
#include <copra/log.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/smp.h>
#include <copra/trap.h>
#include <lib/printf.h>

struct __packed idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "AMD APM vol. 2, figure 4-24");

extern char isr_stubs[];
static struct idt_gate idt[256] __aligned(16);

static const char *const exc_names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization",
	"#CP control protection",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security",
	"reserved 31",
};

const char *trap_name(uint64_t vector)
{
	return vector < 32 ? exc_names[vector] : "interrupt";
}

static void set_gate(unsigned int vec, unsigned int ist)
{
	uint64_t off = (uint64_t)(uintptr_t)isr_stubs + (uint64_t)16 * vec;
	struct idt_gate *g = &idt[vec];

	g->off_lo = off & 0xffff;
	g->sel = 0x08;
	g->ist = ist & 7;
	g->type_attr = 0x8e; /* present, DPL0, 64-bit interrupt gate (IF cleared on entry) */
	g->off_mid = (off >> 16) & 0xffff;
	g->off_hi = off >> 32;
	g->reserved = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(VEC_DF, IST_DF);
	set_gate(VEC_NMI, IST_NMI);
	set_gate(VEC_MC, IST_MC);
}

void idt_load(void)
{
	struct __packed {
		uint16_t limit;
		uint64_t base;
	} p = {sizeof(idt) - 1, (uint64_t)idt};

	__asm__ __volatile__("lidt %0" ::"m"(p));
}

static void pf_describe(uint64_t err, char *buf)
{
	/* AMD APM vol. 2, 8.4.2: P, W/R, U/S, RSV, I/D bits. */
	buf[0] = '\0';
	lib_snprintf(buf, 64, "%s, %s, %s%s%s", (err & 1) ? "protection" : "not-present",
		     (err & 2) ? "write" : "read", (err & 4) ? "user" : "kernel",
		     (err & 8) ? ", reserved-bit" : "", (err & 16) ? ", instruction-fetch" : "");
}

void trap_report(const struct trap_frame *f, enum log_level lv)
{
	uint64_t off = 0;
	const char *sym = symbolize(f->rip, &off);
	char pf[64];

	log_printf(lv, "EXCEPTION %s (vector %llu) error %#llx on cpu %u\n", trap_name(f->vector),
		   (unsigned long long)f->vector, (unsigned long long)f->error, this_cpu()->index);
	if (f->vector == VEC_PF) {
		pf_describe(f->error, pf);
		log_printf(lv, "  page fault: %s at CR2=%016llx\n", pf,
			   (unsigned long long)read_cr2());
	}
	log_printf(lv, "  RIP %04llx:%016llx %s+%#llx  RFLAGS %016llx\n", (unsigned long long)f->cs,
		   (unsigned long long)f->rip, sym ? sym : "?", (unsigned long long)off,
		   (unsigned long long)f->rflags);
	log_printf(lv, "  RSP %04llx:%016llx  RBP %016llx\n", (unsigned long long)f->ss,
		   (unsigned long long)f->rsp, (unsigned long long)f->rbp);
	log_printf(lv, "  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n",
		   (unsigned long long)f->rax, (unsigned long long)f->rbx,
		   (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	log_printf(lv, "  RSI %016llx RDI %016llx R8  %016llx R9  %016llx\n",
		   (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		   (unsigned long long)f->r8, (unsigned long long)f->r9);
	log_printf(lv, "  R10 %016llx R11 %016llx R12 %016llx R13 %016llx\n",
		   (unsigned long long)f->r10, (unsigned long long)f->r11,
		   (unsigned long long)f->r12, (unsigned long long)f->r13);
	log_printf(lv, "  R14 %016llx R15 %016llx\n", (unsigned long long)f->r14,
		   (unsigned long long)f->r15);
	log_printf(lv, "  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n",
		   (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		   (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	if (f->vector == VEC_DF || f->vector == VEC_PF) {
		uint64_t cr2 = read_cr2();

		if (cr2 >= KSTACK_VBASE && cr2 < KSTACK_VBASE + KSTACK_SLOTS * KSTACK_SLOT &&
		    (cr2 - KSTACK_VBASE) % KSTACK_SLOT < PAGE_SIZE_4K)
			log_printf(lv,
				   "  kernel stack overflow: CR2 is in the guard page of stack "
				   "slot %llu\n",
				   (unsigned long long)((cr2 - KSTACK_VBASE) / KSTACK_SLOT));
	}
	backtrace_print(lv, f->rip, f->rbp, f->rsp);
}

void fault_catch_prepare(struct fault_catch *fc, uint64_t vector)
{
	fc->vector = vector;
	fc->hit = false;
	fc->error = fc->rip = fc->cr2 = 0;
	this_cpu()->catcher = fc;
}

void fault_catch_disarm(void)
{
	this_cpu()->catcher = NULL;
}

static void exception(struct trap_frame *f)
{
	struct fault_catch *fc = this_cpu()->catcher;

	if (f->vector == VEC_NMI) {
		if (panic_in_progress())
			smp_stopped_here();
		log_printf(LOG_WARN, "NMI on cpu %u ignored\n", this_cpu()->index);
		return;
	}
	if (fc && fc->vector == f->vector) {
		this_cpu()->catcher = NULL;
		fc->hit = true;
		fc->error = f->error;
		fc->rip = f->rip;
		fc->cr2 = read_cr2();
		log_printf(LOG_INFO, "caught expected exception; report follows\n");
		trap_report(f, LOG_INFO);
		ctx_restore(&fc->ctx, 1);
	}
	log_enter_panic();
	trap_report(f, LOG_ERR);
	panic("unhandled exception %s", trap_name(f->vector));
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < 32) {
		exception(f);
		return;
	}
	switch (f->vector) {
	case VEC_CALL:
		apic_eoi();
		smp_call_handle();
		return;
	case VEC_SPURIOUS:
		return;
	default:
		log_printf(LOG_WARN, "unexpected interrupt %llu on cpu %u\n",
			   (unsigned long long)f->vector, this_cpu()->index);
		apic_eoi();
		return;
	}
}
