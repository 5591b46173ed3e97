// SPDX-License-Identifier: MIT
/*
 * TPM hash commands: Hash, HashSequenceStart, SequenceUpdate, SequenceComplete,
 * EventSequenceComplete. Response codes and ticket rules follow libtpms 0.9.2 driven with the
 * same commands; ticket HMACs are recomputed here from the hierarchy proofs.
 */
#include <string.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "unit.h"

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i] != 0; i++) {
		unsigned v = 0;

		for (unsigned k = 0; k < 2; k++) {
			char ch = s[2 * i + k];

			v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
}

struct hash_out {
	uint16_t size;
	uint8_t digest[TPM_MAX_DIGEST];
	uint16_t tag;
	uint32_t hierarchy;
	uint16_t tk_size;
	uint8_t tk[TPM_MAX_DIGEST];
};

/* outHash / result then TPMT_TK_HASHCHECK, and nothing else. */
static void parse_hash_out(const struct tpmh *h, struct hash_out *o)
{
	struct tpm_rd r = tpmh_params(h, false);

	memset(o, 0, sizeof(*o));
	ASSERT(tpm_get_2b(&r, o->digest, sizeof(o->digest), &o->size) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u16(&r, &o->tag) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &o->hierarchy) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, o->tk, sizeof(o->tk), &o->tk_size) == TPM_RC_SUCCESS);
	EXPECT(tpm_rd_done(&r));
	EXPECT_EQ_U64(o->tag, TPM_ST_HASHCHECK);
}

/* HMAC-SHA-512(proof, TPM_ST_HASHCHECK || hashAlg || digest), as libtpms. */
static void expect_ticket(struct tpmh *h, const struct hash_out *o, uint32_t hierarchy,
			  uint16_t alg)
{
	const uint8_t *proof = hierarchy == TPM_RH_OWNER	 ? h->tpm->perm.sh_proof
			       : hierarchy == TPM_RH_ENDORSEMENT ? h->tpm->perm.eh_proof
								 : h->tpm->perm.ph_proof;
	struct tpm_hmac_ctx m;
	uint8_t hdr[4];
	uint8_t want[TPM_MAX_DIGEST];

	tpm_be16(hdr, TPM_ST_HASHCHECK);
	tpm_be16(hdr + 2, alg);
	ASSERT(tpm_hmac_start(&m, TPM_ALG_SHA512, proof, TPM_SEED_SIZE));
	tpm_hmac_update(&m, hdr, 4);
	tpm_hmac_update(&m, o->digest, o->size);
	tpm_hmac_finish(&m, want);
	EXPECT_EQ_U64(o->hierarchy, hierarchy);
	EXPECT_EQ_U64(o->tk_size, 64);
	EXPECT_MEM_EQ(o->tk, want, 64);
}

static void expect_null_ticket(const struct hash_out *o)
{
	EXPECT_EQ_U64(o->hierarchy, TPM_RH_NULL);
	EXPECT_EQ_U64(o->tk_size, 0);
}

static tpm_rc hash(struct tpmh *h, const void *data, size_t n, uint16_t alg, uint32_t hier)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tpmh_2b(&c, data, n);
	tpmh_u16(&c, alg);
	tpmh_u32(&c, hier);
	return tpmh_send(h, &c);
}

static uint32_t seq_start(struct tpmh *h, const void *auth, size_t n, uint16_t alg)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, auth, n);
	tpmh_u16(&c, alg);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	ASSERT(h->rsp_len == 14);
	return tpmh_rsp_handle(h);
}

static tpm_rc seq_update(struct tpmh *h, uint32_t seq, const char *pw, const void *data, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
	tpmh_u32(&c, seq);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, data, n);
	return tpmh_send(h, &c);
}

static tpm_rc seq_complete(struct tpmh *h, uint32_t seq, const char *pw, const void *data, size_t n,
			   uint32_t hier)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
	tpmh_u32(&c, seq);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, data, n);
	tpmh_u32(&c, hier);
	return tpmh_send(h, &c);
}

/* Two password sessions with empty passwords (EventSequenceComplete authorizes both). */
static void pw2(struct tpmh_cmd *c)
{
	size_t m = tpm_put_size32_begin(&c->w);

	for (unsigned i = 0; i < 2; i++) {
		tpm_put_u32(&c->w, TPM_RS_PW);
		tpm_put_u16(&c->w, 0);
		tpm_put_u8(&c->w, TPMA_SESSION_CONTINUESESSION);
		tpm_put_u16(&c->w, 0);
	}
	tpm_put_size32_end(&c->w, m);
}

static tpm_rc event_complete(struct tpmh *h, uint8_t loc, uint32_t pcr, uint32_t seq,
			     const void *data, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_EventSequenceComplete);
	tpmh_u32(&c, pcr);
	tpmh_u32(&c, seq);
	pw2(&c);
	tpmh_2b(&c, data, n);
	tpm_patch_u32(&c.w, 2, (uint32_t)c.w.len);
	h->rsp_len = tpm_execute(h->tpm, loc, c.buf, c.w.len, h->rsp, sizeof(h->rsp));
	ASSERT(h->rsp_len >= 10);
	return tpm_ld32(h->rsp + 6);
}

static const char *const abc_sha[] = {
	"a9993e364706816aba3e25717850c26c9cd0d89d",
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca13"
	"4c825a7",
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a"
	"3feebbd454d4423643ce80e2a9ac94fa54ca49f",
};
static const uint16_t hash_algs[] = {TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384, TPM_ALG_SHA512};

UNIT_TEST(tpm_hash_known_answers_and_tickets)
{
	struct tpmh h;
	struct hash_out o;
	uint8_t want[TPM_MAX_DIGEST];
	uint8_t owner_tk[TPM_MAX_DIGEST];

	tpmh_init(&h);
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_EQ_U64(hash(&h, "abc", 3, hash_algs[i], TPM_RH_OWNER), TPM_RC_SUCCESS);
		parse_hash_out(&h, &o);
		unhex(abc_sha[i], want);
		EXPECT_EQ_U64(o.size, tpm_hash_size(hash_algs[i]));
		EXPECTF(memcmp(o.digest, want, o.size) == 0, "alg %#x", hash_algs[i]);
		expect_ticket(&h, &o, TPM_RH_OWNER, hash_algs[i]);
	}
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	memcpy(owner_tk, o.tk, 64);
	/* each hierarchy its own proof; NULL: the NULL ticket */
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, TPM_RH_ENDORSEMENT), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_ticket(&h, &o, TPM_RH_ENDORSEMENT, TPM_ALG_SHA256);
	EXPECT(memcmp(o.tk, owner_tk, 64) != 0);
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, TPM_RH_PLATFORM), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_ticket(&h, &o, TPM_RH_PLATFORM, TPM_ALG_SHA256);
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, TPM_RH_NULL), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_null_ticket(&o);
	/* data that starts with TPM_GENERATED_VALUE gets no ticket; shorter data does */
	EXPECT_EQ_U64(hash(&h, "\xff\x54\x43\x47", 4, TPM_ALG_SHA256, TPM_RH_OWNER),
		      TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_null_ticket(&o);
	EXPECT_EQ_U64(hash(&h, "\xff\x54\x43\x47\x00", 5, TPM_ALG_SHA1, TPM_RH_OWNER),
		      TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_null_ticket(&o);
	EXPECT_EQ_U64(hash(&h, "\xff\x54\x43", 3, TPM_ALG_SHA256, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_ticket(&h, &o, TPM_RH_OWNER, TPM_ALG_SHA256);
	EXPECT_EQ_U64(hash(&h, "", 0, TPM_ALG_SHA256, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
	EXPECT_MEM_EQ(o.digest, want, 32);
	expect_ticket(&h, &o, TPM_RH_OWNER, TPM_ALG_SHA256);
	/* a disabled hierarchy still gets its ticket (libtpms does not check) */
	h.tpm->sh_enable = false;
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	EXPECT_MEM_EQ(o.tk, owner_tk, 64);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hash_bad_inputs)
{
	struct tpmh h;
	struct tpmh_cmd c;
	static uint8_t big[1025];

	tpmh_init(&h);
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_NULL, TPM_RH_OWNER), TPM_RCP(TPM_RC_HASH, 2));
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_RSA, TPM_RH_OWNER), TPM_RCP(TPM_RC_HASH, 2));
	EXPECT_EQ_U64(hash(&h, "abc", 3, 0x7777, TPM_RH_OWNER), TPM_RCP(TPM_RC_HASH, 2));
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, TPM_RH_LOCKOUT), TPM_RCP(TPM_RC_VALUE, 3));
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, 0x12345678), TPM_RCP(TPM_RC_VALUE, 3));
	EXPECT_EQ_U64(hash(&h, "abc", 3, TPM_ALG_SHA256, 0x81000001), TPM_RCP(TPM_RC_VALUE, 3));
	EXPECT_EQ_U64(hash(&h, big, 1025, TPM_ALG_SHA256, TPM_RH_OWNER), TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(hash(&h, big, 1024, TPM_ALG_SHA256, TPM_RH_OWNER), TPM_RC_SUCCESS);
	/* truncated at each parameter, then a trailing byte */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tpmh_u16(&c, 3);
	tpmh_bytes(&c, "ab", 2);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tpmh_2b(&c, "abc", 3);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tpmh_2b(&c, "abc", 3);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_u16(&c, 0x4000);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 3));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tpmh_2b(&c, "abc", 3);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hash_sequence)
{
	struct tpmh h;
	struct hash_out o;
	struct hash_out direct;
	uint8_t want[TPM_MAX_DIGEST];
	uint32_t seq;

	tpmh_init(&h);
	/* "ab" then "c": SHA-256("abc"); the 2-byte first block makes the ticket NULL (libtpms) */
	seq = seq_start(&h, "pw", 2, TPM_ALG_SHA256);
	EXPECT_EQ_U64(seq >> 24, TPM_HT_TRANSIENT);
	EXPECT_EQ_U64(seq_update(&h, seq, "pw", "ab", 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_complete(&h, seq, "pw", "c", 1, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	unhex(abc_sha[1], want);
	EXPECT_EQ_U64(o.size, 32);
	EXPECT_MEM_EQ(o.digest, want, 32);
	expect_null_ticket(&o);
	/* completed sequences are flushed: the handle no longer references anything */
	EXPECT_EQ_U64(seq_update(&h, seq, "pw", "ab", 2), TPM_RC_REFERENCE_H0);
	EXPECT_EQ_U64(seq_complete(&h, seq, "pw", "", 0, TPM_RH_NULL), TPM_RC_REFERENCE_H0);

	/* everything in SequenceComplete: the same ticket as Hash gives */
	EXPECT_EQ_U64(hash(&h, "abcd", 4, TPM_ALG_SHA384, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &direct);
	seq = seq_start(&h, "", 0, TPM_ALG_SHA384);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "abcd", 4, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	EXPECT_EQ_U64(o.size, 48);
	EXPECT_MEM_EQ(o.digest, direct.digest, 48);
	expect_ticket(&h, &o, TPM_RH_OWNER, TPM_ALG_SHA384);
	EXPECT_MEM_EQ(o.tk, direct.tk, 64);
	/* several blocks, a safe first one: ticket */
	seq = seq_start(&h, "", 0, TPM_ALG_SHA1);
	EXPECT_EQ_U64(seq_update(&h, seq, "", "abcd", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_update(&h, seq, "", "", 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "", 0, TPM_RH_ENDORSEMENT), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	EXPECT_EQ_U64(hash(&h, "abcd", 4, TPM_ALG_SHA1, TPM_RH_ENDORSEMENT), TPM_RC_SUCCESS);
	parse_hash_out(&h, &direct);
	EXPECT_MEM_EQ(o.digest, direct.digest, 20);
	expect_ticket(&h, &o, TPM_RH_ENDORSEMENT, TPM_ALG_SHA1);
	/* an empty first block, or one starting with TPM_GENERATED_VALUE: no ticket */
	seq = seq_start(&h, "", 0, TPM_ALG_SHA256);
	EXPECT_EQ_U64(seq_update(&h, seq, "", "", 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "abcd", 4, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_null_ticket(&o);
	seq = seq_start(&h, "", 0, TPM_ALG_SHA256);
	EXPECT_EQ_U64(seq_update(&h, seq, "", "\xff\x54\x43\x47", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "", 0, TPM_RH_OWNER), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_null_ticket(&o);
	seq = seq_start(&h, "", 0, TPM_ALG_SHA256);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "\xff\x54\x43\x47zz", 6, TPM_RH_OWNER),
		      TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	expect_null_ticket(&o);
	/* hierarchy NULL: the NULL ticket */
	seq = seq_start(&h, "", 0, TPM_ALG_SHA512);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "abc", 3, TPM_RH_NULL), TPM_RC_SUCCESS);
	parse_hash_out(&h, &o);
	unhex(abc_sha[3], want);
	EXPECT_MEM_EQ(o.digest, want, 64);
	expect_null_ticket(&o);
	/* every slot was given back */
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		EXPECT_EQ_U64(h.tpm->objects[i].kind, TPM_OBJ_FREE);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hash_sequence_auth_and_errors)
{
	struct tpmh h;
	struct tpmh_cmd c;
	static uint8_t big[1025];
	uint8_t auth[65];
	uint32_t seqs[TPM_MAX_OBJECTS];
	uint32_t seq;
	uint32_t ev;

	tpmh_init(&h);
	memset(auth, 'a', sizeof(auth));
	/* HashSequenceStart parameters */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, auth, 65);
	tpmh_u16(&c, TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, auth, 64);
	tpmh_u16(&c, TPM_ALG_RSA);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_HASH, 2));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, auth, 64);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, auth, 64);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		EXPECT_EQ_U64(h.tpm->objects[i].kind, TPM_OBJ_FREE);

	/* the authValue: kept as given, trailing zeros ignored when authorizing */
	seq = seq_start(&h, "pw\0\0", 4, TPM_ALG_SHA256);
	EXPECT_EQ_U64(h.tpm->objects[0].auth_size, 4);
	EXPECT_EQ_U64(seq_update(&h, seq, "pw", "abcd", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_update(&h, seq, "px", "abcd", 4), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(seq_update(&h, seq, "", "abcd", 4), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_SequenceUpdate);
	tpmh_u32(&c, seq);
	tpmh_2b(&c, "", 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	/* SequenceUpdate / SequenceComplete parameters */
	EXPECT_EQ_U64(seq_update(&h, seq, "pw", big, 1025), TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(seq_complete(&h, seq, "pw", big, 1025, TPM_RH_NULL), TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(seq_complete(&h, seq, "pw", "", 0, TPM_RH_LOCKOUT), TPM_RCP(TPM_RC_VALUE, 2));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
	tpmh_u32(&c, seq);
	tpmh_pw(&c, "pw", 2);
	tpmh_2b(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
	tpmh_u32(&c, seq);
	tpmh_pw(&c, "pw", 2);
	tpmh_2b(&c, "", 0);
	tpmh_u16(&c, 0x4000);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	/* handles that are no loaded sequence */
	EXPECT_EQ_U64(seq_update(&h, TPM_HR_TRANSIENT | 5, "", "", 0), TPM_RC_REFERENCE_H0);
	EXPECT_EQ_U64(seq_update(&h, TPM_RH_OWNER, "", "", 0), TPM_RCH(TPM_RC_VALUE, 1));
	/* a persistent handle is an object handle, just not loaded (libtpms: HANDLE) */
	EXPECT_EQ_U64(seq_update(&h, 0x81000000, "", "", 0), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(seq_complete(&h, 0x81000000, "", "", 0, TPM_RH_NULL),
		      TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(event_complete(&h, 0, 16, 0x81000000, "", 0), TPM_RCH(TPM_RC_HANDLE, 2));
	/* the sequence survived all of that */
	EXPECT_EQ_U64(seq_complete(&h, seq, "pw", "", 0, TPM_RH_NULL), TPM_RC_SUCCESS);

	/* an event sequence does not complete with SequenceComplete, nor a hash sequence with
	 * EventSequenceComplete: TPM_RC_MODE on the sequence handle, both left loaded */
	ev = seq_start(&h, "", 0, TPM_ALG_NULL);
	seq = seq_start(&h, "", 0, TPM_ALG_SHA256);
	EXPECT_EQ_U64(seq_complete(&h, ev, "", "", 0, TPM_RH_NULL), TPM_RCH(TPM_RC_MODE, 1));
	EXPECT_EQ_U64(event_complete(&h, 0, 16, seq, "", 0), TPM_RCH(TPM_RC_MODE, 2));
	EXPECT_EQ_U64(event_complete(&h, 0, 16, ev, "", 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_complete(&h, seq, "", "", 0, TPM_RH_NULL), TPM_RC_SUCCESS);

	/* out of object slots */
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		seqs[i] = seq_start(&h, "", 0, i % 2 ? TPM_ALG_NULL : TPM_ALG_SHA1);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, "", 0);
	tpmh_u16(&c, TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_OBJECT_MEMORY);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, seqs[3]);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_update(&h, seqs[3], "", "", 0), TPM_RC_REFERENCE_H0);
	EXPECT_EQ_U64(seq_start(&h, "", 0, TPM_ALG_SHA256), seqs[3]);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hash_event_sequence)
{
	struct tpmh h;
	struct tpm_rd r;
	uint8_t d[TPM_MAX_DIGEST];
	uint8_t want[TPM_MAX_DIGEST];
	uint8_t buf[2 * 48];
	uint32_t ev;
	uint32_t n = 0;

	tpmh_init(&h);
	/* "ab" + "c" into PCR 16: one digest per bank, each bank extended */
	ev = seq_start(&h, "", 0, TPM_ALG_NULL);
	EXPECT_EQ_U64(seq_update(&h, ev, "", "ab", 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(event_complete(&h, 0, 16, ev, "c", 1), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		uint16_t alg = 0;
		unsigned sz = tpm_hash_size(tpm_banks[b]);

		EXPECT(tpm_get_u16(&r, &alg) == TPM_RC_SUCCESS && alg == tpm_banks[b]);
		ASSERT(tpm_get_bytes(&r, d, sz) == TPM_RC_SUCCESS);
		unhex(abc_sha[b], want);
		EXPECTF(memcmp(d, want, sz) == 0, "bank %u", b);
		memset(buf, 0, sz);
		memcpy(buf + sz, want, sz);
		ASSERT(tpm_hash(tpm_banks[b], buf, 2 * sz, want));
		EXPECTF(memcmp(h.tpm->pcr[b][16], want, sz) == 0, "bank %u", b);
	}
	EXPECT(tpm_rd_done(&r));
	/* libtpms: SHA-256 PCR 16 after the same sequence */
	unhex("589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d", want);
	EXPECT_MEM_EQ(h.tpm->pcr[1][16], want, 32);
	EXPECT_EQ_U64(event_complete(&h, 0, 16, ev, "", 0), TPM_RC_REFERENCE_H0 + 1);

	/* PCR NULL: digests, no extend; locality of the PCR; parameter checks */
	memcpy(buf, h.tpm->pcr[1][16], 32);
	ev = seq_start(&h, "", 0, TPM_ALG_NULL);
	EXPECT_EQ_U64(event_complete(&h, 0, 17, ev, "", 0), TPM_RC_LOCALITY);
	{
		static uint8_t big[1025];

		EXPECT_EQ_U64(event_complete(&h, 0, 16, ev, big, 1025), TPM_RCP(TPM_RC_SIZE, 1));
	}
	EXPECT_EQ_U64(event_complete(&h, 0, TPM_RH_OWNER, ev, "", 0), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(event_complete(&h, 0, TPM_RH_NULL, ev, "abc", 3), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == TPM_NUM_BANKS);
	EXPECT_EQ_U64(r.left, 3 * 2 + 20 + 32 + 48);
	EXPECT_MEM_EQ(h.tpm->pcr[1][16], buf, 32);
	/* at locality 3 PCR 17 (all ones) may be extended */
	ev = seq_start(&h, "", 0, TPM_ALG_NULL);
	EXPECT_EQ_U64(event_complete(&h, 3, 17, ev, "", 0), TPM_RC_SUCCESS);
	memset(buf, 0xFF, 32);
	unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", buf + 32);
	ASSERT(tpm_hash(TPM_ALG_SHA256, buf, 64, want));
	EXPECT_MEM_EQ(h.tpm->pcr[1][17], want, 32);
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		EXPECT_EQ_U64(h.tpm->objects[i].kind, TPM_OBJ_FREE);
	tpmh_destroy(&h);
}
