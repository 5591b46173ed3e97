/* SPDX-License-Identifier: MIT */
/*
 * The SVSM's VMPCK0 channel to the PSP (facts 5.10): each request is sealed with AES-256-GCM
 * under VMPCK0, carried by the hypervisor through two shared pages, and the PSP's response is
 * opened and checked before one byte of it is believed.
 *
 * The IV is the message sequence number, so a number must never seal two different messages.
 * Hence: numbers start at 1 and advance by 2 per completed exchange (request n, response n + 1);
 * a BUSY hypervisor gets the identical sealed bytes again; and after any other failure the
 * SVSM cannot know which number the PSP expects, so VMPCK0 is wiped and the channel stays
 * closed (SNP_EDISABLED) for good.
 *
 * Lock: msg.lock serialises every exchange (one sequence, one pair of pages, one GCM context).
 * It is a leaf lock.
 */
#include "aes_gcm.h"
#include "snp_internal.h"
#include <copra/spinlock.h>
#include <lib/string.h>

/* The message header (facts 5.10 table "Message header"). */
struct snp_msg_hdr {
	uint8_t authtag[32];
	uint64_t msg_seqno;
	uint8_t rsvd1[8];
	uint8_t algo;
	uint8_t hdr_version;
	uint16_t hdr_size;
	uint8_t msg_type;
	uint8_t msg_version;
	uint16_t msg_size;
	uint32_t rsvd2;
	uint8_t msg_vmpck;
	uint8_t rsvd3[35];
} __packed;

#define MSG_HDR_OFF(f) __builtin_offsetof(struct snp_msg_hdr, f)
_Static_assert(sizeof(struct snp_msg_hdr) == 0x60, "facts 5.10: 96-byte header");
_Static_assert(MSG_HDR_OFF(msg_seqno) == 0x20, "facts 5.10");
_Static_assert(MSG_HDR_OFF(algo) == 0x30, "facts 5.10");
_Static_assert(MSG_HDR_OFF(hdr_version) == 0x31, "facts 5.10");
_Static_assert(MSG_HDR_OFF(hdr_size) == 0x32, "facts 5.10");
_Static_assert(MSG_HDR_OFF(msg_type) == 0x34, "facts 5.10");
_Static_assert(MSG_HDR_OFF(msg_version) == 0x35, "facts 5.10");
_Static_assert(MSG_HDR_OFF(msg_size) == 0x36, "facts 5.10");
_Static_assert(MSG_HDR_OFF(msg_vmpck) == 0x3C, "facts 5.10");

#define MSG_ALGO_AES_256_GCM 1u
#define MSG_HDR_VERSION	     1u
#define MSG_VERSION	     1u
#define MSG_AAD_OFF	     0x30u /* AAD = header bytes 0x30..0x5F */
#define MSG_AAD_LEN	     (sizeof(struct snp_msg_hdr) - MSG_AAD_OFF)
#define MSG_IV_LEN	     12u

/* SW_EXITINFO2 of a guest request: [63:32] the hypervisor's error (facts 5.10). */
#define GREQ_VMM_ERR(info2) ((uint32_t)((info2) >> 32))
#define GREQ_FW_ERR(info2)  ((uint32_t)(info2))
#define GREQ_INVALID_LEN    1u
#define GREQ_BUSY	    2u
/*
 * Re-sends of a BUSY request. Linux waits up to 60 s; the SVSM has no business sleeping on
 * the hypervisor's behalf, so it gives up after a bounded number of tries (and, not knowing
 * whether the PSP saw the message, closes the channel).
 */
#define GREQ_BUSY_RETRIES 16u
/* More certificate pages than this is a hypervisor answering nonsense. */
#define GREQ_CERT_PAGES_MAX 256u

static struct {
	struct spinlock lock;
	bool ready;	/* pages shared, key loaded */
	bool disabled;	/* VMPCK0 wiped */
	uint64_t seqno; /* the next request's sequence number (odd) */
	uint8_t vmpck0[32];
	struct snp_gcm gcm;
	uint8_t *req_page, *resp_page, *certs; /* shared with the hypervisor */
	gpa_t req_gpa, resp_gpa, certs_gpa;
	uint8_t sealed[SNP_PAGE_SIZE]; /* the request as sent: re-sent verbatim on BUSY */
	uint8_t opened[SNP_PAGE_SIZE]; /* the response: a private snapshot, then the plaintext */
} msg = {.lock = SPINLOCK_INIT};

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

/* Closes the channel for good; the caller holds msg.lock (or the machine is stopping). */
static void msg_disable_locked(void)
{
	wipe(msg.vmpck0, sizeof(msg.vmpck0));
	snp_gcm_free(&msg.gcm);
	wipe(msg.sealed, sizeof(msg.sealed));
	wipe(msg.opened, sizeof(msg.opened));
	msg.disabled = true;
	msg.ready = false;
}

void snp_wipe_vmpcks(void)
{
	/* On the panic path the lock may be held by the CPU that panicked: wipe regardless. */
	bool locked = spin_trylock(&msg.lock);

	msg_disable_locked();
	if (locked)
		spin_unlock(&msg.lock);
}

#ifdef COPRA_HOST
void snp_msg_forget(void)
{
	snp_gcm_free(&msg.gcm);
	memset(&msg, 0, sizeof(msg));
}

void snp_msg_set_seqno(uint64_t seqno)
{
	msg.seqno = seqno;
}
#endif

static void msg_iv(uint64_t seqno, uint8_t iv[MSG_IV_LEN])
{
	memset(iv, 0, MSG_IV_LEN);
	for (unsigned int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(seqno >> (8 * i));
}

int snp_msg_setup(gpa_t secrets)
{
	vaddr_t sva = va_init(0);
	vaddr_t va = va_init(0);
	gpa_t gpa = gpa_init(0);
	static const uint8_t zero[32];
	int err = SNP_OK;

	if (msg.ready || msg.disabled)
		return SNP_OK;
	if (!snp_hw_map(secrets, SNP_PAGE_4K, &sva))
		return SNP_EIO;
	memcpy(msg.vmpck0, (const uint8_t *)va_ptr(sva) + SNP_SECRETS_VMPCK(0), 32);
	snp_hw_unmap(sva, SNP_PAGE_4K);
	/* An all-zero VMPCK0 is no key: the channel starts closed (facts 5.10, Linux likewise). */
	if (memcmp(msg.vmpck0, zero, sizeof(zero)) == 0) {
		msg.disabled = true;
		return SNP_OK;
	}
	/* Request, response, then the certificate area: contiguous, all shared. */
	if (!snp_hw_alloc_pages(2 + SNP_CERTS_PAGES, &va, &gpa))
		return SNP_EIO;
	err = snp_share_pages(va, gpa, 2 + SNP_CERTS_PAGES);
	if (err != SNP_OK)
		return err;
	msg.req_page = va_ptr(va);
	msg.resp_page = msg.req_page + SNP_PAGE_SIZE;
	msg.certs = msg.resp_page + SNP_PAGE_SIZE;
	msg.req_gpa = gpa;
	msg.resp_gpa = gpa_init(gpa_addr(gpa) + SNP_PAGE_SIZE);
	msg.certs_gpa = gpa_init(gpa_addr(gpa) + 2ull * SNP_PAGE_SIZE);
	if (!snp_gcm_init(&msg.gcm, msg.vmpck0))
		return SNP_EIO;
	msg.seqno = 1;
	msg.ready = true;
	return SNP_OK;
}

/* Seals payload as message `type` with sequence number seqno into msg.sealed. */
static int msg_seal(uint8_t type, uint64_t seqno, const void *payload, size_t len)
{
	struct snp_msg_hdr *h = (struct snp_msg_hdr *)msg.sealed;
	uint8_t iv[MSG_IV_LEN];

	memset(msg.sealed, 0, sizeof(msg.sealed));
	h->msg_seqno = seqno;
	h->algo = MSG_ALGO_AES_256_GCM;
	h->hdr_version = MSG_HDR_VERSION;
	h->hdr_size = sizeof(*h);
	h->msg_type = type;
	h->msg_version = MSG_VERSION;
	h->msg_size = (uint16_t)len;
	h->msg_vmpck = 0;
	msg_iv(seqno, iv);
	snp_gcm_seal(&msg.gcm, iv, msg.sealed + MSG_AAD_OFF, MSG_AAD_LEN, payload,
		     msg.sealed + sizeof(*h), len, h->authtag);
	return SNP_OK;
}

/*
 * Opens the response snapshot in msg.opened: the header must be exactly the answer to
 * (type, seqno) with rsp_len payload bytes, and the tag must hold. The plaintext replaces the
 * ciphertext in place.
 */
static int msg_open(uint8_t type, uint64_t seqno, size_t rsp_len)
{
	struct snp_msg_hdr h;
	uint8_t iv[MSG_IV_LEN];
	uint8_t *payload = msg.opened + sizeof(h);

	memcpy(&h, msg.opened, sizeof(h));
	if (h.algo != MSG_ALGO_AES_256_GCM || h.hdr_version != MSG_HDR_VERSION ||
	    h.hdr_size != sizeof(h) || h.msg_type != (uint8_t)(type + 1) ||
	    h.msg_version != MSG_VERSION || h.msg_size != rsp_len || h.msg_vmpck != 0 ||
	    h.msg_seqno != seqno + 1)
		return SNP_EIO;
	msg_iv(seqno + 1, iv);
	if (!snp_gcm_open(&msg.gcm, iv, msg.opened + MSG_AAD_OFF, MSG_AAD_LEN, payload, payload,
			  rsp_len, h.authtag))
		return SNP_EIO;
	return SNP_OK;
}

/* One guest-request event; *info2 is the hypervisor's SW_EXITINFO2, *pages its RBX. */
static int msg_send(bool ext, uint64_t *info2, uint64_t *pages)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);
	int err = SNP_OK;

	if (!g)
		return SNP_EIO;
	/* The hypervisor may have scribbled on the request page: always send our own bytes. */
	memcpy(msg.req_page, msg.sealed, SNP_PAGE_SIZE);
	snp_ghcb_clear(g);
	if (ext) {
		snp_ghcb_set(g, GHCB_OFF(rax), gpa_addr(msg.certs_gpa));
		snp_ghcb_set(g, GHCB_OFF(rbx), SNP_CERTS_PAGES);
	}
	err = snp_ghcb_call(g, gpa, ext ? SVM_VMGEXIT_EXT_GUEST_REQ : SVM_VMGEXIT_GUEST_REQ,
			    gpa_addr(msg.req_gpa), gpa_addr(msg.resp_gpa), info2);
	if (err == SNP_OK && ext && GREQ_VMM_ERR(*info2) == GREQ_INVALID_LEN &&
	    !snp_ghcb_get(g, GHCB_OFF(rbx), pages))
		return SNP_EIO; /* INVALID_LEN without the page count */
	return err;
}

/*
 * Sends the sealed message until the hypervisor answers it: BUSY re-sends it (bounded); an
 * extended request the certificate area is too small for is re-sent as a plain request, so
 * the PSP still consumes this sequence number (*cert_pages = the pages the host wanted).
 */
static int msg_deliver(bool ext, uint64_t *cert_pages)
{
	unsigned int busy = 0;

	for (;;) {
		uint64_t info2 = 0;
		uint64_t pages = 0;
		int err = msg_send(ext, &info2, &pages);

		if (err != SNP_OK)
			return err;
		if (info2 == 0)
			return SNP_OK;
		if (GREQ_FW_ERR(info2) != 0)
			return SNP_EIO;
		if (GREQ_VMM_ERR(info2) == GREQ_BUSY && busy++ < GREQ_BUSY_RETRIES)
			continue;
		if (GREQ_VMM_ERR(info2) == GREQ_INVALID_LEN && ext && pages > SNP_CERTS_PAGES &&
		    pages <= GREQ_CERT_PAGES_MAX) {
			*cert_pages = pages;
			ext = false;
			continue;
		}
		return SNP_EIO;
	}
}

/* Copies the certificate table out of the shared area into the caller's buffer. */
static int msg_copy_certs(struct snp_msg_certs *c, uint64_t needed_pages)
{
	size_t len = 0;

	if (needed_pages) {
		c->len = (size_t)needed_pages * SNP_PAGE_SIZE;
		return SNP_ENOSPC;
	}
	if (!snp_certs_table_len(msg.certs, (size_t)SNP_CERTS_PAGES * SNP_PAGE_SIZE, &len))
		return SNP_EIO;
	c->len = len;
	if (len > c->cap)
		return SNP_ENOSPC;
	memcpy(c->buf, msg.certs, len);
	return SNP_OK;
}

int snp_msg_exchange(uint8_t type, const void *req, size_t req_len, size_t rsp_len,
		     snp_msg_consume_fn consume, void *ctx, struct snp_msg_certs *certs)
{
	uint64_t seqno = 0;
	uint64_t cert_pages = 0;
	int err = SNP_OK;

	CHECK(req_len <= SNP_MSG_PAYLOAD_MAX && rsp_len <= SNP_MSG_PAYLOAD_MAX);
	spin_lock(&msg.lock);
	if (!msg.ready || msg.disabled) {
		err = SNP_EDISABLED;
		goto out;
	}
	seqno = msg.seqno;
	/* Request and response numbers must both stay below 2^32 (facts 5.10). */
	if (seqno + 1 >= UINT32_MAX) {
		msg_disable_locked();
		err = SNP_EDISABLED;
		goto out;
	}
	err = msg_seal(type, seqno, req, req_len);
	if (err == SNP_OK)
		err = msg_deliver(certs != NULL, &cert_pages);
	if (err == SNP_OK) {
		/* One snapshot of the shared page: what is checked is what is used. */
		memcpy(msg.opened, msg.resp_page, SNP_PAGE_SIZE);
		err = msg_open(type, seqno, rsp_len);
	}
	if (err != SNP_OK) {
		msg_disable_locked();
		err = SNP_EIO;
		goto out;
	}
	msg.seqno = seqno + 2;
	err = consume(msg.opened + sizeof(struct snp_msg_hdr), rsp_len, ctx);
	if (err == SNP_OK && certs)
		err = msg_copy_certs(certs, cert_pages);
	wipe(msg.opened, sizeof(msg.opened));
out:
	spin_unlock(&msg.lock);
	return err;
}
