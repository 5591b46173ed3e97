/* SPDX-License-Identifier: MIT */
/* Command handlers (TCG Part 3), one per command, grouped in cmd_*.c files by subject. */
#ifndef TPM_COMMANDS_H
#define TPM_COMMANDS_H

#include "internal.h"

#define TPM_HANDLER(name) tpm_rc tpm_cc_##name(struct tpm_cmd *c)

/* cmd_startup.c */
TPM_HANDLER(Startup);
TPM_HANDLER(Shutdown);
TPM_HANDLER(SelfTest);
TPM_HANDLER(IncrementalSelfTest);
TPM_HANDLER(GetTestResult);
/* cmd_random.c */
TPM_HANDLER(GetRandom);
TPM_HANDLER(StirRandom);
/* session.c */
TPM_HANDLER(StartAuthSession);
/* object.c */
TPM_HANDLER(FlushContext);
/* cmd_object.c */
TPM_HANDLER(CreatePrimary);
TPM_HANDLER(ReadPublic);
TPM_HANDLER(Unseal);
/* cmd_create.c */
TPM_HANDLER(Create);
TPM_HANDLER(Load);
TPM_HANDLER(CreateLoaded);
TPM_HANDLER(ObjectChangeAuth);
TPM_HANDLER(LoadExternal);
/* cmd_import.c */
TPM_HANDLER(Import);
TPM_HANDLER(Duplicate);
/* context.c */
TPM_HANDLER(ContextSave);
TPM_HANDLER(ContextLoad);
/* persistent.c */
TPM_HANDLER(EvictControl);
/* cmd_sign.c */
TPM_HANDLER(Sign);
TPM_HANDLER(VerifySignature);
/* cmd_attest.c */
TPM_HANDLER(Quote);
TPM_HANDLER(Certify);
TPM_HANDLER(CertifyCreation);
TPM_HANDLER(GetTime);
/* cmd_crypt.c */
TPM_HANDLER(RSA_Encrypt);
TPM_HANDLER(RSA_Decrypt);
TPM_HANDLER(ECDH_KeyGen);
TPM_HANDLER(ECDH_ZGen);
TPM_HANDLER(EncryptDecrypt);
TPM_HANDLER(EncryptDecrypt2);
TPM_HANDLER(HMAC);
/* cmd_credential.c */
TPM_HANDLER(MakeCredential);
TPM_HANDLER(ActivateCredential);
/* policy.c */
TPM_HANDLER(PolicyRestart);
TPM_HANDLER(PolicyGetDigest);
TPM_HANDLER(PolicyAuthValue);
TPM_HANDLER(PolicyPassword);
TPM_HANDLER(PolicyCommandCode);
TPM_HANDLER(PolicyCpHash);
TPM_HANDLER(PolicyNameHash);
TPM_HANDLER(PolicyPCR);
TPM_HANDLER(PolicyOR);
TPM_HANDLER(PolicySecret);
TPM_HANDLER(PolicyLocality);
TPM_HANDLER(PolicyNvWritten);
TPM_HANDLER(Rewrap);
TPM_HANDLER(PolicySigned);
TPM_HANDLER(PolicyTicket);
TPM_HANDLER(PolicyNV);
TPM_HANDLER(PolicyCounterTimer);
TPM_HANDLER(PolicyAuthorizeNV);
TPM_HANDLER(PolicyAuthorize);
TPM_HANDLER(PolicyDuplicationSelect);

/* cmd_capability.c */
TPM_HANDLER(GetCapability);
TPM_HANDLER(TestParms);
TPM_HANDLER(ReadClock);
/* cmd_pcr.c */
TPM_HANDLER(PCR_Read);
TPM_HANDLER(PCR_Extend);
TPM_HANDLER(PCR_Event);
TPM_HANDLER(PCR_Reset);
TPM_HANDLER(PCR_Allocate);
/* cmd_hash.c */
TPM_HANDLER(Hash);
TPM_HANDLER(HashSequenceStart);
TPM_HANDLER(HMAC_Start);
TPM_HANDLER(SequenceUpdate);
TPM_HANDLER(SequenceComplete);
TPM_HANDLER(EventSequenceComplete);
/* cmd_nv.c */
TPM_HANDLER(NV_DefineSpace);
TPM_HANDLER(NV_UndefineSpace);
TPM_HANDLER(NV_ReadPublic);
TPM_HANDLER(NV_Write);
TPM_HANDLER(NV_Read);
TPM_HANDLER(NV_Increment);
TPM_HANDLER(NV_Extend);
TPM_HANDLER(NV_SetBits);
TPM_HANDLER(NV_WriteLock);
TPM_HANDLER(NV_ReadLock);
TPM_HANDLER(NV_GlobalWriteLock);
/* cmd_hierarchy.c */
TPM_HANDLER(HierarchyChangeAuth);
TPM_HANDLER(HierarchyControl);
TPM_HANDLER(Clear);
TPM_HANDLER(ClearControl);
TPM_HANDLER(DictionaryAttackLockReset);
TPM_HANDLER(DictionaryAttackParameters);

#endif
