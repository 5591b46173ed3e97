/* SPDX-License-Identifier: MIT */
/*
 * The services the attestation protocol reports on, and their manifests (SPEC §7.1 Table 12,
 * facts 3.5). GUIDs are stored in the mixed-endian byte order they have on the wire (the first
 * three fields little-endian, the last eight bytes as written).
 *
 * The vTPM service manifest is empty (length 0). The reference design puts the marshalled
 * TPMT_PUBLIC of the endorsement key there, which needs TPM2_CreatePrimary; Copra's engine does
 * not create primary keys yet, and the SPEC allows a service without a manifest ("a service
 * with no manifest still gets an entry, with length 0"). A verifier can therefore rely on the
 * vTPM entry being present, and on its data being empty until the EK exists; no made-up bytes
 * are ever reported.
 */
#include <lib/string.h>

#include "svsm_internal.h"

/* 63849ebb-3d92-4670-a1ff-58f9c94b87bb */
static const uint8_t services_manifest_guid[16] = {
	0xbb, 0x9e, 0x84, 0x63, 0x92, 0x3d, 0x70, 0x46,
	0xa1, 0xff, 0x58, 0xf9, 0xc9, 0x4b, 0x87, 0xbb,
};

/* c476f1eb-0123-45a5-9641-b4e7dde5bfe3 (SPEC §8.3.1 per go-sev-guest) */
static const uint8_t vtpm_service_guid[16] = {
	0xeb, 0xf1, 0x76, 0xc4, 0x23, 0x01, 0xa5, 0x45,
	0x96, 0x41, 0xb4, 0xe7, 0xdd, 0xe5, 0xbf, 0xe3,
};

/* Table 12: a 24-byte header, then one 24-byte entry per service, then the data. */
struct manifest_hdr {
	uint8_t guid[16];
	uint32_t len;
	uint32_t count;
} __packed;
struct manifest_entry {
	uint8_t guid[16];
	uint32_t off;
	uint32_t len;
} __packed;
_Static_assert(sizeof(struct manifest_hdr) == 24, "SPEC Table 12: header is 24 bytes");
_Static_assert(__builtin_offsetof(struct manifest_hdr, len) == 0x10, "SPEC Table 12");
_Static_assert(__builtin_offsetof(struct manifest_hdr, count) == 0x14, "SPEC Table 12");
_Static_assert(sizeof(struct manifest_entry) == 24, "SPEC Table 12: entry is 24 bytes");
_Static_assert(__builtin_offsetof(struct manifest_entry, off) == 0x10, "SPEC Table 12");
_Static_assert(__builtin_offsetof(struct manifest_entry, len) == 0x14, "SPEC Table 12");

struct service {
	const uint8_t *guid;
	bool (*offered)(const struct svsm_state *s);
	/* Its manifest of version v into buf; SVSM_SERVICE_* */
	int (*manifest)(const struct svsm_state *s, uint32_t v, uint8_t *buf, size_t cap,
			size_t *len);
};

static bool vtpm_offered(const struct svsm_state *s)
{
	return s->vtpm != NULL;
}

static int vtpm_manifest(const struct svsm_state *s, uint32_t v, uint8_t *buf, size_t cap,
			 size_t *len)
{
	if (v != 0)
		return SVSM_SERVICE_VERSION;
	*len = 0;
	return SVSM_SERVICE_OK;
}

static const struct service services[] = {
	{vtpm_service_guid, vtpm_offered, vtpm_manifest},
};

size_t svsm_services_manifest(const struct svsm_state *s, uint8_t *buf, size_t cap)
{
	struct manifest_hdr hdr = {.len = 0};
	size_t n = 0;
	size_t data = 0;

	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		n += services[i].offered(s);
	data = (1 + n) * sizeof(struct manifest_entry);
	if (cap < data)
		return 0;
	n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(services); i++) {
		struct manifest_entry e = {.len = 0};
		size_t len = 0;

		if (!services[i].offered(s))
			continue;
		n++;
		if (services[i].manifest(s, 0, buf + data, cap - data, &len) != SVSM_SERVICE_OK)
			return 0;
		memcpy(e.guid, services[i].guid, sizeof(e.guid));
		e.off = (uint32_t)data;
		e.len = (uint32_t)len;
		memcpy(buf + n * sizeof(e), &e, sizeof(e));
		data += len;
	}
	memcpy(hdr.guid, services_manifest_guid, sizeof(hdr.guid));
	hdr.len = (uint32_t)data;
	hdr.count = (uint32_t)n;
	memcpy(buf, &hdr, sizeof(hdr));
	return data;
}

int svsm_service_manifest(const struct svsm_state *s, const uint8_t guid[16], uint32_t version,
			  uint8_t *buf, size_t cap, size_t *len)
{
	for (size_t i = 0; i < ARRAY_SIZE(services); i++) {
		if (services[i].offered(s) && memcmp(services[i].guid, guid, 16) == 0)
			return services[i].manifest(s, version, buf, cap, len);
	}
	return SVSM_SERVICE_UNKNOWN;
}
