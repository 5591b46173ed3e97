// SPDX-License-Identifier: MIT
/*
 * TPM2_Import (TCG Part 3, 13.3; Part 1, 23.3 "Duplication"): an object prepared elsewhere (by
 * tpm2_import, or another TPM's Duplicate) becomes a private area under one of our storage
 * keys. The duplicate blob may carry
 *   an outer wrap: seed = inSymSeed decrypted by the parent with label "DUPLICATE"; the spec's
 *                  outer wrap with the parent's nameAlg and AES key size (sensitive.c)
 *   an inner wrap: AES-CFB with the caller's encryptionKey, IV 0, over
 *                  TPM2B_DIGEST(H_nameAlg(TPM2B_SENSITIVE || Name)) || TPM2B_SENSITIVE
 * and answers the object's private area under the parent, after the checks Load would make.
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"

/* TPMT_SYM_DEF_OBJECT+ of the inner wrap: NULL, or AES-128/256 (mode checked later). */
static tpm_rc get_inner_sym(struct tpm_rd *r, struct tpm_sym_def *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->alg);

	s->bits = 0;
	s->mode = 0;
	if (rc != TPM_RC_SUCCESS || s->alg == TPM_ALG_NULL)
		return rc;
	if (s->alg != TPM_ALG_AES)
		return TPM_RC_SYMMETRIC;
	rc = tpm_get_u16(r, &s->bits);
	if (rc == TPM_RC_SUCCESS && s->bits != 128 && s->bits != 256)
		return TPM_RC_VALUE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_u16(r, &s->mode);
	return rc;
}

/* Undo the inner wrap of the n bytes at p in place; TPM_RC_INTEGRITY unless it holds. The
 * TPM2B_SENSITIVE is then at *sens (n_sens bytes, its size field included). */
static tpm_rc unwrap_inner(const struct tpm_object *o, const uint8_t *key, uint16_t bits,
			   uint8_t *p, size_t n, const uint8_t **sens, size_t *n_sens)
{
	uint16_t alg = o->key.pub.name_alg;
	uint16_t dsize = (uint16_t)tpm_hash_size(alg);
	uint8_t iv[16] = {0}, want[TPM_MAX_DIGEST];
	struct tpm_hash_ctx h;

	if (!tpm_aes_cfb(key, bits, iv, false, p, n))
		return TPM_RC_FAILURE;
	if (n < 2u + dsize || tpm_ld16(p) != dsize)
		return TPM_RC_INTEGRITY;
	(void)tpm_hash_start(&h, alg);
	tpm_hash_update(&h, p + 2 + dsize, n - 2u - dsize);
	tpm_hash_update(&h, o->key.name, o->key.name_size);
	tpm_hash_finish(&h, want);
	if (!tpm_ct_equal(want, p + 2, dsize))
		return TPM_RC_INTEGRITY;
	*sens = p + 2 + dsize;
	*n_sens = n - 2u - dsize;
	return TPM_RC_SUCCESS;
}

/* Handles: parentHandle (USER). Parameters: encryptionKey, objectPublic, duplicate, inSymSeed,
 * symmetricAlg. */
TPM_HANDLER(Import)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	const struct tpm_key *parent = tpm_object_key(t, c->h[0]);
	uint8_t enc_key[32];
	uint16_t enc_key_n = 0;
	const uint8_t *raw = NULL, *dup = NULL, *sym_seed = NULL, *sens = NULL;
	uint16_t raw_size = 0, dup_n = 0, seed_in_n = 0, seed_n = 0, inner = 0;
	struct tpm_sym_def sym;
	uint8_t seed[TPM_MAX_DIGEST];
	uint8_t *buf = t->scratch;
	size_t n = 0, n_sens = 0;
	struct tpm_rd r;
	tpm_rc rc;

	memset(o, 0, sizeof(*o));
	rc = tpm_get_2b(&c->in, enc_key, sizeof(enc_key), &enc_key_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_public_get_2b(&c->in, &o->key.pub, false, &raw, &raw_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b_view(&c->in, TPM_PRIVATE_MAX, &dup, &dup_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_get_2b_view(&c->in, 2u + TPM_MAX_RSA_BYTES, &sym_seed, &seed_in_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	rc = get_inner_sym(&c->in, &sym);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 5);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	/* Semantics, in the reference's order. */
	if (sym.alg != TPM_ALG_NULL) {
		if (enc_key_n != sym.bits / 8u)
			return TPM_RCP(TPM_RC_SIZE, 1);
		if (sym.mode != TPM_ALG_CFB)
			return TPM_RCP(TPM_RC_MODE, 5);
	} else if (enc_key_n != 0) {
		return TPM_RCP(TPM_RC_SIZE, 1);
	}
	if (parent == NULL || !tpm_is_storage_parent(parent))
		return TPM_RCH(TPM_RC_TYPE, 1);
	if (o->key.pub.attrs & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if (o->key.pub.attrs & TPMA_OBJECT_ENCRYPTEDDUPLICATION) {
		if (sym.alg == TPM_ALG_NULL)
			return TPM_RCP(TPM_RC_SYMMETRIC, 5);
		if (seed_in_n == 0)
			return TPM_RCP(TPM_RC_SIZE, 4);
	}
	if (seed_in_n != 0) {
		rc = tpm_secret_decrypt(t, parent, "DUPLICATE", sym_seed, seed_in_n, seed, &seed_n);
		if (rc != TPM_RC_SUCCESS)
			return rc == TPM_RC_MEMORY ? rc : TPM_RCP(rc, 4);
	}
	if (!tpm_public_name(&o->key.pub, o->key.name, &o->key.name_size)) {
		rc = TPM_RCP(TPM_RC_HASH, 2);
		goto out;
	}
	if (dup_n == 0) {
		rc = TPM_RCP(TPM_RC_SIZE, 3);
		goto out;
	}
	/* the outer wrap (when there is a seed), then the inner (when there is an algorithm) */
	if (seed_n != 0) {
		struct tpm_outer outer = {parent->pub.name_alg, seed, seed_n, parent->pub.sym.bits};

		rc = tpm_outer_open(&outer, o->key.name, o->key.name_size, dup, dup_n, buf, &n);
		if (rc != TPM_RC_SUCCESS) {
			rc = TPM_RCP(rc, 3);
			goto out;
		}
	} else {
		memcpy(buf, dup, dup_n);
		n = dup_n;
	}
	sens = buf;
	n_sens = n;
	if (sym.alg != TPM_ALG_NULL) {
		rc = unwrap_inner(o, enc_key, sym.bits, buf, n, &sens, &n_sens);
		if (rc != TPM_RC_SUCCESS) {
			rc = rc == TPM_RC_FAILURE ? rc : TPM_RCP(rc, 3);
			goto out;
		}
	}
	/* TPM2B_SENSITIVE, exactly */
	r = tpm_rd_init(sens, n_sens);
	if (tpm_get_u16(&r, &inner) != TPM_RC_SUCCESS || inner != r.left) {
		rc = TPM_RCP(TPM_RC_SIZE, 3);
		goto out;
	}
	rc = tpm_sensitive_get(&r, o);
	if (rc == TPM_RC_SUCCESS && !tpm_rd_done(&r))
		rc = TPM_RC_SIZE;
	if (rc != TPM_RC_SUCCESS) {
		rc = TPM_RCP(rc, 3);
		goto out;
	}
	/* what Load would check: the public area, then the binding */
	rc = tpm_public_check_load(&o->key.pub);
	if (rc != TPM_RC_SUCCESS) {
		rc = TPM_RCP(rc, 2);
		goto out;
	}
	rc = tpm_key_check_binding(&o->key);
	if (rc != TPM_RC_SUCCESS) {
		if (rc == TPM_RC_BINDING)
			rc = TPM_RCP(rc, 3);
		goto out;
	}
	if (!tpm_private_wrap(parent, o, c->out) && !c->out->overflow) {
		tpm_fail(t, "Import: cannot protect the sensitive area");
		rc = TPM_RC_FAILURE;
	}
out:
	tpm_wipe(buf, TPM_PRIVATE_MAX);
	tpm_wipe(seed, sizeof(seed));
	tpm_wipe(enc_key, sizeof(enc_key));
	tpm_wipe(o, sizeof(*o));
	return rc;
}

/*
 * TPM2_Duplicate (Part 3, 13.1): the object's sensitive area for another parent, with an inner
 * wrap (symmetricAlg not NULL: the caller's encryptionKeyIn, or a fresh one answered in
 * encryptionKeyOut) and an outer wrap (newParentHandle not TPM_RH_NULL: a fresh seed encrypted
 * to it with label "DUPLICATE"). The DUP role needs a policy session (the engine checks it).
 * Handles: objectHandle (DUP), newParentHandle (none). Parameters: encryptionKeyIn,
 * symmetricAlg.
 */
TPM_HANDLER(Duplicate)
{
	struct tpm *t = c->t;
	const struct tpm_object *obj = tpm_object_find(t, c->h[0]);
	const struct tpm_key *np = NULL;
	uint8_t enc_key[32], seed[TPM_MAX_DIGEST];
	uint16_t enc_key_n = 0, seed_n = 0;
	struct tpm_sym_def sym;
	uint8_t *buf = t->scratch;			/* the duplicate, built here */
	uint8_t *secret = t->scratch + TPM_PRIVATE_MAX; /* outSymSeed */
	struct tpm_wr sw = tpm_wr_init(secret, 2u + TPM_MAX_RSA_BYTES + 4u);
	struct tpm_wr w = tpm_wr_init(buf, TPM_PRIVATE_MAX);
	uint16_t dsize, odsize = 0;
	size_t inner_at = 0, sens_at, mark;
	bool generated = false;
	tpm_rc rc = tpm_get_2b(&c->in, enc_key, sizeof(enc_key), &enc_key_n);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = get_inner_sym(&c->in, &sym);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (obj == NULL || obj->kind != TPM_OBJ_KEY)
		return TPM_RCH(TPM_RC_TYPE, 1);
	if (obj->key.pub.attrs & TPMA_OBJECT_FIXEDPARENT)
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if (obj->key.pub.attrs & TPMA_OBJECT_ENCRYPTEDDUPLICATION) {
		if (sym.alg == TPM_ALG_NULL)
			return TPM_RCP(TPM_RC_SYMMETRIC, 2);
		if (c->h[1] == TPM_RH_NULL)
			return TPM_RCH(TPM_RC_HIERARCHY, 2);
	}
	if (sym.alg == TPM_ALG_NULL) {
		if (enc_key_n != 0)
			return TPM_RCP(TPM_RC_SIZE, 1);
	} else {
		if (sym.mode != TPM_ALG_CFB)
			return TPM_RCP(TPM_RC_MODE, 2);
		if (enc_key_n != 0 && enc_key_n != sym.bits / 8u)
			return TPM_RCP(TPM_RC_SIZE, 1);
	}
	if (c->h[1] != TPM_RH_NULL) {
		np = tpm_object_key(t, c->h[1]);
		if (np == NULL || !tpm_is_storage_parent(np))
			return TPM_RCH(TPM_RC_TYPE, 2);
	}

	/* The inner key, given or fresh. */
	if (sym.alg != TPM_ALG_NULL && enc_key_n == 0) {
		enc_key_n = (uint16_t)(sym.bits / 8u);
		if (!tpm_random(t, enc_key, enc_key_n))
			return TPM_RC_FAILURE;
		generated = true;
	}
	if (np != NULL) {
		rc = tpm_secret_encrypt(t, np, "DUPLICATE", seed, &seed_n, &sw);
		if (rc != TPM_RC_SUCCESS) {
			rc = rc == TPM_RC_KEY ? TPM_RCH(TPM_RC_TYPE, 2) : rc;
			goto out;
		}
		odsize = (uint16_t)tpm_hash_size(np->pub.name_alg);
	} else {
		tpm_put_u16(&sw, 0);
	}
	/* [outer integrity] [inner integrity] TPM2B_SENSITIVE, then the wraps inside out */
	if (np != NULL) {
		tpm_put_u16(&w, odsize);
		for (unsigned i = 0; i < odsize; i++)
			tpm_put_u8(&w, 0);
	}
	inner_at = w.len;
	dsize = (uint16_t)tpm_hash_size(obj->key.pub.name_alg);
	if (sym.alg != TPM_ALG_NULL) {
		tpm_put_u16(&w, dsize);
		for (unsigned i = 0; i < dsize; i++)
			tpm_put_u8(&w, 0);
	}
	sens_at = w.len;
	mark = tpm_put_size16_begin(&w);
	tpm_sensitive_put(&w, obj);
	tpm_put_size16_end(&w, mark);
	if (w.overflow) {
		tpm_fail(t, "Duplicate: the duplicate does not fit");
		rc = TPM_RC_FAILURE;
		goto out;
	}
	if (sym.alg != TPM_ALG_NULL) {
		struct tpm_hash_ctx h;
		uint8_t iv[16] = {0};

		(void)tpm_hash_start(&h, obj->key.pub.name_alg);
		tpm_hash_update(&h, buf + sens_at, w.len - sens_at);
		tpm_hash_update(&h, obj->key.name, obj->key.name_size);
		tpm_hash_finish(&h, buf + inner_at + 2);
		if (!tpm_aes_cfb(enc_key, sym.bits, iv, true, buf + inner_at, w.len - inner_at)) {
			tpm_fail(t, "Duplicate: AES failed");
			rc = TPM_RC_FAILURE;
			goto out;
		}
	}
	if (np != NULL) {
		struct tpm_outer outer = {np->pub.name_alg, seed, seed_n, np->pub.sym.bits};

		if (!tpm_outer_protect(&outer, obj->key.name, obj->key.name_size, buf + 2,
				       buf + inner_at, w.len - inner_at)) {
			tpm_fail(t, "Duplicate: the outer wrap failed");
			rc = TPM_RC_FAILURE;
			goto out;
		}
	}
	/* encryptionKeyOut (only a key the TPM chose), duplicate, outSymSeed */
	tpm_put_2b(c->out, enc_key, generated ? enc_key_n : 0);
	tpm_put_2b(c->out, buf, w.len);
	tpm_put_bytes(c->out, secret, sw.len);
out:
	tpm_wipe(buf, TPM_PRIVATE_MAX);
	tpm_wipe(seed, sizeof(seed));
	tpm_wipe(enc_key, sizeof(enc_key));
	return rc;
}

/*
 * TPM2_Rewrap (Part 3, 13.2): a duplicate's outer wrap taken off for oldParent (inSymSeed
 * decrypted with label "DUPLICATE", the wrap's HMAC checked for the object's Name) and put on
 * for newParent (a fresh seed). TPM_RH_NULL on either side means no outer wrap there; the
 * inner wrap and the sensitive area inside are never opened. Handles: oldParent (USER),
 * newParent (none). Parameters: inDuplicate, name, inSymSeed.
 */
TPM_HANDLER(Rewrap)
{
	struct tpm *t = c->t;
	const struct tpm_key *op = NULL, *np = NULL;
	const uint8_t *dup = NULL, *sym_seed = NULL;
	uint8_t name[TPM_MAX_NAME], seed[TPM_MAX_DIGEST];
	uint16_t dup_n = 0, name_n = 0, seed_in_n = 0, seed_n = 0, dsize;
	uint8_t *buf = t->scratch;			/* the bare blob, then the output */
	uint8_t *secret = t->scratch + TPM_PRIVATE_MAX; /* outSymSeed */
	struct tpm_wr sw = tpm_wr_init(secret, 2u + TPM_MAX_RSA_BYTES + 4u);
	size_t n = 0;
	tpm_rc rc = tpm_get_2b_view(&c->in, TPM_PRIVATE_MAX, &dup, &dup_n);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, name, sizeof(name), &name_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b_view(&c->in, 2u + TPM_MAX_RSA_BYTES, &sym_seed, &seed_in_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	/* A seed exactly when there is an old parent to decrypt it. */
	if ((seed_in_n == 0) != (c->h[0] == TPM_RH_NULL))
		return TPM_RCH(TPM_RC_HANDLE, 1);
	if (c->h[0] != TPM_RH_NULL) {
		struct tpm_outer outer;

		op = tpm_object_key(t, c->h[0]);
		if (op == NULL || !tpm_is_storage_parent(op))
			return TPM_RCH(TPM_RC_TYPE, 1);
		rc = tpm_secret_decrypt(t, op, "DUPLICATE", sym_seed, seed_in_n, seed, &seed_n);
		if (rc != TPM_RC_SUCCESS)
			return rc == TPM_RC_MEMORY ? rc : TPM_RCP(TPM_RC_VALUE, 3);
		outer = (struct tpm_outer){op->pub.name_alg, seed, seed_n, op->pub.sym.bits};
		rc = tpm_outer_open(&outer, name, name_n, dup, dup_n, buf, &n);
		if (rc != TPM_RC_SUCCESS) {
			rc = TPM_RCP(rc, 1);
			goto out;
		}
	} else {
		memcpy(buf, dup, dup_n);
		n = dup_n;
	}
	if (c->h[1] == TPM_RH_NULL) {
		tpm_put_2b(c->out, buf, n);
		tpm_put_u16(c->out, 0);
		goto out;
	}
	np = tpm_object_key(t, c->h[1]);
	if (np == NULL || !tpm_is_storage_parent(np)) {
		rc = TPM_RCH(TPM_RC_TYPE, 2);
		goto out;
	}
	/* [integrity] blob: must fit a TPM2B_PRIVATE (a blob without an outer wrap may not) */
	dsize = (uint16_t)tpm_hash_size(np->pub.name_alg);
	if (n + 2u + dsize > TPM_PRIVATE_MAX) {
		rc = TPM_RCP(TPM_RC_VALUE, 1);
		goto out;
	}
	rc = tpm_secret_encrypt(t, np, "DUPLICATE", seed, &seed_n, &sw);
	if (rc != TPM_RC_SUCCESS) {
		rc = rc == TPM_RC_KEY ? TPM_RCH(TPM_RC_TYPE, 2) : rc;
		goto out;
	}
	memmove(buf + 2u + dsize, buf, n);
	tpm_be16(buf, dsize);
	{
		struct tpm_outer outer = {np->pub.name_alg, seed, seed_n, np->pub.sym.bits};

		if (!tpm_outer_protect(&outer, name, name_n, buf + 2, buf + 2u + dsize, n)) {
			tpm_fail(t, "Rewrap: the outer wrap failed");
			rc = TPM_RC_FAILURE;
			goto out;
		}
	}
	tpm_put_2b(c->out, buf, n + 2u + dsize);
	tpm_put_bytes(c->out, secret, sw.len);
out:
	tpm_wipe(buf, TPM_PRIVATE_MAX);
	tpm_wipe(seed, sizeof(seed));
	return rc;
}
