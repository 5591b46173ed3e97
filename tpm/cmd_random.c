// SPDX-License-Identifier: MIT
/* GetRandom and StirRandom (TCG Part 3, 16). */
#include "commands.h"

TPM_HANDLER(GetRandom)
{
	uint16_t want = 0;
	tpm_rc rc = tpm_get_u16(&c->in, &want);
	uint8_t *buf = c->t->scratch;

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* At most one digest per call (Part 3, 16.1: bytesRequested is capped, not refused). */
	if (want > TPM_MAX_DIGEST)
		want = TPM_MAX_DIGEST;
	if (!tpm_random(c->t, buf, want))
		return TPM_RC_FAILURE;
	tpm_put_2b(c->out, buf, want);
	tpm_wipe(buf, want);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(StirRandom)
{
	uint8_t *buf = c->t->scratch;
	uint16_t n = 0;
	tpm_rc rc = tpm_get_2b(&c->in, buf, 128, &n); /* TPM2B_SENSITIVE_DATA */

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (n != 0 && !tpm_drbg_stir(&c->t->drbg, buf, n)) {
		tpm_fail(c->t, "DRBG update failed");
		return TPM_RC_FAILURE;
	}
	tpm_wipe(buf, n);
	return TPM_RC_SUCCESS;
}
