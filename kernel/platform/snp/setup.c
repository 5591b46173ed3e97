/* SPDX-License-Identifier: MIT */
/*
 * Bringing the SNP platform up: what the SVSM checks and prepares before it serves a guest.
 * Every failure is an error code; the caller (platform init) decides to terminate.
 */
#include "snp_internal.h"

static uint64_t sev_features;

uint64_t snp_sev_features(void)
{
	return sev_features;
}

int snp_cpu_setup(void)
{
	return snp_ghcb_setup_this_cpu();
}

/*
 * Order matters: the MSR protocol first (it needs nothing), the GHCB next (the page-state
 * changes for the message pages go through it), the guest-message channel last.
 */
int snp_platform_setup(gpa_t secrets)
{
	uint64_t features = 0;
	uint8_t cbit = 0;
	int err = snp_msr_sev_info(&cbit);

	if (err != SNP_OK)
		return err;
	err = snp_msr_hv_features(&features);
	if (err != SNP_OK)
		return err;
	if ((features & GHCB_HV_FT_REQUIRED) != GHCB_HV_FT_REQUIRED)
		return SNP_EIO;
	sev_features = snp_hw_sev_status() >> 2; /* facts 5.1: SEV_FEATURES = SEV_STATUS >> 2 */
	err = snp_ghcb_setup_this_cpu();
	if (err != SNP_OK)
		return err;
	return snp_msg_setup(secrets);
}

#ifdef COPRA_HOST
void snp_platform_forget(void)
{
	sev_features = 0;
	snp_ghcb_forget();
	snp_msg_forget();
}
#endif
