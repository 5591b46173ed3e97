# SPDX-License-Identifier: MIT
# Host unit tests: tests/unit/*.c plus lib/ sources built for the host under ASan+UBSan.
#   make unit-test                     build and run every test
#   make unit-test UNIT_FILTER=printf  only tests whose name contains a substring
#
# Add tests with `UNIT_SRCS += tests/unit/test_foo.c` and library code under test with
# `UNIT_LIB_SRCS += lib/foo.c`, here or in a module.mk included before this one (the link
# prerequisites are expanded when make reads the rule below).
# lib/string.c must NOT go in UNIT_LIB_SRCS: its names collide with libc, so it is built
# separately with every function renamed to lib_<name> (tests/unit/rename_string.h).
UNIT_SRCS += tests/unit/test_guest_range.c
include tests/snp/module.mk
UNIT_SRCS += tests/unit/main.c tests/unit/test_string.c tests/unit/test_printf.c \
	tests/unit/test_crc32c.c tests/unit/test_checked.c tests/unit/test_elf.c \
	tests/unit/test_e820.c tests/unit/test_symtab.c tests/unit/test_pgtable.c \
	tests/unit/test_cmdline.c tests/unit/test_buddy.c tests/unit/test_heap.c
UNIT_LIB_SRCS += kernel/mm/guest_range.c
UNIT_LIB_SRCS += lib/printf.c lib/crc32c.c lib/elf.c lib/e820.c lib/symtab.c \
	kernel/arch/x86/pgtable.c kernel/core/cmdline.c kernel/mm/buddy.c kernel/mm/slab.c
UNIT_SRCS += tests/unit/test_bitmap.c tests/unit/test_rle_bitmap.c
UNIT_LIB_SRCS += lib/bitmap.c lib/rle_bitmap.c
UNIT_EXTRA_OBJS += $(BUILD)/host/lib/string_renamed.o
# mbedTLS as Copra configures it (mk/mbedtls.mk): the hosted library, linked last.
UNIT_SRCS += tests/unit/test_mbedtls.c
UNIT_EXTRA_OBJS += $(MBEDTLS_HOST_LIB)
$(call objs,host,tests/unit/test_mbedtls.c): HOST_CFLAGS += $(MBEDTLS_CFLAGS)
$(call objs,host,tests/unit/test_mbedtls.c): $(MBEDTLS_STAMP) $(MBEDTLS_CONFIG)

# The TPM engine (tpm/module.mk) and its harness.
UNIT_SRCS += tests/unit/tpm_harness.c tests/unit/test_tpm_engine.c \
	tests/unit/test_tpm_capability.c tests/unit/test_tpm_constants.c tests/unit/test_tpm_pcr.c \
	tests/unit/test_tpm_hash.c tests/unit/test_tpm_nv.c tests/unit/test_tpm_hierarchy.c \
	tests/unit/test_tpm_object.c tests/unit/tpm_templates.c tests/unit/test_tpm_keys.c \
	tests/unit/test_tpm_sessions.c tests/unit/test_tpm_crypto.c tests/unit/test_tpm_p256.c
UNIT_LIB_SRCS += $(TPM_SRCS)
TPM_UNIT_TEST_OBJS = $(call objs,host,$(filter tests/unit/tpm_% tests/unit/test_tpm_%,$(UNIT_SRCS)))

UNIT_BIN := $(BUILD)/tests/unit-tests
UNIT_FILTER ?=

$(BUILD)/host/lib/string_renamed.o: lib/string.c tests/unit/rename_string.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -fno-builtin -fno-tree-loop-distribute-patterns \
		-include tests/unit/rename_string.h -c $< -o $@

$(TPM_UNIT_TEST_OBJS): HOST_CFLAGS += $(TPM_INC)
$(TPM_UNIT_TEST_OBJS): | $(MBEDTLS_STAMP)

$(UNIT_BIN): $(call objs,host,$(UNIT_SRCS) $(UNIT_LIB_SRCS)) $(UNIT_EXTRA_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_LDFLAGS) $^ -o $@

.PHONY: unit-test
unit-test: $(UNIT_BIN)
	$(UNIT_BIN) $(UNIT_FILTER)
include tests/tpm/module.mk
