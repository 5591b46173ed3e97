# SPDX-License-Identifier: MIT
# Images and the user-facing targets.
IMAGE_SIZE ?= 0x200000
IMAGE := $(BUILD)/copra.bin
TEST_IMAGE := $(BUILD)/copra-test.bin

# The image carries the kernel without debug sections (the loader checksums and parses every
# byte, and the debug ELF stays in build/kernel/ for gdb); .symtab stays for backtraces.
$(BUILD)/kernel/%.stripped.elf: $(BUILD)/kernel/%.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

$(IMAGE): $(BUILD)/boot/loader.bin $(BUILD)/kernel/copra.stripped.elf $(MKIMAGE)
	@echo "  MKIMAGE $@"
	$(Q)$(MKIMAGE) --loader $(BUILD)/boot/loader.bin --kernel $(BUILD)/kernel/copra.stripped.elf \
		--size $(IMAGE_SIZE) -o $@

$(TEST_IMAGE): $(BUILD)/boot/loader.bin $(BUILD)/kernel/copra-test.stripped.elf $(MKIMAGE)
	@echo "  MKIMAGE $@"
	$(Q)$(MKIMAGE) --loader $(BUILD)/boot/loader.bin \
		--kernel $(BUILD)/kernel/copra-test.stripped.elf --size $(IMAGE_SIZE) -o $@

.PHONY: all setup image run check
all: $(IMAGE) $(TEST_IMAGE) $(MKIMAGE)
image: $(IMAGE)

setup:
	@scripts/setup.sh

# make run [ACCEL=tcg|kvm] [SMP=n] [MACHINE=q35|microvm] [MEM=256M] [CMDLINE="loglevel=debug"]
ACCEL ?= tcg
SMP ?= 1
MACHINE ?= q35
MEM ?= 256M
CMDLINE ?=
run: setup
	@$(MAKE) --no-print-directory $(IMAGE)
	scripts/qemu.sh --image $(IMAGE) --accel $(ACCEL) --smp $(SMP) --machine $(MACHINE) \
		--mem $(MEM) --cmdline "$(CMDLINE)" --interactive

# Every C source and header in the tree, for the format gate.
FORMAT_FILES = $(shell git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null)

# Largest allowed kernel/loader stack frame (bytes); scripts/stack-budget lists the biggest.
STACK_LIMIT ?= 1024
.PHONY: stack-budget
stack-budget: $(IMAGE) $(TEST_IMAGE)
	@scripts/stack-budget --build $(BUILD) --limit $(STACK_LIMIT)

.PHONY: format format-check qemu-test repro-check
repro-check:
	scripts/repro-check

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@echo "format-check: clang-format on $(words $(FORMAT_FILES)) files"
	@clang-format --dry-run --Werror $(FORMAT_FILES)
	@echo "format-check: clean"

QEMU_FILTER ?=
qemu-test: $(IMAGE) $(TEST_IMAGE) $(MKIMAGE)
	$(PYTHON) tests/qemu/suite.py --build $(BUILD) --filter "$(QEMU_FILTER)"

# The whole test plan, in order of cost. Installs what it needs first.
check: setup
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory unit-test
	@$(MAKE) --no-print-directory ct-test
	@$(MAKE) --no-print-directory mbedtls-freestanding-check
	@$(MAKE) --no-print-directory tpm-freestanding
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory stack-budget
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory proofs
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory qemu-test
	@$(MAKE) --no-print-directory tpm-test
	@$(MAKE) --no-print-directory deps-check
	@scripts/repro-check
	@echo "check: all gates passed"
