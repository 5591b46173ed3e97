// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the SVSM protocol layer (kernel/protocols/) on the SNP machine model
 * (tests/snp/), with the vTPM service and the TPM engine behind it.
 *
 * Each input starts from the same machine (6 MiB of RAM, the SVSM region at 4..6 MiB, 4 vCPUs):
 * the startup vCPU's VMSA at 0x101000 and calling area at 0x102000, the pages at
 * 0x103000..0x120000 validated for the guest, a valid guest VMSA at 0x105000, the vTPM powered
 * on from a pristine NV blob, fresh protocol state (see setup()). It then patches guest memory
 * with the input and makes the calls it names.
 *
 * Input (little-endian; a short input reads as zeros):
 *   u8 npatches (mod 9), then per patch: u8 page (mod 8: CA, 0x103000 .. 0x109000),
 *      u16 offset (mod 4096), u8 len, len bytes (clipped at the page end)
 *   u8 ncalls (mod 7), then per call: u8 cpu (mod 4), u8 protocol (mod 4), u8 call (mod 9),
 *      and RCX, RDX, R8, R9 each as an argument:
 *        u8 sel; sel == 0: a raw u64; otherwise a u16 d and base[sel mod 16] + d, where the
 *        bases are interesting GPAs and small numbers (see arg_base)
 *
 * Properties checked after every call: the entry was handled (or spurious only for a vCPU with
 * no VMSA, gone only for DELETE_VCPU), RAX zero-extended and a result code the SPEC defines.
 * After the input: the validated bitmap equals the RMP on every guest page, no guest VMPL has
 * any access to SVSM-region pages, registered VMSAs are RMP VMSA pages no guest VMPL can write,
 * deposited pages are validated and guest-inaccessible, and the model saw no SVSM mistake.
 *
 * Seeds: FUZZ_SVSM_SEEDS=DIR $(BUILD)/fuzz/fuzz_svsm writes the seed corpus (fuzz/corpus/svsm)
 * into DIR and exits, so the seeds always match this format.
 */
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <copra/svsm.h>
#include <lib/compiler.h>
#include <stdio.h>
#include <string.h>

#include "../kernel/services/vtpm.h"
#include "../tests/snp/model.h"
#include "fuzz.h"

#define RAM	  (6ull << 20) /* small: the model clears all of it for every input */
#define SVSM_BASE (4ull << 20)
#define SVSM_SIZE (2ull << 20)
#define NCPUS	  4u
#define BOOT_VMSA 0x101000ull
#define BOOT_CAA  0x102000ull
#define VAL_START 0x103000ull /* validated for the guest at set-up */
#define VAL_END	  0x120000ull
#define VMSA_TPL  0x105000ull
#define PAGE	  4096u

/* The model ends a "unit test" on panic; here a panic is a finding. */
__noreturn void unit_abort_test(const char *file, int line, const char *expr);
__noreturn void unit_abort_test(const char *file, int line, const char *expr)
{
	fprintf(stderr, "%s:%d: %s\n", file, line, expr);
	abort();
}

static uint8_t nv_pristine[TPM_NV_BLOB_MAX];
static size_t nv_pristine_len;
static uint8_t nv[TPM_NV_BLOB_MAX];
static size_t nv_len;
static bool nv_has;
static uint64_t rng;

static int f_entropy(void *ctx, void *buf, size_t len)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		b[i] = (uint8_t)rng;
	}
	return 0;
}

static int f_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	if (!nv_has)
		return TPM_ERR_NO_STATE;
	if (nv_len > cap)
		return TPM_ERR_PLATFORM;
	memcpy(buf, nv, nv_len);
	*len = nv_len;
	return 0;
}

static int f_nv_commit(void *ctx, const void *buf, size_t len)
{
	if (len > sizeof(nv))
		return -1;
	memcpy(nv, buf, len);
	nv_len = len;
	nv_has = true;
	return 0;
}

static uint64_t f_clock(void *ctx)
{
	return 1000;
}

static void *f_alloc(void *ctx, size_t n)
{
	return calloc(1, n);
}

static void f_free(void *ctx, void *p)
{
	free(p);
}

static void *s_alloc(void *ctx, size_t bytes)
{
	return malloc(bytes);
}

static void s_free(void *ctx, void *p, size_t bytes)
{
	free(p);
}

static const struct tpm_platform plat = {
	NULL, f_entropy, f_nv_load, f_nv_commit, f_clock, f_alloc, f_free,
};

static struct svsm_state S;
static struct vtpm V;
static struct guest_ram ram;
static uint64_t features;

static uint8_t *gmem(uint64_t gpa, size_t len)
{
	uint8_t *p = model_ram(gpa_init(gpa), len);

	FUZZ_CHECK(p != NULL);
	return p;
}

static void give(uint64_t gpa)
{
	bool cf = false;

	FUZZ_CHECK(snp_pvalidate(gpa_init(gpa), SNP_PAGE_4K, true, &cf) == SNP_RMP_OK);
	FUZZ_CHECK(snp_revoke_guest_access(gpa_init(gpa), SNP_PAGE_4K) == SNP_RMP_OK);
	FUZZ_CHECK(snp_grant_guest_access(gpa_init(gpa), SNP_PAGE_4K, 2) == SNP_RMP_OK);
}

/* Guest memory and its RMP entries right after the guest-side set-up, restored per input. */
static uint8_t ram_snap[SVSM_BASE];
static struct model_rmp rmp_snap[SVSM_BASE / PAGE];
static unsigned int inputs;

/* Boots the machine and the platform, and prepares the guest's pages; then snapshots them. */
static FUZZ_NO_COVERAGE void boot(void)
{
	struct model_config cfg;
	uint8_t *vmsa = NULL;

	model_default_config(&cfg);
	cfg.ram_size = RAM;
	cfg.svsm_base = SVSM_BASE;
	cfg.svsm_size = SVSM_SIZE;
	cfg.ncpus = NCPUS;
	FUZZ_CHECK(model_boot(&cfg) == 0);
	for (unsigned int c = 1; c < NCPUS; c++) {
		model_bind_cpu(c);
		FUZZ_CHECK(snp_cpu_setup() == SNP_OK);
	}
	model_bind_cpu(0);
	vmsa = gmem(BOOT_VMSA, SNP_VMSA_SIZE);
	snp_vmsa_init_guest(vmsa, 0xFFFFFFF0ull, 2, snp_sev_features());
	features = snp_vmsa_get64(vmsa, SNP_VMSA_SEV_FEATURES);
	give(BOOT_VMSA);
	FUZZ_CHECK(snp_make_guest_vmsa(gpa_init(BOOT_VMSA), 2) == SNP_RMP_OK);
	give(BOOT_CAA);
	for (uint64_t g = VAL_START; g < VAL_END; g += PAGE)
		give(g);
	memcpy(gmem(VMSA_TPL, SNP_VMSA_SIZE), vmsa, SNP_VMSA_SIZE);
	memcpy(ram_snap, gmem(0, SVSM_BASE), SVSM_BASE);
	for (uint64_t g = 0; g < SVSM_BASE; g += PAGE)
		FUZZ_CHECK(model_rmp_get(gpa_init(g), &rmp_snap[g / PAGE]));
}

/*
 * The state every input starts from. Re-creating the machine for each input would cost more
 * than the input itself (the model clears all of RAM), so guest memory and its RMP entries are
 * restored from the snapshot instead; the platform's own state (GHCBs, the guest-message
 * sequence) carries on, and the whole machine is booted again every 256 inputs anyway.
 */
static FUZZ_NO_COVERAGE void setup(void)
{
	static const uint32_t apic[NCPUS] = {0, 1, 2, 3};
	struct boot_e820_entry map = {0, RAM, E820_USABLE, 0};
	struct svsm_config sc;

	if (inputs++ % 256 == 0) {
		boot();
	} else {
		memcpy(gmem(0, SVSM_BASE), ram_snap, SVSM_BASE);
		for (uint64_t g = 0; g < SVSM_BASE; g += PAGE)
			FUZZ_CHECK(model_rmp_set(gpa_init(g), &rmp_snap[g / PAGE]));
	}
	model_bind_cpu(0);

	if (!nv_pristine_len) {
		nv_has = false;
		FUZZ_CHECK(vtpm_init(&V, &plat) == TPM_OK);
		vtpm_fini(&V);
		memcpy(nv_pristine, nv, nv_len);
		nv_pristine_len = nv_len;
	}
	memcpy(nv, nv_pristine, nv_pristine_len);
	nv_len = nv_pristine_len;
	nv_has = true;
	rng = 0x9E3779B97F4A7C15ull;
	FUZZ_CHECK(vtpm_init(&V, &plat) == TPM_OK);

	guest_ram_init(&ram, &map, 1, SVSM_BASE, SVSM_SIZE);
	sc = (struct svsm_config){
		.guest_vmpl = 2,
		.ram = &ram,
		.apic_ids = apic,
		.ncpus = NCPUS,
		.boot_apic_id = 0,
		.boot_vmsa = gpa_init(BOOT_VMSA),
		.boot_caa = gpa_init(BOOT_CAA),
		.boot_sev_features = features,
		.attest = true,
		.vtpm = &V,
		.alloc = {s_alloc, s_free, NULL},
	};
	FUZZ_CHECK(svsm_init(&S, &sc) == SVSM_INIT_OK);
	FUZZ_CHECK(svsm_note_validated(&S, gpa_init(VAL_START), (VAL_END - VAL_START) / PAGE) ==
		   RLE_OK);
}

static FUZZ_NO_COVERAGE void teardown(void)
{
	svsm_fini(&S);
	vtpm_fini(&V);
}

static uint64_t arg_base(unsigned int sel)
{
	static const uint64_t base[16] = {
		0,	  BOOT_CAA + 8,	   VAL_START,  VAL_START + PAGE, VMSA_TPL,  0x106000,
		0x107000, 0x300000,	   0x200000,   BOOT_VMSA,	 SVSM_BASE, RAM - PAGE,
		0,	  SVSM_CALL(0, 1), 1ull << 63, 0x10F000,
	};
	return base[sel % 16];
}

static uint64_t arg(struct fuzz_in *in)
{
	unsigned int sel = fuzz_u8(in);

	if (sel == 0)
		return fuzz_u64(in);
	return arg_base(sel) + fuzz_uint(in, 2);
}

static FUZZ_NO_COVERAGE bool code_defined(uint32_t rc)
{
	return rc == SVSM_SUCCESS || (rc >= SVSM_ERR_INCOMPLETE && rc <= SVSM_ERR_BUSY) ||
	       (rc >= SVSM_ERR_PVALIDATE_BASE && rc <= SVSM_ERR_PVALIDATE_FAIL_BADEAX);
}

static FUZZ_NO_COVERAGE void check_state(void)
{
	for (uint64_t g = 0; g < RAM; g += PAGE) {
		struct model_rmp m;
		bool svsm = g >= SVSM_BASE;

		FUZZ_CHECK(model_rmp_get(gpa_init(g), &m));
		if (svsm) {
			FUZZ_CHECK(!m.assigned || (m.perm[1] | m.perm[2] | m.perm[3]) == 0);
			continue;
		}
		FUZZ_CHECK(m.validated == rle_test(&S.validated, g / PAGE));
		if (rle_test(&S.deposited, g / PAGE))
			FUZZ_CHECK(m.validated && (m.perm[1] | m.perm[2] | m.perm[3]) == 0);
	}
	for (unsigned int i = 0; i < SVSM_MAX_VCPUS; i++) {
		struct model_rmp m;

		if (!S.vcpus[i].used)
			continue;
		FUZZ_CHECK(model_rmp_get(S.vcpus[i].vmsa, &m));
		FUZZ_CHECK(m.vmsa && m.validated);
		FUZZ_CHECK(((m.perm[1] | m.perm[2] | m.perm[3]) & SNP_PERM_WRITE) == 0);
	}
	FUZZ_CHECK(model_faults() == 0);
}

static void one_call(struct fuzz_in *in)
{
	unsigned int cpu = fuzz_u8(in) % NCPUS;
	uint32_t proto = fuzz_u8(in) % 4;
	uint32_t id = fuzz_u8(in) % 9;
	struct svsm_regs r = {SVSM_CALL(proto, id), 0, 0, 0, 0};
	struct svsm_caller c;
	enum svsm_entry e = SVSM_ENTRY_SPURIOUS;
	bool known = false;

	r.rcx = arg(in);
	r.rdx = arg(in);
	r.r8 = arg(in);
	r.r9 = arg(in);
	model_bind_cpu(cpu);
	known = svsm_caller_get(&S, cpu, &c);
	if (known)
		gmem(gpa_addr(c.rec.caa), 1)[0] = 1;
	e = svsm_vcpu_entry(&S, cpu, &r);
	if (!known) {
		FUZZ_CHECK(e == SVSM_ENTRY_SPURIOUS);
		return;
	}
	if (e == SVSM_ENTRY_GONE) {
		FUZZ_CHECK(proto == 0 && id == SVSM_CORE_DELETE_VCPU);
		return;
	}
	FUZZ_CHECK(e == SVSM_ENTRY_DONE);
	FUZZ_CHECK(r.rax >> 32 == 0 && code_defined((uint32_t)r.rax));
	/* The calling area read at entry is cleared (after the call, so even if it wrote there). */
	FUZZ_CHECK(gmem(gpa_addr(c.rec.caa), 1)[0] == 0);
}

/* ---- seeds ---- */

struct seed {
	uint8_t b[512];
	size_t n;
};

static void s_u8(struct seed *s, uint8_t v)
{
	s->b[s->n++] = v;
}

static void s_le(struct seed *s, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		s_u8(s, (uint8_t)(v >> (8 * i)));
}

/* An argument as base selector + offset. */
static void s_arg(struct seed *s, unsigned int sel, uint16_t d)
{
	s_u8(s, (uint8_t)sel);
	s_le(s, d, 2);
}

static void s_call(struct seed *s, uint8_t cpu, uint8_t proto, uint8_t id, unsigned int sel,
		   uint16_t d, unsigned int sel2, uint16_t d2, unsigned int sel3, uint16_t d3)
{
	s_u8(s, cpu);
	s_u8(s, proto);
	s_u8(s, id);
	s_arg(s, sel, d);
	s_arg(s, sel2, d2);
	s_arg(s, sel3, d3);
	s_arg(s, 12, 0);
}

static void s_patch(struct seed *s, uint8_t page, uint16_t off, const void *p, uint8_t len)
{
	s_u8(s, page);
	s_le(s, off, 2);
	s_u8(s, len);
	memcpy(s->b + s->n, p, len);
	s->n += len;
}

static FUZZ_NO_COVERAGE void write_seeds(const char *dir)
{
	struct seed s;
	char path[512];
	unsigned int k = 0;
#define EMIT()                                                                   \
	do {                                                                     \
		FILE *f = NULL;                                                  \
		snprintf(path, sizeof(path), "%s/seed-%02u", dir, k++);          \
		f = fopen(path, "wb");                                           \
		FUZZ_CHECK(f &&fwrite(s.b, 1, s.n, f) == s.n && fclose(f) == 0); \
		memset(&s, 0, sizeof(s));                                        \
	} while (0)

	memset(&s, 0, sizeof(s));
	/* QUERY_PROTOCOL for core v1, then the vTPM's QUERY. */
	s_u8(&s, 0);
	s_u8(&s, 2);
	s_call(&s, 0, 0, 6, 12, 1, 12, 0, 12, 0);
	s_call(&s, 0, 2, 0, 12, 0, 12, 0, 12, 0);
	EMIT();
	/* PVALIDATE: a list in the calling area validating 0x300000 and 0x301000. */
	{
		uint8_t list[24] = {2, 0, 0, 0, 0, 0, 0, 0};
		uint64_t e0 = 0x300000 | 4;
		uint64_t e1 = 0x301000 | 4;

		memcpy(list + 8, &e0, 8);
		memcpy(list + 16, &e1, 8);
		s_u8(&s, 1);
		s_patch(&s, 0, 8, list, sizeof(list));
		s_u8(&s, 2);
		s_call(&s, 0, 0, 1, 1, 0, 12, 0, 12, 0);
		s_call(&s, 0, 0, 1, 1, 0, 12, 0, 12, 0); /* again: next = entries, refused */
		EMIT();
	}
	/* CREATE_VCPU 1 with the template VMSA and 0x106000 as its CA, a call from it, DELETE. */
	s_u8(&s, 0);
	s_u8(&s, 4);
	s_call(&s, 0, 0, 2, 4, 0, 5, 0, 12, 1);
	s_call(&s, 1, 0, 6, 12, 1, 12, 0, 12, 0);
	s_call(&s, 1, 0, 0, 6, 0, 12, 0, 12, 0); /* REMAP_CA to 0x107000 */
	s_call(&s, 0, 0, 3, 4, 0, 12, 0, 12, 0);
	EMIT();
	/* vTPM: TPM2_Startup(CLEAR) then GetRandom(8) at 0x103000, as Linux lays it out. */
	{
		static const uint8_t req[] = {8, 0, 0, 0,  0, 12, 0,	0,    0, 0x80, 0x01,
					      0, 0, 0, 12, 0, 0,  0x01, 0x44, 0, 0};
		uint8_t req2[21];

		memcpy(req2, req, sizeof(req));
		req2[18] = 0x7B;
		req2[20] = 8;
		s_u8(&s, 2);
		s_patch(&s, 1, 0, req, sizeof(req));
		s_patch(&s, 2, 0, req2, sizeof(req2));
		s_u8(&s, 2);
		s_call(&s, 0, 2, 1, 2, 0, 12, 0, 12, 0);
		s_call(&s, 0, 2, 1, 3, 0, 12, 0, 12, 0);
		EMIT();
	}
	/* ATTEST_SERVICES: the operation in the CA, report/manifest/certs/nonce pages after it. */
	{
		uint8_t op[64];
		uint64_t v = 0;

		memset(op, 0, sizeof(op));
		v = 0x10A000; /* report */
		memcpy(op, &v, 8);
		op[9] = 0x10; /* 4096 */
		v = 0x10E000; /* nonce */
		memcpy(op + 0x10, &v, 8);
		op[0x18] = 64;
		v = 0x10B000; /* manifest */
		memcpy(op + 0x20, &v, 8);
		op[0x29] = 0x10;
		v = 0x10C000; /* certs, 8 KiB */
		memcpy(op + 0x30, &v, 8);
		op[0x39] = 0x20;
		s_u8(&s, 1);
		s_patch(&s, 0, 8, op, sizeof(op));
		s_u8(&s, 2);
		s_call(&s, 0, 1, 0, 1, 0, 12, 0, 12, 0);
		memset(op + 0x30, 0, 16);
		s_call(&s, 0, 1, 1, 1, 0, 12, 0, 12, 0);
		EMIT();
	}
	/* DEPOSIT_MEM of 0x108000 and 0x109000, then WITHDRAW_MEM into the CA. */
	{
		uint8_t list[24] = {2, 0, 0, 0, 0, 0, 0, 0};
		uint64_t e0 = 0x108000;
		uint64_t e1 = 0x109000;

		memcpy(list + 8, &e0, 8);
		memcpy(list + 16, &e1, 8);
		s_u8(&s, 1);
		s_patch(&s, 3, 0, list, sizeof(list));
		s_u8(&s, 2);
		s_call(&s, 0, 0, 4, 3, 0, 12, 0, 12, 0);
		s_call(&s, 0, 0, 5, 1, 0, 12, 0, 12, 0);
		EMIT();
	}
	/* CONFIGURE_VTOM query and a refused configure. */
	s_u8(&s, 0);
	s_u8(&s, 2);
	s_call(&s, 0, 0, 7, 12, 1, 12, 0, 12, 0);
	s_call(&s, 0, 0, 7, 12, 6, 12, 0, 12, 0);
	EMIT();
#undef EMIT
}

static uint64_t page_gpa(unsigned int sel)
{
	return sel == 0 ? BOOT_CAA : VAL_START + (uint64_t)(sel - 1) * PAGE;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_SVSM_SEEDS");

	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned int npatch = 0;
	unsigned int ncalls = 0;

	setup();
	npatch = fuzz_u8(&in) % 9;
	for (unsigned int i = 0; i < npatch; i++) {
		uint64_t gpa = page_gpa(fuzz_u8(&in) % 8);
		size_t off = fuzz_uint(&in, 2) % PAGE;
		size_t len = fuzz_u8(&in);
		size_t got = 0;
		const uint8_t *p = NULL;

		if (len > PAGE - off)
			len = PAGE - off;
		p = fuzz_bytes(&in, len, &got);
		memcpy(gmem(gpa + off, got), p, got);
	}
	ncalls = fuzz_u8(&in) % 7;
	for (unsigned int i = 0; i < ncalls; i++)
		one_call(&in);
	model_bind_cpu(0);
	check_state();
	teardown();
	return 0;
}
