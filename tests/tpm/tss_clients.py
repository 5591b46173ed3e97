#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The IBM TSS utilities (Debian package tss2, `tss*` programs) against copra-tpmd.

    tests/tpm/tss_clients.py --tpmd build/tools/copra-tpmd [-v]
    tests/tpm/tss_clients.py --reference [-v]   # the same checks against swtpm (libtpms)

The TSS talks the MS-simulator protocol (TPM_INTERFACE_TYPE=socsim, TPM_SERVER_TYPE=mssim):
commands on PORT, platform signals (tsspowerup) on PORT+1, so copra-tpmd runs with --ctrl mssim
and --need-init: the first check powers the TPM on with tsspowerup and starts it with
tssstartup, as the TSS's own regression scripts do. TPM_DATA_DIR is a temporary directory.
Values are verified with hashlib (PCR extends and events, NV extend, Hash, sequences, NV
names). Every client call runs under `timeout 20`; copra-tpmd is always stopped at the end.

--reference checks the test itself against swtpm with SHA-1/SHA-256/SHA-384 banks, over the raw
socket protocol (swtpm has no platform port: power cycles there go through swtpm_ioctl). Two
checks cannot pass there: libtpms implements SHA-512 and so answers PCR_Event and
GetCapability(PCRS) with four digests/banks, more than this TSS build unmarshals.

Ends with "ibm-tss: N passed, N failed". Standard library only.
"""
import argparse
import hashlib
import os
import re
import shutil
import struct
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree for the import below
from clients import (  # noqa: E402
                     BANKS, HASHES, RC_AUTH_FAIL_S1, RC_BAD_AUTH_S1, RC_HANDLE_P1,
                     RC_INITIALIZE, RC_LOCALITY, RC_NV_LOCKED, RC_NV_UNINITIALIZED, Failed,
                     Runner, Server, expect, expect_eq, extend, install_cleanup, nv_name,
                     run_client, tail, tpm_rc_of)

RC_RETRY = 0x922
RC_FAILURE = 0x101
RC_VALUE_P1 = 0x1C4

ORD, CTR, BITS, EXT, RL, AUTH, PLAT = (0x01500010, 0x01500011, 0x01500012, 0x01500013,
                                       0x01500014, 0x01500015, 0x01500020)


class Tss:
    def __init__(self, server, tmp, reference):
        self.server = server
        self.tmp = tmp
        self.reference = reference
        self.data_dir = os.path.join(tmp, "tss-data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.nfile = 0

    @property
    def env(self):
        env = dict(os.environ)
        env.update(TPM_INTERFACE_TYPE="socsim", TPM_SERVER_NAME="127.0.0.1",
                   TPM_COMMAND_PORT=str(self.server.port),
                   TPM_PLATFORM_PORT=str(self.server.port + 1),
                   TPM_SERVER_TYPE="raw" if self.reference else "mssim",
                   TPM_DATA_DIR=self.data_dir)
        return env

    def run(self, tool, *args, ok=True, rc=None):
        """tss<tool>: ok=True expects success, False failure (rc: the TPM code), None either.

        TPM_RC_RETRY is answered by sending the command again, as a careful client does (the
        utilities do not; libtpms asks for it, Copra never should).
        """
        argv = ["tss" + tool] + [str(a) for a in args]
        for _ in range(3):
            p = run_client(argv, self.env, cwd=self.tmp)
            if tpm_rc_of(p.stdout + p.stderr) != RC_RETRY:
                break
        out = (p.stdout + p.stderr).decode(errors="replace")
        if p.returncode == 124:
            raise Failed("%s: timed out" % " ".join(argv))
        if ok and p.returncode != 0:
            raise Failed("%s: exit %d: %s" % (" ".join(argv), p.returncode, tail(p.stdout +
                                                                                  p.stderr)))
        if ok is False and p.returncode == 0:
            raise Failed("%s: succeeded, expected a failure" % " ".join(argv))
        if rc is not None:
            got = tpm_rc_of(out)
            if got != rc:
                raise Failed("%s: TPM error %s, want 0x%x: %s" % (
                    " ".join(argv), "none" if got is None else "0x%x" % got, rc, tail(
                        p.stdout + p.stderr)))
        return out

    def file(self, data=None):
        self.nfile += 1
        path = os.path.join(self.tmp, "f%d" % self.nfile)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def pcr(self, bank, index):
        out = self.file()
        self.run("pcrread", "-ha", index, "-halg", bank, "-of", out)
        v = self.read(out)
        expect_eq(len(v), HASHES[bank]().digest_size, "%s PCR %d size" % (bank, index))
        return v

    def props(self, first, count):
        text = self.run("getcapability", "-cap", 6, "-pr", "0x%x" % first, "-pc", count)
        return {int(a, 16): int(b, 16)
                for a, b in re.findall(r"TPM_PT ([0-9a-f]{8}) value ([0-9a-f]{8})", text)}

    def nv_handles(self):
        text = self.run("getcapability", "-cap", 1, "-pr", "0x01000000")
        return [int(h, 16) for h in re.findall(r"^\s+(01[0-9a-f]{6})\s*$", text, re.M)]

    def nv_read(self, index, size, offset=0, hia=None, pwdn=None):
        out = self.file()
        args = ["-ha", "%08x" % index, "-sz", size, "-off", offset, "-of", out]
        if hia:
            args += ["-hia", hia]
        if pwdn is not None:
            args += ["-pwdn", pwdn]
        self.run("nvread", *args)
        return self.read(out)

    def clock(self):
        text = self.run("readclock")
        m = re.search(r"resetCount (\d+).*restartCount (\d+)", text, re.S)
        expect(m is not None, "readclock: %r" % text)
        return int(m.group(1)), int(m.group(2))

    def power_cycle(self):
        """_TPM_Init: tsspowerup on the platform port (swtpm: swtpm_ioctl -i)."""
        if self.reference:
            r = run_client(["swtpm_ioctl", "--tcp", "127.0.0.1:%d" % (self.server.port + 1),
                            "-i"], self.env)
            expect(r.returncode == 0, "swtpm_ioctl -i: %s" % tail(r.stderr))
        else:
            self.run("powerup")


# ---- the checks --------------------------------------------------------------------------

def c_powerup(t):
    """copra-tpmd --need-init: off until tsspowerup, then unstarted until tssstartup."""
    if not t.reference:
        t.run("getrandom", "-by", 8, ok=False, rc=RC_FAILURE)
    t.power_cycle()
    t.run("getrandom", "-by", 8, ok=False, rc=RC_INITIALIZE)
    t.run("startup", "-c")
    t.run("startup", "-c", ok=False, rc=RC_INITIALIZE)
    t.run("getrandom", "-by", 8)


def c_getrandom(t):
    out = t.run("getrandom", "-by", 16)
    m = re.search(r"randomBytes length (\d+)\s*\n((?:\s*[0-9a-f]{2})+)", out)
    expect(m is not None and int(m.group(1)) == 16, "getrandom output %r" % out)
    expect_eq(len(m.group(2).split()), 16, "random bytes printed")
    f = t.file()
    t.run("getrandom", "-by", 32, "-of", f)
    expect_eq(len(t.read(f)), 32, "getrandom -of 32 bytes")
    g = t.file()
    t.run("getrandom", "-by", 32, "-of", g)
    expect(t.read(f) != t.read(g), "two GetRandom answers are equal")


def c_getcapability(t):
    for cap in range(9):
        if t.reference and cap == 5:
            continue  # libtpms lists SHA-512 too: more banks than this TSS build takes
        t.run("getcapability", "-cap", cap)
    p = t.props(0x100, 64)
    expect_eq(p.get(0x100), 0x322E3000, "TPM_PT_FAMILY_INDICATOR")
    expect_eq(p.get(0x112), 24, "TPM_PT_PCR_COUNT")
    expect_eq(p.get(0x11E), 4096, "TPM_PT_MAX_COMMAND_SIZE")
    expect_eq(p.get(0x11F), 4096, "TPM_PT_MAX_RESPONSE_SIZE")
    v = t.props(0x200, 32)
    expect_eq(v.get(0x201, 0) & 0xF, 0xF, "TPM_PT_STARTUP_CLEAR phEnable..phEnableNV")
    expect_eq(v.get(0x202), 0, "TPM_PT_HR_NV_INDEX")
    algs = t.run("getcapability", "-cap", 0)
    for name in ("TPM_ALG_SHA1", "TPM_ALG_SHA256", "TPM_ALG_SHA384"):
        expect(re.search(r"TPM_ALG_ID %s\s*\n\s*TPMA_ALGORITHM: hash" % name, algs) is not None,
               "getcapability -cap 0: %s is not a hash" % name)
    cmds = t.run("getcapability", "-cap", 2, "-pr", "0x11f", "-pc", 200)
    listed = {int(a, 16) & 0xFFFF for a in re.findall(r"command Attributes ([0-9a-f]{8})", cmds)}
    for cc in (0x17B, 0x17A, 0x17E, 0x182, 0x13C, 0x13D, 0x17D, 0x12A, 0x137, 0x14E, 0x134,
               0x136, 0x135, 0x14F, 0x122, 0x169, 0x129, 0x126, 0x139, 0x13A, 0x144, 0x145,
               0x181, 0x186, 0x15C, 0x13E):
        expect(cc in listed, "getcapability -cap 2 does not list command 0x%x" % cc)
    if not t.reference:
        pcrs = t.run("getcapability", "-cap", 5)
        for name in ("TPM_ALG_SHA1", "TPM_ALG_SHA256", "TPM_ALG_SHA384"):
            expect(name in pcrs, "getcapability -cap 5 lacks %s: %s" % (name, pcrs))
    handles = t.run("getcapability", "-cap", 1, "-pr", "0x40000000")
    for h in ("40000001", "4000000a", "4000000b", "4000000c"):
        expect(h in handles, "permanent handle %s not listed" % h)
    expect_eq(t.nv_handles(), [], "NV indices of a fresh TPM")


def c_pcr(t):
    for b in BANKS:
        expect_eq(t.pcr(b, 16), bytes(HASHES[b]().digest_size), "fresh %s PCR 16" % b)
        expect_eq(t.pcr(b, 18), b"\xff" * HASHES[b]().digest_size, "fresh %s PCR 18" % b)
    # -ic: the string, zero-padded to the digest size, extended into each bank named
    t.run("pcrextend", "-ha", 16, "-halg", "sha1", "-halg", "sha256", "-halg", "sha384",
          "-ic", "copra")
    want = {b: extend(b, bytes(HASHES[b]().digest_size),
                      b"copra" + bytes(HASHES[b]().digest_size - 5)) for b in BANKS}
    for b in BANKS:
        expect_eq(t.pcr(b, 16).hex(), want[b].hex(), "%s PCR 16 after pcrextend" % b)
    data = b"event data for PCR 16"
    f = t.file(data)
    outs = {b: t.file() for b in BANKS}
    if t.reference:
        t.run("pcrevent", "-ha", 16, "-if", f, ok=None)  # four digests: see the module doc
        return
    t.run("pcrevent", "-ha", 16, "-if", f, "-of1", outs["sha1"], "-of2", outs["sha256"],
          "-of3", outs["sha384"])
    for b in BANKS:
        h = HASHES[b](data).digest()
        expect_eq(t.read(outs[b]).hex(), h.hex(), "pcrevent %s digest" % b)
        want[b] = extend(b, want[b], h)
        expect_eq(t.pcr(b, 16).hex(), want[b].hex(), "%s PCR 16 after pcrevent" % b)
    t.run("pcrreset", "-ha", 16)
    for b in BANKS:
        expect_eq(t.pcr(b, 16), bytes(HASHES[b]().digest_size), "%s PCR 16 after reset" % b)
    t.run("pcrextend", "-ha", 23, "-halg", "sha256", "-ic", "x")
    t.run("pcrreset", "-ha", 23)
    expect_eq(t.pcr("sha256", 23), bytes(32), "PCR 23 after reset")
    t.run("pcrreset", "-ha", 0, ok=False, rc=RC_LOCALITY)
    t.run("pcrread", "-ha", 24, ok=False)


def c_hash(t):
    for data in (b"abc", bytes(range(256)) * 4):
        f = t.file(data)
        for b in BANKS:
            out = t.file()
            t.run("hash", "-hi", "n", "-halg", b, "-if", f, "-oh", out)
            expect_eq(t.read(out).hex(), HASHES[b](data).hexdigest(), "tsshash %s" % b)
    out, tk = t.file(), t.file()
    t.run("hash", "-hi", "o", "-halg", "sha256", "-ic", "ticket", "-oh", out, "-tk", tk)
    expect_eq(t.read(out).hex(), hashlib.sha256(b"ticket").hexdigest(), "tsshash -ic")
    ticket = t.read(tk)
    expect(ticket[:6] == bytes.fromhex("802440000001"), "hash ticket %s" % ticket.hex())
    t.run("hash", "-hi", "n", "-halg", "sha256", "-if", t.file(bytes(1025)), ok=False)
    # a hash sequence
    for b in BANKS:
        text = t.run("hashsequencestart", "-halg", b)
        m = re.search(r"handle ([0-9a-f]{8})", text)
        expect(m is not None, "hashsequencestart: %r" % text)
        h = m.group(1)
        parts = [b"first part ", bytes(range(256)) * 4, b""]
        for part in parts:
            t.run("sequenceupdate", "-hs", h, "-if", t.file(part))
        out = t.file()
        t.run("sequencecomplete", "-hs", h, "-if", t.file(b" and the end"), "-of", out)
        expect_eq(t.read(out).hex(), HASHES[b](b"".join(parts) + b" and the end").hexdigest(),
                  "%s hash sequence" % b)
        t.run("sequenceupdate", "-hs", h, "-if", t.file(b"x"), ok=False)  # flushed


def c_nv(t):
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-hia", "o", "-sz", 32)
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % CTR, "-ty", "c")
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % BITS, "-ty", "b")
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % EXT, "-ty", "e", "-nalg", "sha256")
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % RL, "-hia", "o", "-sz", 8, "+at", "rst")
    expect_eq(t.nv_handles(), [ORD, CTR, BITS, EXT, RL], "NV indices")
    expect_eq(t.props(0x202, 1).get(0x202), 5, "TPM_PT_HR_NV_INDEX")
    # ordinary
    t.run("nvread", "-ha", "%08x" % ORD, "-hia", "o", "-sz", 4, ok=False,
          rc=RC_NV_UNINITIALIZED)
    data = bytes(range(0x80, 0xA0))
    t.run("nvwrite", "-ha", "%08x" % ORD, "-hia", "o", "-if", t.file(data))
    expect_eq(t.nv_read(ORD, 32, hia="o"), data, "NV data")
    t.run("nvwrite", "-ha", "%08x" % ORD, "-hia", "o", "-ic", "ibm", "-off", 30, ok=False)
    t.run("nvwrite", "-ha", "%08x" % ORD, "-hia", "o", "-ic", "ibm", "-off", 29)
    data = data[:29] + b"ibm"
    expect_eq(t.nv_read(ORD, 5, offset=27, hia="o"), data[27:], "NV read at an offset")
    pub = t.run("nvreadpublic", "-ha", "%08x" % ORD)
    m = re.search(r"name length 34\s*\n((?:\s*[0-9a-f]{2}){34})", pub)
    expect(m is not None, "nvreadpublic output %r" % pub)
    # -hia o: OWNERWRITE|OWNERREAD, NO_DA by default, WRITTEN now
    attrs = 0x2 | 0x20000 | 0x2000000 | 0x20000000
    expect_eq(bytes.fromhex("".join(m.group(1).split())).hex(), nv_name(ORD, attrs, 32).hex(),
              "NV name")
    # counter
    # counter, bits and extend indices use their own (empty) password: AUTHWRITE|AUTHREAD
    t.run("nvincrement", "-ha", "%08x" % CTR)
    v1 = struct.unpack(">Q", t.nv_read(CTR, 8))[0]
    t.run("nvincrement", "-ha", "%08x" % CTR)
    v2 = struct.unpack(">Q", t.nv_read(CTR, 8))[0]
    expect(v1 >= 1 and v2 == v1 + 1, "counter %d then %d" % (v1, v2))
    # bits
    t.run("nvsetbits", "-ha", "%08x" % BITS, "-bit", 0, "-bit", 2)
    expect_eq(t.nv_read(BITS, 8).hex(), "0000000000000005", "bits 0 and 2")
    t.run("nvsetbits", "-ha", "%08x" % BITS, "-bit", 63)
    expect_eq(t.nv_read(BITS, 8).hex(), "8000000000000005", "bit 63 too")
    # extend
    t.run("nvextend", "-ha", "%08x" % EXT, "-ic", "hello")
    want = hashlib.sha256(bytes(32) + b"hello").digest()
    expect_eq(t.nv_read(EXT, 32).hex(), want.hex(), "extend index")
    t.run("nvextend", "-ha", "%08x" % EXT, "-if", t.file(bytes(range(256))))
    want = hashlib.sha256(want + bytes(range(256))).digest()
    expect_eq(t.nv_read(EXT, 32).hex(), want.hex(), "extend index, twice")
    # read lock
    t.run("nvwrite", "-ha", "%08x" % RL, "-hia", "o", "-ic", "locked!!")
    t.run("nvreadlock", "-ha", "%08x" % RL, "-hia", "o")
    t.run("nvread", "-ha", "%08x" % RL, "-hia", "o", "-sz", 8, ok=False, rc=RC_NV_LOCKED)
    # undefine
    for i in (ORD, CTR, BITS, EXT, RL):
        t.run("nvundefinespace", "-hi", "o", "-ha", "%08x" % i)
    t.run("nvreadpublic", "-ha", "%08x" % ORD, ok=False, rc=RC_HANDLE_P1)
    expect_eq(t.nv_handles(), [], "NV indices after undefine")


def c_da(t):
    t.run("dictionaryattackparameters", "-nmt", 5, "-nrt", 6, "-lr", 7)
    expect_eq([t.props(0x20F, 3).get(p) for p in (0x20F, 0x210, 0x211)], [5, 6, 7],
              "MAX_AUTH_FAIL, LOCKOUT_INTERVAL, LOCKOUT_RECOVERY")
    # an index with a password and without NO_DA: a wrong password counts
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % AUTH, "-pwdn", "pw", "-at", "da",
          "-sz", 8)
    t.run("nvwrite", "-ha", "%08x" % AUTH, "-pwdn", "pw", "-ic", "12345678")
    expect_eq(t.nv_read(AUTH, 8, pwdn="pw"), b"12345678", "read with the index password")
    t.run("nvread", "-ha", "%08x" % AUTH, "-pwdn", "bad", "-sz", 8, ok=False,
          rc=RC_AUTH_FAIL_S1)
    expect_eq(t.props(0x20E, 1).get(0x20E), 1, "LOCKOUT_COUNTER after a failure")
    t.run("dictionaryattacklockreset")
    expect_eq(t.props(0x20E, 1).get(0x20E), 0, "LOCKOUT_COUNTER after the reset")
    t.run("nvundefinespace", "-hi", "o", "-ha", "%08x" % AUTH)


def c_hierarchy_auth(t):
    def auth_bits():
        perm = t.props(0x200, 1).get(0x200, 0)
        return perm & 0x1, (perm >> 1) & 1, (perm >> 2) & 1  # owner, endorsement, lockout

    t.run("hierarchychangeauth", "-hi", "o", "-pwdn", "ownerpw")
    expect_eq(auth_bits(), (1, 0, 0), "auth-set bits after the owner change")
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-sz", 8, ok=False,
          rc=RC_BAD_AUTH_S1)
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-sz", 8, "-pwdp", "ownerpw")
    t.run("nvundefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-pwdp", "ownerpw")
    t.run("hierarchychangeauth", "-hi", "o", "-pwda", "ownerpw")
    t.run("hierarchychangeauth", "-hi", "e", "-pwdn", "e")
    t.run("hierarchychangeauth", "-hi", "l", "-pwdn", "l")
    expect_eq(auth_bits(), (0, 1, 1), "auth-set bits after endorsement and lockout")
    t.run("hierarchychangeauth", "-hi", "e", "-pwda", "e")
    t.run("hierarchychangeauth", "-hi", "l", "-pwda", "l")
    t.run("hierarchychangeauth", "-hi", "p", "-pwdn", "p")
    t.run("nvdefinespace", "-hi", "p", "-ha", "%08x" % PLAT, "-sz", 8, ok=False,
          rc=RC_BAD_AUTH_S1)
    t.run("hierarchychangeauth", "-hi", "p", "-pwda", "p")
    expect_eq(auth_bits(), (0, 0, 0), "auth-set bits at the end")


def c_clear(t):
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-sz", 8)
    t.run("nvdefinespace", "-hi", "p", "-ha", "%08x" % PLAT, "-hia", "p", "-sz", 8)
    t.run("hierarchychangeauth", "-hi", "o", "-pwdn", "ownerpw")
    t.run("clear", "-hi", "p")
    expect_eq(t.nv_handles(), [PLAT], "NV indices after clear -hi p")
    expect_eq(t.props(0x200, 1).get(0x200, 0) & 0x7, 0, "auth-set bits after clear")
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-sz", 8)
    t.run("clear", "-hi", "l")
    expect_eq(t.nv_handles(), [PLAT], "NV indices after clear -hi l")
    t.run("nvundefinespace", "-hi", "p", "-ha", "%08x" % PLAT)


def c_shutdown_state(t):
    """Shutdown(STATE), then a power cycle by tsspowerup alone and by a server restart."""
    t.run("pcrextend", "-ha", 0, "-halg", "sha256", "-halg", "sha1", "-halg", "sha384",
          "-ic", "resume")
    t.run("pcrextend", "-ha", 16, "-halg", "sha256", "-ic", "gone")
    p0 = {b: t.pcr(b, 0) for b in BANKS}
    t.run("nvdefinespace", "-hi", "o", "-ha", "%08x" % ORD, "-hia", "o", "-sz", 8)
    t.run("nvwrite", "-ha", "%08x" % ORD, "-hia", "o", "-ic", "persists")
    reset0, restart0 = t.clock()
    # 1. in-process power cycle (MS simulator POWER_OFF/POWER_ON)
    t.run("shutdown", "-s")
    t.power_cycle()
    t.run("startup", "-s")
    for b in BANKS:
        expect_eq(t.pcr(b, 0).hex(), p0[b].hex(), "%s PCR 0 after Startup(STATE)" % b)
    expect_eq(t.pcr("sha256", 16), bytes(32), "PCR 16 after Startup(STATE)")
    expect_eq(t.clock(), (reset0, restart0 + 1), "resetCount/restartCount after a Resume")
    # 2. the server process restarted from its state file
    t.run("pcrextend", "-ha", 16, "-halg", "sha256", "-ic", "gone")
    t.run("shutdown", "-s")
    t.server.restart(need_init=True)
    t.power_cycle()
    t.run("startup", "-s")
    for b in BANKS:
        expect_eq(t.pcr(b, 0).hex(), p0[b].hex(), "%s PCR 0 after a restart + STATE" % b)
    expect_eq(t.pcr("sha256", 16), bytes(32), "PCR 16 after a restart + STATE")
    expect_eq(t.nv_read(ORD, 8, hia="o"), b"persists", "NV after Shutdown/Startup(STATE)")
    expect_eq(t.clock(), (reset0, restart0 + 2), "resetCount/restartCount after a 2nd Resume")
    # 3. no Shutdown: Startup(STATE) is refused, Startup(CLEAR) resets the PCRs, NV stays
    t.server.restart(need_init=True)
    t.power_cycle()
    t.run("startup", "-s", ok=False, rc=RC_VALUE_P1)
    t.run("startup", "-c")
    expect_eq(t.pcr("sha256", 0), bytes(32), "PCR 0 after Startup(CLEAR)")
    expect_eq(t.nv_read(ORD, 8, hia="o"), b"persists", "NV after a TPM Reset")
    expect_eq(t.clock(), (reset0 + 1, 0), "resetCount/restartCount after a Reset")
    t.run("shutdown", "-c")
    t.power_cycle()
    t.run("startup", "-c")
    t.run("nvundefinespace", "-hi", "o", "-ha", "%08x" % ORD)


def created_handle(out):
    m = re.search(r"Handle ([0-9a-f]{8})", out)
    expect(m is not None, "createprimary printed no handle: %r" % out[-200:])
    return m.group(1)


def c_primary(t):
    """createprimary (RSA, ECC P-256/P-384, sealed data), readpublic, unseal, flushcontext."""
    pubs = []
    for args in (["-hi", "o"], ["-hi", "o"], ["-hi", "e", "-ecc", "nistp256"],
                 ["-hi", "n", "-ecc", "nistp384"]):
        pub = t.file()
        h = created_handle(t.run("createprimary", *args, "-opu", pub))
        t.run("readpublic", "-ho", h)
        pubs.append(t.read(pub))
        t.run("flushcontext", "-ha", h)
    expect_eq(pubs[1], pubs[0], "the same RSA primary twice")
    expect(len(pubs[2]) > 4 and pubs[2] != pubs[3], "two ECC primaries")
    data = t.file(b"tss sealed secret")
    h = created_handle(t.run("createprimary", "-hi", "o", "-bl", "-if", data, "-pwdk", "pw"))
    out = t.file()
    t.run("unseal", "-ha", h, "-pwd", "pw", "-of", out)
    expect_eq(t.read(out), b"tss sealed secret", "unseal of a sealed primary")
    t.run("flushcontext", "-ha", h)
    t.run("flushcontext", "-ha", h, ok=False)


CHECKS = [
    ("powerup + startup", c_powerup),
    ("getrandom", c_getrandom),
    ("getcapability", c_getcapability),
    ("pcrread/pcrextend/pcrevent/pcrreset", c_pcr),
    ("hash, hashsequencestart/sequenceupdate/sequencecomplete", c_hash),
    ("nvdefinespace/nvwrite/nvread/nvincrement/nvsetbits/nvextend/nvreadlock/"
     "nvundefinespace", c_nv),
    ("dictionaryattackparameters/dictionaryattacklockreset", c_da),
    ("hierarchychangeauth o/e/l/p", c_hierarchy_auth),
    ("clear -hi p / -hi l", c_clear),
    ("shutdown -s, powerup, startup -s", c_shutdown_state),
    ("createprimary RSA/ECC/sealed, readpublic, unseal, flushcontext", c_primary),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tpmd", default="build/tools/copra-tpmd", help="copra-tpmd binary")
    ap.add_argument("--reference", action="store_true",
                    help="run against swtpm/libtpms instead (checks the test itself)")
    ap.add_argument("--filter", default="", help="only checks whose name contains this")
    ap.add_argument("-k", "--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = ap.parse_args()
    r = Runner("ibm-tss", args.verbose)
    missing = [p for p in ("tssgetrandom", "tsspowerup") if shutil.which(p) is None]
    if args.reference and shutil.which("swtpm") is None:
        missing.append("swtpm")
    if not args.reference and not os.access(args.tpmd, os.X_OK):
        missing.append(args.tpmd)
    if missing:
        print("ibm-tss: missing %s" % ", ".join(missing))
        r.failed += 1
        return r.summary()
    install_cleanup()
    tmp = tempfile.mkdtemp(prefix="copra-ibm-tss-")
    srv = Server(args.tpmd, tmp, ctrl="mssim", reference=args.reference)
    t = Tss(srv, tmp, args.reference)
    try:
        srv.start(need_init=True)
        for name, fn in CHECKS:
            if args.filter and args.filter not in name and fn is not c_powerup:
                continue

            def one():
                ok = False
                try:
                    if srv.proc is None:
                        srv.start(need_init=True)
                        t.power_cycle()
                        t.run("startup", "-c")
                    fn(t)
                    ok = True
                finally:
                    if srv.proc is not None and srv.proc.poll() is not None:
                        code = srv.proc.returncode
                        srv.proc = None
                        raise Failed("the server died (exit %d): %s" % (code, srv.log_tail()))
                    if not ok and fn is not c_powerup:
                        # the next check starts from a freshly manufactured, started TPM
                        srv.reset_state(need_init=True)
                        t.power_cycle()
                        t.run("startup", "-c", ok=None)

            r.check(name, one)
    except Failed as e:
        r.failed += 1
        print("FAIL server: %s" % e)
    finally:
        Server.stop_all()
        if args.keep or r.failed:
            print("ibm-tss: logs and files kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return r.summary()


if __name__ == "__main__":
    sys.exit(main())
