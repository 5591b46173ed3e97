// SPDX-License-Identifier: MIT
/*
 * PCR banks, their attributes and their reset at Startup (TCG Part 1, 17 "PCR"; PC Client
 * Platform TPM Profile, "PCR attributes"), and the TPML_PCR_SELECTION coding shared by PCR_Read,
 * PolicyPCR and Quote.
 *
 * A bank is allocated as a whole (perm.pcr_alloc bit per bank): PCR_Allocate refuses per-PCR
 * allocations it cannot represent (cmd_pcr.c).
 */
#include <lib/string.h>

#include "commands.h"

const uint16_t tpm_banks[TPM_NUM_BANKS] = {TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384};

int tpm_bank_index(uint16_t alg)
{
	for (unsigned i = 0; i < TPM_NUM_BANKS; i++)
		if (tpm_banks[i] == alg)
			return (int)i;
	return -1;
}

/*
 * Localities (bit n = locality n) that may reset / extend each PCR: the PC Client profile's
 * table as libtpms implements it. PCR 0-15 are saved by Shutdown(STATE); the PCRs locality 4 may
 * reset (17-22, the DRTM PCRs) start as all ones.
 */
static const struct {
	uint8_t reset;
	uint8_t extend;
} pcr_attr[TPM_NUM_PCRS] = {
	[0 ... 15] = {0x00, 0x1F}, /* static RTM: never reset */
	[16] = {0x0F, 0x1F},	   /* debug */
	[17] = {0x10, 0x1C},	   /* locality 4 (DRTM) */
	[18] = {0x10, 0x1C},	   /* locality 3 */
	[19] = {0x10, 0x0C},	   /* locality 2 */
	[20] = {0x14, 0x0E},	   /* locality 1 */
	[21] = {0x14, 0x04},	   /* dynamic OS */
	[22] = {0x14, 0x04},	   /* dynamic OS */
	[23] = {0x0F, 0x1F},	   /* application */
};

#define PCR_SAVED_LAST		15u
#define PCR_DRTM_RESET_LOCALITY 0x10u
/* Changes of these PCRs leave pcrUpdateCounter alone (TPM_PT_PCR_NO_INCREMENT, as libtpms). */
#define PCR_NO_INCREMENT (1u << 16 | 1u << 21 | 1u << 22 | 1u << 23)

static bool pcr_saved(uint32_t pcr)
{
	return pcr <= PCR_SAVED_LAST;
}

bool tpm_pcr_bank_allocated(const struct tpm *t, unsigned bank)
{
	return bank < TPM_NUM_BANKS && (t->perm.pcr_alloc & (1u << bank)) != 0;
}

bool tpm_pcr_extend_allowed(uint32_t pcr, uint8_t locality)
{
	return pcr < TPM_NUM_PCRS && locality <= 4 && (pcr_attr[pcr].extend >> locality) & 1u;
}

bool tpm_pcr_reset_allowed(uint32_t pcr, uint8_t locality)
{
	/* A TPM with a DRTM PCR never resets at locality 4: only _TPM_Hash_Start does. */
	if (pcr >= TPM_NUM_PCRS || locality >= 4)
		return false;
	return (pcr_attr[pcr].reset >> locality) & 1u;
}

/* pcrUpdateCounter counts every change but those of the no-increment PCRs (Part 2, 10.9). */
static void pcr_changed(struct tpm *t, uint32_t pcr)
{
	if (PCR_NO_INCREMENT & (1u << pcr))
		return;
	t->pcr_update_counter++;
	if (t->pcr_update_counter == 0)
		tpm_fail(t, "pcrUpdateCounter wrapped");
}

/*
 * A state-saved PCR that changes after Shutdown(STATE) makes the save stale: Startup(STATE) must
 * then be refused, or a Resume would roll the PCR back (libtpms RETURN_IF_ORDERLY).
 */
static void pcr_invalidate_save(struct tpm *t, uint32_t pcr)
{
	struct tpm_perm *p;

	if (!pcr_saved(pcr) || !(t->perm.orderly || t->perm.state_saved))
		return;
	p = tpm_perm_w(t);
	p->orderly = false;
	p->state_saved = false;
}

void tpm_pcr_extend(struct tpm *t, uint32_t pcr, unsigned bank, const uint8_t *digest)
{
	struct tpm_hash_ctx h;
	uint16_t alg;
	unsigned n;

	if (pcr >= TPM_NUM_PCRS || !tpm_pcr_bank_allocated(t, bank))
		return;
	alg = tpm_banks[bank];
	n = tpm_hash_size(alg);
	/* PCR_new = H(PCR_old || digest) (Part 1, 17.7). */
	(void)tpm_hash_start(&h, alg);
	tpm_hash_update(&h, t->pcr[bank][pcr], n);
	tpm_hash_update(&h, digest, n);
	tpm_hash_finish(&h, t->pcr[bank][pcr]);
	pcr_invalidate_save(t, pcr);
	pcr_changed(t, pcr);
}

void tpm_pcr_reset(struct tpm *t, uint32_t pcr)
{
	if (pcr >= TPM_NUM_PCRS)
		return;
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++)
		memset(t->pcr[b][pcr], 0, sizeof(t->pcr[b][pcr]));
	pcr_invalidate_save(t, pcr);
	pcr_changed(t, pcr);
}

/*
 * Startup: PCR 0-15 come back from the Shutdown(STATE) save on Resume; every other PCR is reset,
 * the DRTM PCRs to all ones. Every reset PCR counts as a change, so pcrUpdateCounter after a TPM
 * Reset is 20 as with libtpms. (The counter restarts at every Startup: it is volatile here.)
 */
void tpm_pcr_startup(struct tpm *t, bool restore_saved)
{
	t->pcr_update_counter = 0;
	for (uint32_t i = 0; i < TPM_NUM_PCRS; i++) {
		bool restore = restore_saved && pcr_saved(i);
		uint8_t fill = (pcr_attr[i].reset & PCR_DRTM_RESET_LOCALITY) ? 0xFF : 0x00;

		for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
			if (restore)
				memcpy(t->pcr[b][i], t->perm.saved_pcr[b][i], sizeof(t->pcr[b][i]));
			else
				memset(t->pcr[b][i], 0, sizeof(t->pcr[b][i]));
			if (!restore && tpm_pcr_bank_allocated(t, b))
				memset(t->pcr[b][i], fill, tpm_hash_size(tpm_banks[b]));
		}
		if (!restore)
			pcr_changed(t, i);
	}
}

/* ---- TPML_PCR_SELECTION ------------------------------------------------------------------ */

tpm_rc tpm_get_pcr_selection(struct tpm_rd *r, struct tpm_pcr_selection *sel)
{
	tpm_rc rc = tpm_get_u32(r, &sel->count);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (sel->count > TPM_HASH_COUNT)
		return TPM_RC_SIZE;
	for (uint32_t i = 0; i < sel->count; i++) {
		struct tpm_pcr_select *s = &sel->s[i];
		uint8_t size = 0;

		rc = tpm_get_u16(r, &s->hash);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		if (tpm_hash_size(s->hash) == 0)
			return TPM_RC_HASH;
		rc = tpm_get_u8(r, &size);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		/* PCR_SELECT_MIN = PCR_SELECT_MAX = 3 with 24 PCRs: libtpms takes nothing else. */
		if (size != TPM_PCR_SELECT_MIN)
			return TPM_RC_VALUE;
		rc = tpm_get_bytes(r, s->select, TPM_PCR_SELECT_MIN);
		if (rc != TPM_RC_SUCCESS)
			return rc;
	}
	return TPM_RC_SUCCESS;
}

void tpm_put_pcr_selection(struct tpm_wr *w, const struct tpm_pcr_selection *sel)
{
	tpm_put_u32(w, sel->count);
	for (uint32_t i = 0; i < sel->count && i < TPM_HASH_COUNT; i++) {
		tpm_put_u16(w, sel->s[i].hash);
		tpm_put_u8(w, TPM_PCR_SELECT_MIN);
		tpm_put_bytes(w, sel->s[i].select, TPM_PCR_SELECT_MIN);
	}
}

void tpm_pcr_filter(const struct tpm *t, struct tpm_pcr_selection *sel)
{
	for (uint32_t i = 0; i < sel->count && i < TPM_HASH_COUNT; i++) {
		int bank = tpm_bank_index(sel->s[i].hash);

		if (bank < 0 || !tpm_pcr_bank_allocated(t, (unsigned)bank))
			memset(sel->s[i].select, 0, TPM_PCR_SELECT_MIN);
	}
}

bool tpm_pcr_digest(const struct tpm *t, uint16_t alg, struct tpm_pcr_selection *sel, uint8_t *out)
{
	struct tpm_hash_ctx h;

	if (!tpm_hash_start(&h, alg))
		return false;
	tpm_pcr_filter(t, sel);
	for (uint32_t i = 0; i < sel->count && i < TPM_HASH_COUNT; i++) {
		int bank = tpm_bank_index(sel->s[i].hash);

		if (bank < 0)
			continue;
		for (uint32_t pcr = 0; pcr < TPM_NUM_PCRS; pcr++)
			if (sel->s[i].select[pcr / 8] & (1u << (pcr % 8)))
				tpm_hash_update(&h, t->pcr[bank][pcr],
						tpm_hash_size(tpm_banks[bank]));
	}
	tpm_hash_finish(&h, out);
	return true;
}

/* ---- GetCapability(PCR_PROPERTIES) --------------------------------------------------------- */

bool tpm_pcr_property(uint32_t property, uint8_t select[TPM_PCR_SELECT_MIN])
{
	memset(select, 0, TPM_PCR_SELECT_MIN);
	if (property > TPM_PT_PCR_DRTM_RESET ||
	    (property > TPM_PT_PCR_RESET_L4 && property < TPM_PT_PCR_NO_INCREMENT))
		return false;
	for (uint32_t pcr = 0; pcr < TPM_NUM_PCRS; pcr++) {
		bool set;

		if (property == TPM_PT_PCR_SAVE)
			set = pcr_saved(pcr);
		else if (property == TPM_PT_PCR_NO_INCREMENT)
			set = (PCR_NO_INCREMENT >> pcr) & 1u;
		else if (property == TPM_PT_PCR_DRTM_RESET)
			set = (pcr_attr[pcr].reset & PCR_DRTM_RESET_LOCALITY) != 0;
		else if (property % 2 == 1) /* TPM_PT_PCR_EXTEND_L0..L4 = 1, 3, 5, 7, 9 */
			set = (pcr_attr[pcr].extend >> (property / 2)) & 1u;
		else /* TPM_PT_PCR_RESET_L0..L4 = 2, 4, 6, 8, 10: the table, as libtpms reports */
			set = (pcr_attr[pcr].reset >> (property / 2 - 1)) & 1u;
		if (set)
			select[pcr / 8] |= (uint8_t)(1u << (pcr % 8));
	}
	return true;
}
