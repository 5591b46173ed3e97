# SPDX-License-Identifier: MIT
# stage1 + loader: one ELF, turned into the image's top LOADER_ROM_SIZE bytes.
LOADER_SRCS := boot/stage1/stage1.S boot/loader/entry.S boot/loader/main.c \
	boot/loader/fw_cfg.c boot/loader/load.c \
	kernel/drivers/uart.c kernel/arch/x86/canary.c kernel/arch/x86/pgtable.c \
	lib/string.c lib/printf.c lib/crc32c.c lib/elf.c lib/e820.c
LOADER_OBJS := $(call objs,kern,$(LOADER_SRCS))

$(BUILD)/boot/loader.ld: boot/loader/loader.ld.S include/boot/layout.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ -Iinclude $< -o $@

$(BUILD)/boot/loader.elf: $(LOADER_OBJS) $(BUILD)/boot/loader.ld
	$(LD) $(KERN_LDFLAGS) -T $(BUILD)/boot/loader.ld -o $@ $(LOADER_OBJS)

$(BUILD)/boot/loader.bin: $(BUILD)/boot/loader.elf
	$(OBJCOPY) -O binary $< $@
	@test $$(stat -c %s $@) -eq $$((0x40000)) || { echo "loader.bin is not 256 KiB"; rm -f $@; exit 1; }
