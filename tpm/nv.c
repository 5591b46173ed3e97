// SPDX-License-Identifier: MIT
/*
 * NV index storage: lookup, Names, access rules and the Startup effects shared by the engine and
 * the NV commands (cmd_nv.c). TCG Part 1, "NV Memory"; Part 2, 13 "NV Storage Structures".
 *
 * An index lives in one slot of tpm_perm.nv[] (handle 0 = free) and owns data_size bytes of
 * the arena tpm_perm.nv_data at data_off. The arena is packed: the data of all defined indices
 * fills nv_data[0, nv_data_used) without gaps (cmd_nv.c compacts it on NV_UndefineSpace, state.c
 * re-packs it on load), so free space is TPM_NV_DATA_MAX - nv_data_used.
 *
 * TPMA_NV_WRITTEN, WRITELOCKED and READLOCKED live in attrs and are committed with the index, as
 * in the reference implementation: they are part of the Name, so a write or a lock changes it.
 */
#include <lib/string.h>

#include "commands.h"

struct tpm_nv_index *tpm_nv_find(struct tpm *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++)
		if (t->perm.nv[i].handle != 0 && t->perm.nv[i].handle == handle)
			return &t->perm.nv[i];
	return NULL;
}

void tpm_nv_marshal_public(const struct tpm_nv_index *nv, struct tpm_wr *w)
{
	tpm_put_u32(w, nv->handle);
	tpm_put_u16(w, nv->name_alg);
	tpm_put_u32(w, nv->attrs);
	tpm_put_2b(w, nv->policy, nv->policy_size);
	tpm_put_u16(w, nv->data_size);
}

bool tpm_nv_accessible(const struct tpm *t, const struct tpm_nv_index *nv)
{
	if (nv->attrs & TPMA_NV_PLATFORMCREATE)
		return t->ph_enable_nv;
	return t->sh_enable;
}

bool tpm_nv_auth_value_allowed(const struct tpm_nv_index *nv, uint32_t cc)
{
	switch (cc) {
	case TPM_CC_NV_Read:
	case TPM_CC_NV_ReadLock:
	case TPM_CC_NV_Certify:
	case TPM_CC_PolicyNV:
		return (nv->attrs & TPMA_NV_AUTHREAD) != 0;
	case TPM_CC_NV_Write:
	case TPM_CC_NV_Increment:
	case TPM_CC_NV_Extend:
	case TPM_CC_NV_SetBits:
	case TPM_CC_NV_WriteLock:
		return (nv->attrs & TPMA_NV_AUTHWRITE) != 0;
	default:
		return true;
	}
}

/*
 * TPM Reset and TPM Restart (Startup(CLEAR)) end the "STCLEAR" states; TPM Resume keeps them all
 * (Part 1, "NV Indexes"; the reference's NvSetStartupAttributes):
 *   - READLOCKED is cleared;
 *   - a non-counter index with CLEAR_STCLEAR, or with ORDERLY at a TPM Reset, becomes unwritten;
 *   - WRITELOCKED stays only on a written WRITEDEFINE index (so WRITE_STCLEAR locks and the
 *     locks NV_GlobalWriteLock set end here).
 * A TPM Reset is told from a TPM Restart by restartCount, which Startup has already set to 0
 * (Reset) or incremented (Restart) when it calls this (Part 2, TPMS_CLOCK_INFO.restartCount).
 */
void tpm_nv_startup(struct tpm *t, bool clear)
{
	bool reset = t->perm.restart_count == 0;

	if (!clear)
		return;
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *nv = &t->perm.nv[i];
		uint32_t a = nv->attrs;
		uint32_t nt = (a & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;

		if (nv->handle == 0)
			continue;
		a &= ~TPMA_NV_READLOCKED;
		if (nt != TPM_NT_COUNTER &&
		    ((a & TPMA_NV_CLEAR_STCLEAR) || ((a & TPMA_NV_ORDERLY) && reset)))
			a &= ~TPMA_NV_WRITTEN;
		if (!(a & TPMA_NV_WRITTEN) || !(a & TPMA_NV_WRITEDEFINE))
			a &= ~TPMA_NV_WRITELOCKED;
		if (a != nv->attrs)
			tpm_perm_w(t)->nv[i].attrs = a;
	}
}
