# SPDX-License-Identifier: MIT
# Static-analysis gates (in `make check`): cppcheck and clang-tidy with zero findings.
# Suppressions are inline only (`// NOLINT(check): reason`, `// cppcheck-suppress id`), each
# with its reason. The chosen clang-tidy set and why checks are left out:
#   bugprone-*, cert-*, clang-analyzer-*, misc-*, except
#   - bugprone-easily-swappable-parameters: flags every (ptr, len) pair; API style, not bugs
#   - bugprone-reserved-identifier, cert-dcl37-c, cert-dcl51-cpp: the freestanding runtime must
#     define __stack_chk_guard, __stack_chk_fail and linker symbols like __ktests_start
#   - clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling: asks for Annex K
#     memcpy_s, which no toolchain here has; every length is checked by the callers instead
#   - misc-unused-parameters: callbacks have fixed signatures (-Wno-unused-parameter likewise)
#   - bugprone-misplaced-widening-cast: fires on every (unsigned long long) cast for printf
#   - bugprone-branch-clone: parallel switch cases that compile the same are intended
#   - misc-no-recursion: a reminder only; the stack budget is enforced by stack-budget
TIDY_CHECKS := -*,bugprone-*,cert-*,clang-analyzer-*,misc-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-misc-unused-parameters,-bugprone-misplaced-widening-cast,-bugprone-branch-clone,-misc-no-recursion
CLANG_RES := $(shell clang -print-resource-dir 2>/dev/null)/include
# Kernel code that includes mbedTLS headers (kernel/platform/snp/module.mk) adds its flags to
# LINT_KERN_EXTRA.
LINT_KERN_SRCS = $(shell git ls-files -co --exclude-standard -- 'lib/*.c' 'kernel/*.c' 'boot/*.c')
LINT_HOST_SRCS = $(shell git ls-files -co --exclude-standard -- 'tools/*.c')
# The TPM engine parses hostile commands and state blobs: it is linted like the kernel, with
# mbedTLS's headers (as system headers, so their own style is not judged).
LINT_TPM_SRCS = $(shell git ls-files -co --exclude-standard -- 'tpm/*.c')

.PHONY: lint cppcheck clang-tidy
lint: cppcheck clang-tidy

cppcheck:
	@echo "cppcheck: $(words $(LINT_KERN_SRCS) $(LINT_HOST_SRCS) $(LINT_TPM_SRCS)) files"
	@cppcheck -q --enable=warning,portability,performance --std=c11 --inline-suppr \
		--error-exitcode=1 -Iinclude -Ikernel/include -Itpm/include -Itpm -D__x86_64__ \
		$(LINT_KERN_SRCS) $(LINT_HOST_SRCS) $(LINT_TPM_SRCS)
	@echo "cppcheck: no findings"

clang-tidy: | $(MBEDTLS_STAMP)
	@echo "clang-tidy: $(words $(LINT_KERN_SRCS) $(LINT_HOST_SRCS) $(LINT_TPM_SRCS)) files"
	@fail=0; \
	for f in $(LINT_KERN_SRCS); do \
		clang-tidy -quiet --warnings-as-errors='*' --checks='$(TIDY_CHECKS)' $$f -- \
			-std=gnu11 -ffreestanding -nostdinc -isystem $(CLANG_RES) -Iinclude \
			-Ikernel/include $(LINT_KERN_EXTRA) 2>/dev/null || fail=1; \
	done; \
	for f in $(LINT_HOST_SRCS); do \
		clang-tidy -quiet --warnings-as-errors='*' --checks='$(TIDY_CHECKS)' $$f -- \
			-std=gnu11 -Iinclude -Itpm/include -DCOPRA_HOST 2>/dev/null || fail=1; \
	done; \
	for f in $(LINT_TPM_SRCS); do \
		clang-tidy -quiet --warnings-as-errors='*' --checks='$(TIDY_CHECKS)' $$f -- \
			-std=gnu11 -Iinclude $(TPM_INC) -DCOPRA_HOST 2>/dev/null || fail=1; \
	done; \
	if [ $$fail = 0 ]; then echo "clang-tidy: no findings"; else echo "clang-tidy: findings above"; exit 1; fi
