# SPDX-License-Identifier: MIT
# kernel/platform/snp/: the SEV-SNP platform (GHCB, PVALIDATE/RMPADJUST, VMSA, guest messages).
# The same sources build two ways:
#   host  under ASan+UBSan with the SNP machine model (tests/snp/module.mk) for unit tests
#   kern  freestanding with the kernel's flags: `make snp-freestanding` compiles them, links them
#         with the freestanding mbedTLS and checks they need nothing but the instruction seam
#         (snp_hw_*), panic and what lib/string.c and the stack protector provide.
# The kernel image links them (kernel/module.mk) with the kernel's seam, hw_x86.c; platform
# init still chooses native only (the SNP boot path is not there yet).
SNP_SRCS := kernel/platform/snp/msr_protocol.c kernel/platform/snp/ghcb.c \
	kernel/platform/snp/ghcb_io.c kernel/platform/snp/psc.c kernel/platform/snp/ap_create.c \
	kernel/platform/snp/rmp.c kernel/platform/snp/guest_msg.c kernel/platform/snp/certs.c \
	kernel/platform/snp/attest.c kernel/platform/snp/secrets.c kernel/platform/snp/vmsa.c \
	kernel/platform/snp/setup.c kernel/platform/snp/aes_gcm.c
SNP_HOST_OBJS := $(call objs,host,$(SNP_SRCS))
SNP_KERN_OBJS := $(call objs,kern,$(SNP_SRCS))

$(SNP_HOST_OBJS): HOST_CFLAGS += $(MBEDTLS_CFLAGS)
$(SNP_KERN_OBJS): KERN_CFLAGS += $(MBEDTLS_CFLAGS) -DCOPRA_FREESTANDING -isystem tpm/mbedtls/shim
$(SNP_HOST_OBJS) $(SNP_KERN_OBJS): $(MBEDTLS_CONFIG) | $(MBEDTLS_STAMP)

SNP_KERN_UNDEFS := memcpy memmove memset memcmp strlen strcmp __stack_chk_guard \
	__stack_chk_fail panic
.PHONY: snp-freestanding
snp-freestanding: $(SNP_KERN_OBJS) $(MBEDTLS_KERN_LIB)
	$(Q)$(LD) -r -o $(BUILD)/kern/kernel/platform/snp/snp-all.o $(SNP_KERN_OBJS) \
		$(MBEDTLS_KERN_LIB)
	@extra=$$(nm -u $(BUILD)/kern/kernel/platform/snp/snp-all.o | awk '{ print $$2 }' | \
		sort -u | grep -v '^snp_hw_' | \
		grep -vxF $(foreach s,$(SNP_KERN_UNDEFS),-e $(s)) || true); \
	if [ -n "$$extra" ]; then \
		echo "snp-freestanding: platform/snp needs symbols the kernel does not offer:" >&2; \
		printf '  %s\n' $$extra >&2; exit 1; \
	fi
	@echo "snp-freestanding: platform/snp + mbedTLS link; needs only the seam" \
		"($$(nm -u $(BUILD)/kern/kernel/platform/snp/snp-all.o | grep -c ' snp_hw_') snp_hw_*)" \
		"and: $(SNP_KERN_UNDEFS)"

# clang-tidy sees guest_msg.c's mbedTLS headers as the freestanding build does (mk/lint.mk).
LINT_KERN_EXTRA += $(MBEDTLS_CFLAGS) -DCOPRA_FREESTANDING
