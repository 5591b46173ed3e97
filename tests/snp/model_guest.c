/* SPDX-License-Identifier: MIT */
/*
 * What host tests linking the model get in place of kernel services: guest_read/guest_write
 * (copra/guest.h) over model RAM with the kernel's own range rules, and panic().
 */
#include "model_internal.h"

#include <copra/guest.h>
#include <copra/panic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../unit/unit.h"

/* RAM is [0, ram_size) minus the SVSM region: the e820 map the loader would pass. */
static enum guest_err model_guest_check(uint64_t gpa, size_t len)
{
	struct boot_e820_entry map = {0, M->cfg.ram_size, E820_USABLE, 0};
	struct guest_ram g;

	guest_ram_init(&g, &map, 1, M->cfg.svsm_base, M->cfg.svsm_size);
	return guest_range_check(&g, gpa, len);
}

enum guest_err guest_read(gpa_t gpa, void *buf, size_t len)
{
	enum guest_err err = GUEST_OK;

	model_lock_take();
	err = model_guest_check(gpa_addr(gpa), len);
	if (err == GUEST_OK)
		memcpy(buf, M->ram + gpa_addr(gpa), len);
	model_lock_drop();
	return err;
}

enum guest_err guest_write(gpa_t gpa, const void *buf, size_t len)
{
	enum guest_err err = GUEST_OK;

	model_lock_take();
	err = model_guest_check(gpa_addr(gpa), len);
	if (err == GUEST_OK)
		memcpy(M->ram + gpa_addr(gpa), buf, len);
	model_lock_drop();
	return err;
}

bool panic_in_progress(void)
{
	return false; /* a panic ends the test at once: nobody sees one in progress */
}

/* A broken invariant in code under test: report it and fail the current test. */
void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unit_abort_test(__FILE__, __LINE__, msg);
}
