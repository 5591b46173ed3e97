# SPDX-License-Identifier: MIT
# Toolchains and flags for the three kinds of objects Copra builds:
#   kern  freestanding x86-64 code for the loader and the kernel (gcc 12)
#   host  host code under ASan+UBSan for unit tests
#   tool  host programs (image builder and friends)
CC := gcc
HOSTCC := gcc
LD := ld
OBJCOPY := objcopy
PYTHON := /usr/bin/python3

GCC_INC := $(shell $(CC) -print-file-name=include)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wvla -Wundef -Wformat=2 -Wimplicit-fallthrough -Wno-unused-parameter

# Kernel and loader: freestanding, higher half (-mcmodel=kernel), no SIMD state, a stack
# protector whose canary is a global set at entry (kernel/arch/x86/canary.c).
KERN_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-builtin -nostdinc -isystem $(GCC_INC) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx \
	-fstack-protector-strong -mstack-protector-guard=global -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-common -fno-strict-aliasing -fstack-usage \
	-Iinclude -Ikernel/include -MMD -MP
KERN_ASFLAGS := -g -Iinclude -Ikernel/include -MMD -MP -D__ASSEMBLY__
KERN_LDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack --no-dynamic-linker -static

HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Iinclude -Ikernel/include -DCOPRA_HOST -MMD -MP
HOST_LDFLAGS := -fsanitize=address,undefined

TOOL_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -DCOPRA_HOST -MMD -MP

# V=1 shows full command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Every object depends on the build files too, so a flag change rebuilds everything.
BUILD_FILES := Makefile mk/toolchain.mk

$(BUILD)/kern/%.o: %.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERN_CFLAGS) -c $< -o $@

$(BUILD)/kern/%.o: %.S $(BUILD_FILES)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERN_ASFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/tool/%.o: %.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	@echo "  TOOLCC  $<"
	$(Q)$(HOSTCC) $(TOOL_CFLAGS) -c $< -o $@

# $(call objs,VARIANT,SOURCES)
objs = $(patsubst %,$(BUILD)/$(1)/%.o,$(basename $(2)))
