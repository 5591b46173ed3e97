/* SPDX-License-Identifier: MIT */
/*
 * Guest-memory access. Guest memory is never touched through a pointer: guest_read() and
 * guest_write() copy through this CPU's temporary mapping window, a page at a time, after
 * checking the whole range first. A GPA range must lie in guest RAM (usable e820 entries),
 * must not touch the SVSM region, and gpa + len must not overflow.
 */
#ifndef COPRA_GUEST_H
#define COPRA_GUEST_H

#include <boot/boot_info.h>
#include <lib/types.h>

enum guest_err {
	GUEST_OK = 0,
	GUEST_EINVAL = -1,    /* zero length */
	GUEST_EOVERFLOW = -2, /* gpa + len wraps */
	GUEST_ESVSM = -3,     /* touches the SVSM's own memory */
	GUEST_ERANGE = -4,    /* not wholly in guest RAM */
};

#define GUEST_RAM_MAX BOOT_E820_MAX

/* Guest RAM as sorted, merged, disjoint ranges [start, end), and the SVSM region. */
struct guest_ram {
	unsigned int n;
	struct {
		uint64_t start, end;
	} r[GUEST_RAM_MAX];
	uint64_t svsm_start, svsm_end;
};

/*
 * ACSL model of the table (proved in proofs/run.sh): at most GUEST_RAM_MAX ranges, each
 * non-empty, pairwise sorted and disjoint (merged ranges never touch: r[i].end < r[j].start).
 */
/*@ predicate guest_ram_sorted{L}(struct guest_ram *g) =
      g->n <= GUEST_RAM_MAX &&
      (\forall integer i; 0 <= i < g->n ==> g->r[i].start < g->r[i].end) &&
      (\forall integer i, j; 0 <= i < j < g->n ==> g->r[i].end < g->r[j].start);
    predicate guest_in_ram{L}(struct guest_ram *g, integer gpa, integer len) =
      \exists integer i; 0 <= i < g->n && g->r[i].start <= gpa && gpa + len <= g->r[i].end;
    predicate guest_hits_svsm{L}(struct guest_ram *g, integer gpa, integer len) =
      g->svsm_start < g->svsm_end && gpa < g->svsm_end && g->svsm_start < gpa + len;
 */

/* Builds the table from an (untrusted) e820 map; wrapping or empty entries are skipped. */
void guest_ram_init(struct guest_ram *g, const struct boot_e820_entry *map, unsigned int n,
		    uint64_t svsm_base, uint64_t svsm_size);
/* Pure range check: GUEST_OK or the reason the range is refused. */
enum guest_err guest_range_check(const struct guest_ram *g, uint64_t gpa, uint64_t len);

void guest_init(const struct boot_info *bi);
void guest_window_init_cpu(void);
enum guest_err guest_read(gpa_t gpa, void *buf, size_t len);
enum guest_err guest_write(gpa_t gpa, const void *buf, size_t len);

#endif
