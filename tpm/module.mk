# SPDX-License-Identifier: MIT
# tpm/: Copra's TPM 2.0 engine (docs/tpm.md), one source list built three ways:
#   tool  hosted, -O2 (copra-tpmd, benchmarks)         -> TPM_TOOL_LIB
#   host  hosted under ASan+UBSan (unit tests)          -> objects in UNIT_LIB_SRCS
#   kern  freestanding with the kernel's flags          -> TPM_KERN_LIB (make tpm-freestanding)
# Link mbedTLS after the engine: $(TPM_TOOL_LIB) $(MBEDTLS_HOST_LIB).
# Keep every TPM_SRCS line above the rules (make expands prerequisites when it reads a rule).
TPM_SRCS := tpm/marshal.c tpm/crypto.c tpm/engine.c tpm/session.c tpm/object.c tpm/state.c \
	tpm/lifecycle.c tpm/cc_table.c tpm/cmd_startup.c tpm/cmd_random.c tpm/nv.c tpm/pcr.c \
	tpm/cmd_capability.c tpm/cmd_pcr.c tpm/cmd_hash.c tpm/cmd_nv.c tpm/cmd_hierarchy.c \
	tpm/public.c tpm/primary.c tpm/cmd_object.c tpm/sensitive.c tpm/object_codec.c \
	tpm/cmd_create.c tpm/context.c tpm/persistent.c tpm/policy.c tpm/secret.c \
	tpm/sign.c tpm/cmd_sign.c tpm/cmd_attest.c tpm/cmd_crypt.c tpm/cmd_credential.c \
	tpm/cmd_import.c tpm/p256.c tpm/ecc_p256.c

TPM_INC := -Itpm/include -Itpm $(MBEDTLS_CFLAGS)
TPM_TOOL_LIB := $(BUILD)/tpm/tool/libtpm.a
TPM_KERN_LIB := $(BUILD)/tpm/kern/libtpm.a
TPM_TOOL_OBJS := $(call objs,tool,$(TPM_SRCS))
TPM_HOST_OBJS := $(call objs,host,$(TPM_SRCS))
TPM_KERN_OBJS := $(call objs,kern,$(TPM_SRCS))

$(TPM_TOOL_OBJS): TOOL_CFLAGS += $(TPM_INC)
$(TPM_HOST_OBJS): HOST_CFLAGS += $(TPM_INC)
# mbedTLS headers include <string.h> and friends: the freestanding shims provide them.
$(TPM_KERN_OBJS): KERN_CFLAGS += $(TPM_INC) -DCOPRA_FREESTANDING -isystem tpm/mbedtls/shim
$(TPM_TOOL_OBJS) $(TPM_HOST_OBJS) $(TPM_KERN_OBJS): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)

$(TPM_TOOL_LIB): $(TPM_TOOL_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

$(TPM_KERN_LIB): $(TPM_KERN_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# The freestanding engine and mbedTLS link together (a relocatable link, all symbols kept)
# needing nothing from the kernel but lib/string.c's functions and the stack canary.
TPM_KERN_UNDEFS := memcpy memmove memset memcmp strlen strcmp __stack_chk_guard __stack_chk_fail
.PHONY: tpm-freestanding
tpm-freestanding: $(TPM_KERN_LIB) $(MBEDTLS_KERN_LIB)
	$(Q)$(LD) -r -o $(BUILD)/tpm/kern/tpm-all.o --whole-archive $(TPM_KERN_LIB) \
		--no-whole-archive $(MBEDTLS_KERN_LIB)
	@extra=$$(nm -u $(BUILD)/tpm/kern/tpm-all.o | awk '{ print $$2 }' | sort -u | \
		grep -vxF $(foreach s,$(TPM_KERN_UNDEFS),-e $(s)) || true); \
	if [ -n "$$extra" ]; then \
		echo "tpm-freestanding: the engine needs symbols the kernel does not offer:" >&2; \
		printf '  %s\n' $$extra >&2; exit 1; \
	fi
	@echo "tpm-freestanding: engine + mbedTLS link; text $$(size -A $(BUILD)/tpm/kern/tpm-all.o | \
		awk '$$1 ~ /^\.text/ { s += $$2 } END { print s }') bytes; needs only: $(TPM_KERN_UNDEFS)"
