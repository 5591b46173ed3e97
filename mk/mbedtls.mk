# SPDX-License-Identifier: MIT
# mbedTLS (the TPM engine's crypto), built from the Debian source pinned in deps/manifest with
# Copra's own config (tpm/mbedtls/copra_mbedtls_config.h), in two variants of the same modules:
#   make mbedtls                      build both libraries
#   make mbedtls-freestanding-check   the kern library needs nothing but MBEDTLS_KERN_UNDEFS
# For other makefiles (this file is included before them):
#   MBEDTLS_SRC       the unpacked source tree (not in git: scripts/fetch-mbedtls fetches it)
#   MBEDTLS_STAMP     built once the tree is there: a prerequisite of anything that includes
#                     mbedTLS headers before it links a library, e.g. `obj.o: | $(MBEDTLS_STAMP)`
#   MBEDTLS_CFLAGS    -I/-D flags to include mbedTLS headers with Copra's config, hosted or
#                     freestanding (the config notices -ffreestanding by itself, and the libc
#                     shims are found only when libc is not); add them per target, e.g.
#                     `$(BUILD)/host/tpm/foo.o: HOST_CFLAGS += $(MBEDTLS_CFLAGS)`
#   MBEDTLS_HOST_LIB  hosted libmbedcrypto.a (gcc -O2, no sanitizers): host tools, ASan unit
#                     tests, clang libFuzzer harnesses
#   MBEDTLS_KERN_LIB  freestanding libmbedcrypto.a with the kernel's code model and stack
#                     protector: links into the kernel, which provides the symbols it lists
# Both are plain archives: put them after the objects that use them on the link line.

# The upstream version, derived from the pin the way scripts/fetch-mbedtls does (strip the
# epoch and the Debian revision), so a new pin needs no change here.
MBEDTLS_VERSION := $(shell sed 's/\#.*//' deps/manifest | \
	awk '$$1 == "src" && $$2 == "mbedtls" { v = $$3 } \
	END { sub(/^[0-9]+:/, "", v); sub(/-[^-]*$$/, "", v); print v }')
MBEDTLS_CACHE := $(or $(COPRA_CACHE),third_party/cache)
MBEDTLS_SRC := $(MBEDTLS_CACHE)/mbedtls-$(MBEDTLS_VERSION)
MBEDTLS_CONFIG := tpm/mbedtls/copra_mbedtls_config.h
MBEDTLS_SHIM_HDRS := $(wildcard tpm/mbedtls/shim/*.h)
MBEDTLS_STAMP := $(BUILD)/mbedtls/source.stamp

# The shims come last (-idirafter): a hosted build finds libc's headers first and never sees
# them; a freestanding one (-nostdinc -isystem $(GCC_INC)) takes stddef.h, stdint.h, limits.h
# and stdarg.h from gcc and only what gcc lacks from tpm/mbedtls/shim/.
MBEDTLS_CFLAGS := -isystem $(MBEDTLS_SRC)/include -Itpm/mbedtls -idirafter tpm/mbedtls/shim \
	'-DMBEDTLS_CONFIG_FILE="copra_mbedtls_config.h"'

# Exactly the modules the config enables (a module not listed compiles to nothing anyway, but
# costs build time; one missing shows up as an undefined symbol at link time).
MBEDTLS_LIB_SRCS := \
	aes.c cipher.c cipher_wrap.c gcm.c \
	md.c sha1.c sha256.c sha512.c hkdf.c \
	bignum.c constant_time.c rsa.c rsa_internal.c oid.c asn1parse.c asn1write.c \
	ecp.c ecp_curves.c ecdsa.c ecdh.c \
	ctr_drbg.c \
	platform.c platform_util.c
MBEDTLS_LIB_FILES := $(addprefix $(MBEDTLS_SRC)/library/,$(MBEDTLS_LIB_SRCS))

# Third-party code: Copra's warning set (2.28.3 builds without a warning under it for these
# modules), but never -Werror, so a new compiler's warning cannot break the build.
MBEDTLS_COMMON_CFLAGS := -std=gnu11 -O2 -g $(filter-out -Werror,$(WARN)) $(MBEDTLS_CFLAGS) -MMD -MP
MBEDTLS_HOST_CFLAGS := $(MBEDTLS_COMMON_CFLAGS) -fno-omit-frame-pointer
# The kernel's code model, no SIMD, and KERN_CFLAGS' stack protector (a global canary:
# __stack_chk_guard, __stack_chk_fail); no libc headers but gcc's and the shims. .su files are
# written beside the objects (outside $(BUILD)/kern, so stack-budget does not count them).
MBEDTLS_KERN_CFLAGS := $(MBEDTLS_COMMON_CFLAGS) -DCOPRA_FREESTANDING \
	-ffreestanding -nostdinc -isystem $(GCC_INC) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx \
	$(filter -fstack-protector% -mstack-protector%,$(KERN_CFLAGS)) \
	-fno-common -fno-strict-aliasing -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fstack-usage

MBEDTLS_HOST_LIB := $(BUILD)/mbedtls/host/libmbedcrypto.a
MBEDTLS_KERN_LIB := $(BUILD)/mbedtls/kern/libmbedcrypto.a
MBEDTLS_HOST_OBJS := $(call objs,mbedtls/host,$(MBEDTLS_LIB_SRCS))
MBEDTLS_KERN_OBJS := $(call objs,mbedtls/kern,$(MBEDTLS_LIB_SRCS))
# A config or flag change rebuilds every object (a shim change, the kern ones).
MBEDTLS_DEPS := $(MBEDTLS_STAMP) $(MBEDTLS_CONFIG) mk/mbedtls.mk $(BUILD_FILES)

# Fetch and verify the source once. Re-run when the pin or the script changes, or when the
# unpacked tree has gone (the script's own marker is missing).
$(MBEDTLS_STAMP): deps/manifest scripts/fetch-mbedtls \
		$(if $(wildcard $(MBEDTLS_SRC)/.copra-source),,mbedtls-source-missing)
	@mkdir -p $(dir $@)
	@echo "  FETCH   mbedtls $(MBEDTLS_VERSION)"
	$(Q)scripts/fetch-mbedtls -q --cache $(MBEDTLS_CACHE)
	$(Q)test -f $(MBEDTLS_SRC)/.copra-source || \
		{ echo "mbedtls: fetch did not produce $(MBEDTLS_SRC)" >&2; exit 1; }
	$(Q)touch $@

.PHONY: mbedtls-source-missing
# The sources exist once the stamp is made.
$(MBEDTLS_LIB_FILES): | $(MBEDTLS_STAMP)

$(BUILD)/mbedtls/host/%.o: $(MBEDTLS_SRC)/library/%.c $(MBEDTLS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  mbedtls/$*.c"
	$(Q)$(HOSTCC) $(MBEDTLS_HOST_CFLAGS) -c $< -o $@

$(BUILD)/mbedtls/kern/%.o: $(MBEDTLS_SRC)/library/%.c $(MBEDTLS_DEPS) $(MBEDTLS_SHIM_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      mbedtls/$*.c"
	$(Q)$(CC) $(MBEDTLS_KERN_CFLAGS) -c $< -o $@

# Deterministic archives (D: zero timestamps and ids) for repro-check.
$(MBEDTLS_HOST_LIB): $(MBEDTLS_HOST_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

$(MBEDTLS_KERN_LIB): $(MBEDTLS_KERN_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# What the freestanding library may need from the kernel, and why:
#   memcpy memmove memset memcmp   mbedTLS everywhere, and gcc for struct copies and clears
#   strlen strcmp                  bignum.c reading strings; md, cipher, ecp lookups by name
#   __stack_chk_guard              -mstack-protector-guard=global: the kernel's canary
#   __stack_chk_fail               called when a canary is found smashed
# calloc/free are not here: they are function pointers set at run time
# (mbedtls_platform_set_calloc_free).
MBEDTLS_KERN_UNDEFS := memcpy memmove memset memcmp strlen strcmp __stack_chk_guard \
	__stack_chk_fail

.PHONY: mbedtls mbedtls-freestanding-check
mbedtls: $(MBEDTLS_HOST_LIB) $(MBEDTLS_KERN_LIB)

# Undefined symbols of the archive as a whole: those some member needs and no member defines.
MBEDTLS_KERN_NEEDS := $(BUILD)/mbedtls/kern/needs.txt
mbedtls-freestanding-check: $(MBEDTLS_KERN_LIB)
	@nm -u $< | awk 'NF == 2 { print $$2 }' | sort -u >$(MBEDTLS_KERN_NEEDS).undef
	@nm -g --defined-only $< | awk 'NF == 3 { print $$3 }' | sort -u >$(MBEDTLS_KERN_NEEDS).def
	@comm -23 $(MBEDTLS_KERN_NEEDS).undef $(MBEDTLS_KERN_NEEDS).def >$(MBEDTLS_KERN_NEEDS)
	@extra=$$(grep -vxF $(foreach s,$(MBEDTLS_KERN_UNDEFS),-e $(s)) $(MBEDTLS_KERN_NEEDS)); \
	if [ -n "$$extra" ]; then \
		echo "mbedtls-freestanding-check: $< needs symbols outside MBEDTLS_KERN_UNDEFS:" >&2; \
		printf '  %s\n' $$extra >&2; \
		exit 1; \
	fi
	@echo "mbedtls-freestanding-check: $(notdir $<) needs only: $$(tr '\n' ' ' <$(MBEDTLS_KERN_NEEDS))"
