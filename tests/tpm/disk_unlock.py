#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Disk unlock with real tools against copra-tpmd: LUKS2 images bound to PCR 16 with clevis and
with systemd-cryptenroll, unlocked, unlocked again after a server restart from its state file,
refused after PCR 16 is extended.

    tests/tpm/disk_unlock.py --tpmd build/tools/copra-tpmd [-v]
    tests/tpm/disk_unlock.py --reference [-v]      # the same against swtpm (checks the test)

LUKS2 images are plain files (cryptsetup works on them without root or loop devices). clevis:
`clevis luks bind ... tpm2 '{"pcr_bank":"sha256","pcr_ids":"16"}'`, unlocked by
`clevis luks pass` piped into `cryptsetup open --test-passphrase` (which checks the passphrase
against the keyslot without activating anything). systemd: `systemd-cryptenroll
--tpm2-device=swtpm:host=127.0.0.1,port=P --tpm2-pcrs=16`, unlocked by `systemd-cryptsetup
attach` with `tpm2-device=swtpm:`. These machines have no device-mapper, so that attach cannot
activate the volume: the check is that systemd unsealed the key (its debug log says "Completed
TPM2 key unsealing", and systemd verifies the response HMAC of an encrypting salted session)
and failed only at activation, with the device-mapper error, not a wrong-key error. A crypttab
option cannot carry the comma of `host=...,port=...`, so the server listens on the swtpm TCTI's
default port pair, 2321/2322 (the test fails, naming the port, if it is taken).

Ends with "disk-unlock: N passed, N failed". Standard library only.
"""
import argparse
import os
import shutil
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import (Failed, Runner, Server, expect, install_cleanup,  # noqa: E402
                     run_client, tail)

PORT = 2321  # the swtpm TCTI's default (tpm2-device=swtpm: in crypttab options)
PASSPHRASE = b"correct horse battery staple"


class Disk:
    def __init__(self, server, tmp, reference):
        self.server = server
        self.tmp = tmp
        self.reference = reference
        self.env = dict(os.environ)
        self.env.pop("TPM2TOOLS_TCTI", None)
        self.nfile = 0

    @property
    def tcti(self):
        return "swtpm:host=127.0.0.1,port=%d" % self.server.port

    def file(self, name):
        return os.path.join(self.tmp, name)

    def run(self, argv, ok=True, input_bytes=None, env=None):
        p = run_client(argv, dict(self.env, **(env or {})), input_bytes=input_bytes)
        if ok and p.returncode != 0:
            raise Failed("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                              tail(p.stderr + p.stdout)))
        if ok is False and p.returncode == 0:
            raise Failed("%s: succeeded, expected a failure" % " ".join(argv))
        return p

    def tools(self, *args, ok=True):
        return self.run(["tpm2_" + args[0]] + list(args[1:]), ok=ok,
                        env={"TPM2TOOLS_TCTI": self.tcti})

    def luks_image(self, name):
        img = self.file(name)
        key = self.file(name + ".key")
        with open(key, "wb") as f:
            f.write(PASSPHRASE)
        with open(img, "wb") as f:
            f.truncate(20 << 20)
        # a fast KDF: the test is about the TPM, not about PBKDF cost
        self.run(["cryptsetup", "luksFormat", "--type", "luks2", "--batch-mode", "--pbkdf",
                  "pbkdf2", "--pbkdf-force-iterations", "1000", img, key])
        return img, key

    def test_passphrase(self, img, passphrase, ok=True):
        return self.run(["cryptsetup", "open", "--test-passphrase", "--key-file=-", img],
                        ok=ok, input_bytes=passphrase)

    def pcr16_extend(self):
        self.tools("pcrextend", "16:sha256=" + "ab" * 32)

    def pcr16_reset(self):
        self.tools("pcrreset", "16")


# ---- clevis ----------------------------------------------------------------------------------

def clevis_unlock(d, img, ok=True):
    """clevis luks pass (the TPM unseals the JWK) | cryptsetup open --test-passphrase."""
    p = d.run(["clevis", "luks", "pass", "-d", img, "-s", "1"], ok=ok,
              env={"TPM2TOOLS_TCTI": d.tcti})
    if ok:
        expect(len(p.stdout) >= 32, "clevis luks pass printed a passphrase")
        d.test_passphrase(img, p.stdout)
    return p


def c_clevis(d):
    d.pcr16_reset()
    img, key = d.luks_image("clevis.img")
    d.run(["clevis", "luks", "bind", "-y", "-d", img, "-k", key, "tpm2",
           '{"pcr_bank":"sha256","pcr_ids":"16"}'], env={"TPM2TOOLS_TCTI": d.tcti})
    clevis_unlock(d, img)
    # a wrong passphrase is refused by the same cryptsetup check (the check can fail)
    d.test_passphrase(img, b"not the passphrase", ok=False)
    # the server restarts from its state file: same seeds, so the same SRK
    d.server.restart()
    d.pcr16_reset()
    clevis_unlock(d, img)
    d.pcr16_extend()
    p = clevis_unlock(d, img, ok=False)
    expect(b"0x99D" in p.stderr.upper() or b"policy" in p.stderr.lower(),
           "clevis refused by the PCR policy: %s" % tail(p.stderr))
    d.pcr16_reset()
    clevis_unlock(d, img)


# ---- systemd -----------------------------------------------------------------------------------

def attach(d, img):
    """systemd-cryptsetup attach with the TPM2 token; returns its debug log."""
    p = d.run(["/lib/systemd/systemd-cryptsetup", "attach", "copra-unlock-test", img, "-",
               "tpm2-device=swtpm:,headless=1"], ok=None,
              env={"SYSTEMD_LOG_LEVEL": "debug", "SYSTEMD_LOG_TARGET": "console"})
    return (p.stdout + p.stderr).decode(errors="replace")


def expect_unsealed(log, what):
    expect("Completed TPM2 key unsealing" in log,
           "%s: systemd unsealed the key: %s" % (what, log[-600:]))
    # device-mapper is absent here: activation fails for that reason, and only that one
    expect("device-mapper" in log and "Failed to activate with TPM2 acquired key" in log and
           "Operation not permitted" not in log,
           "%s: only the activation failed (no device-mapper): %s" % (what, log[-600:]))


def c_systemd(d):
    d.pcr16_reset()
    img, _ = d.luks_image("systemd.img")
    d.run(["systemd-cryptenroll", "--tpm2-device=" + d.tcti, "--tpm2-pcrs=16", img],
          env={"PASSWORD": PASSPHRASE.decode()})
    dump = d.run(["cryptsetup", "luksDump", img]).stdout.decode()
    expect("systemd-tpm2" in dump, "a systemd-tpm2 token in the LUKS2 header")
    expect_unsealed(attach(d, img), "attach")
    d.test_passphrase(img, PASSPHRASE)  # the original keyslot is untouched
    d.server.restart()
    d.pcr16_reset()
    expect_unsealed(attach(d, img), "attach after a server restart")
    d.pcr16_extend()
    log = attach(d, img)
    expect("Completed TPM2 key unsealing" not in log,
           "no unsealing after PCR 16 changed: %s" % log[-600:])
    expect("policy digest does not match" in log or "0x99d" in log.lower(),
           "refused by the PCR policy: %s" % log[-600:])


CHECKS = [
    ("clevis luks bind tpm2 (PCR 16), pass, restart, refusal after an extend", c_clevis),
    ("systemd-cryptenroll --tpm2-pcrs=16, systemd-cryptsetup attach, restart, refusal",
     c_systemd),
]


def port_pair_free(port):
    for p in (port, port + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tpmd", default="build/tools/copra-tpmd")
    ap.add_argument("--reference", action="store_true", help="against swtpm instead")
    ap.add_argument("-k", "--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    r = Runner("disk-unlock", args.verbose)
    tools = ["clevis", "cryptsetup", "systemd-cryptenroll", "tpm2_pcrextend", "swtpm_ioctl"]
    missing = [t for t in tools if shutil.which(t) is None]
    if not os.access("/lib/systemd/systemd-cryptsetup", os.X_OK):
        missing.append("/lib/systemd/systemd-cryptsetup")
    if args.reference and shutil.which("swtpm") is None:
        missing.append("swtpm")
    if not args.reference and not os.access(args.tpmd, os.X_OK):
        missing.append(args.tpmd)
    if missing:
        print("disk-unlock: missing %s (scripts/setup.sh installs them)" % ", ".join(missing))
        r.failed += 1
        return r.summary()
    if not port_pair_free(PORT):
        print("disk-unlock: port %d or %d is taken: systemd's tpm2-device=swtpm: needs them"
              % (PORT, PORT + 1))
        r.failed += 1
        return r.summary()
    install_cleanup()
    tmp = tempfile.mkdtemp(prefix="copra-disk-unlock-")
    srv = Server(args.tpmd, tmp, reference=args.reference, port=PORT)
    try:
        srv.start()
        d = Disk(srv, tmp, args.reference)
        for name, fn in CHECKS:
            def one(fn=fn):
                try:
                    fn(d)
                finally:
                    if srv.proc is not None and srv.proc.poll() is not None:
                        code = srv.proc.returncode
                        srv.proc = None
                        raise Failed("the server died (exit %d): %s" % (code, srv.log_tail()))
            r.check(name, one)
    except Failed as e:
        r.check("server starts", lambda: (_ for _ in ()).throw(e))
    finally:
        Server.stop_all()
        if args.keep or r.failed:
            print("disk-unlock: logs and files kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return r.summary()


if __name__ == "__main__":
    sys.exit(main())
