# SPDX-License-Identifier: MIT
# lib/: freestanding support code shared by the loader, the kernel and (renamed) the host tests.
# Append more sources with `LIB_SRCS += lib/foo.c`; LIB_KERN_OBJS is expanded when used.
LIB_SRCS += lib/string.c lib/printf.c lib/crc32c.c lib/bitmap.c lib/rle_bitmap.c

LIB_KERN_OBJS = $(call objs,kern,$(LIB_SRCS))

# string.c implements memcpy/memset: keep gcc from turning its loops into calls to themselves.
$(BUILD)/kern/lib/string.o: KERN_CFLAGS += -fno-tree-loop-distribute-patterns
