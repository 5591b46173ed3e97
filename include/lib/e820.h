/* SPDX-License-Identifier: MIT */
/*
 * Choosing the SVSM region from an e820 memory map. The map comes from the VMM (fw_cfg
 * etc/e820 on native), so it is untrusted: entries may wrap, overlap or be missing.
 */
#ifndef LIB_E820_H
#define LIB_E820_H

#include <boot/boot_info.h>
#include <stddef.h>
#include <stdint.h>

enum e820_err {
	E820_OK = 0,
	E820_EEMPTY,	/* the map has no entries */
	E820_ENOUSABLE, /* no usable RAM at all */
	E820_ETOOSMALL, /* usable RAM exists but no range fits the region */
};

struct e820_choice {
	uint64_t base;		/* chosen region base (valid on E820_OK) */
	uint64_t usable_total;	/* bytes of usable RAM inside [min, max) */
	uint64_t largest_range; /* largest usable run inside [min, max), for messages */
};

/*
 * Picks the highest `align`-aligned range of `size` bytes inside [min, max) that lies wholly in
 * usable RAM and overlaps no entry of another type. Wrapping entries are ignored.
 */
enum e820_err e820_choose_region(const struct boot_e820_entry *map, size_t n, uint64_t size,
				 uint64_t align, uint64_t min, uint64_t max,
				 struct e820_choice *out);

const char *e820_strerror(enum e820_err err);

#endif
