// SPDX-License-Identifier: MIT
/*
 * One ESAPI (libtss2-esys) client timing TPM commands against whatever TPM a TCTI string names:
 *   bench_esys TCTI OP ITERATIONS
 * Prints "OP ITERATIONS SECONDS OPS_PER_S". bench/tpm/run.sh runs it against copra-tpmd and
 * swtpm in the same run. Setup (Startup, the NV index, the keys and sessions an operation
 * needs) is outside the timed loop; everything it creates is transient and per process, and
 * transient objects or sessions an interrupted run left loaded are flushed first.
 *
 * Operations (one timed iteration each):
 *   getrandom          GetRandom(32), no session
 *   pcr_extend         PCR_Extend(SHA-256, PCR 16), password
 *   nv_write, nv_read  64 B of an owner NV index (NO_DA), password
 *   createprimary_ecc  CreatePrimary of an ECC P-256 storage key in the owner hierarchy
 *                      (restricted decrypt, AES-128-CFB), then FlushContext
 *   createprimary_rsa  the same with RSA-2048
 *   seal_unseal_pcr    Create of a sealed data object under an ECC P-256 SRK with a PolicyPCR
 *                      (sha256:16) authPolicy, Load, policy session + PolicyPCR, Unseal (the
 *                      data is checked), FlushContext of the object and the session
 *   quote_ecc          Quote over sha256:0,16 with 8 bytes of qualifying data, signed by an
 *                      ECC P-256 restricted ECDSA-SHA256 key
 *   getrandom_hmac     GetRandom(16) in an HMAC session salted with an ECC P-256 SRK
 *                      (AES-128-CFB, SHA-256, continueSession|encrypt): the response is
 *                      encrypted and its HMAC checked
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define NV_INDEX   0x01500020u
#define NV_SIZE	   64u
#define SEAL_SIZE  32u
#define PCR_POLICY 16u

struct bench {
	ESYS_CONTEXT *ctx;
	ESYS_TR nv;	 /* nv_write, nv_read */
	ESYS_TR key;	 /* the SRK (seal_unseal_pcr, getrandom_hmac), the AK (quote_ecc) */
	ESYS_TR session; /* getrandom_hmac */
	TPM2B_MAX_NV_BUFFER data;
	TPML_DIGEST_VALUES ext;
	TPM2B_DIGEST policy; /* PolicyPCR(sha256:16) over the current PCR value */
};

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

static void check(const char *what, TSS2_RC rc)
{
	if (rc != TSS2_RC_SUCCESS)
		die(what, rc);
}

/* sha256 with the given PCRs (each < 24) selected */
static TPML_PCR_SELECTION pcr_sel(unsigned a, unsigned b)
{
	TPML_PCR_SELECTION sel = {.count = 1};

	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[a / 8] |= (BYTE)(1u << (a % 8));
	sel.pcrSelections[0].pcrSelect[b / 8] |= (BYTE)(1u << (b % 8));
	return sel;
}

/*
 * Transient objects and sessions left loaded by an interrupted run against a long-lived server
 * would fill the TPM's slots: flush them (the bench never makes anything persistent).
 */
static void flush_stale(ESYS_CONTEXT *ctx)
{
	static const TPM2_HANDLE first[] = {TPM2_TRANSIENT_FIRST, TPM2_LOADED_SESSION_FIRST,
					    TPM2_POLICY_SESSION_FIRST};

	for (unsigned r = 0; r < sizeof(first) / sizeof(first[0]); r++) {
		TPMS_CAPABILITY_DATA *cap = NULL;
		TSS2_RC rc;

		rc = Esys_GetCapability(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					TPM2_CAP_HANDLES, first[r], TPM2_MAX_CAP_HANDLES, NULL,
					&cap);
		check("GetCapability(HANDLES)", rc);
		for (UINT32 i = 0; i < cap->data.handles.count; i++) {
			TPM2_HANDLE h = cap->data.handles.handle[i];
			ESYS_TR tr = ESYS_TR_NONE;

			if ((h >> 24) != (first[r] >> 24))
				continue;
			if (Esys_TR_FromTPMPublic(ctx, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
						  &tr) == TSS2_RC_SUCCESS)
				(void)Esys_FlushContext(ctx, tr);
		}
		Esys_Free(cap);
	}
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
		check("NV_UndefineSpace (old index)", rc);
	}
	rc = Esys_NV_DefineSpace(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				 ESYS_TR_NONE, &auth, &pub, &nv);
	check("NV_DefineSpace", rc);
	return nv;
}

#define STORAGE_ATTRS                                                                       \
	(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | \
	 TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED |             \
	 TPMA_OBJECT_DECRYPT)

/* Storage key templates (as tpm2_createprimary -G ecc256 / rsa2048 with -a of the SRK). */
static TPM2B_PUBLIC ecc_srk_template(void)
{
	TPM2B_PUBLIC t = {
		.publicArea =
			{
				.type = TPM2_ALG_ECC,
				.nameAlg = TPM2_ALG_SHA256,
				.objectAttributes = STORAGE_ATTRS,
				.parameters.eccDetail =
					{
						.symmetric = {.algorithm = TPM2_ALG_AES,
							      .keyBits.aes = 128,
							      .mode.aes = TPM2_ALG_CFB},
						.scheme = {.scheme = TPM2_ALG_NULL},
						.curveID = TPM2_ECC_NIST_P256,
						.kdf = {.scheme = TPM2_ALG_NULL},
					},
			},
	};
	return t;
}

static TPM2B_PUBLIC rsa_srk_template(void)
{
	TPM2B_PUBLIC t = {
		.publicArea =
			{
				.type = TPM2_ALG_RSA,
				.nameAlg = TPM2_ALG_SHA256,
				.objectAttributes = STORAGE_ATTRS,
				.parameters.rsaDetail =
					{
						.symmetric = {.algorithm = TPM2_ALG_AES,
							      .keyBits.aes = 128,
							      .mode.aes = TPM2_ALG_CFB},
						.scheme = {.scheme = TPM2_ALG_NULL},
						.keyBits = 2048,
						.exponent = 0,
					},
			},
	};
	return t;
}

/* An ECC P-256 restricted signing key (ECDSA with SHA-256): an attestation key. */
static TPM2B_PUBLIC ecc_ak_template(void)
{
	TPM2B_PUBLIC t = {
		.publicArea =
			{
				.type = TPM2_ALG_ECC,
				.nameAlg = TPM2_ALG_SHA256,
				.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
						    TPMA_OBJECT_SENSITIVEDATAORIGIN |
						    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
						    TPMA_OBJECT_RESTRICTED |
						    TPMA_OBJECT_SIGN_ENCRYPT,
				.parameters.eccDetail =
					{
						.symmetric = {.algorithm = TPM2_ALG_NULL},
						.scheme = {.scheme = TPM2_ALG_ECDSA,
							   .details.ecdsa.hashAlg =
								   TPM2_ALG_SHA256},
						.curveID = TPM2_ECC_NIST_P256,
						.kdf = {.scheme = TPM2_ALG_NULL},
					},
			},
	};
	return t;
}

static ESYS_TR create_primary(ESYS_CONTEXT *ctx, const TPM2B_PUBLIC *tmpl)
{
	TPM2B_SENSITIVE_CREATE sens = {.size = 0};
	TPM2B_DATA outside = {.size = 0};
	TPML_PCR_SELECTION creation_pcr = {.count = 0};
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cdata = NULL;
	TPM2B_DIGEST *chash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	ESYS_TR h = ESYS_TR_NONE;
	TSS2_RC rc;

	rc = Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&sens, tmpl, &outside, &creation_pcr, &h, &pub, &cdata, &chash,
				&ticket);
	check("CreatePrimary", rc);
	Esys_Free(pub);
	Esys_Free(cdata);
	Esys_Free(chash);
	Esys_Free(ticket);
	return h;
}

/* PolicyPCR(sha256:16) over the PCR's current value, from a trial session. */
static TPM2B_DIGEST pcr_policy(ESYS_CONTEXT *ctx)
{
	TPMT_SYM_DEF sym = {.algorithm = TPM2_ALG_NULL};
	TPM2B_DIGEST empty = {.size = 0};
	TPML_PCR_SELECTION sel = pcr_sel(PCR_POLICY, PCR_POLICY);
	TPM2B_DIGEST *digest = NULL;
	TPM2B_DIGEST out;
	ESYS_TR s = ESYS_TR_NONE;

	check("StartAuthSession(trial)",
	      Esys_StartAuthSession(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				    ESYS_TR_NONE, NULL, TPM2_SE_TRIAL, &sym, TPM2_ALG_SHA256, &s));
	check("PolicyPCR(trial)",
	      Esys_PolicyPCR(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &sel));
	check("PolicyGetDigest",
	      Esys_PolicyGetDigest(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &digest));
	out = *digest;
	Esys_Free(digest);
	check("FlushContext(trial)", Esys_FlushContext(ctx, s));
	return out;
}

static void op_getrandom(struct bench *b)
{
	TPM2B_DIGEST *rnd = NULL;

	check("GetRandom",
	      Esys_GetRandom(b->ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 32, &rnd));
	if (rnd->size != 32)
		die("GetRandom size", rnd->size);
	Esys_Free(rnd);
}

static void op_pcr_extend(struct bench *b)
{
	check("PCR_Extend", Esys_PCR_Extend(b->ctx, ESYS_TR_PCR16, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					    ESYS_TR_NONE, &b->ext));
}

static void op_nv_write(struct bench *b)
{
	check("NV_Write", Esys_NV_Write(b->ctx, b->nv, b->nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					ESYS_TR_NONE, &b->data, 0));
}

static void op_nv_read(struct bench *b)
{
	TPM2B_MAX_NV_BUFFER *out = NULL;

	check("NV_Read", Esys_NV_Read(b->ctx, b->nv, b->nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				      ESYS_TR_NONE, NV_SIZE, 0, &out));
	if (out->size != NV_SIZE || memcmp(out->buffer, b->data.buffer, NV_SIZE) != 0)
		die("NV_Read data", 0);
	Esys_Free(out);
}

static void op_createprimary_ecc(struct bench *b)
{
	TPM2B_PUBLIC t = ecc_srk_template();

	check("FlushContext(primary)", Esys_FlushContext(b->ctx, create_primary(b->ctx, &t)));
}

static void op_createprimary_rsa(struct bench *b)
{
	TPM2B_PUBLIC t = rsa_srk_template();

	check("FlushContext(primary)", Esys_FlushContext(b->ctx, create_primary(b->ctx, &t)));
}

static void op_seal_unseal_pcr(struct bench *b)
{
	TPM2B_SENSITIVE_CREATE sens = {.sensitive = {.data = {.size = SEAL_SIZE}}};
	TPM2B_PUBLIC tmpl = {
		.publicArea =
			{
				.type = TPM2_ALG_KEYEDHASH,
				.nameAlg = TPM2_ALG_SHA256,
				.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT,
				.authPolicy = b->policy,
				.parameters.keyedHashDetail.scheme = {.scheme = TPM2_ALG_NULL},
			},
	};
	TPM2B_DATA outside = {.size = 0};
	TPML_PCR_SELECTION creation_pcr = {.count = 0};
	TPMT_SYM_DEF sym = {.algorithm = TPM2_ALG_NULL};
	TPM2B_DIGEST empty = {.size = 0};
	TPML_PCR_SELECTION sel = pcr_sel(PCR_POLICY, PCR_POLICY);
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cdata = NULL;
	TPM2B_DIGEST *chash = NULL;
	TPMT_TK_CREATION *ticket = NULL;
	TPM2B_SENSITIVE_DATA *out = NULL;
	ESYS_TR obj = ESYS_TR_NONE;
	ESYS_TR s = ESYS_TR_NONE;

	memset(sens.sensitive.data.buffer, 0x3c, SEAL_SIZE);
	check("Create(seal)",
	      Esys_Create(b->ctx, b->key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
			  &tmpl, &outside, &creation_pcr, &priv, &pub, &cdata, &chash, &ticket));
	check("Load(seal)", Esys_Load(b->ctx, b->key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				      priv, pub, &obj));
	check("StartAuthSession(policy)",
	      Esys_StartAuthSession(b->ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				    ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &s));
	check("PolicyPCR",
	      Esys_PolicyPCR(b->ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &sel));
	check("Unseal", Esys_Unseal(b->ctx, obj, s, ESYS_TR_NONE, ESYS_TR_NONE, &out));
	if (out->size != SEAL_SIZE || memcmp(out->buffer, sens.sensitive.data.buffer, SEAL_SIZE))
		die("Unseal data", out->size);
	check("FlushContext(sealed)", Esys_FlushContext(b->ctx, obj));
	check("FlushContext(policy)", Esys_FlushContext(b->ctx, s));
	Esys_Free(out);
	Esys_Free(priv);
	Esys_Free(pub);
	Esys_Free(cdata);
	Esys_Free(chash);
	Esys_Free(ticket);
}

static void op_quote_ecc(struct bench *b)
{
	TPM2B_DATA qualifying = {.size = 8, .buffer = {1, 2, 3, 4, 5, 6, 7, 8}};
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
	TPML_PCR_SELECTION sel = pcr_sel(0, PCR_POLICY);
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;

	check("Quote", Esys_Quote(b->ctx, b->key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				  &qualifying, &scheme, &sel, &quoted, &sig));
	if (sig->sigAlg != TPM2_ALG_ECDSA || quoted->size == 0)
		die("Quote signature", sig->sigAlg);
	Esys_Free(quoted);
	Esys_Free(sig);
}

static void op_getrandom_hmac(struct bench *b)
{
	TPM2B_DIGEST *rnd = NULL;

	check("GetRandom(hmac)",
	      Esys_GetRandom(b->ctx, b->session, ESYS_TR_NONE, ESYS_TR_NONE, 16, &rnd));
	if (rnd->size != 16)
		die("GetRandom size", rnd->size);
	Esys_Free(rnd);
}

static void setup_nv(struct bench *b)
{
	b->nv = nv_define(b->ctx);
	op_nv_write(b);
}

static void setup_seal(struct bench *b)
{
	TPM2B_PUBLIC t = ecc_srk_template();

	b->key = create_primary(b->ctx, &t);
	b->policy = pcr_policy(b->ctx);
}

static void setup_quote(struct bench *b)
{
	TPM2B_PUBLIC t = ecc_ak_template();

	b->key = create_primary(b->ctx, &t);
}

static void setup_hmac(struct bench *b)
{
	TPM2B_PUBLIC t = ecc_srk_template();
	TPMT_SYM_DEF sym = {
		.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB};

	b->key = create_primary(b->ctx, &t);
	check("StartAuthSession(salted)",
	      Esys_StartAuthSession(b->ctx, b->key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				    ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
				    &b->session));
	check("TRSess_SetAttributes",
	      Esys_TRSess_SetAttributes(b->ctx, b->session,
					TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_ENCRYPT, 0xff));
}

static const struct op {
	const char *name;
	void (*setup)(struct bench *b);
	void (*run)(struct bench *b);
} ops[] = {
	{"getrandom", NULL, op_getrandom},
	{"pcr_extend", NULL, op_pcr_extend},
	{"nv_write", setup_nv, op_nv_write},
	{"nv_read", setup_nv, op_nv_read},
	{"createprimary_ecc", NULL, op_createprimary_ecc},
	{"createprimary_rsa", NULL, op_createprimary_rsa},
	{"seal_unseal_pcr", setup_seal, op_seal_unseal_pcr},
	{"quote_ecc", setup_quote, op_quote_ecc},
	{"getrandom_hmac", setup_hmac, op_getrandom_hmac},
};

static void usage(void)
{
	fprintf(stderr, "usage: bench_esys TCTI OP N\n  OP:");
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fprintf(stderr, " %s", ops[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	struct bench b = {
		.nv = ESYS_TR_NONE,
		.key = ESYS_TR_NONE,
		.session = ESYS_TR_NONE,
		.data = {.size = NV_SIZE},
		.ext = {.count = 1},
	};
	const struct op *op = NULL;
	long iters;
	double t0, t1;
	TSS2_RC rc;

	if (argc != 4 || (iters = strtol(argv[3], NULL, 10)) <= 0)
		usage();
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[2], ops[i].name) == 0)
			op = &ops[i];
	if (op == NULL)
		usage();
	check("Tss2_TctiLdr_Initialize", Tss2_TctiLdr_Initialize(argv[1], &tcti));
	check("Esys_Initialize", Esys_Initialize(&b.ctx, tcti, NULL));
	rc = Esys_Startup(b.ctx, TPM2_SU_CLEAR);
	if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE)
		die("Startup", rc);
	flush_stale(b.ctx);
	memset(b.data.buffer, 0x5a, NV_SIZE);
	b.ext.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(b.ext.digests[0].digest.sha256, 0xa5, 32);
	if (op->setup != NULL)
		op->setup(&b);

	t0 = now_s();
	for (long i = 0; i < iters; i++)
		op->run(&b);
	t1 = now_s();
	printf("%s %ld %.6f %.1f\n", op->name, iters, t1 - t0, (double)iters / (t1 - t0));

	if (b.session != ESYS_TR_NONE)
		(void)Esys_FlushContext(b.ctx, b.session);
	if (b.key != ESYS_TR_NONE)
		(void)Esys_FlushContext(b.ctx, b.key);
	if (b.nv != ESYS_TR_NONE)
		(void)Esys_NV_UndefineSpace(b.ctx, ESYS_TR_RH_OWNER, b.nv, ESYS_TR_PASSWORD,
					    ESYS_TR_NONE, ESYS_TR_NONE);
	Esys_Finalize(&b.ctx);
	Tss2_TctiLdr_Finalize(&tcti);
	return 0;
}
