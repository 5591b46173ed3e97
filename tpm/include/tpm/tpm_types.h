/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 constants (TCG TPM 2.0 Library, Part 2: Structures). Values are facts of the
 * specification; tests/unit/test_tpm_constants.c checks them against tpm2-tss's
 * tss2_tpm2_types.h so a typo cannot hide.
 */
#ifndef TPM_TPM_TYPES_H
#define TPM_TPM_TYPES_H

#include <stdint.h>

typedef uint32_t tpm_rc;

/* Part 2, 6.9 TPM_ST */
#define TPM_ST_RSP_COMMAND	    0x00C4u
#define TPM_ST_NULL		    0x8000u
#define TPM_ST_NO_SESSIONS	    0x8001u
#define TPM_ST_SESSIONS		    0x8002u
#define TPM_ST_ATTEST_NV	    0x8014u
#define TPM_ST_ATTEST_COMMAND_AUDIT 0x8015u
#define TPM_ST_ATTEST_SESSION_AUDIT 0x8016u
#define TPM_ST_ATTEST_CERTIFY	    0x8017u
#define TPM_ST_ATTEST_QUOTE	    0x8018u
#define TPM_ST_ATTEST_TIME	    0x8019u
#define TPM_ST_ATTEST_CREATION	    0x801Au
#define TPM_ST_CREATION		    0x8021u
#define TPM_ST_VERIFIED		    0x8022u
#define TPM_ST_AUTH_SECRET	    0x8023u
#define TPM_ST_HASHCHECK	    0x8024u
#define TPM_ST_AUTH_SIGNED	    0x8025u

/* Part 2, 6.10 TPM_SU */
#define TPM_SU_CLEAR 0x0000u
#define TPM_SU_STATE 0x0001u

/* Part 2, 6.11 TPM_SE */
#define TPM_SE_HMAC   0x00u
#define TPM_SE_POLICY 0x01u
#define TPM_SE_TRIAL  0x03u

/* Part 2, 6.3 TPM_ALG_ID */
#define TPM_ALG_ERROR	       0x0000u
#define TPM_ALG_RSA	       0x0001u
#define TPM_ALG_TDES	       0x0003u
#define TPM_ALG_SHA1	       0x0004u
#define TPM_ALG_HMAC	       0x0005u
#define TPM_ALG_AES	       0x0006u
#define TPM_ALG_MGF1	       0x0007u
#define TPM_ALG_KEYEDHASH      0x0008u
#define TPM_ALG_XOR	       0x000Au
#define TPM_ALG_SHA256	       0x000Bu
#define TPM_ALG_SHA384	       0x000Cu
#define TPM_ALG_SHA512	       0x000Du
#define TPM_ALG_NULL	       0x0010u
#define TPM_ALG_SM3_256	       0x0012u
#define TPM_ALG_SM4	       0x0013u
#define TPM_ALG_RSASSA	       0x0014u
#define TPM_ALG_RSAES	       0x0015u
#define TPM_ALG_RSAPSS	       0x0016u
#define TPM_ALG_OAEP	       0x0017u
#define TPM_ALG_ECDSA	       0x0018u
#define TPM_ALG_ECDH	       0x0019u
#define TPM_ALG_ECDAA	       0x001Au
#define TPM_ALG_SM2	       0x001Bu
#define TPM_ALG_ECSCHNORR      0x001Cu
#define TPM_ALG_ECMQV	       0x001Du
#define TPM_ALG_KDF1_SP800_56A 0x0020u
#define TPM_ALG_KDF2	       0x0021u
#define TPM_ALG_KDF1_SP800_108 0x0022u
#define TPM_ALG_ECC	       0x0023u
#define TPM_ALG_SYMCIPHER      0x0025u
#define TPM_ALG_CAMELLIA       0x0026u
#define TPM_ALG_CTR	       0x0040u
#define TPM_ALG_OFB	       0x0041u
#define TPM_ALG_CBC	       0x0042u
#define TPM_ALG_CFB	       0x0043u
#define TPM_ALG_ECB	       0x0044u

/* Part 2, 6.4 TPM_ECC_CURVE */
#define TPM_ECC_NONE	  0x0000u
#define TPM_ECC_NIST_P192 0x0001u
#define TPM_ECC_NIST_P224 0x0002u
#define TPM_ECC_NIST_P256 0x0003u
#define TPM_ECC_NIST_P384 0x0004u
#define TPM_ECC_NIST_P521 0x0005u
#define TPM_ECC_BN_P256	  0x0010u
#define TPM_ECC_BN_P638	  0x0011u
#define TPM_ECC_SM2_P256  0x0020u

/* Part 2, 6.5.2 TPM_CC */
#define TPM_CC_NV_UndefineSpaceSpecial	  0x011Fu
#define TPM_CC_EvictControl		  0x0120u
#define TPM_CC_HierarchyControl		  0x0121u
#define TPM_CC_NV_UndefineSpace		  0x0122u
#define TPM_CC_ChangeEPS		  0x0124u
#define TPM_CC_ChangePPS		  0x0125u
#define TPM_CC_Clear			  0x0126u
#define TPM_CC_ClearControl		  0x0127u
#define TPM_CC_ClockSet			  0x0128u
#define TPM_CC_HierarchyChangeAuth	  0x0129u
#define TPM_CC_NV_DefineSpace		  0x012Au
#define TPM_CC_PCR_Allocate		  0x012Bu
#define TPM_CC_PCR_SetAuthPolicy	  0x012Cu
#define TPM_CC_PP_Commands		  0x012Du
#define TPM_CC_SetPrimaryPolicy		  0x012Eu
#define TPM_CC_FieldUpgradeStart	  0x012Fu
#define TPM_CC_ClockRateAdjust		  0x0130u
#define TPM_CC_CreatePrimary		  0x0131u
#define TPM_CC_NV_GlobalWriteLock	  0x0132u
#define TPM_CC_GetCommandAuditDigest	  0x0133u
#define TPM_CC_NV_Increment		  0x0134u
#define TPM_CC_NV_SetBits		  0x0135u
#define TPM_CC_NV_Extend		  0x0136u
#define TPM_CC_NV_Write			  0x0137u
#define TPM_CC_NV_WriteLock		  0x0138u
#define TPM_CC_DictionaryAttackLockReset  0x0139u
#define TPM_CC_DictionaryAttackParameters 0x013Au
#define TPM_CC_NV_ChangeAuth		  0x013Bu
#define TPM_CC_PCR_Event		  0x013Cu
#define TPM_CC_PCR_Reset		  0x013Du
#define TPM_CC_SequenceComplete		  0x013Eu
#define TPM_CC_SetAlgorithmSet		  0x013Fu
#define TPM_CC_SetCommandCodeAuditStatus  0x0140u
#define TPM_CC_FieldUpgradeData		  0x0141u
#define TPM_CC_IncrementalSelfTest	  0x0142u
#define TPM_CC_SelfTest			  0x0143u
#define TPM_CC_Startup			  0x0144u
#define TPM_CC_Shutdown			  0x0145u
#define TPM_CC_StirRandom		  0x0146u
#define TPM_CC_ActivateCredential	  0x0147u
#define TPM_CC_Certify			  0x0148u
#define TPM_CC_PolicyNV			  0x0149u
#define TPM_CC_CertifyCreation		  0x014Au
#define TPM_CC_Duplicate		  0x014Bu
#define TPM_CC_GetTime			  0x014Cu
#define TPM_CC_GetSessionAuditDigest	  0x014Du
#define TPM_CC_NV_Read			  0x014Eu
#define TPM_CC_NV_ReadLock		  0x014Fu
#define TPM_CC_ObjectChangeAuth		  0x0150u
#define TPM_CC_PolicySecret		  0x0151u
#define TPM_CC_Rewrap			  0x0152u
#define TPM_CC_Create			  0x0153u
#define TPM_CC_ECDH_ZGen		  0x0154u
#define TPM_CC_HMAC			  0x0155u
#define TPM_CC_Import			  0x0156u
#define TPM_CC_Load			  0x0157u
#define TPM_CC_Quote			  0x0158u
#define TPM_CC_RSA_Decrypt		  0x0159u
#define TPM_CC_HMAC_Start		  0x015Bu
#define TPM_CC_SequenceUpdate		  0x015Cu
#define TPM_CC_Sign			  0x015Du
#define TPM_CC_Unseal			  0x015Eu
#define TPM_CC_PolicySigned		  0x0160u
#define TPM_CC_ContextLoad		  0x0161u
#define TPM_CC_ContextSave		  0x0162u
#define TPM_CC_ECDH_KeyGen		  0x0163u
#define TPM_CC_EncryptDecrypt		  0x0164u
#define TPM_CC_FlushContext		  0x0165u
#define TPM_CC_LoadExternal		  0x0167u
#define TPM_CC_MakeCredential		  0x0168u
#define TPM_CC_NV_ReadPublic		  0x0169u
#define TPM_CC_PolicyAuthorize		  0x016Au
#define TPM_CC_PolicyAuthValue		  0x016Bu
#define TPM_CC_PolicyCommandCode	  0x016Cu
#define TPM_CC_PolicyCounterTimer	  0x016Du
#define TPM_CC_PolicyCpHash		  0x016Eu
#define TPM_CC_PolicyLocality		  0x016Fu
#define TPM_CC_PolicyNameHash		  0x0170u
#define TPM_CC_PolicyOR			  0x0171u
#define TPM_CC_PolicyTicket		  0x0172u
#define TPM_CC_ReadPublic		  0x0173u
#define TPM_CC_RSA_Encrypt		  0x0174u
#define TPM_CC_StartAuthSession		  0x0176u
#define TPM_CC_VerifySignature		  0x0177u
#define TPM_CC_ECC_Parameters		  0x0178u
#define TPM_CC_FirmwareRead		  0x0179u
#define TPM_CC_GetCapability		  0x017Au
#define TPM_CC_GetRandom		  0x017Bu
#define TPM_CC_GetTestResult		  0x017Cu
#define TPM_CC_Hash			  0x017Du
#define TPM_CC_PCR_Read			  0x017Eu
#define TPM_CC_PolicyPCR		  0x017Fu
#define TPM_CC_PolicyRestart		  0x0180u
#define TPM_CC_ReadClock		  0x0181u
#define TPM_CC_PCR_Extend		  0x0182u
#define TPM_CC_PCR_SetAuthValue		  0x0183u
#define TPM_CC_NV_Certify		  0x0184u
#define TPM_CC_EventSequenceComplete	  0x0185u
#define TPM_CC_HashSequenceStart	  0x0186u
#define TPM_CC_PolicyPhysicalPresence	  0x0187u
#define TPM_CC_PolicyDuplicationSelect	  0x0188u
#define TPM_CC_PolicyGetDigest		  0x0189u
#define TPM_CC_TestParms		  0x018Au
#define TPM_CC_Commit			  0x018Bu
#define TPM_CC_PolicyPassword		  0x018Cu
#define TPM_CC_ZGen_2Phase		  0x018Du
#define TPM_CC_EC_Ephemeral		  0x018Eu
#define TPM_CC_PolicyNvWritten		  0x018Fu
#define TPM_CC_PolicyTemplate		  0x0190u
#define TPM_CC_CreateLoaded		  0x0191u
#define TPM_CC_PolicyAuthorizeNV	  0x0192u
#define TPM_CC_EncryptDecrypt2		  0x0193u

/* Part 2, 6.6 TPM_RC: format-zero codes */
#define TPM_RC_SUCCESS		 0x000u
#define TPM_RC_BAD_TAG		 0x01Eu
#define TPM_RC_VER1		 0x100u
#define TPM_RC_INITIALIZE	 0x100u
#define TPM_RC_FAILURE		 0x101u
#define TPM_RC_SEQUENCE		 0x103u
#define TPM_RC_PRIVATE		 0x10Bu
#define TPM_RC_HMAC		 0x119u
#define TPM_RC_DISABLED		 0x120u
#define TPM_RC_EXCLUSIVE	 0x121u
#define TPM_RC_AUTH_TYPE	 0x124u
#define TPM_RC_AUTH_MISSING	 0x125u
#define TPM_RC_POLICY		 0x126u
#define TPM_RC_PCR		 0x127u
#define TPM_RC_PCR_CHANGED	 0x128u
#define TPM_RC_UPGRADE		 0x12Du
#define TPM_RC_TOO_MANY_CONTEXTS 0x12Eu
#define TPM_RC_AUTH_UNAVAILABLE	 0x12Fu
#define TPM_RC_REBOOT		 0x130u
#define TPM_RC_UNBALANCED	 0x131u
#define TPM_RC_COMMAND_SIZE	 0x142u
#define TPM_RC_COMMAND_CODE	 0x143u
#define TPM_RC_AUTHSIZE		 0x144u
#define TPM_RC_AUTH_CONTEXT	 0x145u
#define TPM_RC_NV_RANGE		 0x146u
#define TPM_RC_NV_SIZE		 0x147u
#define TPM_RC_NV_LOCKED	 0x148u
#define TPM_RC_NV_AUTHORIZATION	 0x149u
#define TPM_RC_NV_UNINITIALIZED	 0x14Au
#define TPM_RC_NV_SPACE		 0x14Bu
#define TPM_RC_NV_DEFINED	 0x14Cu
#define TPM_RC_BAD_CONTEXT	 0x150u
#define TPM_RC_CPHASH		 0x151u
#define TPM_RC_PARENT		 0x152u
#define TPM_RC_NEEDS_TEST	 0x153u
#define TPM_RC_NO_RESULT	 0x154u
#define TPM_RC_SENSITIVE	 0x155u
/* format-one codes: parameter, handle or session number is added with TPM_RC_P/H/S below */
#define TPM_RC_FMT1	     0x080u
#define TPM_RC_ASYMMETRIC    0x081u
#define TPM_RC_ATTRIBUTES    0x082u
#define TPM_RC_HASH	     0x083u
#define TPM_RC_VALUE	     0x084u
#define TPM_RC_HIERARCHY     0x085u
#define TPM_RC_KEY_SIZE	     0x087u
#define TPM_RC_MGF	     0x088u
#define TPM_RC_MODE	     0x089u
#define TPM_RC_TYPE	     0x08Au
#define TPM_RC_HANDLE	     0x08Bu
#define TPM_RC_KDF	     0x08Cu
#define TPM_RC_RANGE	     0x08Du
#define TPM_RC_AUTH_FAIL     0x08Eu
#define TPM_RC_NONCE	     0x08Fu
#define TPM_RC_PP	     0x090u
#define TPM_RC_SCHEME	     0x092u
#define TPM_RC_SIZE	     0x095u
#define TPM_RC_SYMMETRIC     0x096u
#define TPM_RC_TAG	     0x097u
#define TPM_RC_SELECTOR	     0x098u
#define TPM_RC_INSUFFICIENT  0x09Au
#define TPM_RC_SIGNATURE     0x09Bu
#define TPM_RC_KEY	     0x09Cu
#define TPM_RC_POLICY_FAIL   0x09Du
#define TPM_RC_INTEGRITY     0x09Fu
#define TPM_RC_TICKET	     0x0A0u
#define TPM_RC_RESERVED_BITS 0x0A1u
#define TPM_RC_BAD_AUTH	     0x0A2u
#define TPM_RC_EXPIRED	     0x0A3u
#define TPM_RC_POLICY_CC     0x0A4u
#define TPM_RC_BINDING	     0x0A5u
#define TPM_RC_CURVE	     0x0A6u
#define TPM_RC_ECC_POINT     0x0A7u
/* warnings */
#define TPM_RC_WARN	       0x900u
#define TPM_RC_CONTEXT_GAP     0x901u
#define TPM_RC_OBJECT_MEMORY   0x902u
#define TPM_RC_SESSION_MEMORY  0x903u
#define TPM_RC_MEMORY	       0x904u
#define TPM_RC_SESSION_HANDLES 0x905u
#define TPM_RC_OBJECT_HANDLES  0x906u
#define TPM_RC_LOCALITY	       0x907u
#define TPM_RC_YIELDED	       0x908u
#define TPM_RC_CANCELED	       0x909u
#define TPM_RC_TESTING	       0x90Au
#define TPM_RC_REFERENCE_H0    0x910u
#define TPM_RC_REFERENCE_S0    0x918u
#define TPM_RC_NV_RATE	       0x920u
#define TPM_RC_LOCKOUT	       0x921u
#define TPM_RC_RETRY	       0x922u
#define TPM_RC_NV_UNAVAILABLE  0x923u
/* format-one numbering: bits 8..11 carry N; RC_P marks a parameter, RC_S a session */
#define TPM_RC_H       0x000u
#define TPM_RC_P       0x040u
#define TPM_RC_S       0x800u
#define TPM_RC_N_SHIFT 8

/* Part 2, 7 handles */
#define TPM_HR_SHIFT	      24
#define TPM_HT_PCR	      0x00u
#define TPM_HT_NV_INDEX	      0x01u
#define TPM_HT_HMAC_SESSION   0x02u
#define TPM_HT_POLICY_SESSION 0x03u
#define TPM_HT_PERMANENT      0x40u
#define TPM_HT_TRANSIENT      0x80u
#define TPM_HT_PERSISTENT     0x81u
#define TPM_HT_AC	      0x90u
#define TPM_RH_OWNER	      0x40000001u
#define TPM_RH_NULL	      0x40000007u
#define TPM_RS_PW	      0x40000009u
#define TPM_RH_LOCKOUT	      0x4000000Au
#define TPM_RH_ENDORSEMENT    0x4000000Bu
#define TPM_RH_PLATFORM	      0x4000000Cu
#define TPM_RH_PLATFORM_NV    0x4000000Du
#define TPM_HR_NV_INDEX	      0x01000000u
#define TPM_HR_HMAC_SESSION   0x02000000u
#define TPM_HR_POLICY_SESSION 0x03000000u
#define TPM_HR_PERMANENT      0x40000000u
#define TPM_HR_TRANSIENT      0x80000000u
#define TPM_HR_PERSISTENT     0x81000000u

/* Part 2, 8.4 TPMA_SESSION */
#define TPMA_SESSION_CONTINUESESSION 0x01u
#define TPMA_SESSION_AUDITEXCLUSIVE  0x02u
#define TPMA_SESSION_AUDITRESET	     0x04u
#define TPMA_SESSION_RESERVED	     0x18u
#define TPMA_SESSION_DECRYPT	     0x20u
#define TPMA_SESSION_ENCRYPT	     0x40u
#define TPMA_SESSION_AUDIT	     0x80u

/* Part 2, 8.2 TPMA_ALGORITHM */
#define TPMA_ALGORITHM_ASYMMETRIC 0x001u
#define TPMA_ALGORITHM_SYMMETRIC  0x002u
#define TPMA_ALGORITHM_HASH	  0x004u
#define TPMA_ALGORITHM_OBJECT	  0x008u
#define TPMA_ALGORITHM_SIGNING	  0x100u
#define TPMA_ALGORITHM_ENCRYPTING 0x200u
#define TPMA_ALGORITHM_METHOD	  0x400u

/* Part 2, 8.3 TPMA_OBJECT */
#define TPMA_OBJECT_FIXEDTPM		 0x00000002u
#define TPMA_OBJECT_STCLEAR		 0x00000004u
#define TPMA_OBJECT_FIXEDPARENT		 0x00000010u
#define TPMA_OBJECT_SENSITIVEDATAORIGIN	 0x00000020u
#define TPMA_OBJECT_USERWITHAUTH	 0x00000040u
#define TPMA_OBJECT_ADMINWITHPOLICY	 0x00000080u
#define TPMA_OBJECT_NODA		 0x00000400u
#define TPMA_OBJECT_ENCRYPTEDDUPLICATION 0x00000800u
#define TPMA_OBJECT_RESTRICTED		 0x00010000u
#define TPMA_OBJECT_DECRYPT		 0x00020000u
#define TPMA_OBJECT_SIGN_ENCRYPT	 0x00040000u
#define TPMA_OBJECT_X509SIGN		 0x00080000u
/* bits 0, 3, 8-9, 12-15 and 20-31 (x509sign, bit 19, is defined from revision 1.59 on) */
#define TPMA_OBJECT_RESERVED 0xFFF0F309u

/* Part 2, 8.5 TPMA_LOCALITY: TPM_LOC_ZERO..FOUR are bits 0..4 */
#define TPMA_LOCALITY_LOC_ZERO 0x01u

/* Part 2, 8.6 TPMA_PERMANENT and 8.7 TPMA_STARTUP_CLEAR */
#define TPMA_PERMANENT_OWNERAUTHSET	  0x001u
#define TPMA_PERMANENT_ENDORSEMENTAUTHSET 0x002u
#define TPMA_PERMANENT_LOCKOUTAUTHSET	  0x004u
#define TPMA_PERMANENT_DISABLECLEAR	  0x100u
#define TPMA_PERMANENT_INLOCKOUT	  0x200u
#define TPMA_PERMANENT_TPMGENERATEDEPS	  0x400u
#define TPMA_STARTUP_CLEAR_PHENABLE	  0x1u
#define TPMA_STARTUP_CLEAR_SHENABLE	  0x2u
#define TPMA_STARTUP_CLEAR_EHENABLE	  0x4u
#define TPMA_STARTUP_CLEAR_PHENABLENV	  0x8u
#define TPMA_STARTUP_CLEAR_ORDERLY	  0x80000000u

/* Part 2, 8.9 TPMA_CC */
#define TPMA_CC_COMMANDINDEX   0x0000FFFFu
#define TPMA_CC_NV	       0x00400000u
#define TPMA_CC_EXTENSIVE      0x00800000u
#define TPMA_CC_FLUSHED	       0x01000000u
#define TPMA_CC_CHANDLES_SHIFT 25
#define TPMA_CC_RHANDLE	       0x10000000u
#define TPMA_CC_V	       0x20000000u

/* Part 2, 13.4 TPMA_NV and 13.2 TPM_NT */
#define TPMA_NV_PPWRITE	       0x00000001u
#define TPMA_NV_OWNERWRITE     0x00000002u
#define TPMA_NV_AUTHWRITE      0x00000004u
#define TPMA_NV_POLICYWRITE    0x00000008u
#define TPMA_NV_TPM_NT_MASK    0x000000F0u
#define TPMA_NV_TPM_NT_SHIFT   4
#define TPMA_NV_RESERVED       0x01F00300u
#define TPMA_NV_POLICY_DELETE  0x00000400u
#define TPMA_NV_WRITELOCKED    0x00000800u
#define TPMA_NV_WRITEALL       0x00001000u
#define TPMA_NV_WRITEDEFINE    0x00002000u
#define TPMA_NV_WRITE_STCLEAR  0x00004000u
#define TPMA_NV_GLOBALLOCK     0x00008000u
#define TPMA_NV_PPREAD	       0x00010000u
#define TPMA_NV_OWNERREAD      0x00020000u
#define TPMA_NV_AUTHREAD       0x00040000u
#define TPMA_NV_POLICYREAD     0x00080000u
#define TPMA_NV_NO_DA	       0x02000000u
#define TPMA_NV_ORDERLY	       0x04000000u
#define TPMA_NV_CLEAR_STCLEAR  0x08000000u
#define TPMA_NV_READLOCKED     0x10000000u
#define TPMA_NV_WRITTEN	       0x20000000u
#define TPMA_NV_PLATFORMCREATE 0x40000000u
#define TPMA_NV_READ_STCLEAR   0x80000000u
#define TPM_NT_ORDINARY	       0x0u
#define TPM_NT_COUNTER	       0x1u
#define TPM_NT_BITS	       0x2u
#define TPM_NT_EXTEND	       0x4u
#define TPM_NT_PIN_FAIL	       0x8u
#define TPM_NT_PIN_PASS	       0x9u

/* Part 2, 6.12 TPM_CAP */
#define TPM_CAP_ALGS	       0x0u
#define TPM_CAP_HANDLES	       0x1u
#define TPM_CAP_COMMANDS       0x2u
#define TPM_CAP_PP_COMMANDS    0x3u
#define TPM_CAP_AUDIT_COMMANDS 0x4u
#define TPM_CAP_PCRS	       0x5u
#define TPM_CAP_TPM_PROPERTIES 0x6u
#define TPM_CAP_PCR_PROPERTIES 0x7u
#define TPM_CAP_ECC_CURVES     0x8u
#define TPM_CAP_AUTH_POLICIES  0x9u

/* Part 2, 6.13 TPM_PT (fixed group 0x100, variable group 0x200) */
#define TPM_PT_NONE		   0x000u
#define TPM_PT_FIXED		   0x100u
#define TPM_PT_FAMILY_INDICATOR	   0x100u
#define TPM_PT_LEVEL		   0x101u
#define TPM_PT_REVISION		   0x102u
#define TPM_PT_DAY_OF_YEAR	   0x103u
#define TPM_PT_YEAR		   0x104u
#define TPM_PT_MANUFACTURER	   0x105u
#define TPM_PT_VENDOR_STRING_1	   0x106u
#define TPM_PT_VENDOR_STRING_2	   0x107u
#define TPM_PT_VENDOR_STRING_3	   0x108u
#define TPM_PT_VENDOR_STRING_4	   0x109u
#define TPM_PT_VENDOR_TPM_TYPE	   0x10Au
#define TPM_PT_FIRMWARE_VERSION_1  0x10Bu
#define TPM_PT_FIRMWARE_VERSION_2  0x10Cu
#define TPM_PT_INPUT_BUFFER	   0x10Du
#define TPM_PT_HR_TRANSIENT_MIN	   0x10Eu
#define TPM_PT_HR_PERSISTENT_MIN   0x10Fu
#define TPM_PT_HR_LOADED_MIN	   0x110u
#define TPM_PT_ACTIVE_SESSIONS_MAX 0x111u
#define TPM_PT_PCR_COUNT	   0x112u
#define TPM_PT_PCR_SELECT_MIN	   0x113u
#define TPM_PT_CONTEXT_GAP_MAX	   0x114u
#define TPM_PT_NV_COUNTERS_MAX	   0x116u
#define TPM_PT_NV_INDEX_MAX	   0x117u
#define TPM_PT_MEMORY		   0x118u
#define TPM_PT_CLOCK_UPDATE	   0x119u
#define TPM_PT_CONTEXT_HASH	   0x11Au
#define TPM_PT_CONTEXT_SYM	   0x11Bu
#define TPM_PT_CONTEXT_SYM_SIZE	   0x11Cu
#define TPM_PT_ORDERLY_COUNT	   0x11Du
#define TPM_PT_MAX_COMMAND_SIZE	   0x11Eu
#define TPM_PT_MAX_RESPONSE_SIZE   0x11Fu
#define TPM_PT_MAX_DIGEST	   0x120u
#define TPM_PT_MAX_OBJECT_CONTEXT  0x121u
#define TPM_PT_MAX_SESSION_CONTEXT 0x122u
#define TPM_PT_PS_FAMILY_INDICATOR 0x123u
#define TPM_PT_PS_LEVEL		   0x124u
#define TPM_PT_PS_REVISION	   0x125u
#define TPM_PT_PS_DAY_OF_YEAR	   0x126u
#define TPM_PT_PS_YEAR		   0x127u
#define TPM_PT_SPLIT_MAX	   0x128u
#define TPM_PT_TOTAL_COMMANDS	   0x129u
#define TPM_PT_LIBRARY_COMMANDS	   0x12Au
#define TPM_PT_VENDOR_COMMANDS	   0x12Bu
#define TPM_PT_NV_BUFFER_MAX	   0x12Cu
#define TPM_PT_MODES		   0x12Du
#define TPM_PT_MAX_CAP_BUFFER	   0x12Eu
#define TPM_PT_VAR		   0x200u
#define TPM_PT_PERMANENT	   0x200u
#define TPM_PT_STARTUP_CLEAR	   0x201u
#define TPM_PT_HR_NV_INDEX	   0x202u
#define TPM_PT_HR_LOADED	   0x203u
#define TPM_PT_HR_LOADED_AVAIL	   0x204u
#define TPM_PT_HR_ACTIVE	   0x205u
#define TPM_PT_HR_ACTIVE_AVAIL	   0x206u
#define TPM_PT_HR_TRANSIENT_AVAIL  0x207u
#define TPM_PT_HR_PERSISTENT	   0x208u
#define TPM_PT_HR_PERSISTENT_AVAIL 0x209u
#define TPM_PT_NV_COUNTERS	   0x20Au
#define TPM_PT_NV_COUNTERS_AVAIL   0x20Bu
#define TPM_PT_ALGORITHM_SET	   0x20Cu
#define TPM_PT_LOADED_CURVES	   0x20Du
#define TPM_PT_LOCKOUT_COUNTER	   0x20Eu
#define TPM_PT_MAX_AUTH_FAIL	   0x20Fu
#define TPM_PT_LOCKOUT_INTERVAL	   0x210u
#define TPM_PT_LOCKOUT_RECOVERY	   0x211u
#define TPM_PT_NV_WRITE_RECOVERY   0x212u
#define TPM_PT_AUDIT_COUNTER_0	   0x213u
#define TPM_PT_AUDIT_COUNTER_1	   0x214u

/* Part 2, 6.14 TPM_PT_PCR */
#define TPM_PT_PCR_SAVE		0x00u
#define TPM_PT_PCR_EXTEND_L0	0x01u
#define TPM_PT_PCR_RESET_L0	0x02u
#define TPM_PT_PCR_EXTEND_L1	0x03u
#define TPM_PT_PCR_RESET_L1	0x04u
#define TPM_PT_PCR_EXTEND_L2	0x05u
#define TPM_PT_PCR_RESET_L2	0x06u
#define TPM_PT_PCR_EXTEND_L3	0x07u
#define TPM_PT_PCR_RESET_L3	0x08u
#define TPM_PT_PCR_EXTEND_L4	0x09u
#define TPM_PT_PCR_RESET_L4	0x0Au
#define TPM_PT_PCR_NO_INCREMENT 0x11u
#define TPM_PT_PCR_DRTM_RESET	0x12u
#define TPM_PT_PCR_POLICY	0x13u
#define TPM_PT_PCR_AUTH		0x14u

/* Part 2, 5.3 TPMI_YES_NO */
#define TPM_YES 1u
#define TPM_NO	0u

#endif
