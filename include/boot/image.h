/* SPDX-License-Identifier: MIT */
/*
 * The flat boot image written by tools/mkimage and read by the loader. The header sits at a
 * fixed physical address (IMAGE_HEADER_PHYS) so the loader finds it whatever the image size.
 * Offsets are from the start of the image (physical IMAGE_TOP - image_size).
 */
#ifndef BOOT_IMAGE_H
#define BOOT_IMAGE_H

#include <stdint.h>

#define IMAGE_MAGIC   0x474d494152504f43ULL /* "COPRAIMG" */
#define IMAGE_VERSION 1

struct image_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint64_t image_size;
	uint64_t kernel_offset;
	uint64_t kernel_size;
	uint64_t symtab_offset;
	uint64_t symtab_size;
	uint32_t kernel_crc32;
	uint32_t symtab_crc32;
	uint32_t reserved;
	uint32_t header_crc32; /* CRC-32C of the header with this field zero */
};

_Static_assert(sizeof(struct image_header) == 72, "image header layout is ABI");
_Static_assert(__builtin_offsetof(struct image_header, header_crc32) == 68, "image header ABI");

#endif
