/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli, as in iSCSI RFC 3720, ext4, btrfs): polynomial 0x1EDC6F41 reflected
 * (0x82F63B78), initial value and final XOR 0xFFFFFFFF. Better error detection than IEEE CRC-32
 * for the same cost, and what hardware computes where a fast path is ever wanted.
 */
#ifndef LIB_CRC32C_H
#define LIB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the CRC-32C of the bytes already summed into crc followed by data[0..len); start with
 * crc = 0. crc32c_update(crc32c_update(0, a, n), b, m) equals the CRC of a and b concatenated,
 * and crc32c_update(0, "123456789", 9) == 0xE3069283.
 */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t len);

#endif
