/* SPDX-License-Identifier: MIT */
/*
 * copra-tpmd: Copra's TPM 2.0 engine as a host TPM server, for tpm2-tss (swtpm: and mssim:
 * TCTIs) and the IBM TSS (socsim), in the manner of swtpm's socket mode.
 *
 *   copra-tpmd --port PORT --state FILE [--bind ADDR] [--ctrl swtpm|mssim] [--need-init]
 *              [--manufacture-only] [-v]
 *
 * This file owns the TPM's life cycle: manufacture or restore the state file, power on, issue
 * Startup(CLEAR) unless --need-init, serve, and power off on SIGTERM/SIGINT or a client's stop.
 * A state file that fails the engine's checks is refused and never overwritten.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "platform_file.h"
#include "server.h"

struct options {
	unsigned long port;
	const char *state;
	const char *bind_addr;
	enum tpmd_ctrl ctrl;
	bool need_init;
	bool manufacture_only;
	bool no_sync;
	bool verbose;
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	(void)fprintf(f,
		      "usage: copra-tpmd --port PORT --state FILE [--bind ADDR] "
		      "[--ctrl swtpm|mssim] [--need-init] [--manufacture-only] [--no-sync] [-v]\n"
		      "  PORT takes TPM commands, PORT+1 the swtpm control channel or the\n"
		      "  MS-simulator platform protocol (--ctrl); ADDR defaults to 127.0.0.1\n"
		      "  --no-sync: never fsync/fdatasync the state file (a power cut may lose\n"
		      "  the last commits; for tests and benchmarks only)\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"state", required_argument, NULL, 's'},
		{"bind", required_argument, NULL, 'b'},
		{"ctrl", required_argument, NULL, 'c'},
		{"need-init", no_argument, NULL, 'n'},
		{"manufacture-only", no_argument, NULL, 'm'},
		{"no-sync", no_argument, NULL, 'S'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end = NULL;
	int opt = 0;

	memset(o, 0, sizeof(*o));
	o->bind_addr = "127.0.0.1";
	o->ctrl = TPMD_CTRL_SWTPM;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			errno = 0;
			o->port = strtoul(optarg, &end, 10);
			/* PORT+1 must be a port too. */
			if (errno != 0 || *optarg == '\0' || *end != '\0' || o->port == 0 ||
			    o->port > 65534) {
				(void)fprintf(stderr, "copra-tpmd: bad port '%s' (1..65534)\n",
					      optarg);
				return -1;
			}
			break;
		case 's':
			o->state = optarg;
			break;
		case 'b':
			o->bind_addr = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "swtpm") == 0) {
				o->ctrl = TPMD_CTRL_SWTPM;
			} else if (strcmp(optarg, "mssim") == 0) {
				o->ctrl = TPMD_CTRL_MSSIM;
			} else {
				(void)fprintf(stderr, "copra-tpmd: --ctrl takes swtpm or mssim\n");
				return -1;
			}
			break;
		case 'n':
			o->need_init = true;
			break;
		case 'm':
			o->manufacture_only = true;
			break;
		case 'S':
			o->no_sync = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->state || (!o->port && !o->manufacture_only)) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * SIGTERM/SIGINT stay blocked except while the server waits in ppoll (with *poll_mask), so a
 * stop request is seen between messages, never in the middle of a command or an NV commit.
 */
static int setup_signals(sigset_t *poll_mask)
{
	struct sigaction sa;
	sigset_t stop_set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	if (sigemptyset(&stop_set) != 0 || sigaddset(&stop_set, SIGTERM) != 0 ||
	    sigaddset(&stop_set, SIGINT) != 0)
		return -1;
	if (sigprocmask(SIG_BLOCK, &stop_set, poll_mask) != 0)
		return -1;
	if (sigdelset(poll_mask, SIGTERM) != 0 || sigdelset(poll_mask, SIGINT) != 0)
		return -1;
	sa.sa_handler = on_stop_signal;
	if (sigemptyset(&sa.sa_mask) != 0)
		return -1;
	sa.sa_flags = 0; /* no SA_RESTART: ppoll must return EINTR */
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	return 0;
}

static const char *tpm_err_str(int rc)
{
	switch (rc) {
	case TPM_ERR_NOMEM:
		return "out of memory";
	case TPM_ERR_PLATFORM:
		return "platform failure";
	case TPM_ERR_NO_STATE:
		return "no state";
	case TPM_ERR_CORRUPT:
		return "state corrupt";
	case TPM_ERR_EXISTS:
		return "state exists";
	case TPM_ERR_STATE:
		return "out of order";
	case TPM_ERR_VERSION:
		return "state from a newer version";
	default:
		return "unknown error";
	}
}

/* Explain a failed tpm_power_on of an existing state file. */
static void report_power_on_failure(const struct options *o, const struct platform_file *pf, int rc)
{
	const char *why = platform_file_error(pf);

	/* The engine reports every failed load as a platform failure; the platform knows better. */
	if (platform_file_corrupt(pf))
		rc = TPM_ERR_CORRUPT;
	switch (rc) {
	case TPM_ERR_CORRUPT:
		(void)fprintf(stderr,
			      "copra-tpmd: state file %s is corrupt%s%s; refusing to start "
			      "(the file was left untouched)\n",
			      o->state, *why ? ": " : "", why);
		break;
	case TPM_ERR_VERSION:
		(void)fprintf(stderr,
			      "copra-tpmd: state file %s was written by a newer format; refusing "
			      "to start (the file was left untouched)\n",
			      o->state);
		break;
	default:
		(void)fprintf(stderr,
			      "copra-tpmd: cannot restore state file %s: %s%s%s; refusing to "
			      "start (the file was left untouched)\n",
			      o->state, tpm_err_str(rc), *why ? ": " : "", why);
		break;
	}
}

/* Startup(CLEAR), TPM2 spec Part 3 §9.3: TPM_ST_NO_SESSIONS, 12 bytes, TPM_CC_Startup 0x144. */
static int startup_clear(struct tpm *tpm)
{
	static const uint8_t cmd[] = {0x80, 0x01, 0x00, 0x00, 0x00, 0x0c,
				      0x00, 0x00, 0x01, 0x44, 0x00, 0x00};
	static uint8_t rsp[TPM_MAX_RESPONSE_SIZE];
	size_t n = tpm_execute(tpm, 0, cmd, sizeof(cmd), rsp, sizeof(rsp));
	uint32_t rc = 0;

	if (n < 10) {
		(void)fprintf(stderr, "copra-tpmd: Startup(CLEAR): %zu-byte response\n", n);
		return -1;
	}
	rc = (uint32_t)rsp[6] << 24 | (uint32_t)rsp[7] << 16 | (uint32_t)rsp[8] << 8 | rsp[9];
	if (rc != 0) {
		(void)fprintf(stderr, "copra-tpmd: Startup(CLEAR) failed: TPM rc 0x%03x\n", rc);
		return -1;
	}
	return 0;
}

/*
 * Bring the TPM up from the state file: manufacture when there is none, else restore it.
 * Returns 0 with the TPM powered on, or -1 (reported). *manufactured says which happened.
 */
static int bring_up(const struct options *o, struct platform_file *pf, struct tpm *tpm,
		    bool *manufactured)
{
	struct stat st;
	int rc = 0;

	*manufactured = false;
	if (stat(o->state, &st) == 0) {
		if (o->manufacture_only) {
			(void)fprintf(stderr,
				      "copra-tpmd: state file %s already exists; not "
				      "manufacturing over it\n",
				      o->state);
			return -1;
		}
	} else if (errno == ENOENT) {
		rc = tpm_manufacture(tpm);
		if (rc != TPM_OK) {
			const char *why = platform_file_error(pf);

			(void)fprintf(stderr, "copra-tpmd: cannot manufacture %s: %s%s%s\n",
				      o->state, tpm_err_str(rc), *why ? ": " : "", why);
			return -1;
		}
		(void)fprintf(stderr, "copra-tpmd: manufactured new TPM state in %s\n", o->state);
		*manufactured = true;
	} else {
		(void)fprintf(stderr, "copra-tpmd: cannot stat state file %s: %s\n", o->state,
			      strerror(errno));
		return -1;
	}
	/* Also right after manufacture, which leaves the TPM off: this checks what was written. */
	rc = tpm_power_on(tpm);
	if (rc != TPM_OK) {
		report_power_on_failure(o, pf, rc);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct platform_file pf;
	struct tpm_platform plat;
	struct tpmd_config cfg;
	struct tpmd_server *srv = NULL;
	struct tpm *tpm = NULL;
	sigset_t poll_mask;
	bool manufactured = false;
	bool powered = false;
	int ret = 1;
	int rc = 0;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	if (setup_signals(&poll_mask) != 0) {
		(void)fprintf(stderr, "copra-tpmd: cannot set up signals: %s\n", strerror(errno));
		return 1;
	}
	if (platform_file_init(&pf, o.state, o.verbose, &plat) != 0) {
		(void)fprintf(stderr, "copra-tpmd: out of memory\n");
		return 1;
	}
	pf.no_sync = o.no_sync;
	rc = tpm_create(&plat, &tpm);
	if (rc != TPM_OK) {
		(void)fprintf(stderr, "copra-tpmd: cannot create the TPM: %s\n", tpm_err_str(rc));
		goto out_pf;
	}
	if (bring_up(&o, &pf, tpm, &manufactured) != 0)
		goto out_tpm;
	powered = true;
	if (o.manufacture_only) {
		ret = 0;
		goto out_power;
	}
	if (o.need_init) {
		/* The state file is checked; the client powers the TPM on and starts it. */
		tpm_power_off(tpm);
		powered = false;
	} else if (startup_clear(tpm) != 0) {
		goto out_power;
	}
	if (o.verbose)
		(void)fprintf(stderr, "copra-tpmd: TPM %s from %s, %s\n",
			      manufactured ? "manufactured" : "restored", o.state,
			      o.need_init ? "powered off until the client powers it on"
					  : "powered on and started");

	memset(&cfg, 0, sizeof(cfg));
	cfg.bind_addr = o.bind_addr;
	cfg.port = (uint16_t)o.port;
	cfg.ctrl = o.ctrl;
	cfg.verbose = o.verbose;
	cfg.stop_signal = &stop_signal;
	cfg.poll_sigmask = &poll_mask;
	srv = tpmd_server_open(&cfg, tpm, powered);
	if (!srv)
		goto out_power;
	ret = tpmd_server_run(srv) == 0 ? 0 : 1;
	powered = tpmd_server_powered(srv);
	tpmd_server_close(srv);
	if (o.verbose)
		(void)fprintf(stderr, "copra-tpmd: stopping\n");
out_power:
	/* Committed NV state survives; volatile state is dropped, as at a power cut. */
	if (powered)
		tpm_power_off(tpm);
out_tpm:
	tpm_destroy(tpm);
out_pf:
	platform_file_fini(&pf);
	return ret;
}
