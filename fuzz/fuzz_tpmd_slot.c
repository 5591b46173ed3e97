/* SPDX-License-Identifier: MIT */
/*
 * tools/copra-tpmd/platform_file.c: loading copra-tpmd's A/B slot state file (the nv_load
 * callback, on a file whose bytes are the input) and committing into it afterwards.
 *
 * Input: a control byte, then the file:
 *   bit 0  raw: the rest is the whole file as is (so its size check is fuzzed too)
 *   bit 1  (not raw) put the right CRC-32C into slot 0's header (over the sequence and length
 *          fields and as many blob bytes as the length field says, when it is in range)
 *   bit 2  (not raw) the same for slot 1
 *   bit 3  after a successful load, commit two blobs and load after each (the A/B protocol)
 *   bit 4  load into a buffer one byte short of TPM_NV_BLOB_MAX (refused)
 * Unless raw, the rest is a little-endian u16 n, n bytes that start slot 0, and bytes that
 * start slot 1; the file is PF_FILE_SIZE bytes, zero where the input says nothing.
 * The file is a memfd, opened by the loader as /proc/self/fd/N.
 *
 * Checked against a model of the format written from platform_file.h alone: the load succeeds
 * exactly when the file has the right size, some slot is valid (magic, length in range, zero
 * reserved bytes, CRC) and two valid slots differ in sequence; it returns the valid slot with
 * the higher sequence (blob, length, slot and sequence), and otherwise reports the file corrupt.
 * The load prints an operator note on stderr exactly when it succeeds while the other slot is
 * damaged (not valid, not blank). A commit goes to the other slot with the next sequence,
 * leaves the loaded slot's bytes alone, and the next load returns what was committed; at
 * sequence UINT64_MAX it is refused and the file does not change. Nothing is printed unless
 * the model says so, nothing leaks (the loader's descriptors are counted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lib/crc32c.h>

#include "fuzz.h"
#include "platform_file.h"

#define CTL_RAW	     0x01u
#define CTL_FIX_CRC0 0x02u
#define CTL_FIX_CRC1 0x04u
#define CTL_COMMIT   0x08u
#define CTL_SHORT    0x10u

#define BLOB_MAX     ((size_t)TPM_NV_BLOB_MAX)

static int file_fd = -1;   /* the state file (a memfd) */
static int err_fd = -1;	   /* where stderr goes during a load (a memfd) */
static int stderr_fd = -1; /* the real stderr */
static char path[64];
static unsigned char image[PF_FILE_SIZE]; /* what the file holds */
static unsigned char back[PF_FILE_SIZE];  /* the file read back */
static unsigned char buf[TPM_NV_BLOB_MAX];
static unsigned char blob[TPM_NV_BLOB_MAX];

static uint32_t ld32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t ld64(const unsigned char *p)
{
	return (uint64_t)ld32(p) << 32 | ld32(p + 4);
}

static void st32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* ---- the model (platform_file.h) --------------------------------------------------------- */

struct model_slot {
	bool valid;
	bool blank;
	uint64_t seq;
	uint32_t len;
};

static uint32_t model_crc(const unsigned char *s, uint32_t len)
{
	return crc32c_update(crc32c_update(0, s + 8, 12), s + PF_SLOT_HEADER, len);
}

static struct model_slot model_slot(const unsigned char *s)
{
	static const unsigned char zero[PF_SLOT_HEADER];
	struct model_slot m = {0};

	m.seq = ld64(s + 8);
	m.len = ld32(s + 16);
	m.blank = memcmp(s, zero, PF_SLOT_HEADER) == 0;
	m.valid = memcmp(s, "CPRNVSL1", 8) == 0 && m.len <= BLOB_MAX &&
		  memcmp(s + 24, zero, 8) == 0 && model_crc(s, m.len) == ld32(s + 20);
	return m;
}

/* ---- the file ----------------------------------------------------------------------------- */

static void init_once(void)
{
	file_fd = memfd_create("fuzz_tpmd_slot", MFD_CLOEXEC);
	err_fd = memfd_create("fuzz_tpmd_slot_stderr", MFD_CLOEXEC);
	stderr_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	FUZZ_CHECK(file_fd >= 0 && err_fd >= 0 && stderr_fd >= 0);
	FUZZ_CHECK(snprintf(path, sizeof(path), "/proc/self/fd/%d", file_fd) < (int)sizeof(path));
	/* Sanitizer reports go to the real stderr even while a load's stderr is captured. */
	__sanitizer_set_report_fd((void *)(intptr_t)stderr_fd);
}

/* Replace the file's contents by image[0 .. size), writing only the first `dirty` bytes of
 * each slot (the rest is zero: a sparse file). */
static void put_file(size_t size, const size_t dirty[2])
{
	FUZZ_CHECK(ftruncate(file_fd, 0) == 0 && ftruncate(file_fd, (off_t)size) == 0);
	for (unsigned i = 0; i < 2; i++) {
		size_t off = (size_t)i * PF_SLOT_SIZE;
		size_t n = dirty[i];

		if (off >= size)
			break;
		if (n > size - off)
			n = size - off;
		FUZZ_CHECK(pwrite(file_fd, image + off, n, (off_t)off) == (ssize_t)n);
	}
}

static void get_file(void)
{
	struct stat st;

	FUZZ_CHECK(fstat(file_fd, &st) == 0 && st.st_size == (off_t)PF_FILE_SIZE);
	FUZZ_CHECK(pread(file_fd, back, PF_FILE_SIZE, 0) == (ssize_t)PF_FILE_SIZE);
}

/* Open descriptors of this process (the loader must not leak any). */
static unsigned open_fds(void)
{
	unsigned n = 0;

	for (int fd = 0; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* The load callback with its stderr captured; *printed says whether it wrote anything. */
static int load(struct tpm_platform *plat, size_t cap, size_t *len, bool *printed)
{
	int rc = 0;
	off_t n = 0;

	FUZZ_CHECK(ftruncate(err_fd, 0) == 0 && lseek(err_fd, 0, SEEK_SET) == 0);
	fflush(stderr);
	FUZZ_CHECK(dup2(err_fd, 2) == 2);
	rc = plat->nv_load(plat->ctx, buf, cap, len);
	fflush(stderr);
	FUZZ_CHECK(dup2(stderr_fd, 2) == 2);
	n = lseek(err_fd, 0, SEEK_END);
	FUZZ_CHECK(n >= 0);
	*printed = n > 0;
	return rc;
}

/* A successful load returned slot `cur` of the file in `back` (read after the load). */
static void check_loaded(const struct platform_file *pf, unsigned cur, size_t len)
{
	const unsigned char *s = back + (size_t)cur * PF_SLOT_SIZE;

	FUZZ_CHECK(pf->fd >= 0 && pf->cur == cur && pf->seq == ld64(s + 8));
	FUZZ_CHECK(len == ld32(s + 16));
	FUZZ_CHECK(memcmp(buf, s + PF_SLOT_HEADER, len) == 0);
	FUZZ_CHECK(!platform_file_corrupt(pf));
}

/*
 * Commit a blob derived from the loaded one (shifted by `salt`, length changed), then load
 * again: the A/B protocol in the top comment.
 */
static void commit_and_reload(struct platform_file *pf, struct tpm_platform *plat, size_t len,
			      unsigned salt)
{
	unsigned cur = pf->cur;
	uint64_t seq = pf->seq;
	size_t n = (len + salt * 37u) % (BLOB_MAX + 1);
	size_t got = 0;
	bool printed = false;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		blob[i] = (unsigned char)(buf[i % (len + (len == 0))] + salt + i);
	get_file();
	memcpy(image, back, PF_FILE_SIZE);
	rc = plat->nv_commit(plat->ctx, blob, n);
	get_file();
	if (seq == UINT64_MAX) {
		FUZZ_CHECK(rc == TPM_ERR_PLATFORM);
		FUZZ_CHECK(memcmp(back, image, PF_FILE_SIZE) == 0);
		return;
	}
	FUZZ_CHECK(rc == 0 && pf->cur == (cur ^ 1u) && pf->seq == seq + 1);
	/* The loaded slot is untouched; the other holds the commit, its tail as it was. */
	{
		const unsigned char *keep = back + (size_t)cur * PF_SLOT_SIZE;
		const unsigned char *s = back + (size_t)(cur ^ 1u) * PF_SLOT_SIZE;
		struct model_slot m = model_slot(s);

		FUZZ_CHECK(memcmp(keep, image + (size_t)cur * PF_SLOT_SIZE, PF_SLOT_SIZE) == 0);
		FUZZ_CHECK(m.valid && m.seq == seq + 1 && m.len == n);
		FUZZ_CHECK(memcmp(s + PF_SLOT_HEADER, blob, n) == 0);
		FUZZ_CHECK(memcmp(s + PF_SLOT_HEADER + n,
				  image + (size_t)(cur ^ 1u) * PF_SLOT_SIZE + PF_SLOT_HEADER + n,
				  BLOB_MAX - n) == 0);
	}
	rc = load(plat, sizeof(buf), &got, &printed);
	/* Both slots are valid now, so there is nothing to note. */
	FUZZ_CHECK(rc == 0 && !printed);
	check_loaded(pf, cur ^ 1u, got);
	FUZZ_CHECK(got == n && memcmp(buf, blob, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct platform_file pf;
	struct tpm_platform plat;
	struct model_slot m[2];
	size_t dirty[2] = {0, 0};
	size_t fsize = PF_FILE_SIZE;
	size_t len = 0;
	bool printed = false;
	unsigned fds = 0;
	uint8_t ctl = 0;
	int rc = 0;
	int want = 0;
	unsigned best = 0;

	if (size == 0)
		return 0;
	if (file_fd < 0)
		init_once();
	ctl = data[0];
	data++;
	size--;
	memset(image, 0, sizeof(image));
	if (ctl & CTL_RAW) {
		fsize = size < PF_FILE_SIZE + 64 ? size : PF_FILE_SIZE + 64;
		dirty[0] = dirty[1] = PF_SLOT_SIZE;
		memcpy(image, data, fsize < PF_FILE_SIZE ? fsize : PF_FILE_SIZE);
	} else {
		size_t n0 = size >= 2 ? (size_t)(data[0] | data[1] << 8) : 0;

		data += size >= 2 ? 2 : size;
		size -= size >= 2 ? 2 : size;
		if (n0 > size)
			n0 = size;
		dirty[0] = n0 < PF_SLOT_SIZE ? n0 : PF_SLOT_SIZE;
		dirty[1] = size - n0 < PF_SLOT_SIZE ? size - n0 : PF_SLOT_SIZE;
		memcpy(image, data, dirty[0]);
		memcpy(image + PF_SLOT_SIZE, data + n0, dirty[1]);
		for (unsigned i = 0; i < 2; i++) {
			unsigned char *s = image + (size_t)i * PF_SLOT_SIZE;
			uint32_t n = ld32(s + 16);

			if ((ctl & (CTL_FIX_CRC0 << i)) && n <= BLOB_MAX) {
				st32(s + 20, model_crc(s, n));
				if (dirty[i] < PF_SLOT_HEADER)
					dirty[i] = PF_SLOT_HEADER;
			}
		}
	}
	put_file(fsize, dirty);

	fds = open_fds();
	FUZZ_CHECK(platform_file_init(&pf, path, false, &plat) == 0);
	pf.no_sync = true;
	rc = load(&plat, (ctl & CTL_SHORT) ? BLOB_MAX - 1 : sizeof(buf), &len, &printed);

	/* The model's answer. */
	m[0] = model_slot(image);
	m[1] = model_slot(image + PF_SLOT_SIZE);
	if (ctl & CTL_SHORT)
		want = TPM_ERR_PLATFORM;
	else if (fsize != PF_FILE_SIZE || (!m[0].valid && !m[1].valid) ||
		 (m[0].valid && m[1].valid && m[0].seq == m[1].seq))
		want = TPM_ERR_CORRUPT;
	best = m[0].valid && (!m[1].valid || m[0].seq > m[1].seq) ? 0 : 1;

	FUZZ_CHECK(rc == want);
	FUZZ_CHECK(platform_file_corrupt(&pf) == (want == TPM_ERR_CORRUPT));
	if (rc != 0) {
		FUZZ_CHECK(!printed && pf.fd < 0);
		FUZZ_CHECK(platform_file_error(&pf)[0] != '\0');
	} else {
		FUZZ_CHECK(printed == (!m[best ^ 1u].valid && !m[best ^ 1u].blank));
		get_file();
		FUZZ_CHECK(memcmp(back, image, PF_FILE_SIZE) == 0); /* a load writes nothing */
		check_loaded(&pf, best, len);
		if (ctl & CTL_COMMIT) {
			commit_and_reload(&pf, &plat, len, 1);
			commit_and_reload(&pf, &plat, len, 2);
		}
	}
	platform_file_fini(&pf);
	FUZZ_CHECK(open_fds() == fds);
	return 0;
}
