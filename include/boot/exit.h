/* SPDX-License-Identifier: MIT */
/*
 * Exit codes written to QEMU's isa-debug-exit port. QEMU exits with status (code << 1) | 1,
 * shown in parentheses; test drivers and the benchmark read them.
 */
#ifndef BOOT_EXIT_H
#define BOOT_EXIT_H

#define COPRA_EXIT_PORT		0xf4
#define COPRA_EXIT_SUCCESS	0x10 /* (33) tests passed, or exit-on-ready */
#define COPRA_EXIT_FAILURE	0x11 /* (35) at least one in-Copra test failed */
#define COPRA_EXIT_PANIC	0x12 /* (37) kernel panic */
#define COPRA_EXIT_BOOT_ERROR	0x13 /* (39) the loader refused to boot */

#define COPRA_QEMU_STATUS(code) (((code) << 1) | 1)

#endif
