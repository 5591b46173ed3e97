// SPDX-License-Identifier: MIT
/*
 * The command table: every command the engine implements, sorted by code, with its handle
 * area (count, accepted kinds, authorization roles: TCG Part 3, each command's table) and the
 * TPMA_CC attributes GetCapability(COMMANDS) reports. A command missing here answers
 * TPM_RC_COMMAND_CODE. tests/unit/test_tpm_engine.c checks the order.
 */
#include "commands.h"

#define HIER_AUTH  (TPM_HK_OWNER | TPM_HK_ENDORSEMENT | TPM_HK_PLATFORM | TPM_HK_LOCKOUT)
#define PROVISION  (TPM_HK_OWNER | TPM_HK_PLATFORM)
#define NV_AUTH	   (TPM_HK_OWNER | TPM_HK_PLATFORM | TPM_HK_NV)
#define CLEAR_AUTH (TPM_HK_LOCKOUT | TPM_HK_PLATFORM)
#define HIERARCHY  (TPM_HK_OWNER | TPM_HK_ENDORSEMENT | TPM_HK_PLATFORM)
#define PCR_PLUS   (TPM_HK_PCR | TPM_HK_NULL)
/* TPMI_DH_OBJECT: a persistent handle is refused as not loaded (HANDLE), not as VALUE */
#define SEQUENCE    (TPM_HK_TRANSIENT | TPM_HK_PERSISTENT)
#define OBJECT	    (TPM_HK_TRANSIENT | TPM_HK_PERSISTENT)
#define HIER_PLUS   (TPM_HK_OWNER | TPM_HK_ENDORSEMENT | TPM_HK_PLATFORM | TPM_HK_NULL)
#define OBJECT_PLUS (TPM_HK_TRANSIENT | TPM_HK_PERSISTENT | TPM_HK_NULL)
#define POLICY	    TPM_HK_POLICY
#define ENTITY                                                                          \
	(TPM_HK_PCR | TPM_HK_NV | TPM_HK_TRANSIENT | TPM_HK_PERSISTENT | TPM_HK_OWNER | \
	 TPM_HK_ENDORSEMENT | TPM_HK_PLATFORM | TPM_HK_LOCKOUT)
#define ENTITY_PLUS                                                                     \
	(TPM_HK_PCR | TPM_HK_NV | TPM_HK_TRANSIENT | TPM_HK_PERSISTENT | TPM_HK_OWNER | \
	 TPM_HK_ENDORSEMENT | TPM_HK_PLATFORM | TPM_HK_LOCKOUT | TPM_HK_NULL)

#define U    TPM_AUTH_USER
#define A    TPM_AUTH_ADMIN
#define D    TPM_AUTH_DUP
#define NONE TPM_AUTH_NONE
#define NV   TPMA_CC_NV
#define FL   TPMA_CC_FLUSHED

/* {code, handler, handles, of which authorized, roles, kinds, response handle, attributes} */
#define CMD(name, nh, na, roles, kinds, rh, fl)                            \
	{                                                                  \
		TPM_CC_##name, tpm_cc_##name, nh, na, roles, kinds, rh, fl \
	}
#define R(...)              \
	{                   \
		__VA_ARGS__ \
	}

const struct tpm_cc_desc tpm_cc_table[] = {
	CMD(EvictControl, 2, 1, R(U, NONE), R(PROVISION, OBJECT), 0, NV),
	CMD(HierarchyControl, 1, 1, R(U), R(HIERARCHY), 0, NV | TPMA_CC_EXTENSIVE),
	CMD(NV_UndefineSpace, 2, 1, R(U, NONE), R(PROVISION, TPM_HK_NV), 0, NV),
	CMD(Clear, 1, 1, R(U), R(CLEAR_AUTH), 0, NV | TPMA_CC_EXTENSIVE),
	CMD(ClearControl, 1, 1, R(U), R(CLEAR_AUTH), 0, NV),
	CMD(HierarchyChangeAuth, 1, 1, R(U), R(HIER_AUTH), 0, NV),
	CMD(NV_DefineSpace, 1, 1, R(U), R(PROVISION), 0, NV),
	CMD(PCR_Allocate, 1, 1, R(U), R(TPM_HK_PLATFORM), 0, NV),
	CMD(CreatePrimary, 1, 1, R(U), R(HIER_PLUS), 1, 0),
	CMD(NV_GlobalWriteLock, 1, 1, R(U), R(PROVISION), 0, NV),
	CMD(NV_Increment, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, NV),
	CMD(NV_SetBits, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, NV),
	CMD(NV_Extend, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, NV),
	CMD(NV_Write, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, NV),
	CMD(NV_WriteLock, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, NV),
	CMD(DictionaryAttackLockReset, 1, 1, R(U), R(TPM_HK_LOCKOUT), 0, NV),
	CMD(DictionaryAttackParameters, 1, 1, R(U), R(TPM_HK_LOCKOUT), 0, NV),
	CMD(PCR_Event, 1, 1, R(U), R(PCR_PLUS), 0, NV),
	CMD(PCR_Reset, 1, 1, R(U), R(TPM_HK_PCR), 0, NV),
	CMD(SequenceComplete, 1, 1, R(U), R(SEQUENCE), 0, FL),
	CMD(IncrementalSelfTest, 0, 0, R(0), R(0), 0, NV),
	CMD(SelfTest, 0, 0, R(0), R(0), 0, NV),
	CMD(Startup, 0, 0, R(0), R(0), 0, NV),
	CMD(Shutdown, 0, 0, R(0), R(0), 0, NV),
	CMD(StirRandom, 0, 0, R(0), R(0), 0, NV),
	CMD(ActivateCredential, 2, 2, R(A, U), R(OBJECT, OBJECT), 0, 0),
	CMD(Certify, 2, 2, R(A, U), R(OBJECT, OBJECT_PLUS), 0, 0),
	CMD(PolicyNV, 3, 1, R(U, NONE, NONE), R(NV_AUTH, TPM_HK_NV, POLICY), 0, 0),
	CMD(CertifyCreation, 2, 1, R(U, NONE), R(OBJECT_PLUS, OBJECT), 0, 0),
	CMD(Duplicate, 2, 1, R(D, NONE), R(OBJECT, OBJECT_PLUS), 0, 0),
	CMD(GetTime, 2, 2, R(U, U), R(TPM_HK_ENDORSEMENT, OBJECT_PLUS), 0, 0),
	CMD(NV_Read, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, 0),
	CMD(NV_ReadLock, 2, 1, R(U, NONE), R(NV_AUTH, TPM_HK_NV), 0, NV),
	CMD(ObjectChangeAuth, 2, 1, R(A, NONE), R(OBJECT, OBJECT), 0, 0),
	CMD(PolicySecret, 2, 1, R(U, NONE), R(ENTITY, POLICY), 0, 0),
	CMD(Rewrap, 2, 1, R(U, NONE), R(OBJECT_PLUS, OBJECT_PLUS), 0, 0),
	CMD(Create, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(ECDH_ZGen, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(HMAC, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(Import, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(Load, 1, 1, R(U), R(OBJECT), 1, 0),
	CMD(Quote, 1, 1, R(U), R(OBJECT_PLUS), 0, 0),
	CMD(RSA_Decrypt, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(HMAC_Start, 1, 1, R(U), R(OBJECT), 1, 0),
	CMD(SequenceUpdate, 1, 1, R(U), R(SEQUENCE), 0, 0),
	CMD(Sign, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(Unseal, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(PolicySigned, 2, 0, R(NONE, NONE), R(OBJECT, POLICY), 0, 0),
	CMD(ContextLoad, 0, 0, R(0), R(0), 1, 0),
	CMD(ContextSave, 1, 0, R(NONE), R(TPM_HK_TRANSIENT | TPM_HK_SESSION | POLICY), 0, 0),
	CMD(ECDH_KeyGen, 1, 0, R(NONE), R(OBJECT), 0, 0),
	CMD(EncryptDecrypt, 1, 1, R(U), R(OBJECT), 0, 0),
	CMD(FlushContext, 0, 0, R(0), R(0), 0, 0),
	CMD(LoadExternal, 0, 0, R(0), R(0), 1, 0),
	CMD(MakeCredential, 1, 0, R(NONE), R(OBJECT), 0, 0),
	CMD(NV_ReadPublic, 1, 0, R(NONE), R(TPM_HK_NV), 0, 0),
	CMD(PolicyAuthorize, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyAuthValue, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyCommandCode, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyCounterTimer, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyCpHash, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyLocality, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyNameHash, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyOR, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyTicket, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(ReadPublic, 1, 0, R(NONE), R(OBJECT), 0, 0),
	CMD(RSA_Encrypt, 1, 0, R(NONE), R(OBJECT), 0, 0),
	CMD(StartAuthSession, 2, 0, R(NONE, NONE), R(OBJECT_PLUS, ENTITY_PLUS), 1, 0),
	CMD(VerifySignature, 1, 0, R(NONE), R(OBJECT), 0, 0),
	CMD(GetCapability, 0, 0, R(0), R(0), 0, 0),
	CMD(GetRandom, 0, 0, R(0), R(0), 0, 0),
	CMD(GetTestResult, 0, 0, R(0), R(0), 0, 0),
	CMD(Hash, 0, 0, R(0), R(0), 0, 0),
	CMD(PCR_Read, 0, 0, R(0), R(0), 0, 0),
	CMD(PolicyPCR, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyRestart, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(ReadClock, 0, 0, R(0), R(0), 0, 0),
	CMD(PCR_Extend, 1, 1, R(U), R(PCR_PLUS), 0, NV),
	CMD(EventSequenceComplete, 2, 2, R(U, U), R(PCR_PLUS, SEQUENCE), 0, NV | FL),
	CMD(HashSequenceStart, 0, 0, R(0), R(0), 1, 0),
	CMD(PolicyDuplicationSelect, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyGetDigest, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(TestParms, 0, 0, R(0), R(0), 0, 0),
	CMD(PolicyPassword, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(PolicyNvWritten, 1, 0, R(NONE), R(POLICY), 0, 0),
	CMD(CreateLoaded, 1, 1, R(U), R(HIER_PLUS | OBJECT), 1, 0),
	CMD(PolicyAuthorizeNV, 3, 1, R(U, NONE, NONE), R(NV_AUTH, TPM_HK_NV, POLICY), 0, 0),
	CMD(EncryptDecrypt2, 1, 1, R(U), R(OBJECT), 0, 0),
};

const unsigned tpm_cc_count = sizeof(tpm_cc_table) / sizeof(tpm_cc_table[0]);

const struct tpm_cc_desc *tpm_cc_find(uint32_t cc)
{
	unsigned lo = 0;
	unsigned hi = tpm_cc_count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (tpm_cc_table[mid].cc == cc)
			return &tpm_cc_table[mid];
		if (tpm_cc_table[mid].cc < cc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t tpm_cc_attrs(const struct tpm_cc_desc *d)
{
	return (d->cc & TPMA_CC_COMMANDINDEX) | d->flags |
	       (uint32_t)d->nhandles << TPMA_CC_CHANDLES_SHIFT | (d->rhandle ? TPMA_CC_RHANDLE : 0);
}

bool tpm_cc_decrypts(uint32_t cc)
{
	switch (cc) {
	case TPM_CC_NV_UndefineSpaceSpecial:
	case TPM_CC_NV_DefineSpace:
	case TPM_CC_HierarchyChangeAuth:
	case TPM_CC_CreatePrimary:
	case TPM_CC_NV_Extend:
	case TPM_CC_NV_Write:
	case TPM_CC_PCR_Event:
	case TPM_CC_SequenceComplete:
	case TPM_CC_StirRandom:
	case TPM_CC_SequenceUpdate:
	case TPM_CC_ObjectChangeAuth:
	case TPM_CC_PolicySecret:
	case TPM_CC_PolicySigned:
	case TPM_CC_PolicyTicket:
	case TPM_CC_Create:
	case TPM_CC_Load:
	case TPM_CC_StartAuthSession:
	case TPM_CC_Hash:
	case TPM_CC_HashSequenceStart:
	case TPM_CC_EventSequenceComplete:
	case TPM_CC_PolicyCounterTimer:
	case TPM_CC_PolicyCpHash:
	case TPM_CC_PolicyNameHash:
	case TPM_CC_PolicyNV:
	case TPM_CC_PolicyPCR:
	case TPM_CC_CreateLoaded:
	case TPM_CC_Sign:
	case TPM_CC_VerifySignature:
	case TPM_CC_Quote:
	case TPM_CC_Certify:
	case TPM_CC_CertifyCreation:
	case TPM_CC_GetTime:
	case TPM_CC_MakeCredential:
	case TPM_CC_ActivateCredential:
	case TPM_CC_RSA_Encrypt:
	case TPM_CC_RSA_Decrypt:
	case TPM_CC_ECDH_ZGen:
	case TPM_CC_EncryptDecrypt2:
	case TPM_CC_HMAC:
	case TPM_CC_HMAC_Start:
	case TPM_CC_LoadExternal:
	case TPM_CC_PolicyAuthorize:
	case TPM_CC_Import:
	case TPM_CC_Duplicate:
	case TPM_CC_Rewrap:
	case TPM_CC_PolicyDuplicationSelect:
		return true;
	default:
		return false;
	}
}

bool tpm_cc_encrypts(uint32_t cc)
{
	switch (cc) {
	case TPM_CC_CreatePrimary:
	case TPM_CC_SequenceComplete:
	case TPM_CC_NV_Read:
	case TPM_CC_ObjectChangeAuth:
	case TPM_CC_PolicySecret:
	case TPM_CC_PolicySigned:
	case TPM_CC_Create:
	case TPM_CC_Load:
	case TPM_CC_Unseal:
	case TPM_CC_NV_ReadPublic:
	case TPM_CC_ReadPublic:
	case TPM_CC_StartAuthSession:
	case TPM_CC_GetRandom:
	case TPM_CC_GetTestResult:
	case TPM_CC_Hash:
	case TPM_CC_PolicyGetDigest:
	case TPM_CC_CreateLoaded:
	case TPM_CC_Quote:
	case TPM_CC_Certify:
	case TPM_CC_CertifyCreation:
	case TPM_CC_GetTime:
	case TPM_CC_MakeCredential:
	case TPM_CC_ActivateCredential:
	case TPM_CC_RSA_Encrypt:
	case TPM_CC_RSA_Decrypt:
	case TPM_CC_ECDH_KeyGen:
	case TPM_CC_ECDH_ZGen:
	case TPM_CC_EncryptDecrypt:
	case TPM_CC_EncryptDecrypt2:
	case TPM_CC_HMAC:
	case TPM_CC_LoadExternal:
	case TPM_CC_Import:
	case TPM_CC_Duplicate:
	case TPM_CC_Rewrap:
		return true;
	default:
		return false;
	}
}
