# SPDX-License-Identifier: MIT
# TPM tests with real clients and a reference TPM (docs: tests/tpm/diff/README):
#   make tpm-test        in order, each ending with "NAME: N passed, N failed":
#                          tpmd-protocol  tests/tpm/test_tpmd_protocol.py (copra-tpmd's wire protocols)
#                          tpm2-tools     tests/tpm/clients.py (tpm2-tools 5.4, swtpm and mssim TCTIs)
#                          ibm-tss        tests/tpm/tss_clients.py (IBM TSS utilities, socsim)
#                          tpm-diff       $(BUILD)/tests/tpm-diff on the streams of
#                                         tests/tpm/diff/streams.py, against libtpms
#                          primary-model  tests/tpm/primary_model.py --check (the primary-key
#                                         derivation of docs/tpm.md against the unit test)
#                        every test runs even when an earlier one failed; the target fails if any
#                        did. TPM_TEST_ARGS="-v" makes the client tests print passing checks too.
#   make tpm-diff        build the differential test ($(BUILD)/tests/tpm-diff)
#   make tpm-diff-test   only the differential test
TPM_DIFF := $(BUILD)/tests/tpm-diff
TPM_DIFF_SRCS := tests/tpm/diff/tpm_diff.c
TPM_DIFF_OBJS := $(call objs,tool,$(TPM_DIFF_SRCS))
TPM_DIFF_STREAMS := $(BUILD)/tests/tpm-diff-streams
TPM_TEST_ARGS ?=

$(TPM_DIFF_OBJS): TOOL_CFLAGS += $(TPM_INC)
$(TPM_DIFF_OBJS): tests/tpm/module.mk | $(MBEDTLS_STAMP)

$(TPM_DIFF): $(TPM_DIFF_OBJS) $(TPM_TOOL_LIB) $(MBEDTLS_HOST_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(HOSTCC) $(TPM_DIFF_OBJS) $(TPM_TOOL_LIB) $(MBEDTLS_HOST_LIB) -ltpms -o $@

.PHONY: tpm-diff tpm-diff-test tpm-test
tpm-diff: $(TPM_DIFF)

# The streams are generated (deterministically) at every run from their Python source.
tpm-diff-test: $(TPM_DIFF)
	@rm -rf $(TPM_DIFF_STREAMS)
	@$(PYTHON) tests/tpm/diff/streams.py --out $(TPM_DIFF_STREAMS)
	@$(TPM_DIFF) $(TPM_DIFF_STREAMS)/*.stream

tpm-test: $(COPRA_TPMD) $(TPM_DIFF)
	@fail=""; \
	if [ -f tests/tpm/test_tpmd_protocol.py ]; then \
		$(PYTHON) tests/tpm/test_tpmd_protocol.py --tpmd $(COPRA_TPMD) || fail="$$fail tpmd-protocol"; \
	fi; \
	$(PYTHON) tests/tpm/clients.py --tpmd $(COPRA_TPMD) $(TPM_TEST_ARGS) || fail="$$fail tpm2-tools"; \
	$(PYTHON) tests/tpm/tss_clients.py --tpmd $(COPRA_TPMD) $(TPM_TEST_ARGS) || fail="$$fail ibm-tss"; \
	$(PYTHON) tests/tpm/disk_unlock.py --tpmd $(COPRA_TPMD) || fail="$$fail disk-unlock"; \
	$(MAKE) --no-print-directory tpm-diff-test || fail="$$fail tpm-diff"; \
	$(PYTHON) tests/tpm/primary_model.py --check || fail="$$fail primary-model"; \
	if [ -n "$$fail" ]; then echo "tpm-test: failed:$$fail"; exit 1; fi; \
	echo "tpm-test: all passed"
