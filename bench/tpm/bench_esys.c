// SPDX-License-Identifier: MIT
/*
 * One ESAPI (libtss2-esys) client timing TPM commands against whatever TPM a TCTI string names:
 *   bench_esys TCTI OP ITERATIONS      OP = getrandom | pcr_extend | nv_write | nv_read
 * Prints "OP ITERATIONS SECONDS OPS_PER_S". bench/tpm/run.sh runs it against copra-tpmd and
 * swtpm in the same run. Setup (Startup, defining the NV index) is outside the timed loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define NV_INDEX 0x01500020u
#define NV_SIZE	 64u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, TSS2_RC rc)
{
	fprintf(stderr, "bench_esys: %s failed: 0x%x\n", what, rc);
	exit(1);
}

/* A fresh NV index for the loop (an old one from an interrupted run is removed first). */
static ESYS_TR nv_define(ESYS_CONTEXT *ctx)
{
	TPM2B_AUTH auth = {.size = 0};
	TPM2B_NV_PUBLIC pub = {
		.nvPublic =
			{
				.nvIndex = NV_INDEX,
				.nameAlg = TPM2_ALG_SHA256,
				.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD |
					      TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA,
				.dataSize = NV_SIZE,
			},
	};
	ESYS_TR nv = ESYS_TR_NONE;
	TSS2_RC rc;

	if (Esys_TR_FromTPMPublic(ctx, NV_INDEX, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv) ==
	    TSS2_RC_SUCCESS) {
		rc = Esys_NV_UndefineSpace(ctx, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
					   ESYS_TR_NONE, ESYS_TR_NONE);
		if (rc != TSS2_RC_SUCCESS)
			die("NV_UndefineSpace (old index)", rc);
	}
	rc = Esys_NV_DefineSpace(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				 ESYS_TR_NONE, &auth, &pub, &nv);
	if (rc != TSS2_RC_SUCCESS)
		die("NV_DefineSpace", rc);
	return nv;
}

int main(int argc, char **argv)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *ctx = NULL;
	const char *op;
	long iters;
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_MAX_NV_BUFFER data = {.size = NV_SIZE};
	TPML_DIGEST_VALUES ext = {.count = 1};
	double t0, t1;
	TSS2_RC rc;

	if (argc != 4 || (iters = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench_esys TCTI getrandom|pcr_extend|nv_write|nv_read N\n");
		return 2;
	}
	op = argv[2];
	rc = Tss2_TctiLdr_Initialize(argv[1], &tcti);
	if (rc != TSS2_RC_SUCCESS)
		die("Tss2_TctiLdr_Initialize", rc);
	rc = Esys_Initialize(&ctx, tcti, NULL);
	if (rc != TSS2_RC_SUCCESS)
		die("Esys_Initialize", rc);
	rc = Esys_Startup(ctx, TPM2_SU_CLEAR);
	if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE)
		die("Startup", rc);
	memset(data.buffer, 0x5a, NV_SIZE);
	ext.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(ext.digests[0].digest.sha256, 0xa5, 32);
	if (strcmp(op, "nv_write") == 0 || strcmp(op, "nv_read") == 0) {
		nv = nv_define(ctx);
		rc = Esys_NV_Write(ctx, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &data,
				   0);
		if (rc != TSS2_RC_SUCCESS)
			die("NV_Write", rc);
	} else if (strcmp(op, "getrandom") != 0 && strcmp(op, "pcr_extend") != 0) {
		fprintf(stderr, "bench_esys: unknown op %s\n", op);
		return 2;
	}

	t0 = now_s();
	for (long i = 0; i < iters; i++) {
		if (strcmp(op, "getrandom") == 0) {
			TPM2B_DIGEST *rnd = NULL;

			rc = Esys_GetRandom(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 32,
					    &rnd);
			if (rc == TSS2_RC_SUCCESS && rnd->size != 32)
				die("GetRandom size", rnd->size);
			Esys_Free(rnd);
		} else if (strcmp(op, "pcr_extend") == 0) {
			rc = Esys_PCR_Extend(ctx, ESYS_TR_PCR16, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					     ESYS_TR_NONE, &ext);
		} else if (strcmp(op, "nv_write") == 0) {
			rc = Esys_NV_Write(ctx, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					   ESYS_TR_NONE, &data, 0);
		} else {
			TPM2B_MAX_NV_BUFFER *out = NULL;

			rc = Esys_NV_Read(ctx, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
					  NV_SIZE, 0, &out);
			if (rc == TSS2_RC_SUCCESS &&
			    (out->size != NV_SIZE ||
			     memcmp(out->buffer, data.buffer, NV_SIZE) != 0))
				die("NV_Read data", 0);
			Esys_Free(out);
		}
		if (rc != TSS2_RC_SUCCESS)
			die(op, rc);
	}
	t1 = now_s();
	printf("%s %ld %.6f %.1f\n", op, iters, t1 - t0, (double)iters / (t1 - t0));

	if (nv != ESYS_TR_NONE)
		(void)Esys_NV_UndefineSpace(ctx, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
					    ESYS_TR_NONE, ESYS_TR_NONE);
	Esys_Finalize(&ctx);
	Tss2_TctiLdr_Finalize(&tcti);
	return 0;
}
