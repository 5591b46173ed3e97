# SPDX-License-Identifier: MIT
# Host tools.
MKIMAGE := $(BUILD)/tools/mkimage
MKIMAGE_SRCS := tools/mkimage.c lib/crc32c.c lib/elf.c lib/symtab.c

$(MKIMAGE): $(call objs,tool,$(MKIMAGE_SRCS))
	@mkdir -p $(dir $@)
	$(HOSTCC) $^ -o $@
include tools/copra-tpmd/module.mk
