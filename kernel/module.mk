# SPDX-License-Identifier: MIT
# The kernel: copra.elf (production) and copra-test.elf (with the in-Copra tests).
# Both link the SEV-SNP platform (kernel/platform/snp/), the SVSM protocol layer
# (kernel/protocols/, kernel/services/vtpm.c), the TPM engine and mbedTLS; their module files
# come first so their object lists exist when the link rules below are read.
include kernel/platform/snp/module.mk
include kernel/protocols/module.mk

COPRA_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KERNEL_SRCS := kernel/arch/x86/entry.S kernel/arch/x86/isr.S kernel/arch/x86/jmp.S \
	kernel/arch/x86/trampoline.S kernel/arch/x86/canary.c kernel/arch/x86/pgtable.c \
	kernel/arch/x86/percpu.c kernel/arch/x86/idt.c kernel/arch/x86/cpu.c \
	kernel/arch/x86/tsc.c kernel/arch/x86/apic.c kernel/arch/x86/smp.c \
	kernel/core/main.c kernel/core/log.c kernel/core/panic.c kernel/core/cmdline.c \
	kernel/core/backtrace.c kernel/core/ktest.c \
	kernel/mm/early.c kernel/mm/guest.c kernel/mm/guest_range.c kernel/mm/kmalloc.c \
	kernel/mm/buddy.c kernel/mm/slab.c kernel/drivers/uart.c kernel/platform/native.c \
	kernel/platform/snp/hw_x86.c kernel/services/vtpm_platform.c \
	lib/string.c lib/printf.c lib/symtab.c lib/bitmap.c lib/rle_bitmap.c
KTEST_SRCS := $(wildcard kernel/tests/*.c)

KERNEL_OBJS := $(call objs,kern,$(KERNEL_SRCS))
KTEST_OBJS := $(call objs,kern,$(KTEST_SRCS))
# Everything the image links: the objects, then the archives they draw on (engine, mbedTLS).
KERNEL_LINK_OBJS := $(KERNEL_OBJS) $(SNP_KERN_OBJS) $(PROTO_KERN_OBJS)
KERNEL_LINK_LIBS := $(TPM_KERN_LIB) $(MBEDTLS_KERN_LIB)

# Kernel files that include the engine's interface (tpm/tpm.h, through services/vtpm.h).
KERNEL_TPM_USERS := $(BUILD)/kern/kernel/services/vtpm_platform.o \
	$(BUILD)/kern/kernel/tests/test_svsm.o
$(KERNEL_TPM_USERS): KERN_CFLAGS += $(PROTO_INC) -DCOPRA_FREESTANDING -isystem tpm/mbedtls/shim
$(KERNEL_TPM_USERS): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)

$(BUILD)/kern/kernel/core/main.o: KERN_CFLAGS += -DCOPRA_VERSION='"$(COPRA_VERSION)"'

$(BUILD)/kernel/kernel.ld: kernel/kernel.ld.S include/boot/layout.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ -Iinclude $< -o $@

$(BUILD)/kernel/copra.elf: $(KERNEL_LINK_OBJS) $(KERNEL_LINK_LIBS) $(BUILD)/kernel/kernel.ld
	$(LD) $(KERN_LDFLAGS) -T $(BUILD)/kernel/kernel.ld -o $@ $(KERNEL_LINK_OBJS) \
		$(KERNEL_LINK_LIBS)

$(BUILD)/kernel/copra-test.elf: $(KERNEL_LINK_OBJS) $(KTEST_OBJS) $(KERNEL_LINK_LIBS) \
		$(BUILD)/kernel/kernel.ld
	$(LD) $(KERN_LDFLAGS) -T $(BUILD)/kernel/kernel.ld -o $@ $(KERNEL_LINK_OBJS) $(KTEST_OBJS) \
		$(KERNEL_LINK_LIBS)
