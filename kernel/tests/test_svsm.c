/* SPDX-License-Identifier: MIT */
/*
 * The SVSM protocol layer and the vTPM service inside Copra, on the native platform: calls go
 * through the real entry (svsm_vcpu_entry: calling area, dispatch, zero-extended RAX) with
 * their buffers in guest RAM, copied by guest_read/guest_write through the per-CPU windows.
 *
 * Not here: PVALIDATE, RMPADJUST, CREATE_VCPU and anything else that needs an RMP. Native has
 * none, and executing those instructions there would fault (#UD); they are tested on the SNP
 * model (tests/unit/test_proto_*.c, test_snp_loop.c) until Copra boots on SEV-SNP.
 */
#include <copra/guest.h>
#include <copra/kmalloc.h>
#include <copra/mm.h>
#include <copra/percpu.h>
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <copra/svsm.h>
#include <copra/test.h>
#include <lib/string.h>

#include "../platform/snp/snp_hw.h"
#include "../services/vtpm.h"
#include "../services/vtpm_platform.h"

extern const struct boot_info *boot_info;

/* Low guest RAM nothing else uses (test_guest.c uses 0x300000..0x302000). */
#define T_VMSA 0x401000ull /* the "startup VMSA": only recorded, never run on native */
#define T_CAA  0x402000ull
#define T_BUF  0x404000ull /* the vTPM buffer (one page, any alignment works) */

struct svsm_env {
	struct svsm_state s;
	struct vtpm vtpm;
	struct guest_ram ram;
	uint32_t apic_id;
};

static void *t_alloc(void *ctx, size_t bytes)
{
	(void)ctx;
	return kmalloc_try(bytes);
}

static void t_free(void *ctx, void *p, size_t bytes)
{
	(void)ctx;
	(void)bytes;
	kfree(p);
}

/*
 * The boot path's job on SNP: the protocol state for this CPU only, with the vTPM when
 * with_vtpm (the caller checked that the CPU has an entropy source).
 */
static bool env_init(struct svsm_env *e, bool with_vtpm)
{
	const struct boot_info *bi = boot_info;
	struct svsm_config cfg;
	uint8_t zero[8] = {0};

	memset(e, 0, sizeof(*e));
	e->apic_id = this_cpu()->apic_id;
	guest_ram_init(&e->ram, bi->e820, bi->e820_count, bi->svsm_base, bi->svsm_size);
	if (with_vtpm && vtpm_kernel_start(&e->vtpm) != 0)
		return false;
	cfg = (struct svsm_config){
		.guest_vmpl = 2,
		.ram = &e->ram,
		.apic_ids = &e->apic_id,
		.ncpus = 1,
		.boot_apic_id = e->apic_id,
		.boot_vmsa = gpa_init(T_VMSA),
		.boot_caa = gpa_init(T_CAA),
		.boot_sev_features = SNP_FEAT_SNP,
		.attest = false,
		.vtpm = with_vtpm ? &e->vtpm : NULL,
		.alloc = {t_alloc, t_free, NULL},
	};
	if (svsm_init(&e->s, &cfg) != SVSM_INIT_OK) {
		if (with_vtpm)
			vtpm_fini(&e->vtpm);
		return false;
	}
	/* What the SVSM validated for the guest at boot may carry arguments (svsm.h). */
	return svsm_note_validated(&e->s, gpa_init(T_BUF), 2) == 0 &&
	       guest_write(gpa_init(T_CAA), zero, sizeof(zero)) == GUEST_OK;
}

static void env_fini(struct svsm_env *e)
{
	bool with_vtpm = e->s.vtpm != NULL;

	svsm_fini(&e->s);
	if (with_vtpm)
		vtpm_fini(&e->vtpm);
}

/* One call as the guest makes it: call_pending = 1, enter, expect it cleared. */
static uint64_t call(struct ktest_ctx *t, struct svsm_env *e, uint64_t rax, uint64_t rcx,
		     struct svsm_regs *out)
{
	struct svsm_regs r = {rax, rcx, 0, 0, 0};
	uint8_t pending = 1;

	EXPECT(guest_write(gpa_init(T_CAA), &pending, 1) == GUEST_OK);
	EXPECT_EQ(svsm_vcpu_entry(&e->s, e->apic_id, &r), SVSM_ENTRY_DONE);
	EXPECT(guest_read(gpa_init(T_CAA), &pending, 1) == GUEST_OK);
	EXPECT_EQ(pending, 0);
	if (out)
		*out = r;
	return r.rax;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * One TPM command through VTPM_CMD in Linux's layout ({u32 cmd = 8, u8 locality, u32 size,
 * bytes}, the response {u32 size, bytes} over it). Returns the TPM response code, or ~0 when
 * the call itself failed; the response lands in rsp (4096 bytes).
 */
static uint32_t tpm_cmd(struct ktest_ctx *t, struct svsm_env *e, const uint8_t *cmd, uint32_t len,
			uint8_t *rsp, uint32_t *rsp_len)
{
	uint8_t hdr[9] = {8, 0, 0, 0, 0};
	uint32_t size = 0;

	memcpy(hdr + 5, &len, 4);
	if (guest_write(gpa_init(T_BUF), hdr, sizeof(hdr)) != GUEST_OK ||
	    guest_write(gpa_init(T_BUF + 9), cmd, len) != GUEST_OK)
		return ~0u;
	if (call(t, e, SVSM_CALL(SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD), T_BUF, NULL) != SVSM_SUCCESS)
		return ~0u;
	if (guest_read(gpa_init(T_BUF), &size, 4) != GUEST_OK || size < 10 || size > 4092 ||
	    guest_read(gpa_init(T_BUF + 4), rsp, size) != GUEST_OK || be32(rsp + 2) != size)
		return ~0u;
	*rsp_len = size;
	return be32(rsp + 6);
}

TEST(svsm_query_protocol_through_the_dispatcher)
{
	static struct svsm_env e;
	bool vtpm = vtpm_hw_entropy_present();
	struct svsm_regs r;

	ASSERT(env_init(&e, vtpm));
	/* Core and vTPM (when the CPU has entropy) at version 1; no attestation on native. */
	EXPECT_EQ(call(t, &e, SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, &r), SVSM_SUCCESS);
	EXPECT_EQ(r.rcx, (1ull << 32) | 1);
	EXPECT_EQ(call(t, &e, SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1ull << 32 | 1, &r), 0);
	EXPECT_EQ(r.rcx, 0);
	EXPECT_EQ(call(t, &e, SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 2ull << 32 | 1, &r), 0);
	EXPECT_EQ(r.rcx, vtpm ? (1ull << 32) | 1 : 0);
	/* An unknown protocol: the result zero-extended in all 64 bits (facts 1.3). */
	EXPECT_EQ(call(t, &e, SVSM_CALL(9, 0), 0, &r), 0x0000000080000001ull);
	EXPECT_EQ(call(t, &e, SVSM_CALL(0, 99), 0, &r), SVSM_ERR_UNSUPPORTED_CALL);
	env_fini(&e);
}

TEST(svsm_vtpm_round_trip)
{
	static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
	static const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16};
	static const uint8_t pcr_read[] = {0x80, 0x01, 0, 0, 0,	   20,	 0, 0, 0x01, 0x7E,
					   0,	 0,    0, 1, 0x00, 0x0B, 3, 0, 0,    1};
	/* SHA-256(32 zero bytes || 01 02 .. 20): PCR 16 after one extend from its reset value. */
	static const uint8_t want[32] = {0x0b, 0x8f, 0x4c, 0x5b, 0x6a, 0xdc, 0x4c, 0x08,
					 0x7a, 0xb9, 0xf4, 0x3a, 0xae, 0xb6, 0x00, 0x70,
					 0x84, 0xc2, 0x64, 0xad, 0xca, 0xa3, 0xcb, 0x07,
					 0x17, 0x6b, 0x79, 0x23, 0x42, 0x85, 0x04, 0x12};
	uint8_t extend[65] = {0x80, 0x02, 0, 0,	 0,    65,  0, 0, 0x01, 0x82, /* PCR_Extend */
			      0,    0,	  0, 16,			      /* PCR 16 */
			      0,    0,	  0, 9,	 0x40, 0,   0, 9, 0,	0,
			      0,    0,	  0,		      /* password session, empty */
			      0,    0,	  0, 1,	 0x00, 0x0B}; /* one SHA-256 digest */
	static uint8_t rsp[4096];
	static struct svsm_env e;
	struct svsm_regs r;
	uint32_t len = 0;
	bool zero = true;

	if (!vtpm_hw_entropy_present()) {
		/* -cpu qemu64: no RDRAND or RDSEED. The vTPM refuses to start, and says why. */
		EXPECT_EQ(vtpm_kernel_start(&e.vtpm), TPM_ERR_PLATFORM);
		EXPECT_EQ(vtpm_hw_entropy(rsp, 8), -1);
		pr_info("ktest: no RDRAND/RDSEED: vTPM round trip not run on this CPU\n");
		return;
	}
	ASSERT(env_init(&e, true));
	EXPECT_EQ(call(t, &e, SVSM_CALL(2, SVSM_VTPM_QUERY), 0, &r), SVSM_SUCCESS);
	EXPECT_EQ(r.rcx, 1u << 8); /* TPM_SEND_COMMAND */
	EXPECT_EQ(r.rdx, 0);
	EXPECT_EQ(tpm_cmd(t, &e, startup, sizeof(startup), rsp, &len), 0);
	EXPECT_EQ(tpm_cmd(t, &e, get_random, sizeof(get_random), rsp, &len), 0);
	EXPECT_EQ(len, 28);
	EXPECT_EQ(rsp[10] << 8 | rsp[11], 16);
	for (unsigned int i = 12; i < 28; i++)
		zero = zero && rsp[i] == 0;
	EXPECT(!zero);
	for (unsigned int i = 0; i < 32; i++)
		extend[33 + i] = (uint8_t)(i + 1);
	EXPECT_EQ(tpm_cmd(t, &e, extend, sizeof(extend), rsp, &len), 0);
	EXPECT_EQ(tpm_cmd(t, &e, pcr_read, sizeof(pcr_read), rsp, &len), 0);
	EXPECT_EQ(len, 30 + 32);
	EXPECT(memcmp(rsp + 30, want, sizeof(want)) == 0);
	/* A TPM error is a TPM response inside a successful call: Startup twice. */
	EXPECT_EQ(tpm_cmd(t, &e, startup, sizeof(startup), rsp, &len), 0x100);
	/* A buffer the SVSM never recorded as validated is refused before any copy. */
	EXPECT_EQ(call(t, &e, SVSM_CALL(2, SVSM_VTPM_CMD), T_BUF + 0x3000, &r),
		  SVSM_ERR_INVALID_ADDRESS);
	env_fini(&e);
}

TEST(svsm_hw_entropy)
{
	uint8_t a[40] = {0}, b[40] = {0};

	if (!vtpm_hw_entropy_present())
		return; /* svsm_vtpm_round_trip checks the refusal */
	ASSERT(vtpm_hw_entropy(a, sizeof(a)) == 0);
	ASSERT(vtpm_hw_entropy(b, sizeof(b)) == 0);
	EXPECT(memcmp(a, b, sizeof(a)) != 0);
}

/* The kernel's SNP mapping windows work on native too (no C-bit there). */
#define T_2M 0x600000ull

TEST(svsm_snp_windows_map_guest_pages)
{
	uint64_t v = 0x5a5aa5a512345678ull, w = 0;
	vaddr_t va = va_init(0);

	ASSERT(guest_write(gpa_init(T_2M + 0x1008), &v, 8) == GUEST_OK);
	ASSERT(guest_write(gpa_init(T_2M + 0x1FF000), &v, 8) == GUEST_OK);
	ASSERT(snp_hw_map(gpa_init(T_2M + 0x1000), SNP_PAGE_4K, &va));
	memcpy(&w, (uint8_t *)va_ptr(va) + 8, 8);
	EXPECT_EQ(w, v);
	snp_hw_unmap(va, SNP_PAGE_4K);
	EXPECT(!kaddr_mapped(va_addr(va)));
	ASSERT(snp_hw_map(gpa_init(T_2M), SNP_PAGE_2M, &va));
	memcpy(&w, (uint8_t *)va_ptr(va) + 0x1008, 8);
	EXPECT_EQ(w, v);
	w = 0;
	memcpy(&w, (uint8_t *)va_ptr(va) + 0x1FF000, 8);
	EXPECT_EQ(w, v);
	snp_hw_unmap(va, SNP_PAGE_2M);
	EXPECT(!kaddr_mapped(va_addr(va)) && !kaddr_mapped(va_addr(va) + 0x1FF000));
	/* Misaligned for the page size: refused, nothing mapped. */
	EXPECT(!snp_hw_map(gpa_init(T_2M + 0x1000), SNP_PAGE_2M, &va));
	EXPECT(!snp_hw_map(gpa_init(T_2M + 0x800), SNP_PAGE_4K, &va));
}

/* The request loop's VMSA access (facts 1.4) on a VMSA image in plain guest RAM. */
TEST(svsm_vmsa_stop_and_resume)
{
	static uint8_t v[SNP_VMSA_SIZE];
	struct snp_vmsa_gprs g = {0};
	uint64_t exit_code = 0;
	gpa_t at = gpa_init(T_2M + 0x3000);

	memset(v, 0, sizeof(v));
	snp_vmsa_set64(v, SNP_VMSA_EFER, SNP_EFER_SVME | 0x500u);
	snp_vmsa_set64(v, SNP_VMSA_GUEST_EXIT_CODE, SNP_EXIT_VMGEXIT);
	snp_vmsa_set64(v, SNP_VMSA_RAX, SVSM_CALL(2, 1));
	snp_vmsa_set64(v, SNP_VMSA_R9, 99);
	ASSERT(guest_write(at, v, sizeof(v)) == GUEST_OK);
	ASSERT(snp_vmsa_stop(at, &exit_code, &g) == SNP_OK);
	EXPECT_EQ(exit_code, SNP_EXIT_VMGEXIT);
	EXPECT_EQ(g.rax, SVSM_CALL(2, 1));
	EXPECT_EQ(g.r9, 99);
	ASSERT(guest_read(at, v, sizeof(v)) == GUEST_OK);
	EXPECT_EQ(snp_vmsa_get64(v, SNP_VMSA_EFER), 0x500u); /* only SVME cleared */
	g = (struct snp_vmsa_gprs){SVSM_ERR_INVALID_PARAMETER, 1, 2, 3, 4};
	ASSERT(snp_vmsa_resume(at, &g) == SNP_OK);
	ASSERT(guest_read(at, v, sizeof(v)) == GUEST_OK);
	EXPECT_EQ(snp_vmsa_get64(v, SNP_VMSA_EFER), SNP_EFER_SVME | 0x500u);
	EXPECT_EQ(snp_vmsa_get64(v, SNP_VMSA_RAX), 0x80000005ull);
	EXPECT_EQ(snp_vmsa_get64(v, SNP_VMSA_R8), 3);
	EXPECT_EQ(snp_vmsa_get64(v, SNP_VMSA_R9), 4);
	EXPECT(snp_vmsa_stop(gpa_init(T_2M + 8), &exit_code, &g) == SNP_EINVAL);
}
