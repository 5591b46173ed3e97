# SPDX-License-Identifier: MIT
# The kernel: copra.elf (production) and copra-test.elf (with the in-Copra tests).
COPRA_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KERNEL_SRCS := kernel/arch/x86/entry.S kernel/arch/x86/isr.S kernel/arch/x86/jmp.S \
	kernel/arch/x86/trampoline.S kernel/arch/x86/canary.c kernel/arch/x86/pgtable.c \
	kernel/arch/x86/percpu.c kernel/arch/x86/idt.c kernel/arch/x86/cpu.c \
	kernel/arch/x86/tsc.c kernel/arch/x86/apic.c kernel/arch/x86/smp.c \
	kernel/core/main.c kernel/core/log.c kernel/core/panic.c kernel/core/cmdline.c \
	kernel/core/backtrace.c kernel/core/ktest.c \
	kernel/mm/early.c kernel/mm/guest.c kernel/mm/guest_range.c kernel/mm/kmalloc.c \
	kernel/mm/buddy.c kernel/mm/slab.c kernel/drivers/uart.c kernel/platform/native.c \
	lib/string.c lib/printf.c lib/symtab.c lib/bitmap.c lib/rle_bitmap.c
KTEST_SRCS := $(wildcard kernel/tests/*.c)

KERNEL_OBJS := $(call objs,kern,$(KERNEL_SRCS))
KTEST_OBJS := $(call objs,kern,$(KTEST_SRCS))

$(BUILD)/kern/kernel/core/main.o: KERN_CFLAGS += -DCOPRA_VERSION='"$(COPRA_VERSION)"'

$(BUILD)/kernel/kernel.ld: kernel/kernel.ld.S include/boot/layout.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ -Iinclude $< -o $@

$(BUILD)/kernel/copra.elf: $(KERNEL_OBJS) $(BUILD)/kernel/kernel.ld
	$(LD) $(KERN_LDFLAGS) -T $(BUILD)/kernel/kernel.ld -o $@ $(KERNEL_OBJS)

$(BUILD)/kernel/copra-test.elf: $(KERNEL_OBJS) $(KTEST_OBJS) $(BUILD)/kernel/kernel.ld
	$(LD) $(KERN_LDFLAGS) -T $(BUILD)/kernel/kernel.ld -o $@ $(KERNEL_OBJS) $(KTEST_OBJS)
