# SPDX-License-Identifier: MIT
# tests/snp/: the SEV-SNP machine model (model.h) and the unit tests of kernel/platform/snp/
# that run on it. Included from tests/module.mk before its link rule.
SNP_MODEL_SRCS := tests/snp/model.c tests/snp/model_hw.c tests/snp/model_hv.c \
	tests/snp/model_psp.c tests/snp/model_guest.c
SNP_UNIT_SRCS := tests/unit/test_snp_rmp.c tests/unit/test_snp_msr.c \
	tests/unit/test_snp_ghcb.c tests/unit/test_snp_msg.c tests/unit/test_snp_secrets.c \
	tests/unit/test_snp_vmsa.c

UNIT_SRCS += $(SNP_UNIT_SRCS)
UNIT_LIB_SRCS += $(SNP_SRCS) $(SNP_MODEL_SRCS)

$(call objs,host,$(SNP_MODEL_SRCS) $(SNP_UNIT_SRCS)): HOST_CFLAGS += $(MBEDTLS_CFLAGS)
$(call objs,host,$(SNP_MODEL_SRCS) $(SNP_UNIT_SRCS)): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)
