/* SPDX-License-Identifier: MIT */
/*
 * copra-tpmd's two ports and the three wire protocols spoken on them.
 *
 * One thread, one ppoll() over both listening sockets and every open connection. Each connection
 * accumulates bytes until one whole message is there, then the message is decoded completely
 * before anything happens (a truncated or malformed message changes nothing). A client that
 * sends garbage or vanishes loses only its own connection; nothing a client sends stops the
 * server except the protocols' own stop requests.
 *
 * Every integer on the wire is big-endian. Where each fact was checked on this machine is noted
 * at its definition below; "measured" means observed on the wire with swtpm 0.7.1, swtpm_ioctl,
 * tpm2-tools 5.4 / tpm2-tss 3.2.1 (swtpm: and mssim: TCTIs) or the IBM TSS utilities (socsim).
 */
/* accept4 and ppoll are GNU extensions (Linux). */
#define _GNU_SOURCE
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lib/compiler.h>

/*
 * MS TPM 2.0 simulator protocol (the reference simulator's TpmTcpProtocol.h, which is not on this
 * machine). Checked here: 1, 2, 8, 9, 10, 11, 20 in tpm2-tss's tss2_tcti_mssim.h; 1, 2, 8, 11, 20
 * in the IBM TSS's tss2/tsstransmit.h ("copy of TpmTcpProtocol.h"); measured: the mssim TCTI sends
 * POWER_ON, NV_ON at init, tsspowerup sends POWER_OFF, POWER_ON, NV_ON, SESSION_END, and both
 * frame commands as SEND_COMMAND. The other codes, the handshake answer and the per-message
 * behaviour (reply u32 0 after each handled message; the command port ends the session on an
 * unknown code; the platform port answers it with 1 and ends the session) follow the simulator
 * source as remembered and could not be checked here; no client on this machine sends them.
 */
#define MSSIM_SIGNAL_POWER_ON	     1u
#define MSSIM_SIGNAL_POWER_OFF	     2u
#define MSSIM_SIGNAL_PHYS_PRES_ON    3u
#define MSSIM_SIGNAL_PHYS_PRES_OFF   4u
#define MSSIM_SIGNAL_HASH_START	     5u
#define MSSIM_SIGNAL_HASH_DATA	     6u
#define MSSIM_SIGNAL_HASH_END	     7u
#define MSSIM_SEND_COMMAND	     8u
#define MSSIM_SIGNAL_CANCEL_ON	     9u
#define MSSIM_SIGNAL_CANCEL_OFF	     10u
#define MSSIM_SIGNAL_NV_ON	     11u
#define MSSIM_SIGNAL_NV_OFF	     12u
#define MSSIM_SIGNAL_KEY_CACHE_ON    13u
#define MSSIM_SIGNAL_KEY_CACHE_OFF   14u
#define MSSIM_REMOTE_HANDSHAKE	     15u
#define MSSIM_SET_ALTERNATIVE_RESULT 16u
#define MSSIM_SIGNAL_RESET	     17u
#define MSSIM_SIGNAL_RESTART	     18u
#define MSSIM_SESSION_END	     20u
#define MSSIM_STOP		     21u

/* REMOTE_HANDSHAKE answer: server version 1, then TpmEndPointInfo flags (simulator source). */
#define MSSIM_SERVER_VERSION	    1u
#define MSSIM_EP_PLATFORM_AVAILABLE 0x01u
#define MSSIM_EP_USES_TBS	    0x02u /* a Windows TBS behind the server: never here */
#define MSSIM_EP_IN_RAW_MODE	    0x04u
#define MSSIM_EP_SUPPORTS_PP	    0x08u

/*
 * swtpm control channel (swtpm's tpm_ioctl.h; its man page swtpm-ioctls is not installed here).
 * Codes measured from what swtpm_ioctl sends for -c 1, -i 2 (+u32 flags), -s 3, -e 4,
 * -l 5 (+u8), -h 6, -C 9, -v 10, -r 11 (+u8), --stop 14, -g 15, -b 17 (+u32), --info 18; the
 * tpm2-tss swtpm TCTI sends only CMD_SET_LOCALITY 0 at init (measured), expecting result 0.
 * Answers measured on swtpm 0.7.1: GET_CAPABILITY is a bare u64 mask (0xffff there: 16 bits),
 * the others a u32 result first; see swtpm_answer() for each.
 */
#define SWTPM_CMD_GET_CAPABILITY       1u
#define SWTPM_CMD_INIT		       2u
#define SWTPM_CMD_SHUTDOWN	       3u
#define SWTPM_CMD_GET_TPMESTABLISHED   4u
#define SWTPM_CMD_SET_LOCALITY	       5u
#define SWTPM_CMD_CANCEL_TPM_CMD       9u
#define SWTPM_CMD_STORE_VOLATILE       10u
#define SWTPM_CMD_RESET_TPMESTABLISHED 11u
#define SWTPM_CMD_STOP		       14u
#define SWTPM_CMD_GET_CONFIG	       15u
#define SWTPM_CMD_SET_BUFFERSIZE       17u

/* PTM_CAP_* bits (tpm_ioctl.h as remembered; swtpm_ioctl -c only prints the mask). */
#define SWTPM_CAP_INIT		       (1u << 0)
#define SWTPM_CAP_SHUTDOWN	       (1u << 1)
#define SWTPM_CAP_GET_TPMESTABLISHED   (1u << 2)
#define SWTPM_CAP_SET_LOCALITY	       (1u << 3)
#define SWTPM_CAP_CANCEL_TPM_CMD       (1u << 5)
#define SWTPM_CAP_STORE_VOLATILE       (1u << 6)
#define SWTPM_CAP_RESET_TPMESTABLISHED (1u << 7)
#define SWTPM_CAP_STOP		       (1u << 10)
#define SWTPM_CAP_GET_CONFIG	       (1u << 11)
#define SWTPM_CAP_SET_BUFFERSIZE       (1u << 13)

/*
 * Results are TPM 1.2 codes (values from libtpms's libtpms/tpm_error.h); measured: swtpm answers
 * an unknown code with 10, locality 5 with 61.
 */
#define SWTPM_RES_SUCCESS      0u
#define SWTPM_RES_FAIL	       9u
#define SWTPM_RES_BAD_ORDINAL  10u
#define SWTPM_RES_BAD_LOCALITY 61u

/* TPM 2.0 values from tss2/tss2_tpm2_types.h. */
#define TPM_ST_NO_SESSIONS 0x8001u
#define TPM_ST_SESSIONS	   0x8002u
#define TPM_HEADER_SIZE	   10u
#define TPM_RC_FAILURE	   0x101u /* TPM2_RC_VER1 + 1 */
#define TPM_MAX_LOCALITY   4u	  /* tpm.h: tpm_execute takes 0..4 */

#define MAX_CONNS	   16
#define SEND_TIMEOUT_MS	   5000
/* The largest message either port accepts: TPM_SEND_COMMAND with a maximal command. */
#define IN_CAP (4u + 1u + 4u + TPM_MAX_COMMAND_SIZE)
/* The largest reply: a framed maximal response plus the trailing acknowledgement. */
#define OUT_CAP (4u + TPM_MAX_RESPONSE_SIZE + 4u)

/* A broken internal invariant (not bad input): stop loudly, STYLE.md's second level of error. */
#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			(void)fprintf(stderr, "copra-tpmd: %s:%d: CHECK(%s) failed\n", __FILE__, \
				      __LINE__, #cond);                                          \
			abort();                                                                 \
		}                                                                                \
	} while (0)

enum conn_kind {
	CONN_CMD,  /* the TPM command port */
	CONN_CTRL, /* swtpm control channel or MS-simulator platform port */
};

struct conn {
	int fd; /* -1: slot free */
	enum conn_kind kind;
	size_t len;	      /* bytes buffered in in[] */
	uint64_t last_active; /* server tick of the last accept or read */
	uint8_t in[IN_CAP];
};

/* What a message handler asks the connection loop to do next. */
enum action {
	ACT_MORE,  /* the message is not complete yet: read more */
	ACT_DONE,  /* the message was handled and *used bytes consumed */
	ACT_CLOSE, /* close this connection (end of session or bad input) */
	ACT_STOP,  /* stop the server */
};

struct tpmd_server {
	struct tpmd_config cfg;
	struct tpm *tpm;
	bool powered;
	/* Locality for raw-framed commands, set through swtpm CMD_SET_LOCALITY. */
	uint8_t locality;
	int listen_fd[2]; /* [CONN_CMD], [CONN_CTRL] */
	uint64_t tick;	  /* counts accepts and reads, to find the longest idle connection */
	struct conn conns[MAX_CONNS];
	uint8_t rsp[TPM_MAX_RESPONSE_SIZE];
	uint8_t out[OUT_CAP];
};

_Static_assert(OUT_CAP >= 4 + TPM_MAX_RESPONSE_SIZE + 4, "framed response fits");

static __printf(2, 3) void logv(const struct tpmd_server *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->cfg.verbose)
		return;
	va_start(ap, fmt);
	(void)fputs("copra-tpmd: ", stderr);
	(void)vfprintf(stderr, fmt, ap);
	(void)fputc('\n', stderr);
	va_end(ap);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put_be64(uint8_t *p, uint64_t v)
{
	return put_be32(put_be32(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

/*
 * Write all of buf to a non-blocking socket, waiting a bounded time for room: a client that
 * stops reading loses its connection instead of stalling the server. 0 or -1.
 */
static int send_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT, .revents = 0};
			int r = 0;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			r = poll(&pfd, 1, SEND_TIMEOUT_MS);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- TPM power and execution ---- */

static int tpm_power_on_logged(struct tpmd_server *s)
{
	int rc = 0;

	if (s->powered)
		return 0;
	rc = tpm_power_on(s->tpm);
	if (rc != TPM_OK) {
		/* Always reported: a client asked for power and the TPM cannot come up. */
		(void)fprintf(stderr, "copra-tpmd: power on failed (tpm error %d)\n", rc);
		return -1;
	}
	s->powered = true;
	logv(s, "TPM powered on (needs Startup)");
	return 0;
}

static void tpm_power_off_logged(struct tpmd_server *s)
{
	if (!s->powered)
		return;
	tpm_power_off(s->tpm);
	s->powered = false;
	logv(s, "TPM powered off");
}

/*
 * Run one command; the response lands in s->rsp and its length is returned. While the TPM is
 * powered off every command gets the 10-byte TPM_RC_FAILURE response swtpm 0.7.1 gives before
 * CMD_INIT and after CMD_STOP (measured: 80 01 00 00 00 0a 00 00 01 01).
 */
static size_t execute(struct tpmd_server *s, uint8_t locality, const uint8_t *cmd, size_t len)
{
	size_t n = 0;

	if (!s->powered) {
		uint8_t *p = s->rsp;

		p[0] = (uint8_t)(TPM_ST_NO_SESSIONS >> 8);
		p[1] = (uint8_t)TPM_ST_NO_SESSIONS;
		p = put_be32(p + 2, TPM_HEADER_SIZE);
		(void)put_be32(p, TPM_RC_FAILURE);
		logv(s, "command while powered off: TPM_RC_FAILURE");
		return TPM_HEADER_SIZE;
	}
	n = tpm_execute(s->tpm, locality, cmd, len, s->rsp, sizeof(s->rsp));
	/* tpm.h promises a well-formed response whatever the command: else an engine bug. */
	CHECK(n >= TPM_HEADER_SIZE && n <= sizeof(s->rsp));
	logv(s, "cmd 0x%08x (%zu bytes, locality %u) -> rc 0x%08x (%zu bytes)",
	     len >= TPM_HEADER_SIZE ? get_be32(cmd + 6) : 0u, len, locality, get_be32(s->rsp + 6),
	     n);
	return n;
}

/* ---- command port ---- */

/* A raw TPM command (swtpm socket mode): the response goes back unframed. */
static enum action cmd_raw(struct tpmd_server *s, struct conn *c, size_t *used)
{
	uint32_t size = 0;
	size_t n = 0;

	if (c->len < 6)
		return ACT_MORE;
	size = get_be32(c->in + 2);
	if (size < TPM_HEADER_SIZE || size > TPM_MAX_COMMAND_SIZE) {
		logv(s, "raw command with size %u: closing", size);
		return ACT_CLOSE;
	}
	if (c->len < size)
		return ACT_MORE;
	n = execute(s, s->locality, c->in, size);
	*used = size;
	return send_all(c->fd, s->rsp, n) == 0 ? ACT_DONE : ACT_CLOSE;
}

/* MS-simulator TPM_SEND_COMMAND: u8 locality, u32 size, command -> u32 size, response, u32 0. */
static enum action mssim_send_command(struct tpmd_server *s, struct conn *c, size_t *used)
{
	uint8_t locality = 0;
	uint32_t size = 0;
	size_t n = 0;
	uint8_t *p = s->out;

	if (c->len < 9)
		return ACT_MORE;
	locality = c->in[4];
	size = get_be32(c->in + 5);
	if (size > TPM_MAX_COMMAND_SIZE) {
		logv(s, "TPM_SEND_COMMAND of %u bytes: closing", size);
		return ACT_CLOSE;
	}
	if (locality > TPM_MAX_LOCALITY) {
		logv(s, "TPM_SEND_COMMAND at locality %u: closing", locality);
		return ACT_CLOSE;
	}
	if (c->len < 9u + size)
		return ACT_MORE;
	n = execute(s, locality, c->in + 9, size);
	p = put_be32(p, (uint32_t)n);
	memcpy(p, s->rsp, n);
	p = put_be32(p + n, 0);
	*used = 9u + size;
	return send_all(c->fd, s->out, (size_t)(p - s->out)) == 0 ? ACT_DONE : ACT_CLOSE;
}

/* Answer a simulator message with one u32 (0: done, 1: not done). */
static enum action reply_u32(struct conn *c, uint32_t v)
{
	uint8_t b[4];

	(void)put_be32(b, v);
	return send_all(c->fd, b, sizeof(b)) == 0 ? ACT_DONE : ACT_CLOSE;
}

static enum action mssim_command(struct tpmd_server *s, struct conn *c, size_t *used)
{
	uint32_t code = get_be32(c->in);
	uint8_t b[12];
	uint8_t *p = b;

	switch (code) {
	case MSSIM_SEND_COMMAND:
		return mssim_send_command(s, c, used);
	case MSSIM_REMOTE_HANDSHAKE:
		if (c->len < 8)
			return ACT_MORE;
		/* The simulator refuses client version 0 by ending the session. */
		if (get_be32(c->in + 4) == 0)
			return ACT_CLOSE;
		p = put_be32(p, MSSIM_SERVER_VERSION);
		p = put_be32(p, MSSIM_EP_PLATFORM_AVAILABLE | MSSIM_EP_IN_RAW_MODE |
					MSSIM_EP_SUPPORTS_PP);
		p = put_be32(p, 0);
		*used = 8;
		return send_all(c->fd, b, (size_t)(p - b)) == 0 ? ACT_DONE : ACT_CLOSE;
	case MSSIM_SET_ALTERNATIVE_RESULT:
		/* Accepted and ignored, as by the simulator. */
		if (c->len < 8)
			return ACT_MORE;
		*used = 8;
		return reply_u32(c, 0);
	case MSSIM_SIGNAL_HASH_START:
	case MSSIM_SIGNAL_HASH_END:
		/* tpm.h has no _TPM_Hash_* entry points: refuse instead of pretending. */
		*used = 4;
		logv(s, "hash signal %u not supported", code);
		return reply_u32(c, 1);
	case MSSIM_SIGNAL_HASH_DATA: {
		uint32_t size = 0;

		if (c->len < 8)
			return ACT_MORE;
		size = get_be32(c->in + 4);
		if (size > TPM_MAX_COMMAND_SIZE)
			return ACT_CLOSE;
		if (c->len < 8u + size)
			return ACT_MORE;
		*used = 8u + size;
		logv(s, "hash signal %u not supported", code);
		return reply_u32(c, 1);
	}
	case MSSIM_SESSION_END:
		logv(s, "command port: session end");
		return ACT_CLOSE;
	case MSSIM_STOP:
		logv(s, "command port: stop requested");
		return ACT_STOP;
	default:
		/* The simulator ends the session on an unknown command, without an answer. */
		logv(s, "command port: unknown message 0x%08x: closing", code);
		return ACT_CLOSE;
	}
}

/*
 * One message on the command port. The framing is chosen per message by its first bytes: a TPM
 * command tag (0x8001/0x8002) cannot be the high half of a simulator code (all below 0x100).
 */
static enum action handle_cmd_port(struct tpmd_server *s, struct conn *c, size_t *used)
{
	uint16_t tag = 0;

	if (c->len < 4)
		return ACT_MORE;
	tag = get_be16(c->in);
	if (tag == TPM_ST_NO_SESSIONS || tag == TPM_ST_SESSIONS)
		return cmd_raw(s, c, used);
	return mssim_command(s, c, used);
}

/* ---- MS-simulator platform port ---- */

static enum action handle_platform(struct tpmd_server *s, struct conn *c, size_t *used)
{
	uint32_t code = 0;
	uint32_t res = 0;

	if (c->len < 4)
		return ACT_MORE;
	code = get_be32(c->in);
	*used = 4;
	switch (code) {
	case MSSIM_SIGNAL_POWER_ON:
		/* Like the simulator: a no-op when already on, else _TPM_Init (Startup needed). */
		res = tpm_power_on_logged(s) == 0 ? 0 : 1;
		break;
	case MSSIM_SIGNAL_POWER_OFF:
		tpm_power_off_logged(s);
		break;
	case MSSIM_SIGNAL_RESET:
	case MSSIM_SIGNAL_RESTART:
		/* _TPM_Init of a powered TPM; nothing happens while it is off. */
		if (s->powered) {
			tpm_power_off_logged(s);
			res = tpm_power_on_logged(s) == 0 ? 0 : 1;
		}
		break;
	case MSSIM_SIGNAL_PHYS_PRES_ON:
	case MSSIM_SIGNAL_PHYS_PRES_OFF:
	case MSSIM_SIGNAL_NV_ON:
	case MSSIM_SIGNAL_NV_OFF:
	case MSSIM_SIGNAL_KEY_CACHE_ON:
	case MSSIM_SIGNAL_KEY_CACHE_OFF:
		/* tpm.h has no physical presence or NV-availability input: acknowledged only. */
		logv(s, "platform signal %u acknowledged (no effect)", code);
		break;
	case MSSIM_SIGNAL_CANCEL_ON:
	case MSSIM_SIGNAL_CANCEL_OFF:
		tpm_set_cancel(s->tpm, code == MSSIM_SIGNAL_CANCEL_ON);
		break;
	case MSSIM_SESSION_END:
		logv(s, "platform port: session end");
		(void)reply_u32(c, 0);
		return ACT_CLOSE;
	case MSSIM_STOP:
		logv(s, "platform port: stop requested");
		(void)reply_u32(c, 0);
		return ACT_STOP;
	default:
		/* The simulator answers 1 to an unknown platform command and ends the session. */
		logv(s, "platform port: unknown command 0x%08x: closing", code);
		(void)reply_u32(c, 1);
		return ACT_CLOSE;
	}
	return reply_u32(c, res);
}

/* ---- swtpm control channel ---- */

/* Payload size of each supported control command; -1 for an unknown one. */
static int swtpm_payload_size(uint32_t code)
{
	switch (code) {
	case SWTPM_CMD_INIT:
	case SWTPM_CMD_SET_BUFFERSIZE:
		return 4;
	case SWTPM_CMD_SET_LOCALITY:
	case SWTPM_CMD_RESET_TPMESTABLISHED:
		return 1;
	case SWTPM_CMD_GET_CAPABILITY:
	case SWTPM_CMD_SHUTDOWN:
	case SWTPM_CMD_GET_TPMESTABLISHED:
	case SWTPM_CMD_CANCEL_TPM_CMD:
	case SWTPM_CMD_STORE_VOLATILE:
	case SWTPM_CMD_STOP:
	case SWTPM_CMD_GET_CONFIG:
		return 0;
	default:
		return -1;
	}
}

/*
 * Commands that need a running TPM; while it is stopped swtpm answers them with the result
 * TPM_BAD_ORDINAL alone (measured on swtpm 0.7.1).
 */
static bool swtpm_needs_running(uint32_t code)
{
	return code == SWTPM_CMD_GET_TPMESTABLISHED || code == SWTPM_CMD_RESET_TPMESTABLISHED ||
	       code == SWTPM_CMD_CANCEL_TPM_CMD || code == SWTPM_CMD_STORE_VOLATILE;
}

/* Fill b with the answer to one complete, known control command; returns its length. */
static size_t swtpm_answer(struct tpmd_server *s, uint32_t code, const uint8_t *arg, uint8_t *b,
			   enum action *next)
{
	uint8_t *p = b;

	if (swtpm_needs_running(code) && !s->powered)
		return (size_t)(put_be32(p, SWTPM_RES_BAD_ORDINAL) - b);
	switch (code) {
	case SWTPM_CMD_GET_CAPABILITY:
		/* The answer is the 64-bit capability mask alone, without a result code. */
		p = put_be64(p, SWTPM_CAP_INIT | SWTPM_CAP_SHUTDOWN | SWTPM_CAP_GET_TPMESTABLISHED |
					SWTPM_CAP_SET_LOCALITY | SWTPM_CAP_CANCEL_TPM_CMD |
					SWTPM_CAP_STORE_VOLATILE | SWTPM_CAP_RESET_TPMESTABLISHED |
					SWTPM_CAP_STOP | SWTPM_CAP_GET_CONFIG |
					SWTPM_CAP_SET_BUFFERSIZE);
		break;
	case SWTPM_CMD_INIT:
		/*
		 * A power cycle; swtpm then needs Startup (its flags only choose whether saved
		 * volatile state is resumed, and there never is any here).
		 */
		tpm_power_off_logged(s);
		p = put_be32(p, tpm_power_on_logged(s) == 0 ? SWTPM_RES_SUCCESS : SWTPM_RES_FAIL);
		break;
	case SWTPM_CMD_SHUTDOWN:
		/* swtpm_ioctl -s: "shutdown the TPM; stops and exits". */
		p = put_be32(p, SWTPM_RES_SUCCESS);
		*next = ACT_STOP;
		break;
	case SWTPM_CMD_STOP:
		/* swtpm_ioctl --stop: "stop the TPM without exiting"; CMD_INIT powers it again. */
		tpm_power_off_logged(s);
		p = put_be32(p, SWTPM_RES_SUCCESS);
		break;
	case SWTPM_CMD_GET_TPMESTABLISHED:
		/* Result, the bit, 3 bytes of padding. Only _TPM_Hash_Start sets it: never here. */
		p = put_be32(p, SWTPM_RES_SUCCESS);
		memset(p, 0, 4);
		p += 4;
		break;
	case SWTPM_CMD_SET_LOCALITY:
		if (arg[0] > TPM_MAX_LOCALITY) {
			p = put_be32(p, SWTPM_RES_BAD_LOCALITY);
			break;
		}
		s->locality = arg[0];
		p = put_be32(p, SWTPM_RES_SUCCESS);
		break;
	case SWTPM_CMD_RESET_TPMESTABLISHED:
		/* Only localities 3 and 4 may reset the bit (swtpm answers 0x3d to others). */
		p = put_be32(p, arg[0] == 3 || arg[0] == 4 ? SWTPM_RES_SUCCESS
							   : SWTPM_RES_BAD_LOCALITY);
		break;
	case SWTPM_CMD_CANCEL_TPM_CMD:
		/* Commands run to completion before the next message is read: nothing to cancel. */
		p = put_be32(p, SWTPM_RES_SUCCESS);
		break;
	case SWTPM_CMD_STORE_VOLATILE:
		/*
		 * The engine commits NV itself as it changes; tpm.h offers no way to save volatile
		 * state, so there is nothing more to store.
		 */
		p = put_be32(p, SWTPM_RES_SUCCESS);
		break;
	case SWTPM_CMD_GET_CONFIG:
		/* Result and flags: no state-file encryption or migration keys. */
		p = put_be32(p, SWTPM_RES_SUCCESS);
		p = put_be32(p, 0);
		break;
	case SWTPM_CMD_SET_BUFFERSIZE:
		/*
		 * Result, size, minimum, maximum. swtpm refuses a change (non-zero request) while
		 * the TPM runs and clamps one while it is stopped; the size here is fixed, so
		 * min = max = size.
		 */
		if (s->powered && get_be32(arg) != 0) {
			p = put_be32(p, SWTPM_RES_BAD_ORDINAL);
			break;
		}
		p = put_be32(p, SWTPM_RES_SUCCESS);
		p = put_be32(p, TPM_MAX_COMMAND_SIZE);
		p = put_be32(p, TPM_MAX_COMMAND_SIZE);
		p = put_be32(p, TPM_MAX_COMMAND_SIZE);
		break;
	default:
		CHECK(false);
	}
	return (size_t)(p - b);
}

static enum action handle_swtpm_ctrl(struct tpmd_server *s, struct conn *c, size_t *used)
{
	uint32_t code = 0;
	int payload = 0;
	uint8_t b[16];
	size_t n = 0;
	enum action next = ACT_DONE;

	if (c->len < 4)
		return ACT_MORE;
	code = get_be32(c->in);
	payload = swtpm_payload_size(code);
	if (payload < 0) {
		/*
		 * swtpm reads a control message with one read() and answers an unknown code with
		 * TPM_BAD_ORDINAL; its length is unknown, so whatever else is buffered goes too.
		 */
		logv(s, "control: unknown command 0x%08x", code);
		*used = c->len;
		return reply_u32(c, SWTPM_RES_BAD_ORDINAL);
	}
	if (c->len < 4u + (size_t)payload)
		return ACT_MORE;
	*used = 4u + (size_t)payload;
	n = swtpm_answer(s, code, c->in + 4, b, &next);
	CHECK(n <= sizeof(b));
	logv(s, "control: command %u -> %zu-byte answer, result 0x%x", code, n,
	     code == SWTPM_CMD_GET_CAPABILITY ? 0u : get_be32(b));
	if (send_all(c->fd, b, n) != 0)
		return ACT_CLOSE;
	return next;
}

/* ---- sockets ---- */

static int listen_on(const struct tpmd_server *s, uint16_t port)
{
	struct addrinfo hints;
	struct addrinfo *ai = NULL;
	char service[8];
	int one = 1;
	int fd = -1;
	int rc = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	(void)snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(s->cfg.bind_addr, service, &hints, &ai);
	if (rc != 0) {
		(void)fprintf(stderr, "copra-tpmd: bad bind address %s: %s\n", s->cfg.bind_addr,
			      gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		(void)fprintf(stderr, "copra-tpmd: socket: %s\n", strerror(errno));
		goto fail;
	}
	/* Restarting right after a stop must not wait out TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
		(void)fprintf(stderr, "copra-tpmd: SO_REUSEADDR: %s\n", strerror(errno));
		goto fail;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		(void)fprintf(stderr, "copra-tpmd: cannot bind %s port %u: %s\n", s->cfg.bind_addr,
			      port, strerror(errno));
		goto fail;
	}
	if (listen(fd, 8) != 0) {
		(void)fprintf(stderr, "copra-tpmd: listen: %s\n", strerror(errno));
		goto fail;
	}
	freeaddrinfo(ai);
	return fd;
fail:
	if (fd >= 0 && close(fd) != 0)
		(void)fprintf(stderr, "copra-tpmd: close: %s\n", strerror(errno));
	freeaddrinfo(ai);
	return -1;
}

static void conn_close(struct tpmd_server *s, struct conn *c)
{
	if (close(c->fd) != 0)
		logv(s, "close: %s", strerror(errno));
	c->fd = -1;
	c->len = 0;
}

static void accept_one(struct tpmd_server *s, enum conn_kind kind)
{
	int one = 1;
	int fd = accept4(s->listen_fd[kind], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *victim = NULL;
	size_t i = 0;

	if (fd < 0) {
		/* The client may have given up between poll and accept; nothing to do. */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			logv(s, "accept: %s", strerror(errno));
		return;
	}
	/* Small request/response exchanges: do not let Nagle hold back a reply. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		logv(s, "TCP_NODELAY: %s", strerror(errno));
	/*
	 * With every slot taken, the connection idle the longest makes room: a client that leaks
	 * connections must not lock the others out.
	 */
	for (i = 0; i < MAX_CONNS; i++) {
		if (s->conns[i].fd < 0) {
			victim = &s->conns[i];
			break;
		}
		if (!victim || s->conns[i].last_active < victim->last_active)
			victim = &s->conns[i];
	}
	if (victim->fd >= 0) {
		logv(s, "too many connections: closing the longest idle one");
		conn_close(s, victim);
	}
	victim->fd = fd;
	victim->kind = kind;
	victim->len = 0;
	victim->last_active = ++s->tick;
	logv(s, "%s connection opened", kind == CONN_CMD ? "command" : "control");
}

/* Handle every complete message buffered on c. Returns ACT_STOP or ACT_CLOSE or ACT_MORE. */
static enum action drain(struct tpmd_server *s, struct conn *c)
{
	while (c->len > 0) {
		size_t used = 0;
		enum action a = ACT_MORE;

		if (c->kind == CONN_CMD)
			a = handle_cmd_port(s, c, &used);
		else if (s->cfg.ctrl == TPMD_CTRL_MSSIM)
			a = handle_platform(s, c, &used);
		else
			a = handle_swtpm_ctrl(s, c, &used);
		if (a == ACT_MORE) {
			/* IN_CAP holds the largest valid message: a full buffer is never valid. */
			return c->len == sizeof(c->in) ? ACT_CLOSE : ACT_MORE;
		}
		if (a != ACT_DONE)
			return a;
		CHECK(used > 0 && used <= c->len);
		memmove(c->in, c->in + used, c->len - used);
		c->len -= used;
	}
	return ACT_MORE;
}

/* Read what c has for us and act on it. Returns ACT_STOP when the server must stop. */
static enum action service(struct tpmd_server *s, struct conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, 0);
	enum action a = ACT_MORE;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return ACT_MORE;
	if (n <= 0) {
		/* End of stream or reset: any half message is dropped with the connection. */
		if (c->len > 0)
			logv(s, "connection closed with %zu bytes of an incomplete message",
			     c->len);
		conn_close(s, c);
		return ACT_MORE;
	}
	c->len += (size_t)n;
	c->last_active = ++s->tick;
	a = drain(s, c);
	if (a == ACT_CLOSE)
		conn_close(s, c);
	return a;
}

struct tpmd_server *tpmd_server_open(const struct tpmd_config *cfg, struct tpm *tpm, bool powered)
{
	struct tpmd_server *s = calloc(1, sizeof(*s));
	size_t i = 0;

	if (!s) {
		(void)fprintf(stderr, "copra-tpmd: out of memory\n");
		return NULL;
	}
	s->cfg = *cfg;
	s->tpm = tpm;
	s->powered = powered;
	for (i = 0; i < MAX_CONNS; i++)
		s->conns[i].fd = -1;
	s->listen_fd[CONN_CMD] = -1;
	s->listen_fd[CONN_CTRL] = -1;
	s->listen_fd[CONN_CMD] = listen_on(s, cfg->port);
	if (s->listen_fd[CONN_CMD] < 0)
		goto fail;
	s->listen_fd[CONN_CTRL] = listen_on(s, (uint16_t)(cfg->port + 1u));
	if (s->listen_fd[CONN_CTRL] < 0)
		goto fail;
	logv(s, "listening on %s ports %u (command) and %u (%s)", cfg->bind_addr, cfg->port,
	     cfg->port + 1u, cfg->ctrl == TPMD_CTRL_MSSIM ? "mssim platform" : "swtpm control");
	return s;
fail:
	tpmd_server_close(s);
	return NULL;
}

int tpmd_server_run(struct tpmd_server *s)
{
	for (;;) {
		struct pollfd pfd[2 + MAX_CONNS];
		struct conn *owner[2 + MAX_CONNS];
		nfds_t n = 0;
		nfds_t i = 0;
		int r = 0;

		for (i = 0; i < MAX_CONNS; i++) {
			if (s->conns[i].fd < 0)
				continue;
			pfd[n] = (struct pollfd){.fd = s->conns[i].fd, .events = POLLIN};
			owner[n++] = &s->conns[i];
		}
		/* The listening sockets come last: accepting may evict a connection polled above. */
		for (i = 0; i < 2; i++) {
			pfd[n] = (struct pollfd){.fd = s->listen_fd[i], .events = POLLIN};
			owner[n++] = NULL;
		}
		r = ppoll(pfd, n, NULL, s->cfg.poll_sigmask);
		if (*s->cfg.stop_signal) {
			logv(s, "stop signal");
			return 0;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			(void)fprintf(stderr, "copra-tpmd: ppoll: %s\n", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!owner[i]) {
				accept_one(s, pfd[i].fd == s->listen_fd[CONN_CMD] ? CONN_CMD
										  : CONN_CTRL);
				continue;
			}
			if (service(s, owner[i]) == ACT_STOP)
				return 0;
		}
	}
}

bool tpmd_server_powered(const struct tpmd_server *s)
{
	return s->powered;
}

void tpmd_server_close(struct tpmd_server *s)
{
	size_t i = 0;

	if (!s)
		return;
	for (i = 0; i < MAX_CONNS; i++) {
		if (s->conns[i].fd >= 0)
			conn_close(s, &s->conns[i]);
	}
	for (i = 0; i < 2; i++) {
		if (s->listen_fd[i] >= 0 && close(s->listen_fd[i]) != 0)
			logv(s, "close: %s", strerror(errno));
	}
	free(s);
}
