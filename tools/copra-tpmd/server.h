/* SPDX-License-Identifier: MIT */
/*
 * copra-tpmd's sockets: a TPM command port (raw TPM commands as swtpm's socket mode takes them,
 * or MS-simulator framed ones, told apart per message) and, on the next port, either swtpm's
 * control channel or the MS-simulator platform port.
 */
#ifndef COPRA_TPMD_SERVER_H
#define COPRA_TPMD_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <tpm/tpm.h>

enum tpmd_ctrl {
	TPMD_CTRL_SWTPM, /* swtpm control channel (tpm2-tss swtpm: TCTI) */
	TPMD_CTRL_MSSIM, /* MS-simulator platform port (tpm2-tss mssim: TCTI, IBM TSS socsim) */
};

struct tpmd_config {
	const char *bind_addr; /* numeric IPv4 or IPv6 address */
	uint16_t port;	       /* command port; the control/platform port is port + 1 */
	enum tpmd_ctrl ctrl;
	bool verbose;
	/* Set by the SIGTERM/SIGINT handler; those signals are blocked except inside ppoll. */
	volatile sig_atomic_t *stop_signal;
	const sigset_t *poll_sigmask; /* the mask ppoll waits with (stop signals unblocked) */
};

struct tpmd_server;

/*
 * Bind and listen on both ports. tpm must outlive the server; powered says whether the caller
 * has powered it on (the server tracks power from then on). NULL on failure (reported).
 */
struct tpmd_server *tpmd_server_open(const struct tpmd_config *cfg, struct tpm *tpm, bool powered);

/*
 * Serve until a stop signal or a client's stop request (swtpm CMD_SHUTDOWN, MS-simulator
 * TPM_STOP). Misbehaving clients only lose their own connection. 0 on an orderly stop, -1 when
 * polling itself failed.
 */
int tpmd_server_run(struct tpmd_server *srv);

/* Whether the TPM is powered on now (clients can power it off and on). */
bool tpmd_server_powered(const struct tpmd_server *srv);

/* Close every socket; the TPM itself is left to the caller. */
void tpmd_server_close(struct tpmd_server *srv);

#endif
