/* SPDX-License-Identifier: MIT */
/*
 * QEMU fw_cfg over I/O ports (selector 0x510, data 0x511). Everything read here comes from
 * the VMM and is checked before use.
 */
#include <arch/x86/cpu.h>
#include <lib/string.h>

#include "loader.h"

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_NB_CPUS	 0x0005
#define FW_CFG_FILE_DIR	 0x0019
#define FW_CFG_MAX_FILES 4096 /* bounds the directory walk */
#define FW_CFG_NAME_LEN	 56

struct fw_cfg_file {
	uint32_t size; /* big-endian */
	uint16_t select;
	uint16_t reserved;
	char name[FW_CFG_NAME_LEN];
};

_Static_assert(sizeof(struct fw_cfg_file) == 64, "QEMU docs/specs/fw_cfg.rst, FWCfgFile");

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

void fw_cfg_read(uint16_t select, void *buf, uint32_t len)
{
	uint8_t *p = buf;

	outw(FW_CFG_PORT_SEL, select);
	for (uint32_t i = 0; i < len; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

static void fw_cfg_read_more(void *buf, uint32_t len)
{
	uint8_t *p = buf;

	for (uint32_t i = 0; i < len; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

int fw_cfg_probe(void)
{
	char sig[4];

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return memcmp(sig, "QEMU", 4) == 0;
}

/* Finds a named file. Returns 1 and its selector and size, 0 when absent. */
int fw_cfg_find(const char *name, uint16_t *select, uint32_t *size)
{
	uint32_t count = 0;

	fw_cfg_read(FW_CFG_FILE_DIR, &count, sizeof(count));
	count = be32(count);
	if (count > FW_CFG_MAX_FILES)
		count = FW_CFG_MAX_FILES;
	for (uint32_t i = 0; i < count; i++) {
		struct fw_cfg_file f;

		fw_cfg_read_more(&f, sizeof(f));
		f.name[FW_CFG_NAME_LEN - 1] = '\0';
		if (strcmp(f.name, name) == 0) {
			*select = __builtin_bswap16(f.select);
			*size = be32(f.size);
			return 1;
		}
	}
	return 0;
}

uint32_t fw_cfg_cpu_count(void)
{
	uint16_t n = 0;

	fw_cfg_read(FW_CFG_NB_CPUS, &n, sizeof(n));
	return n;
}
