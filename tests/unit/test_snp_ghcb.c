/* SPDX-License-Identifier: MIT */
/*
 * The GHCB events (kernel/platform/snp/ghcb*.c, psc.c, ap_create.c) on the machine model:
 * each against an honest hypervisor, then against the lies that apply to it. A lie must give
 * an error, never a crash or a hang, and must not change what the SVSM holds.
 */
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <string.h>

#include "../../kernel/platform/snp/snp_internal.h"
#include "../snp/model.h"
#include "unit.h"

#define PSC_BASE 0x800000ull /* 8 MiB: guest RAM */

static void boot(void)
{
	ASSERT(model_boot(NULL) == 0);
}

static bool assigned(uint64_t gpa)
{
	struct model_rmp e;

	ASSERT(model_rmp_get(gpa_init(gpa), &e));
	return e.assigned;
}

UNIT_TEST(snp_ghcb_no_ghcb_is_an_error)
{
	uint32_t v = 0;

	ASSERT(model_create(NULL) == 0);
	EXPECT_EQ_U64(snp_io_read(0x80, 1, &v), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(snp_psc(gpa_init(PSC_BASE), 1, true), (uint64_t)SNP_EIO);
	EXPECT(assigned(PSC_BASE));
	model_destroy();
}

UNIT_TEST(snp_ghcb_io)
{
	uint32_t v = 0;

	boot();
	model_hv_io_set(0x3f8, 0xAABBCCDD);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 1, &v), SNP_OK);
	EXPECT_EQ_U64(v, 0xDD);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 2, &v), SNP_OK);
	EXPECT_EQ_U64(v, 0xCCDD);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 4, &v), SNP_OK);
	EXPECT_EQ_U64(v, 0xAABBCCDD);
	EXPECT_EQ_U64(snp_io_write(0x80, 2, 0x12345678), SNP_OK);
	EXPECT_EQ_U64(model_hv_io_get(0x80), 0x5678);
	EXPECT_EQ_U64(snp_io_read(0x80, 3, &v), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_io_write(0x80, 8, 0), (uint64_t)SNP_EINVAL);
	/* Lies: a result code outside 0/1/2, an exception, invalid input, a hidden register. */
	v = 7;
	model_lie(MODEL_LIE_EXITINFO1, 1, 3);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 4, &v), (uint64_t)SNP_EIO);
	model_lie(MODEL_LIE_EXITINFO1, 1, 1);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 4, &v), (uint64_t)SNP_EIO);
	model_lie(MODEL_LIE_EXITINFO1, 1, 2);
	EXPECT_EQ_U64(snp_io_write(0x80, 1, 1), (uint64_t)SNP_EIO);
	model_lie(MODEL_LIE_EXITINFO1, 1, 0xFFFFFFFF00000002ull);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 4, &v), (uint64_t)SNP_EIO);
	model_lie(MODEL_LIE_VALID_BITMAP, 1, 0);
	EXPECT_EQ_U64(snp_io_read(0x3f8, 4, &v), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(v, 7);
	EXPECT_EQ_U64(model_hv_io_get(0x80), 0x5678);
	EXPECT_EQ_U64(model_lies_told(MODEL_LIE_EXITINFO1), 4);
	/* Honest again: everything works. */
	EXPECT_EQ_U64(snp_io_read(0x3f8, 4, &v), SNP_OK);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

UNIT_TEST(snp_ghcb_msr)
{
	uint64_t v = 0;

	boot();
	EXPECT_EQ_U64(snp_msr_write(0xC0000103, 0x1122334455667788ull), SNP_OK);
	EXPECT_EQ_U64(model_hv_msr_get(0xC0000103), 0x1122334455667788ull);
	model_hv_msr_set(0x1B, 0xFEE00900);
	EXPECT_EQ_U64(snp_msr_read(0x1B, &v), SNP_OK);
	EXPECT_EQ_U64(v, 0xFEE00900);
	v = 5;
	model_lie(MODEL_LIE_VALID_BITMAP, 1, 0);
	EXPECT_EQ_U64(snp_msr_read(0x1B, &v), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(v, 5);
	model_lie(MODEL_LIE_EXITINFO1, 1, 1);
	EXPECT_EQ_U64(snp_msr_write(0xC0000103, 0), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(model_hv_msr_get(0xC0000103), 0x1122334455667788ull);
	model_destroy();
}

UNIT_TEST(snp_ghcb_mmio)
{
	uint64_t dev = 0;
	uint32_t v = 0;
	uint64_t q = 0x0102030405060708ull;

	boot();
	dev = gpa_addr(model_mmio_gpa());
	EXPECT_EQ_U64(snp_mmio_write(gpa_init(dev + 0x10), &q, 8), SNP_OK);
	EXPECT_EQ_U64(model_mmio()[0x10], 0x08);
	EXPECT_EQ_U64(model_mmio()[0x17], 0x01);
	EXPECT_EQ_U64(snp_mmio_read(gpa_init(dev + 0x14), &v, 4), SNP_OK);
	EXPECT_EQ_U64(v, 0x01020304);
	EXPECT_EQ_U64(snp_mmio_read(gpa_init(dev), &v, 3), (uint64_t)SNP_EINVAL);
	/* The host refuses an address it has no device at: invalid input, an error. */
	EXPECT_EQ_U64(snp_mmio_read(gpa_init(dev + MODEL_MMIO_SIZE), &v, 4), (uint64_t)SNP_EIO);
	v = 9;
	model_lie(MODEL_LIE_EXITINFO1, 1, 0x77);
	EXPECT_EQ_U64(snp_mmio_read(gpa_init(dev + 0x14), &v, 4), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(v, 9);
	model_destroy();
}

UNIT_TEST(snp_psc_honest_in_batches)
{
	const size_t n = 600; /* three GHCB batches: 253 + 253 + 94 */

	boot();
	EXPECT_EQ_U64(snp_psc(gpa_init(PSC_BASE), n, true), SNP_OK);
	for (size_t i = 0; i < n; i++)
		if (!EXPECTF(!assigned(PSC_BASE + i * 4096), "page %zu", i))
			break;
	EXPECT(assigned(PSC_BASE + n * 4096));
	EXPECT(assigned(PSC_BASE - 4096));
	/* A host that does a few entries per call is honest too: the loop finishes. */
	model_lie(MODEL_HONEST_PSC_BATCH, MODEL_ALWAYS, 7);
	EXPECT_EQ_U64(snp_psc(gpa_init(PSC_BASE), n, false), SNP_OK);
	EXPECT(model_lies_told(MODEL_HONEST_PSC_BATCH) >= n / 7);
	for (size_t i = 0; i < n; i++)
		if (!EXPECTF(assigned(PSC_BASE + i * 4096), "page %zu", i))
			break;
	EXPECT_EQ_U64(snp_psc(gpa_init(PSC_BASE + 8), 1, true), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_psc(gpa_init(PSC_BASE), 0, true), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_psc(gpa_init(0xFFFFFFFFFFFFF000ull), 2, true), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

/* A PSC lie: an error, and the loop ends (the test would hang otherwise). */
static void psc_lie(enum model_lie lie, uint64_t arg)
{
	boot();
	model_lie(lie, MODEL_ALWAYS, arg);
	EXPECTF(snp_psc(gpa_init(PSC_BASE), 10, true) == SNP_EIO, "lie %d", lie);
	EXPECTF(model_lies_told(lie) >= 1, "lie %d never told", lie);
	EXPECT(model_lies_told(lie) <= 8);
	model_destroy();
}

UNIT_TEST(snp_psc_lies)
{
	psc_lie(MODEL_LIE_PSC_BACKWARDS, 0);
	psc_lie(MODEL_LIE_PSC_BEYOND_END, 0);
	psc_lie(MODEL_LIE_PSC_STALL, 0);
	psc_lie(MODEL_LIE_PSC_ERROR, 0x100ull << 32);
	psc_lie(MODEL_LIE_PSC_ERROR, 1);
	psc_lie(MODEL_LIE_EXITINFO1, 2);
	/* Beyond the end changes nothing: the host wrote only the header. */
	boot();
	model_lie(MODEL_LIE_PSC_BEYOND_END, 1, 0);
	EXPECT_EQ_U64(snp_psc(gpa_init(PSC_BASE), 3, true), (uint64_t)SNP_EIO);
	EXPECT(assigned(PSC_BASE));
	model_destroy();
}

UNIT_TEST(snp_share_unshare_svsm_pages)
{
	struct model_rmp e;
	vaddr_t va = va_init(0);
	gpa_t gpa = gpa_init(0);

	boot();
	ASSERT(snp_hw_alloc_pages(3, &va, &gpa));
	memset(va_ptr(va), 0xAB, 3 * 4096);
	EXPECT_EQ_U64(snp_share_pages(va, gpa, 3), SNP_OK);
	ASSERT(model_rmp_get(gpa_init(gpa_addr(gpa) + 8192), &e));
	EXPECT(!e.assigned && !e.validated);
	EXPECT_EQ_U64(snp_unshare_pages(va, gpa, 3), SNP_OK);
	ASSERT(model_rmp_get(gpa_init(gpa_addr(gpa) + 8192), &e));
	EXPECT(e.assigned && e.validated);
	EXPECT_EQ_U64(((uint8_t *)va_ptr(va))[5000], 0); /* zeroed once private again */
	/* Sharing a page that is not validated is refused before the host hears of it. */
	EXPECT_EQ_U64(snp_pvalidate(gpa, SNP_PAGE_4K, false, &(bool){false}), SNP_RMP_OK);
	EXPECT_EQ_U64(snp_share_pages(va, gpa, 1), (uint64_t)SNP_EIO);
	EXPECT(assigned(gpa_addr(gpa)));
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

#define VMSA_GPA 0x303000ull

static uint64_t make_vmsa(void)
{
	struct model_rmp e;
	uint8_t *p = model_ram(gpa_init(VMSA_GPA), SNP_VMSA_SIZE);

	memset(&e, 0, sizeof(e));
	e.assigned = e.validated = true;
	ASSERT(model_rmp_set(gpa_init(VMSA_GPA), &e));
	snp_vmsa_init_guest(p, 0xFFFFFFF0, 2, snp_sev_features());
	ASSERT(snp_make_guest_vmsa(gpa_init(VMSA_GPA), 2) == SNP_RMP_OK);
	return snp_vmsa_get64(p, SNP_VMSA_SEV_FEATURES);
}

UNIT_TEST(snp_ap_creation)
{
	uint64_t features = 0;
	gpa_t got = gpa_init(0);

	boot();
	features = make_vmsa();
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_CREATE_ON_INIT, 1, 2, gpa_init(VMSA_GPA), features),
		      SNP_OK);
	EXPECT(model_ap_vmsa(1, 2, &got));
	EXPECT_EQ_U64(gpa_addr(got), VMSA_GPA);
	EXPECT_EQ_U64(model_ap_events(), 1);
	/* Bad requests are refused before the host sees them. */
	EXPECT_EQ_U64(snp_ap_create((enum snp_ap_request)3, 1, 2, gpa_init(VMSA_GPA), features),
		      (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_CREATE, 1, 4, gpa_init(VMSA_GPA), features),
		      (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_CREATE, 1, 2, gpa_init(VMSA_GPA + 8), features),
		      (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(model_ap_events(), 1);
	/* The host refuses a page that is not a VMSA, or features that do not match. */
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_CREATE, 2, 2, gpa_init(VMSA_GPA + 4096), features),
		      (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_CREATE, 2, 2, gpa_init(VMSA_GPA), features ^ 2),
		      (uint64_t)SNP_EIO);
	model_lie(MODEL_LIE_EXITINFO1, 1, 0x10);
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_CREATE, 2, 2, gpa_init(VMSA_GPA), features),
		      (uint64_t)SNP_EIO);
	EXPECT(!model_ap_vmsa(2, 2, &got));
	EXPECT_EQ_U64(snp_ap_create(SNP_AP_DESTROY, 1, 2, gpa_init(VMSA_GPA), 0), SNP_OK);
	EXPECT(!model_ap_vmsa(1, 2, &got));
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}
