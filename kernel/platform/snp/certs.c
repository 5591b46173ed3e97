/* SPDX-License-Identifier: MIT */
/*
 * The certificate table an extended guest request returns (GHCB specification 56421,
 * "SNP Extended Guest Request"): entries of {16-byte GUID, u32 offset, u32 length}, ended by an
 * all-zero entry, offsets relative to the start of the table. The hypervisor writes it into a
 * shared area, so it is parsed like any other hostile input; it carries no security weight
 * (the verifier checks the chain itself), only its bounds matter here.
 */
#include "snp_internal.h"
#include <lib/checked.h>
#include <lib/string.h>

#define CERT_ENTRY_SIZE 24u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool entry_is_zero(const uint8_t *e)
{
	for (unsigned int i = 0; i < CERT_ENTRY_SIZE; i++)
		if (e[i])
			return false;
	return true;
}

bool snp_certs_table_len(const uint8_t *buf, size_t size, size_t *len)
{
	uint64_t end = 0;
	size_t off = 0;

	for (off = 0; off + CERT_ENTRY_SIZE <= size; off += CERT_ENTRY_SIZE) {
		const uint8_t *e = buf + off;
		uint64_t cert_end = 0;

		if (entry_is_zero(e))
			break;
		if (ADD_OVERFLOW((uint64_t)le32(e + 16), (uint64_t)le32(e + 20), &cert_end) ||
		    cert_end > size)
			return false;
		if (cert_end > end)
			end = cert_end;
	}
	if (off + CERT_ENTRY_SIZE > size)
		return false; /* no terminator */
	if (off == 0) {
		*len = 0;
		return true;
	}
	if (end < off + CERT_ENTRY_SIZE)
		end = off + CERT_ENTRY_SIZE;
	*len = (size_t)end;
	return true;
}
