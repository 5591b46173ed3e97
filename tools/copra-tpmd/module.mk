# SPDX-License-Identifier: MIT
# copra-tpmd: the TPM engine as a host TPM server (swtpm socket mode and MS-simulator protocols).
#   make copra-tpmd            the server, linked with the engine ($(TPM_TOOL_LIB), mbedTLS)
#   make copra-tpmd-fake       the same server on tests/tpm/fake_tpm.c, for protocol tests only
#   make tpmd-protocol-test    tests/tpm/test_tpmd_protocol.py against copra-tpmd
#   make tpmd-protocol-test-fake                                 ... against copra-tpmd-fake
# TPM_TOOL_LIB and MBEDTLS_HOST_LIB come from tpm/module.mk and mk/mbedtls.mk: make expands
# prerequisites when it reads this file, so those must be included before tools/module.mk for
# the libraries to be built first (the link line itself reads them late and works either way).
COPRA_TPMD := $(BUILD)/tools/copra-tpmd
COPRA_TPMD_FAKE := $(BUILD)/tests/tpm/copra-tpmd-fake
COPRA_TPMD_SRCS := tools/copra-tpmd/main.c tools/copra-tpmd/server.c \
	tools/copra-tpmd/platform_file.c lib/crc32c.c
COPRA_TPMD_OBJS := $(call objs,tool,$(COPRA_TPMD_SRCS))
COPRA_TPMD_FAKE_OBJS := $(call objs,tool,tests/tpm/fake_tpm.c)

# The engine's public header; only these objects see it.
$(COPRA_TPMD_OBJS) $(COPRA_TPMD_FAKE_OBJS): TOOL_CFLAGS += -Itpm/include
$(COPRA_TPMD_OBJS) $(COPRA_TPMD_FAKE_OBJS): tools/copra-tpmd/module.mk

$(COPRA_TPMD): $(COPRA_TPMD_OBJS) $(TPM_TOOL_LIB) $(MBEDTLS_HOST_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(HOSTCC) $(COPRA_TPMD_OBJS) $(TPM_TOOL_LIB) $(MBEDTLS_HOST_LIB) -o $@

$(COPRA_TPMD_FAKE): $(COPRA_TPMD_OBJS) $(COPRA_TPMD_FAKE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(HOSTCC) $^ -o $@

.PHONY: copra-tpmd copra-tpmd-fake tpmd-protocol-test tpmd-protocol-test-fake
copra-tpmd: $(COPRA_TPMD)
copra-tpmd-fake: $(COPRA_TPMD_FAKE)

tpmd-protocol-test: $(COPRA_TPMD)
	$(PYTHON) tests/tpm/test_tpmd_protocol.py --tpmd $(COPRA_TPMD)

tpmd-protocol-test-fake: $(COPRA_TPMD_FAKE)
	$(PYTHON) tests/tpm/test_tpmd_protocol.py --tpmd $(COPRA_TPMD_FAKE)
