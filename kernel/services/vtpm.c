/* SPDX-License-Identifier: MIT */
/* The vTPM service: the TPM engine's life cycle and its lock (see vtpm.h). */
#include <lib/string.h>

#include "vtpm.h"

int vtpm_init(struct vtpm *v, const struct tpm_platform *plat)
{
	int rc = TPM_OK;

	memset(v, 0, sizeof(*v));
	v->plat = *plat;
	rc = tpm_create(&v->plat, &v->tpm);
	if (rc != TPM_OK)
		return rc;
	rc = tpm_power_on(v->tpm);
	if (rc == TPM_ERR_NO_STATE) {
		/* First start on this platform: new seeds, committed, then the normal power-on. */
		rc = tpm_manufacture(v->tpm);
		if (rc == TPM_OK)
			rc = tpm_power_on(v->tpm);
		v->manufactured = rc == TPM_OK;
	}
	if (rc != TPM_OK) {
		tpm_destroy(v->tpm);
		v->tpm = NULL;
	}
	return rc;
}

void vtpm_fini(struct vtpm *v)
{
	if (!v->tpm)
		return;
	tpm_power_off(v->tpm);
	tpm_destroy(v->tpm);
	v->tpm = NULL;
}

size_t vtpm_execute(struct vtpm *v, uint8_t locality, const uint8_t *cmd, size_t len, uint8_t *rsp,
		    size_t cap)
{
	size_t n = 0;

	spin_lock(&v->lock);
	n = tpm_execute(v->tpm, locality, cmd, len, rsp, cap);
	spin_unlock(&v->lock);
	return n;
}
