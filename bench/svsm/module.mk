# SPDX-License-Identifier: MIT
# bench/svsm/: host cost per SVSM call on the SNP machine model (`make bench-svsm`, part of
# `make bench`). The protocol layer, the platform, the model, the TPM engine and mbedTLS are
# built as tool objects (-O2, no sanitizers). Included after tests/module.mk, which lists the
# model's sources.
BENCH_SVSM_SRCS := bench/svsm/bench_svsm.c $(PROTO_SRCS) $(SNP_SRCS) $(SNP_MODEL_SRCS) \
	lib/rle_bitmap.c kernel/mm/guest_range.c
BENCH_SVSM_OBJS := $(call objs,tool,$(BENCH_SVSM_SRCS))
BENCH_SVSM := $(BUILD)/bench/bench_svsm

$(BENCH_SVSM_OBJS): TOOL_CFLAGS += -Ikernel/include $(TPM_INC)
$(BENCH_SVSM_OBJS): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)

$(BENCH_SVSM): $(BENCH_SVSM_OBJS) $(TPM_TOOL_LIB) $(MBEDTLS_HOST_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $^ -o $@

.PHONY: bench-svsm
bench: bench-svsm
bench-svsm: $(BENCH_SVSM)
	$(BENCH_SVSM)
