// SPDX-License-Identifier: MIT
/* TPMT_PUBLIC templates for the TPM unit tests (tpm_templates.h). */
#include "tpm_templates.h"
#include "unit.h"

static void put_sym(struct tpm_wr *w, const struct spec *s)
{
	tpm_put_u16(w, s->sym);
	if (s->sym != TPM_ALG_NULL) {
		tpm_put_u16(w, s->sym_bits);
		tpm_put_u16(w, s->sym_mode);
	}
}

static void put_scheme(struct tpm_wr *w, uint16_t scheme, uint16_t hash)
{
	tpm_put_u16(w, scheme);
	if (scheme != TPM_ALG_NULL && scheme != TPM_ALG_RSAES)
		tpm_put_u16(w, hash);
}

/* The unique field is zeros of the sizes given. */
struct tpl tpl_build(const struct spec *s)
{
	static const uint8_t zeros[600];
	struct tpl t;
	struct tpm_wr w = tpm_wr_init(t.b, sizeof(t.b));

	tpm_put_u16(&w, s->type);
	tpm_put_u16(&w, s->name_alg);
	tpm_put_u32(&w, s->attrs);
	tpm_put_2b(&w, zeros, s->policy_size);
	switch (s->type) {
	case TPM_ALG_RSA:
		put_sym(&w, s);
		put_scheme(&w, s->scheme, s->scheme_hash);
		tpm_put_u16(&w, s->bits);
		tpm_put_u32(&w, s->exponent);
		tpm_put_2b(&w, zeros, s->unique_size);
		break;
	case TPM_ALG_ECC:
		put_sym(&w, s);
		put_scheme(&w, s->scheme, s->scheme_hash);
		tpm_put_u16(&w, s->curve);
		put_scheme(&w, s->kdf, TPM_ALG_SHA256);
		tpm_put_2b(&w, zeros, s->unique_size);
		tpm_put_2b(&w, zeros, s->unique_y_size);
		break;
	case TPM_ALG_KEYEDHASH:
		put_scheme(&w, s->scheme, s->scheme_hash);
		tpm_put_2b(&w, zeros, s->unique_size);
		break;
	case TPM_ALG_SYMCIPHER:
		put_sym(&w, s);
		tpm_put_2b(&w, zeros, s->unique_size);
		break;
	default:
		break;
	}
	ASSERT(!w.overflow);
	t.n = w.len;
	return t;
}

const struct spec TPL_ECC_SIGN = {.type = TPM_ALG_ECC,
				  .name_alg = TPM_ALG_SHA256,
				  .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					   OA_SIGN | OA_NODA,
				  .sym = TPM_ALG_NULL,
				  .scheme = TPM_ALG_ECDSA,
				  .scheme_hash = TPM_ALG_SHA256,
				  .curve = TPM_ECC_NIST_P256,
				  .kdf = TPM_ALG_NULL};
