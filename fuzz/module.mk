# SPDX-License-Identifier: MIT
# libFuzzer harnesses (fuzz/fuzz_NAME.c; docs/assurance.md "Fuzzing"): each is built with clang
# under ASan + UBSan together with the code it tests, taken straight from the tree (never
# lib/string.c: the host libc provides memcpy and friends).
#   make fuzz-build                     build every harness as $(BUILD)/fuzz/fuzz_NAME
#   make fuzz-smoke                     each harness for FUZZ_SMOKE_SECONDS on a fresh copy of
#                                       its seeds (fuzz/corpus/NAME is never written)
#   make fuzz [FUZZ_SECONDS=600]        each harness in turn for FUZZ_SECONDS; the grown corpus
#                                       is kept in $(BUILD)/fuzz/long/NAME for the next run
#   make fuzz-cov                       line and branch coverage of the code under test
#                                       reached by the corpus (the long-run one if present)
#   make fuzz-seeds                     regenerate fuzz/corpus/ with fuzz/make_seeds.py (the
#                                       tpm_state seeds with the built fuzz_tpm_state)
# FUZZ_TARGETS="elf e820" limits any of them to some harnesses. Crash inputs are saved as
# $(BUILD)/fuzz/crashes/NAME-crash-<sha1> (and leak-, timeout-, oom-), logs in
# $(BUILD)/fuzz/logs/. Reproduce one with: $(BUILD)/fuzz/fuzz_NAME <file>
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_NAMES := elf e820 symtab guest_range cmdline rle heap printf tpm tpm_state tpmd_slot svsm \
	p256
FUZZ_TARGETS ?= $(FUZZ_NAMES)

FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(FUZZ_SAN) -fno-omit-frame-pointer -Wall -Wextra \
	-Wno-unused-parameter -Iinclude -Ikernel/include -DCOPRA_HOST -MMD -MP
FUZZ_LDFLAGS := $(FUZZ_SAN)

# The code under test of each harness.
FUZZ_SRCS_elf := lib/elf.c
FUZZ_SRCS_e820 := lib/e820.c
FUZZ_SRCS_symtab := lib/symtab.c
FUZZ_SRCS_guest_range := kernel/mm/guest_range.c
FUZZ_SRCS_cmdline := kernel/core/cmdline.c
FUZZ_SRCS_rle := lib/rle_bitmap.c
FUZZ_SRCS_heap := kernel/mm/buddy.c kernel/mm/slab.c
FUZZ_SRCS_printf := lib/printf.c
FUZZ_SRCS_tpm := $(TPM_SRCS)
FUZZ_SRCS_tpm_state := $(TPM_SRCS)
FUZZ_SRCS_tpmd_slot := tools/copra-tpmd/platform_file.c lib/crc32c.c
# Extra compile flags and libraries of a harness (the TPM engine: its headers and mbedTLS, the
# hosted library, uninstrumented: the engine's own code is what is under test).
FUZZ_EXTRA_CFLAGS_tpm := -Itpm/include -Itpm $(MBEDTLS_CFLAGS)
FUZZ_LIBS_tpm := $(MBEDTLS_HOST_LIB)
FUZZ_EXTRA_CFLAGS_tpm_state := $(FUZZ_EXTRA_CFLAGS_tpm)
FUZZ_LIBS_tpm_state := $(MBEDTLS_HOST_LIB)
# tpm/p256.c alone, against mbedTLS's P-256 (the reference, uninstrumented).
FUZZ_SRCS_p256 := tpm/p256.c
FUZZ_EXTRA_CFLAGS_p256 := -Itpm/include -Itpm $(MBEDTLS_CFLAGS)
FUZZ_LIBS_p256 := $(MBEDTLS_HOST_LIB)
# copra-tpmd's slot file: only the engine's public header (constants, struct tpm_platform).
FUZZ_EXTRA_CFLAGS_tpmd_slot := -Itpm/include -Itools/copra-tpmd

# The SVSM protocol layer on the SNP model, with the vTPM and the TPM engine (fuzz_svsm.c).
FUZZ_SRCS_svsm := $(PROTO_SRCS) $(SNP_SRCS) $(SNP_MODEL_SRCS) $(TPM_SRCS) lib/rle_bitmap.c \
	kernel/mm/guest_range.c
FUZZ_EXTRA_CFLAGS_svsm := -Itpm/include -Itpm $(MBEDTLS_CFLAGS)
FUZZ_LIBS_svsm := $(MBEDTLS_HOST_LIB)

fuzz_empty :=
fuzz_space := $(fuzz_empty) $(fuzz_empty)
fuzz_objs = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(1))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_COV_BINS := $(patsubst %,$(BUILD)/fuzz/cov/fuzz_%,$(FUZZ_TARGETS))
FUZZ_COV_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer -fprofile-instr-generate \
	-fcoverage-mapping -Wno-unused-parameter -Iinclude -Ikernel/include -DCOPRA_HOST

$(BUILD)/fuzz/obj/%.o: %.c fuzz/module.mk $(BUILD_FILES)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

define fuzz_harness
$(BUILD)/fuzz/fuzz_$(1): $(call fuzz_objs,fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1))) $(FUZZ_LIBS_$(1))
	@echo "  FUZZLD  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) $$^ -o $$@
$(call fuzz_objs,fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1))): FUZZ_CFLAGS += $(FUZZ_EXTRA_CFLAGS_$(1))
$(if $(FUZZ_EXTRA_CFLAGS_$(1)),$(call fuzz_objs,fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1))): | $(MBEDTLS_STAMP))
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_harness,$(n))))

# Coverage builds: one step, no sanitizers (the answer is which lines ran, not whether they
# were safe); the sources under test are listed to llvm-cov by fuzz/run.sh.
define fuzz_cov_harness
$(BUILD)/fuzz/cov/fuzz_$(1): fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) fuzz/fuzz.h fuzz/module.mk \
		$(FUZZ_LIBS_$(1))
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCOV $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_COV_FLAGS) $(FUZZ_EXTRA_CFLAGS_$(1)) fuzz/fuzz_$(1).c \
		$(FUZZ_SRCS_$(1)) $(FUZZ_LIBS_$(1)) -o $$@
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_cov_harness,$(n))))

.PHONY: fuzz-build fuzz-smoke fuzz fuzz-cov fuzz-seeds
fuzz-build: $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@fuzz/run.sh smoke $(BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

fuzz: $(FUZZ_BINS)
	@fuzz/run.sh long $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-cov: $(FUZZ_COV_BINS)
	@fuzz/run.sh cov $(BUILD) 0 $(foreach n,$(FUZZ_TARGETS),$(n):$(subst $(fuzz_space),+,$(FUZZ_SRCS_$(n))))

fuzz-seeds: $(BUILD)/fuzz/fuzz_tpm_state
	$(or $(PYTHON),/usr/bin/python3) fuzz/make_seeds.py --tpm-state-gen $(BUILD)/fuzz/fuzz_tpm_state
