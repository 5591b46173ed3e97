// SPDX-License-Identifier: MIT
/*
 * Primary objects, derived deterministically from a hierarchy's primary seed and the template
 * (TCG Part 1, "Primary Seeds" and "Primary Objects"; Part 3, 24.1: the same inPublic,
 * inSensitive.data and Primary Seed produce the same Primary Object). The derivation is Copra's
 * own and is fixed by docs/tpm.md ("Primary keys"), the known answers in
 * tests/unit/test_tpm_object.c and the independent model tests/tpm/primary_model.py; it uses
 * mbedTLS only for big-number arithmetic and EC point multiplication, never for choosing key
 * material, so a new mbedTLS cannot change a key.
 *
 *   D           = SHA-256(u16 size || TPMT_PUBLIC template as received ||
 *                         u16 size || inSensitive.data)
 *   stream(tag) = block 0 || block 1 || ..., block i = KDFa(SHA-256, seed, "Copra primary",
 *                 D, tag || u32 i, 512 bits); tag is four ASCII letters
 *
 *   RSA         p: candidates of keyBits/2 bits read in turn from stream("RSAP"), each with its
 *               top two bits and its low bit set; the first that has no factor below 2048, has
 *               gcd(p-1, e) = 1 and passes Miller-Rabin is p. q likewise from stream("RSAQ"),
 *               also requiring |p - q| > 2^(keyBits/2 - 100) (FIPS 186-4, B.3.3). The
 *               Miller-Rabin bases come from stream("RSAM"), which only decides how a composite
 *               is caught: the key is the first candidate that is prime.
 *   ECC         d = (c mod (n - 1)) + 1, c the first (bits(n) + 64) / 8 bytes of stream("ECCD")
 *               (FIPS 186-4, B.4.1, key pair generation with extra random bits); Q = d G
 *   SYMCIPHER   key (sensitiveDataOrigin): keyBits/8 bytes of stream("SYMK"), else the data
 *   KEYEDHASH   key (sensitiveDataOrigin): digest-size bytes of stream("HMAC"), else the data
 *   seedValue   nameAlg-digest bytes of stream("SEED") for storage parents (restricted decrypt)
 *               and every KEYEDHASH/SYMCIPHER object, whose unique is H_nameAlg(seedValue || key)
 *
 * RSA is slow (a prime search of about a second for RSA-3072): the primes found are cached per
 * (hierarchy, seed generation, D), and the cache is emptied whenever a seed changes.
 */
#include <lib/string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>

#include "ecc_p256.h"
#include "object.h"

#define STREAM_LABEL "Copra primary"
#define STREAM_BLOCK 64u /* bytes per KDFa call (512 bits) */
#define SIEVE_LIMIT  2048u
#define MR_ROUNDS    8u
/* Candidates tried per prime before giving up: the chance of none being prime is below 2^-160. */
#define PRIME_TRIES_PER_BIT 40u

/* mbedTLS calls: on an error, record it in `err` and go to the function's cleanup. */
#define CHK(call)                     \
	do {                          \
		err = (call);         \
		if (err != 0)         \
			goto cleanup; \
	} while (0)

/* ---- the derivation stream ------------------------------------------------------------------ */

struct stream {
	const uint8_t *seed;
	const uint8_t *digest; /* D, 32 bytes */
	uint8_t tag[4];
	uint32_t block;
	uint8_t buf[STREAM_BLOCK];
	unsigned used; /* bytes of buf already read */
};

static void stream_init(struct stream *s, const uint8_t *seed, const uint8_t *digest,
			const char tag[4])
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->digest = digest;
	memcpy(s->tag, tag, 4);
	s->used = STREAM_BLOCK;
}

static void stream_read(struct stream *s, uint8_t *out, size_t n)
{
	while (n != 0) {
		size_t k;

		if (s->used == STREAM_BLOCK) {
			uint8_t v[8];

			memcpy(v, s->tag, 4);
			tpm_be32(v + 4, s->block++);
			(void)tpm_kdfa(TPM_ALG_SHA256, s->seed, TPM_SEED_SIZE, STREAM_LABEL,
				       s->digest, 32, v, sizeof(v), STREAM_BLOCK * 8u, s->buf);
			s->used = 0;
		}
		k = STREAM_BLOCK - s->used < n ? STREAM_BLOCK - s->used : n;
		memcpy(out, s->buf + s->used, k);
		s->used += (unsigned)k;
		out += k;
		n -= k;
	}
}

static void stream_wipe(struct stream *s)
{
	tpm_wipe(s, sizeof(*s));
}

/* mbedTLS errors: an allocation failure is TPM_RC_MEMORY, anything else a broken invariant. */
static tpm_rc mbed_rc(struct tpm *t, int err)
{
	if (err == 0)
		return TPM_RC_SUCCESS;
	if (err == MBEDTLS_ERR_MPI_ALLOC_FAILED || err == MBEDTLS_ERR_ECP_ALLOC_FAILED)
		return TPM_RC_MEMORY;
	tpm_fail(t, "mbedTLS failed during key derivation");
	return TPM_RC_FAILURE;
}

/* ---- RSA ----------------------------------------------------------------------------------- */

/* Odd composites below SIEVE_LIMIT: bit (k/2) set when k is composite. */
static void sieve(uint8_t comp[SIEVE_LIMIT / 16])
{
	memset(comp, 0, SIEVE_LIMIT / 16);
	for (unsigned k = 3; k * k < SIEVE_LIMIT; k += 2) {
		if (comp[k / 16] & (1u << (k / 2 % 8)))
			continue;
		for (unsigned m = k * k; m < SIEVE_LIMIT; m += 2 * k)
			comp[m / 16] |= (uint8_t)(1u << (m / 2 % 8));
	}
}

/* Does one of the n primes in group (product m) divide x? */
static int group_divides(const mbedtls_mpi *x, const uint16_t *group, unsigned n, uint64_t m,
			 bool *found)
{
	mbedtls_mpi_uint r = 0;
	int err = mbedtls_mpi_mod_int(&r, x, (mbedtls_mpi_sint)m);

	for (unsigned i = 0; err == 0 && i < n && !*found; i++)
		*found = r % group[i] == 0;
	return err;
}

/*
 * Has x a prime factor below SIEVE_LIMIT (x is far larger)? The odd primes are taken in groups
 * whose product stays below 2^32: one big-number reduction per group. (mbedtls_mpi_mod_int
 * divides by half limbs: its divisor must be below 2^32, or the remainder is wrong.)
 */
static int has_small_factor(const mbedtls_mpi *x, const uint8_t *comp, bool *found)
{
	uint16_t group[8];
	unsigned n = 0;
	uint64_t m = 1;
	int err = 0;

	*found = false;
	for (unsigned k = 3; k < SIEVE_LIMIT && err == 0 && !*found; k += 2) {
		if (comp[k / 16] & (1u << (k / 2 % 8)))
			continue;
		if (n == 8 || m > UINT32_MAX / k) {
			err = group_divides(x, group, n, m, found);
			n = 0;
			m = 1;
		}
		group[n++] = (uint16_t)k;
		m *= k;
	}
	if (err == 0 && !*found && n != 0)
		err = group_divides(x, group, n, m, found);
	return err;
}

/* Miller-Rabin with MR_ROUNDS bases from the stream; *prime false when x is composite. */
static int miller_rabin(const mbedtls_mpi *x, unsigned bits, struct stream *bases, bool *prime)
{
	mbedtls_mpi d, xm1, xm3, b, y, rr;
	uint8_t buf[TPM_MAX_SENSITIVE];
	size_t s = 0;
	int err = 0;

	*prime = false;
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&xm1);
	mbedtls_mpi_init(&xm3);
	mbedtls_mpi_init(&b);
	mbedtls_mpi_init(&y);
	mbedtls_mpi_init(&rr);
	CHK(mbedtls_mpi_sub_int(&xm1, x, 1));
	CHK(mbedtls_mpi_sub_int(&xm3, x, 3));
	CHK(mbedtls_mpi_copy(&d, &xm1));
	s = mbedtls_mpi_lsb(&d);
	CHK(mbedtls_mpi_shift_r(&d, s));
	for (unsigned round = 0; round < MR_ROUNDS; round++) {
		bool witness = true;

		/* base in [2, x - 2] */
		stream_read(bases, buf, bits / 8);
		CHK(mbedtls_mpi_read_binary(&b, buf, bits / 8));
		CHK(mbedtls_mpi_mod_mpi(&b, &b, &xm3));
		CHK(mbedtls_mpi_add_int(&b, &b, 2));
		CHK(mbedtls_mpi_exp_mod(&y, &b, &d, x, &rr));
		if (mbedtls_mpi_cmp_int(&y, 1) == 0 || mbedtls_mpi_cmp_mpi(&y, &xm1) == 0)
			continue;
		for (size_t j = 1; j < s && witness; j++) {
			CHK(mbedtls_mpi_mul_mpi(&y, &y, &y));
			CHK(mbedtls_mpi_mod_mpi(&y, &y, x));
			if (mbedtls_mpi_cmp_mpi(&y, &xm1) == 0)
				witness = false;
		}
		if (witness)
			goto cleanup;
	}
	*prime = true;
cleanup:
	tpm_wipe(buf, sizeof(buf));
	mbedtls_mpi_free(&rr);
	mbedtls_mpi_free(&y);
	mbedtls_mpi_free(&b);
	mbedtls_mpi_free(&xm3);
	mbedtls_mpi_free(&xm1);
	mbedtls_mpi_free(&d);
	return err;
}

/*
 * The first acceptable prime of `bits` bits in the candidate stream (see the top of the file);
 * other: the prime found before (q must be far from p), or NULL.
 */
static tpm_rc find_prime(struct tpm *t, struct stream *cand, struct stream *bases, unsigned bits,
			 uint32_t e, const mbedtls_mpi *other, mbedtls_mpi *x)
{
	uint8_t comp[SIEVE_LIMIT / 16];
	uint8_t buf[TPM_MAX_SENSITIVE];
	mbedtls_mpi diff, bound;
	tpm_rc rc = TPM_RC_NO_RESULT;
	int err = 0;

	mbedtls_mpi_init(&diff);
	mbedtls_mpi_init(&bound);
	sieve(comp);
	CHK(mbedtls_mpi_lset(&bound, 1));
	CHK(mbedtls_mpi_shift_l(&bound, bits - 100));
	for (uint32_t tries = 0; tries < PRIME_TRIES_PER_BIT * bits; tries++) {
		mbedtls_mpi_uint r = 0;
		bool bad = false;
		bool prime = false;

		if (t->cancel) {
			rc = TPM_RC_CANCELED;
			goto cleanup;
		}
		stream_read(cand, buf, bits / 8);
		CHK(mbedtls_mpi_read_binary(x, buf, bits / 8));
		CHK(mbedtls_mpi_set_bit(x, bits - 1, 1));
		CHK(mbedtls_mpi_set_bit(x, bits - 2, 1));
		CHK(mbedtls_mpi_set_bit(x, 0, 1));
		if (other != NULL) {
			bool above = mbedtls_mpi_cmp_mpi(x, other) > 0;

			CHK(mbedtls_mpi_sub_abs(&diff, above ? x : other, above ? other : x));
			if (mbedtls_mpi_cmp_mpi(&diff, &bound) <= 0)
				continue;
		}
		CHK(has_small_factor(x, comp, &bad));
		if (bad)
			continue;
		/* gcd(x - 1, e) = 1 for the prime e: x mod e != 1 */
		CHK(mbedtls_mpi_mod_int(&r, x, (mbedtls_mpi_sint)e));
		if (r == 1)
			continue;
		CHK(miller_rabin(x, bits, bases, &prime));
		if (prime) {
			rc = TPM_RC_SUCCESS;
			goto cleanup;
		}
	}
cleanup:
	tpm_wipe(buf, sizeof(buf));
	mbedtls_mpi_free(&bound);
	mbedtls_mpi_free(&diff);
	return err != 0 ? mbed_rc(t, err) : rc;
}

static struct tpm_primary_cache_entry *cache_find(struct tpm *t, uint32_t hierarchy,
						  const uint8_t *digest)
{
	for (unsigned i = 0; i < TPM_PRIMARY_CACHE; i++) {
		struct tpm_primary_cache_entry *c = &t->primary_cache[i];

		if (c->used && c->hierarchy == hierarchy && c->seed_gen == t->seed_gen &&
		    memcmp(c->digest, digest, sizeof(c->digest)) == 0) {
			c->last_use = ++t->cache_clock;
			return c;
		}
	}
	return NULL;
}

static void cache_put(struct tpm *t, uint32_t hierarchy, const uint8_t *digest, const uint8_t *p,
		      const uint8_t *q, uint16_t size)
{
	struct tpm_primary_cache_entry *c = &t->primary_cache[0];

	for (unsigned i = 1; i < TPM_PRIMARY_CACHE && c->used; i++)
		if (!t->primary_cache[i].used || t->primary_cache[i].last_use < c->last_use)
			c = &t->primary_cache[i];
	tpm_wipe(c, sizeof(*c));
	c->used = true;
	c->hierarchy = hierarchy;
	c->seed_gen = t->seed_gen;
	memcpy(c->digest, digest, sizeof(c->digest));
	c->last_use = ++t->cache_clock;
	c->prime_size = size;
	memcpy(c->p, p, size);
	memcpy(c->q, q, size);
}

void tpm_primary_seeds_changed(struct tpm *t)
{
	t->seed_gen++;
	tpm_wipe(t->primary_cache, sizeof(t->primary_cache));
}

/*
 * p and q from the cache or the prime search; n = p q into key->pub.unique, p into sens. The
 * derive_* functions are not inlined so that no kernel stack frame holds two of them.
 */
static __attribute__((noinline)) tpm_rc derive_rsa(struct tpm *t, uint32_t hierarchy,
						   const uint8_t *seed, const uint8_t *digest,
						   struct tpm_key *key)
{
	struct tpm_public *pub = &key->pub;
	unsigned half = pub->key_bits / 2u;
	uint32_t e = pub->exponent != 0 ? pub->exponent : 65537u;
	/* hierarchy 0: an ordinary object from a random seed (tpm_object_generate), never cached */
	const struct tpm_primary_cache_entry *c =
		hierarchy != 0 ? cache_find(t, hierarchy, digest) : NULL;
	struct stream cand, bases;
	mbedtls_mpi p, q, n;
	uint8_t pb[TPM_MAX_SENSITIVE], qb[TPM_MAX_SENSITIVE];
	tpm_rc rc = TPM_RC_SUCCESS;
	int err = 0;

	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&q);
	mbedtls_mpi_init(&n);
	if (c != NULL && c->prime_size == half / 8) {
		memcpy(pb, c->p, half / 8);
		memcpy(qb, c->q, half / 8);
	} else {
		stream_init(&bases, seed, digest, "RSAM");
		stream_init(&cand, seed, digest, "RSAP");
		rc = find_prime(t, &cand, &bases, half, e, NULL, &p);
		stream_wipe(&cand);
		if (rc == TPM_RC_SUCCESS) {
			stream_init(&cand, seed, digest, "RSAQ");
			rc = find_prime(t, &cand, &bases, half, e, &p, &q);
			stream_wipe(&cand);
		}
		stream_wipe(&bases);
		if (rc != TPM_RC_SUCCESS)
			goto out;
		CHK(mbedtls_mpi_write_binary(&p, pb, half / 8));
		CHK(mbedtls_mpi_write_binary(&q, qb, half / 8));
		if (hierarchy != 0)
			cache_put(t, hierarchy, digest, pb, qb, (uint16_t)(half / 8));
	}
	CHK(mbedtls_mpi_read_binary(&p, pb, half / 8));
	CHK(mbedtls_mpi_read_binary(&q, qb, half / 8));
	CHK(mbedtls_mpi_mul_mpi(&n, &p, &q));
	CHK(mbedtls_mpi_write_binary(&n, pub->unique, pub->key_bits / 8u));
	pub->unique_size = (uint16_t)(pub->key_bits / 8u);
	memcpy(key->sens, pb, half / 8);
	key->sens_size = (uint16_t)(half / 8);
cleanup:
	if (err != 0)
		rc = mbed_rc(t, err);
out:
	tpm_wipe(pb, sizeof(pb));
	tpm_wipe(qb, sizeof(qb));
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&q);
	mbedtls_mpi_free(&p);
	return rc;
}

/* ---- ECC ----------------------------------------------------------------------------------- */

static int drbg_rng(void *ctx, unsigned char *out, size_t n)
{
	return tpm_random(ctx, out, n) ? 0 : MBEDTLS_ERR_ECP_RANDOM_FAILED;
}

static __attribute__((noinline)) tpm_rc derive_ecc(struct tpm *t, const uint8_t *seed,
						   const uint8_t *digest, struct tpm_key *key)
{
	struct tpm_public *pub = &key->pub;
	mbedtls_ecp_group_id id = pub->curve == TPM_ECC_NIST_P256 ? MBEDTLS_ECP_DP_SECP256R1
								  : MBEDTLS_ECP_DP_SECP384R1;
	size_t csize = pub->curve == TPM_ECC_NIST_P256 ? 32u : 48u;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi c, nm1;
	struct stream s;
	uint8_t buf[TPM_MAX_ECC_BYTES + 8];
	size_t cbytes;
	int err = 0;

	if (pub->curve == TPM_ECC_NIST_P256) {
		tpm_rc rc;

		/* ecc_p256.c: the same d and d*G, without loading mbedTLS's group */
		stream_init(&s, seed, digest, "ECCD");
		stream_read(&s, buf, 40);
		stream_wipe(&s);
		rc = tpm_p256_derive(buf, 40, key->sens, pub->unique, pub->unique_y);
		tpm_wipe(buf, sizeof(buf));
		if (rc == TPM_RC_FAILURE)
			tpm_fail(t, "P-256 key derivation failed");
		if (rc != TPM_RC_SUCCESS)
			return rc;
		pub->unique_size = 32;
		pub->unique_y_size = 32;
		key->sens_size = 32;
		return TPM_RC_SUCCESS;
	}
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&c);
	mbedtls_mpi_init(&nm1);
	CHK(mbedtls_ecp_group_load(&grp, id));
	/* FIPS 186-4 B.4.1: 64 extra bits make the reduction's bias negligible. */
	cbytes = (mbedtls_mpi_bitlen(&grp.N) + 64u) / 8u;
	stream_init(&s, seed, digest, "ECCD");
	stream_read(&s, buf, cbytes);
	stream_wipe(&s);
	CHK(mbedtls_mpi_read_binary(&c, buf, cbytes));
	CHK(mbedtls_mpi_sub_int(&nm1, &grp.N, 1));
	CHK(mbedtls_mpi_mod_mpi(&c, &c, &nm1));
	CHK(mbedtls_mpi_add_int(&c, &c, 1));
	CHK(mbedtls_ecp_mul(&grp, &q, &c, &grp.G, drbg_rng, t));
	CHK(mbedtls_mpi_write_binary(&q.X, pub->unique, csize));
	CHK(mbedtls_mpi_write_binary(&q.Y, pub->unique_y, csize));
	CHK(mbedtls_mpi_write_binary(&c, key->sens, csize));
	pub->unique_size = (uint16_t)csize;
	pub->unique_y_size = (uint16_t)csize;
	key->sens_size = (uint16_t)csize;
cleanup:
	tpm_wipe(buf, sizeof(buf));
	mbedtls_mpi_free(&nm1);
	mbedtls_mpi_free(&c);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return t->failure_mode ? TPM_RC_FAILURE : mbed_rc(t, err);
}

/* ---- symmetric objects ---------------------------------------------------------------------- */

/* The key (or sealed data) of a KEYEDHASH or SYMCIPHER object, and unique = H(seed || key). */
static __attribute__((noinline)) tpm_rc derive_symmetric(const uint8_t *seed, const uint8_t *digest,
							 const uint8_t *data, size_t data_size,
							 struct tpm_key *key)
{
	struct tpm_public *pub = &key->pub;
	struct tpm_hash_ctx h;
	struct stream s;

	if ((pub->attrs & TPMA_OBJECT_SENSITIVEDATAORIGIN) == 0) {
		memcpy(key->sens, data, data_size);
		key->sens_size = (uint16_t)data_size;
	} else if (pub->type == TPM_ALG_SYMCIPHER) {
		key->sens_size = (uint16_t)(pub->sym.bits / 8u);
		stream_init(&s, seed, digest, "SYMK");
		stream_read(&s, key->sens, key->sens_size);
		stream_wipe(&s);
	} else {
		uint16_t alg =
			pub->scheme.scheme == TPM_ALG_HMAC ? pub->scheme.hash : pub->name_alg;

		key->sens_size = (uint16_t)tpm_hash_size(alg);
		stream_init(&s, seed, digest, "HMAC");
		stream_read(&s, key->sens, key->sens_size);
		stream_wipe(&s);
	}
	(void)tpm_hash_start(&h, pub->name_alg);
	tpm_hash_update(&h, key->seed, key->seed_size);
	tpm_hash_update(&h, key->sens, key->sens_size);
	tpm_hash_finish(&h, pub->unique);
	pub->unique_size = (uint16_t)tpm_hash_size(pub->name_alg);
	return TPM_RC_SUCCESS;
}

/* ---- the derivation ------------------------------------------------------------------------- */

const uint8_t *tpm_primary_seed(const struct tpm *t, uint32_t hierarchy)
{
	switch (hierarchy) {
	case TPM_RH_OWNER:
		return t->perm.sps;
	case TPM_RH_ENDORSEMENT:
		return t->perm.eps;
	case TPM_RH_PLATFORM:
		return t->perm.pps;
	case TPM_RH_NULL:
		return t->null_seed;
	default:
		return NULL;
	}
}

tpm_rc tpm_primary_derive(struct tpm *t, uint32_t hierarchy, const uint8_t *seed,
			  const struct tpm_public *tmpl, const uint8_t *tmpl_raw, size_t tmpl_size,
			  const uint8_t *data, size_t data_size, struct tpm_key *key)
{
	struct tpm_public *pub = &key->pub;
	struct tpm_hash_ctx h;
	uint8_t digest[32];
	uint8_t be[2];
	bool parent = (tmpl->attrs & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)) ==
		      (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT);
	bool symmetric = tmpl->type == TPM_ALG_KEYEDHASH || tmpl->type == TPM_ALG_SYMCIPHER;
	tpm_rc rc;

	(void)tpm_hash_start(&h, TPM_ALG_SHA256);
	tpm_be16(be, (uint16_t)tmpl_size);
	tpm_hash_update(&h, be, 2);
	tpm_hash_update(&h, tmpl_raw, tmpl_size);
	tpm_be16(be, (uint16_t)data_size);
	tpm_hash_update(&h, be, 2);
	tpm_hash_update(&h, data, data_size);
	tpm_hash_finish(&h, digest);

	memcpy(pub, tmpl, sizeof(*pub));
	pub->unique_size = 0;
	pub->unique_y_size = 0;
	memset(pub->unique, 0, sizeof(pub->unique));
	memset(pub->unique_y, 0, sizeof(pub->unique_y));
	key->hierarchy = hierarchy;
	key->seed_size = 0;
	if (parent || symmetric) {
		struct stream s;

		key->seed_size = (uint16_t)tpm_hash_size(tmpl->name_alg);
		stream_init(&s, seed, digest, "SEED");
		stream_read(&s, key->seed, key->seed_size);
		stream_wipe(&s);
	}
	switch (tmpl->type) {
	case TPM_ALG_RSA:
		rc = derive_rsa(t, hierarchy, seed, digest, key);
		break;
	case TPM_ALG_ECC:
		rc = derive_ecc(t, seed, digest, key);
		break;
	default:
		rc = derive_symmetric(seed, digest, data, data_size, key);
		break;
	}
	tpm_wipe(digest, sizeof(digest));
	return rc;
}

tpm_rc tpm_object_generate(struct tpm *t, const struct tpm_public *tmpl, const uint8_t *tmpl_raw,
			   size_t tmpl_size, const uint8_t *data, size_t data_size,
			   struct tpm_key *key)
{
	uint8_t seed[TPM_SEED_SIZE];
	tpm_rc rc;

	/* The same generator as primaries, from a fresh DRBG seed instead of a hierarchy's. */
	if (!tpm_random(t, seed, sizeof(seed)))
		return TPM_RC_FAILURE;
	rc = tpm_primary_derive(t, 0, seed, tmpl, tmpl_raw, tmpl_size, data, data_size, key);
	tpm_wipe(seed, sizeof(seed));
	return rc;
}
