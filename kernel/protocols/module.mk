# SPDX-License-Identifier: MIT
# kernel/protocols/ (SVSM protocol dispatch and handlers) and kernel/services/vtpm.c, with their
# host unit tests on the SNP machine model (tests/snp/). Included by kernel/module.mk (which links
# PROTO_KERN_OBJS into the image), before tests/module.mk, whose link rule expands UNIT_SRCS /
# UNIT_LIB_SRCS when it is read.
#   make unit-test UNIT_FILTER=proto    only these tests
#   make protocols-freestanding         compile the layer with the kernel's flags
#   make bench-svsm                     host cost per call on the model (bench/svsm/)
PROTO_SRCS := kernel/protocols/dispatch.c kernel/protocols/guest_access.c \
	kernel/protocols/core.c kernel/protocols/core_pvalidate.c kernel/protocols/core_vcpu.c \
	kernel/protocols/core_mem.c kernel/protocols/attest.c kernel/protocols/manifest.c \
	kernel/protocols/vtpm.c kernel/protocols/loop.c kernel/services/vtpm.c

# The engine's and mbedTLS's headers (attestation hashes with SHA-512, the vTPM runs the engine).
PROTO_INC := $(TPM_INC)
PROTO_HOST_OBJS := $(call objs,host,$(PROTO_SRCS))
PROTO_KERN_OBJS := $(call objs,kern,$(PROTO_SRCS))
$(PROTO_HOST_OBJS): HOST_CFLAGS += $(PROTO_INC)
$(PROTO_KERN_OBJS): KERN_CFLAGS += $(PROTO_INC) -DCOPRA_FREESTANDING -isystem tpm/mbedtls/shim
$(PROTO_HOST_OBJS) $(PROTO_KERN_OBJS): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)

.PHONY: protocols-freestanding
protocols-freestanding: $(PROTO_KERN_OBJS)
	@echo "protocols-freestanding: $(words $(PROTO_KERN_OBJS)) objects compile with the kernel's flags"

# Host unit tests (tests/unit/test_proto_*.c) on the SNP model, which tests/snp/module.mk adds.
PROTO_UNIT_SRCS := tests/unit/proto_harness.c tests/unit/test_proto_core.c \
	tests/unit/test_proto_pvalidate.c tests/unit/test_proto_vcpu.c \
	tests/unit/test_proto_attest.c tests/unit/test_proto_vtpm.c \
	tests/unit/test_proto_concurrency.c tests/unit/test_snp_loop.c
UNIT_SRCS += $(PROTO_UNIT_SRCS)
UNIT_LIB_SRCS += $(PROTO_SRCS)
$(call objs,host,$(PROTO_UNIT_SRCS)): HOST_CFLAGS += $(PROTO_INC)
$(call objs,host,$(PROTO_UNIT_SRCS)): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)

# clang-tidy sees the layer like the kernel does, with the engine's public headers.
LINT_KERN_EXTRA += -Itpm/include
