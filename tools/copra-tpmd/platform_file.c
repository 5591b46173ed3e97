/* SPDX-License-Identifier: MIT */
/*
 * The hosted TPM platform: where copra-tpmd's engine gets entropy, time, memory and its one NV
 * blob.
 *
 * The NV blob lives in an A/B slot file (layout in platform_file.h). A commit writes the slot
 * not holding the current state with the next sequence number, header and blob in one pwrite,
 * and fdatasyncs it; the slot holding the current state is never written, so after a crash or
 * power cut one slot holds the last acknowledged state and a load takes the valid slot with the
 * higher sequence. Replacing the file by rename on every commit, as before, cost a new inode, a
 * journal commit and a directory fsync each time; an overwrite of allocated blocks needs only
 * the data flush. The file itself is created once, at manufacture, by write-temp / fsync /
 * rename / fsync-directory. A file that fails to load is never written, repaired or replaced.
 */
/* renameat2 and RENAME_NOREPLACE are GNU extensions (Linux). */
#define _GNU_SOURCE
#include "platform_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lib/compiler.h>
#include <lib/crc32c.h>

static __printf(2, 3) void pf_error(struct platform_file *pf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(pf->err, sizeof(pf->err), fmt, ap);
	va_end(ap);
	if (pf->verbose)
		(void)fprintf(stderr, "copra-tpmd: platform: %s\n", pf->err);
}

static int pf_entropy(void *ctx, void *buf, size_t len)
{
	struct platform_file *pf = ctx;
	unsigned char *p = buf;

	/* getrandom may return short counts for large requests and EINTR before the pool is ready. */
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			pf_error(pf, "getrandom: %s", strerror(errno));
			return TPM_ERR_PLATFORM;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the slot file ---- */

static const unsigned char slot_magic[8] = {'C', 'P', 'R', 'N', 'V', 'S', 'L', '1'};

#define BLOB_MAX ((size_t)TPM_NV_BLOB_MAX)

static void put_be32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* The CRC of a slot: over its sequence and length fields (header bytes 8..19), then the blob. */
static uint32_t slot_crc(const unsigned char *slot, size_t len)
{
	return crc32c_update(crc32c_update(0, slot + 8, 12), slot + PF_SLOT_HEADER, len);
}

/* Build a slot in pf->slot: header, then the blob; the rest of the buffer is left as it is. */
static void build_slot(struct platform_file *pf, uint64_t seq, const void *blob, size_t len)
{
	unsigned char *s = pf->slot;

	memcpy(s, slot_magic, sizeof(slot_magic));
	put_be64(s + 8, seq);
	put_be32(s + 16, (uint32_t)len);
	memcpy(s + PF_SLOT_HEADER, blob, len);
	put_be32(s + 20, slot_crc(s, len));
	memset(s + 24, 0, 8);
}

static int pread_all(int fd, unsigned char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO; /* the file shrank under us */
			return -1;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const unsigned char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

static off_t slot_offset(unsigned int i)
{
	return (off_t)i * PF_SLOT_SIZE;
}

struct slot_check {
	bool valid;
	bool blank; /* header all zero: never written (or invalidated after a failed commit) */
	uint64_t seq;
	size_t len;
	const char *why; /* when not valid */
};

/* Read slot i of fd into pf->slot and check it. -1 (reported) on an I/O error. */
static int check_slot(struct platform_file *pf, int fd, unsigned int i, struct slot_check *sc)
{
	static const unsigned char zero[PF_SLOT_HEADER];
	unsigned char *s = pf->slot;

	memset(sc, 0, sizeof(*sc));
	if (pread_all(fd, s, PF_SLOT_HEADER, slot_offset(i)) != 0) {
		pf_error(pf, "cannot read slot %u of %s: %s", i, pf->path, strerror(errno));
		return -1;
	}
	sc->seq = get_be64(s + 8);
	sc->len = get_be32(s + 16);
	if (memcmp(s, zero, sizeof(zero)) == 0) {
		sc->blank = true;
		sc->why = "never written";
	} else if (memcmp(s, slot_magic, sizeof(slot_magic)) != 0) {
		sc->why = "no slot magic";
	} else if (sc->len > BLOB_MAX) {
		sc->why = "blob length out of range";
	} else if (memcmp(s + 24, zero, 8) != 0) {
		sc->why = "reserved bytes not zero";
	} else if (pread_all(fd, s + PF_SLOT_HEADER, sc->len,
			     slot_offset(i) + (off_t)PF_SLOT_HEADER) != 0) {
		pf_error(pf, "cannot read slot %u of %s: %s", i, pf->path, strerror(errno));
		return -1;
	} else if (slot_crc(s, sc->len) != get_be32(s + 20)) {
		sc->why = "CRC mismatch";
	} else {
		sc->valid = true;
	}
	return 0;
}

/*
 * Pick the state to load: the valid slot with the higher sequence. A commit only ever writes the
 * slot not holding the current state, so a write torn by a crash or power cut damages the newer
 * slot and leaves the older one, the state before that commit, which is the right one: the torn
 * commit was never acknowledged. A bit flip inside a completed newest slot looks the same and
 * also falls back one commit (an A/B file cannot tell the two apart); the engine's own checks
 * (SHA-256 over the blob, its structure) still run on whatever is loaded here.
 */
static int pf_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	struct platform_file *pf = ctx;
	struct slot_check sc[2];
	unsigned int best = 0;
	struct stat st;
	int fd = -1;

	pf->corrupt = false;
	/* Whatever was open belongs to the state loaded before; this load replaces it. */
	if (pf->fd >= 0) {
		(void)close(pf->fd);
		pf->fd = -1;
	}
	if (cap < BLOB_MAX) {
		pf_error(pf, "load buffer of %zu bytes is below TPM_NV_BLOB_MAX", cap);
		return TPM_ERR_PLATFORM;
	}
	/* Read and write: the commits that follow a successful load go through this descriptor. */
	fd = open(pf->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return TPM_ERR_NO_STATE;
		pf_error(pf, "cannot open state file %s for reading and writing: %s", pf->path,
			 strerror(errno));
		return TPM_ERR_PLATFORM;
	}
	if (fstat(fd, &st) != 0) {
		pf_error(pf, "cannot stat state file %s: %s", pf->path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pf_error(pf, "not a regular file");
		goto corrupt;
	}
	if (st.st_size != (off_t)PF_FILE_SIZE) {
		pf_error(pf, "%lld bytes, not the %u of a slot file (two %u-byte slots)",
			 (long long)st.st_size, PF_FILE_SIZE, PF_SLOT_SIZE);
		goto corrupt;
	}
	for (unsigned int i = 0; i < 2; i++) {
		if (check_slot(pf, fd, i, &sc[i]) != 0)
			goto fail;
		/* The better of the two so far goes to buf; pf->slot is reused for slot 1. */
		if (sc[i].valid && (i == 0 || !sc[0].valid || sc[i].seq > sc[0].seq)) {
			memcpy(buf, pf->slot + PF_SLOT_HEADER, sc[i].len);
			best = i;
		}
	}
	if (!sc[0].valid && !sc[1].valid) {
		pf_error(pf, "no valid slot (slot 0: %s; slot 1: %s)", sc[0].why, sc[1].why);
		goto corrupt;
	}
	if (sc[0].valid && sc[1].valid && sc[0].seq == sc[1].seq) {
		pf_error(pf, "both slots hold sequence %llu", (unsigned long long)sc[0].seq);
		goto corrupt;
	}
	/* A damaged slot (not merely blank) is news to the operator even when not verbose. */
	if (!sc[best ^ 1u].valid && !sc[best ^ 1u].blank)
		(void)fprintf(
			stderr,
			"copra-tpmd: platform: note: slot %u of %s is damaged (%s: an "
			"interrupted commit, or media damage); loaded slot %u (sequence %llu)\n",
			best ^ 1u, pf->path, sc[best ^ 1u].why, best,
			(unsigned long long)sc[best].seq);
	else if (pf->verbose)
		(void)fprintf(stderr,
			      "copra-tpmd: platform: loaded slot %u of %s (sequence %llu)\n", best,
			      pf->path, (unsigned long long)sc[best].seq);
	*len = sc[best].len;
	pf->fd = fd;
	pf->cur = best;
	pf->seq = sc[best].seq;
	return 0;

corrupt:
	pf->corrupt = true;
	(void)close(fd);
	return TPM_ERR_CORRUPT;
fail:
	(void)close(fd);
	return TPM_ERR_PLATFORM;
}

/* Make the manufacturing rename durable. */
static int fsync_dir(struct platform_file *pf)
{
	int fd = open(pf->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0) {
		pf_error(pf, "cannot open directory %s: %s", pf->dir_path, strerror(errno));
		return -1;
	}
	if (fsync(fd) != 0) {
		pf_error(pf, "cannot fsync directory %s: %s", pf->dir_path, strerror(errno));
		ret = -1;
	}
	if (close(fd) != 0 && ret == 0) {
		pf_error(pf, "cannot close directory %s: %s", pf->dir_path, strerror(errno));
		ret = -1;
	}
	return ret;
}

/* rename(2) that never replaces an existing file; link(2) where the filesystem lacks that. */
static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(from, to) != 0)
		return -1;
	(void)unlink(from); /* both names are the complete file; a leftover only costs a name */
	return 0;
}

/*
 * The first commit, when no state file exists: build the whole file as FILE.tmp (created
 * exclusively, so a second server or a leftover of an interrupted manufacture is not
 * overwritten), slot 0 holding the blob as sequence 1 and slot 1 blank, fsync it, rename it to
 * FILE (never over an existing one) and fsync the directory: a power cut leaves no FILE or the
 * complete one. Both slots are written in full, not left as holes, so later commits overwrite
 * allocated blocks and their fdatasync has no block allocation to write.
 */
static int pf_create(struct platform_file *pf, const void *buf, size_t len)
{
	int fd = open(pf->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			pf_error(pf,
				 "cannot create %s: it exists (an interrupted manufacture, or "
				 "another copra-tpmd manufacturing %s: remove it if none runs)",
				 pf->tmp_path, pf->path);
		else
			pf_error(pf, "cannot create %s: %s", pf->tmp_path, strerror(errno));
		return TPM_ERR_PLATFORM;
	}
	if (ftruncate(fd, (off_t)PF_FILE_SIZE) != 0) {
		pf_error(pf, "cannot size %s: %s", pf->tmp_path, strerror(errno));
		goto fail;
	}
	memset(pf->slot, 0, PF_SLOT_SIZE);
	if (pwrite_all(fd, pf->slot, PF_SLOT_SIZE, slot_offset(1)) != 0) {
		pf_error(pf, "cannot write %s: %s", pf->tmp_path, strerror(errno));
		goto fail;
	}
	build_slot(pf, 1, buf, len);
	if (pwrite_all(fd, pf->slot, PF_SLOT_SIZE, slot_offset(0)) != 0) {
		pf_error(pf, "cannot write %s: %s", pf->tmp_path, strerror(errno));
		goto fail;
	}
	if (!pf->no_sync && fsync(fd) != 0) {
		pf_error(pf, "cannot fsync %s: %s", pf->tmp_path, strerror(errno));
		goto fail;
	}
	if (rename_noreplace(pf->tmp_path, pf->path) != 0) {
		pf_error(pf, "cannot rename %s to %s: %s", pf->tmp_path, pf->path, strerror(errno));
		goto fail;
	}
	/* From here FILE is complete: keep it open for the commits that follow. */
	pf->fd = fd;
	pf->cur = 0;
	pf->seq = 1;
	if (!pf->no_sync && fsync_dir(pf) != 0)
		return TPM_ERR_PLATFORM; /* the name may not survive a power cut yet */
	if (pf->verbose)
		(void)fprintf(stderr, "copra-tpmd: platform: created %s, %zu bytes in slot 0\n",
			      pf->path, len);
	return 0;

fail:
	(void)close(fd);
	if (unlink(pf->tmp_path) != 0 && pf->verbose)
		(void)fprintf(stderr, "copra-tpmd: platform: unlink %s: %s\n", pf->tmp_path,
			      strerror(errno));
	return TPM_ERR_PLATFORM;
}

/*
 * Commit into the slot not holding the current state: header and blob in one pwrite, then
 * fdatasync (the file's size and blocks never change, so there is no metadata to wait for).
 * Only then does that slot become current. A failure leaves the current slot untouched; the
 * slot written to is then blanked, best effort, so that a write that reached the disk although
 * it reported failure (fdatasync's EIO) is not loaded after a restart in place of the state the
 * engine kept. The engine retries with the same slot and sequence.
 */
static int pf_nv_commit(void *ctx, const void *buf, size_t len)
{
	static const unsigned char blank[PF_SLOT_HEADER];
	struct platform_file *pf = ctx;
	unsigned int next = pf->cur ^ 1u;

	if (len > BLOB_MAX) {
		pf_error(pf, "NV blob of %zu bytes exceeds TPM_NV_BLOB_MAX", len);
		return TPM_ERR_PLATFORM;
	}
	if (pf->fd < 0)
		return pf_create(pf, buf, len);
	if (pf->seq == UINT64_MAX) {
		pf_error(pf, "sequence number exhausted in %s", pf->path);
		return TPM_ERR_PLATFORM;
	}
	build_slot(pf, pf->seq + 1, buf, len);
	if (pwrite_all(pf->fd, pf->slot, PF_SLOT_HEADER + len, slot_offset(next)) != 0) {
		pf_error(pf, "cannot write slot %u of %s: %s", next, pf->path, strerror(errno));
		goto fail;
	}
	if (!pf->no_sync && fdatasync(pf->fd) != 0) {
		pf_error(pf, "cannot fdatasync %s: %s", pf->path, strerror(errno));
		goto fail;
	}
	pf->cur = next;
	pf->seq++;
	if (pf->verbose)
		(void)fprintf(stderr,
			      "copra-tpmd: platform: committed %zu bytes to slot %u of %s "
			      "(sequence %llu)\n",
			      len, next, pf->path, (unsigned long long)pf->seq);
	return 0;

fail:
	if ((pwrite_all(pf->fd, blank, sizeof(blank), slot_offset(next)) != 0 ||
	     (!pf->no_sync && fdatasync(pf->fd) != 0)) &&
	    pf->verbose)
		(void)fprintf(stderr, "copra-tpmd: platform: cannot blank slot %u of %s: %s\n",
			      next, pf->path, strerror(errno));
	return TPM_ERR_PLATFORM;
}

static uint64_t pf_clock_ms(void *ctx)
{
	struct platform_file *pf = ctx;
	struct timespec ts;

	/* The callback cannot fail: repeat the last reading rather than go backwards. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		pf_error(pf, "clock_gettime: %s", strerror(errno));
		return pf->last_ms;
	}
	pf->last_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return pf->last_ms;
}

static void *pf_alloc(void *ctx, size_t size)
{
	return calloc(1, size);
}

static void pf_free(void *ctx, void *p)
{
	free(p);
}

/* The directory holding path: "." for a bare name, "/" for a file in the root. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int platform_file_init(struct platform_file *pf, const char *path, bool verbose,
		       struct tpm_platform *plat)
{
	size_t n = strlen(path);

	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	pf->path = path;
	pf->verbose = verbose;
	pf->tmp_path = malloc(n + sizeof(".tmp"));
	pf->dir_path = dir_of(path);
	pf->slot = malloc(PF_SLOT_SIZE);
	if (!pf->tmp_path || !pf->dir_path || !pf->slot) {
		platform_file_fini(pf);
		return -1;
	}
	memcpy(pf->tmp_path, path, n);
	memcpy(pf->tmp_path + n, ".tmp", sizeof(".tmp"));

	memset(plat, 0, sizeof(*plat));
	plat->ctx = pf;
	plat->entropy = pf_entropy;
	plat->nv_load = pf_nv_load;
	plat->nv_commit = pf_nv_commit;
	plat->clock_ms = pf_clock_ms;
	plat->alloc = pf_alloc;
	plat->free = pf_free;
	return 0;
}

void platform_file_fini(struct platform_file *pf)
{
	/* Every commit was synced (or --no-sync asked for none): nothing is left to flush. */
	if (pf->fd >= 0)
		(void)close(pf->fd);
	pf->fd = -1;
	free(pf->tmp_path);
	free(pf->dir_path);
	free(pf->slot);
	pf->tmp_path = NULL;
	pf->dir_path = NULL;
	pf->slot = NULL;
}

const char *platform_file_error(const struct platform_file *pf)
{
	return pf->err;
}

bool platform_file_corrupt(const struct platform_file *pf)
{
	return pf->corrupt;
}
