/* SPDX-License-Identifier: MIT */
/*
 * The kernel's tpm_platform for the vTPM service (see vtpm_platform.h). NV is a RAM blob: the
 * engine's "atomic replace" holds trivially (a commit is one copy under the vTPM lock, which
 * every engine call already holds), and nothing survives a reset.
 */
#include <arch/x86/cpu.h>
#include <copra/cpu.h>
#include <copra/kmalloc.h>
#include <copra/log.h>
#include <lib/string.h>

#include "vtpm_platform.h"

/* RDSEED may run dry for a while under load; RDRAND is expected to answer within ten tries. */
#define RDSEED_TRIES	  128u
#define RDRAND_TRIES	  16u
#define CPUID7_EBX_RDSEED (1u << 18)

struct ram_nv {
	uint8_t *blob; /* TPM_NV_BLOB_MAX bytes, allocated at the first commit */
	size_t len;
	bool has;
};
static struct ram_nv ram_nv;

static bool rdseed64(uint64_t *v)
{
	bool ok = false;

	__asm__ __volatile__("rdseed %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}

static bool rdrand64(uint64_t *v)
{
	bool ok = false;

	__asm__ __volatile__("rdrand %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}

static bool have_rdseed(void)
{
	return cpu_feat.max_leaf >= 7 && (cpuid(7, 0).ebx & CPUID7_EBX_RDSEED);
}

static bool hw_random64(bool seed, uint64_t *v)
{
	for (unsigned int i = 0; seed && i < RDSEED_TRIES; i++) {
		if (rdseed64(v))
			return true;
		cpu_relax();
	}
	for (unsigned int i = 0; cpu_feat.rdrand && i < RDRAND_TRIES; i++) {
		if (rdrand64(v))
			return true;
		cpu_relax();
	}
	return false;
}

bool vtpm_hw_entropy_present(void)
{
	return have_rdseed() || cpu_feat.rdrand;
}

int vtpm_hw_entropy(void *buf, size_t len)
{
	bool seed = have_rdseed();
	uint8_t *p = buf;
	uint64_t v = 0;

	if (!seed && !cpu_feat.rdrand)
		return -1;
	while (len > 0) {
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (!hw_random64(seed, &v)) {
			v = 0;
			return -1;
		}
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	v = 0;
	return 0;
}

static int k_entropy(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return vtpm_hw_entropy(buf, len);
}

static int k_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	struct ram_nv *nv = ctx;

	if (!nv->has)
		return TPM_ERR_NO_STATE;
	if (nv->len > cap)
		return TPM_ERR_PLATFORM;
	memcpy(buf, nv->blob, nv->len);
	*len = nv->len;
	return 0;
}

static int k_nv_commit(void *ctx, const void *buf, size_t len)
{
	struct ram_nv *nv = ctx;

	if (len > (size_t)TPM_NV_BLOB_MAX)
		return TPM_ERR_PLATFORM;
	if (!nv->blob) {
		nv->blob = kmalloc_try((size_t)TPM_NV_BLOB_MAX);
		if (!nv->blob)
			return TPM_ERR_PLATFORM; /* the old (absent) blob remains */
	}
	memcpy(nv->blob, buf, len);
	nv->len = len;
	nv->has = true;
	return 0;
}

static uint64_t k_clock_ms(void *ctx)
{
	(void)ctx;
	return rdtsc() / tsc_khz();
}

/* Fallible and zeroed: a guest command can make the engine ask for memory. */
static void *k_alloc(void *ctx, size_t size)
{
	void *p = NULL;

	(void)ctx;
	p = kmalloc_try(size ? size : 1);
	if (p)
		memset(p, 0, size);
	return p;
}

static void k_free(void *ctx, void *p)
{
	(void)ctx;
	if (p)
		kfree(p);
}

void vtpm_platform_kernel(struct tpm_platform *p)
{
	*p = (struct tpm_platform){
		.ctx = &ram_nv,
		.entropy = k_entropy,
		.nv_load = k_nv_load,
		.nv_commit = k_nv_commit,
		.clock_ms = k_clock_ms,
		.alloc = k_alloc,
		.free = k_free,
	};
}

int vtpm_kernel_start(struct vtpm *v)
{
	struct tpm_platform plat;
	int rc = 0;

	if (!vtpm_hw_entropy_present()) {
		pr_err("vtpm: no RDSEED or RDRAND on this CPU: no entropy, no vTPM\n");
		return TPM_ERR_PLATFORM;
	}
	vtpm_platform_kernel(&plat);
	rc = vtpm_init(v, &plat);
	if (rc != TPM_OK) {
		pr_err("vtpm: the TPM engine did not start (error %d)\n", rc);
		return rc;
	}
	pr_info("vtpm: TPM 2.0 engine %s; NV state in RAM only (lost at reset: no persistent "
		"store yet)\n",
		v->manufactured ? "manufactured" : "powered on from NV");
	return 0;
}
