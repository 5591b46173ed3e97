# SPDX-License-Identifier: MIT
# Constant-time checks under valgrind (tests/ct/, docs/assurance.md): the secret inputs are
# marked undefined, so memcheck reports any branch or memory index that depends on them.
#   make ct-test     tpm/p256.c at -O2 and -O1 (the optimizer decides whether masks stay masks)
CT_OPTS := O2 O1
CT_BINS := $(patsubst %,$(BUILD)/tests/ct/p256_ct_%,$(CT_OPTS))

$(BUILD)/tests/ct/p256_ct_%: tests/ct/p256_ct.c tpm/p256.c tpm/p256.h tpm/p256_table.h \
		$(BUILD_FILES) | $(MBEDTLS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CTCC    $@"
	$(Q)$(HOSTCC) -std=gnu11 -g -$* -Wall -Wextra -Werror -DCOPRA_CT_CHECK -Itpm -Itpm/include \
		$(MBEDTLS_CFLAGS) tests/ct/p256_ct.c tpm/p256.c -o $@

.PHONY: ct-test
ct-test: $(CT_BINS)
	@pass=0; fail=0; for b in $(CT_BINS); do \
		if valgrind -q --error-exitcode=99 --track-origins=yes $$b; then \
			pass=$$((pass + 1)); \
		else \
			echo "ct-test: $$b: FAILED (a secret-dependent branch or index above, or a wrong answer)"; \
			fail=$$((fail + 1)); \
		fi; \
	done; \
	echo "ct-test: $$pass passed, $$fail failed"; test $$fail -eq 0
