/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 as used by zlib, gzip, PNG and Ethernet: IEEE 802.3 polynomial, reflected (0xEDB88320),
 * initial value and final XOR 0xFFFFFFFF.
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the CRC-32 of the bytes already summed into crc followed by data[0..len); start with
 * crc = 0. Same contract as zlib's crc32(), so crc32_update(crc32_update(0, a, n), b, m) equals
 * the CRC of a and b concatenated, and crc32_update(0, "123456789", 9) == 0xCBF43926.
 */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
