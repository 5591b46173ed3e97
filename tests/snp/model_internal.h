/* SPDX-License-Identifier: MIT */
/*
 * The machine model's state, shared by the model files in tests/snp/ only. Everything is guarded by
 * model_lock except the per-thread vCPU binding.
 */
#ifndef SNP_MODEL_INTERNAL_H
#define SNP_MODEL_INTERNAL_H

#include "model.h"
#include <pthread.h>

#define MODEL_MAX_APS	64
#define MODEL_MAX_MSRS	32
#define MODEL_CERTS_MAX (64u * 4096u)

/* The model's own copy of the wire constants (deliberately not the platform's headers). */
#define M_GHCB_RAX	  0x1F8u
#define M_GHCB_RCX	  0x308u
#define M_GHCB_RDX	  0x310u
#define M_GHCB_RBX	  0x318u
#define M_GHCB_EXIT_CODE  0x390u
#define M_GHCB_EXIT_INFO1 0x398u
#define M_GHCB_EXIT_INFO2 0x3A0u
#define M_GHCB_SCRATCH	  0x3A8u
#define M_GHCB_VALID	  0x3F0u
#define M_GHCB_BUF	  0x800u
#define M_GHCB_BUF_END	  0xFF0u
#define M_GHCB_VERSION	  0xFFAu
#define M_GHCB_USAGE	  0xFFCu

struct model_page {
	bool assigned, validated, page_2m, vmsa;
	bool running;	/* a vCPU runs this VMSA */
	bool decrypted; /* the SVSM maps it without the C-bit (snp_hw_set_encrypted) */
	uint16_t perm[4];
};

struct model_cpu {
	uint64_t ghcb_msr;
	uint64_t ghcb_gpa; /* registered, or ~0 */
	int maps;	   /* snp_hw_map calls not yet unmapped */
};

struct model_ap {
	bool used;
	uint32_t apic_id;
	unsigned int vmpl;
	uint64_t vmsa;
};

struct model_lie_state {
	uint32_t times;
	uint64_t arg;
	uint32_t told;
};

struct model {
	struct model_config cfg;
	uint8_t *ram;
	struct model_page *rmp;
	size_t npages;
	struct model_cpu cpu[MODEL_MAX_CPUS];
	uint64_t alloc_top; /* snp_hw_alloc_pages hands out pages below this */
	/* hypervisor */
	struct model_lie_state lie[MODEL_LIE_COUNT];
	uint8_t *certs;
	size_t certs_len;
	uint32_t io[65536];
	struct {
		uint32_t msr;
		uint64_t val;
	} msrs[MODEL_MAX_MSRS];
	unsigned int nmsrs;
	uint8_t mmio[MODEL_MMIO_SIZE];
	bool terminated;
	unsigned int term_set, term_code;
	model_guest_fn runner;
	void *runner_arg;
	struct model_ap aps[MODEL_MAX_APS];
	unsigned int ap_events;
	unsigned int faults;
	char fault_text[200];
	/* PSP */
	uint8_t vmpck[4][32];
	uint64_t seqno[4];
	struct model_psp_stats stats;
	struct model_launch launch;
};

extern pthread_mutex_t model_lock;
extern struct model *M;

void model_lock_take(void);
void model_lock_drop(void);
/* The page entry for gpa, or NULL outside RAM. Lock held. */
struct model_page *model_page(uint64_t gpa);
/* Records an SVSM mistake. Lock held. */
void model_fault(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True (and counts it) when the next event of this kind should lie. Lock held. */
bool model_lying(enum model_lie lie, uint64_t *arg);
/* The hypervisor's side of VMGEXIT on the current vCPU (takes the lock itself). */
void model_hv_vmgexit(void);
/* The PSP: handles one request page, writes the response page; 0 or a firmware error. */
uint32_t model_psp_request(const uint8_t *req, uint8_t *resp);
void model_psp_init(void);
/* The hypervisor's MSR slot for msr (created when asked and there is room), or NULL. */
uint64_t *model_msr_slot(uint32_t msr, bool create);
/* Helpers over little-endian bytes. */
uint64_t model_get64(const uint8_t *p);
void model_put64(uint8_t *p, uint64_t v);
uint32_t model_get32(const uint8_t *p);
void model_put32(uint8_t *p, uint32_t v);

#endif
