/* SPDX-License-Identifier: MIT */
/*
 * copra-tpmd's struct tpm_platform for a hosted engine: getrandom(2) entropy, the NV blob in an
 * A/B slot file (platform_file.c), CLOCK_MONOTONIC milliseconds and calloc/free.
 *
 * The state file is exactly PF_FILE_SIZE bytes: slot i at offset i * PF_SLOT_SIZE, each a
 * PF_SLOT_HEADER-byte header (big-endian: magic "CPRNVSL1", u64 sequence, u32 blob length,
 * u32 CRC-32C over sequence, length and blob, 8 reserved zero bytes) followed by the blob.
 */
#ifndef COPRA_TPMD_PLATFORM_FILE_H
#define COPRA_TPMD_PLATFORM_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <tpm/tpm.h>

#define PF_SLOT_HEADER 32u
#define PF_SLOT_SIZE   (PF_SLOT_HEADER + TPM_NV_BLOB_MAX)
#define PF_FILE_SIZE   (2u * PF_SLOT_SIZE)

struct platform_file {
	const char *path; /* the state file; FILE.tmp is written beside it once, at manufacture */
	char *tmp_path;
	char *dir_path; /* the directory fsync'ed after the manufacturing rename */
	bool verbose;
	/*
	 * --no-sync, for tests and benchmarks only: never fsync/fdatasync. Each commit is then one
	 * pwrite that the kernel writes back when it likes: a crash of the process loses nothing,
	 * but a power cut may lose any number of recent commits, or leave both slots torn, and
	 * then the server refuses the file.
	 */
	bool no_sync;
	bool corrupt; /* the last nv_load found no usable state in the file (TPM_ERR_CORRUPT) */
	int fd;	      /* the state file while a loaded or manufactured state is current, else -1 */
	unsigned int cur;    /* the slot holding the current state (when fd >= 0) */
	uint64_t seq;	     /* and its sequence number */
	unsigned char *slot; /* PF_SLOT_SIZE bytes: one slot being built or checked */
	uint64_t last_ms;    /* the last clock reading */
	char err[256];	     /* why the last callback failed, for the operator */
};

/*
 * Bind pf to the state file path (kept by reference, must outlive pf) and fill plat with the
 * callbacks. 0 on success, -1 when out of memory.
 */
int platform_file_init(struct platform_file *pf, const char *path, bool verbose,
		       struct tpm_platform *plat);
void platform_file_fini(struct platform_file *pf);

/* Why the last failing callback failed ("" when none failed). */
const char *platform_file_error(const struct platform_file *pf);

/*
 * Whether the last load failed because the file holds no usable state (wrong size or type, no
 * valid slot): the engine reports any load failure as TPM_ERR_PLATFORM, this tells the two apart.
 */
bool platform_file_corrupt(const struct platform_file *pf);

#endif
