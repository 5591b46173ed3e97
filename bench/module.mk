# SPDX-License-Identifier: MIT
# Benchmarks (not tests): `make bench` runs them all and prints ratios against named peers.
FLOOR_IMAGE := $(BUILD)/bench/floor.bin

$(BUILD)/bench/floor.elf: $(BUILD)/kern/bench/boot/floor.o bench/boot/floor.ld
	@mkdir -p $(dir $@)
	$(Q)$(LD) $(KERN_LDFLAGS) -T bench/boot/floor.ld -o $@ $<

# Padded to Copra's image size so QEMU loads the same number of bytes.
$(FLOOR_IMAGE): $(BUILD)/bench/floor.elf
	$(Q)$(OBJCOPY) -O binary $< $@.tmp
	$(Q)python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); n=int(sys.argv[3],0); open(sys.argv[2],"wb").write(bytes(n-len(d))+d)' $@.tmp $@ $(IMAGE_SIZE)
	$(Q)rm -f $@.tmp

BENCH_RUNS ?= 11
.PHONY: bench bench-boot bench-mm bench-tpm
bench: bench-boot bench-mm bench-tpm

# One ESAPI client against copra-tpmd and swtpm/libtpms in the same run (bench/tpm/run.sh).
$(BUILD)/bench/bench_esys: bench/tpm/bench_esys.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(TOOL_CFLAGS) $< -o $@ -ltss2-esys -ltss2-tctildr

bench-tpm: setup $(BUILD)/bench/bench_esys $(BUILD)/tools/copra-tpmd
	bench/tpm/run.sh $(BUILD)

# Copra's heap (buddy + slabs, built for the host) against glibc malloc/free, in one run.
bench-mm:
	bench/mm/run.sh $(BUILD)

bench-boot: setup $(IMAGE) $(FLOOR_IMAGE)
	$(PYTHON) bench/boot/boot_time.py --image $(IMAGE) --floor $(FLOOR_IMAGE) --runs $(BENCH_RUNS)
include bench/svsm/module.mk
