#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tpm2-tools 5.4 against copra-tpmd, over the swtpm and the MS-simulator TCTIs of tpm2-tss.

    tests/tpm/clients.py --tpmd build/tools/copra-tpmd [-v] [--tcti swtpm|mssim]
    tests/tpm/clients.py --reference [-v]     # the same checks against swtpm (libtpms)

Every check runs real tpm2-tools programs and verifies VALUES, computed independently here with
hashlib where the TPM computes something (PCR extends and events, NV extend indices, Hash, NV
and object Names), not only exit codes; primary keys are compared across creations and
restarts. tpm2-tools cannot give a primary sealed data, so that CreatePrimary goes through
tpm2_send. Each TCTI gets a fresh copra-tpmd with a fresh state file in a
temporary directory, on a free port pair (PORT for commands, PORT+1 for the swtpm control
channel or the simulator's platform port); the server is always stopped at the end. There is no
resource manager: tpm2_flushcontext -t -l -s runs after each check. Every client call runs under
`timeout 20`.

--reference runs the checks against swtpm 0.7 / libtpms (PCR banks set to Copra's, SHA-1,
SHA-256 and SHA-384, with swtpm_setup), to tell a test bug from an engine bug: what fails there
is the test's fault (checks of documented differences run against copra-tpmd only). swtpm has
no MS-simulator protocol, so only the swtpm TCTI runs.

This module also holds what tests/tpm/tss_clients.py shares (server, runner, helpers).
Ends with "tpm2-tools: N passed, N failed". Standard library only.
"""
import argparse
import hashlib
import hmac
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

CLIENT_TIMEOUT = 20  # seconds, every client program (`timeout 20`)
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384}
BANKS = ("sha1", "sha256", "sha384")


class Failed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)


def expect_eq(got, want, what):
    if got != want:
        raise Failed("%s: got %r, want %r" % (what, got, want))


# ---- ports and servers -------------------------------------------------------------------

def free_port_pair():
    """A port p with p and p+1 both free now (the server binds them a moment later)."""
    for _ in range(200):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port >= 65534:
                continue
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port pair")


def wait_port(port, proc, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failed("server exited with %d before listening" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise Failed("server not listening on port %d after %.0f s" % (port, seconds))


class Server:
    """copra-tpmd (or, with reference=True, swtpm) on a state kept in workdir across restarts.

    ctrl is "swtpm" or "mssim": what PORT+1 speaks. need_init=True leaves the TPM powered off
    and unstarted (copra-tpmd --need-init; swtpm without not-need-init): the client powers it
    on (swtpm_ioctl -i, the mssim TCTI's power-on, tsspowerup) and sends Startup itself.
    """

    live = []  # every running server, stopped at exit whatever happens

    def __init__(self, tpmd, workdir, ctrl="swtpm", reference=False, port=None):
        self.tpmd = tpmd
        self.workdir = workdir
        self.ctrl = ctrl
        self.reference = reference
        self.fixed_port = port  # a port pair of the caller's choice (else a free one)
        self.state = os.path.join(workdir, "tpm.state")
        self.port = None
        self.proc = None
        self.log = os.path.join(workdir, "server.log")
        self.starts = 0
        if reference:
            self.swtpm_dir = os.path.join(workdir, "swtpm")
            os.makedirs(self.swtpm_dir, exist_ok=True)
            # Copra's banks (SHA-1, SHA-256, SHA-384), so both TPMs answer alike.
            p = subprocess.run(["timeout", str(CLIENT_TIMEOUT), "swtpm_setup", "--tpm2",
                                "--tpmstate", self.swtpm_dir, "--pcr-banks",
                                "sha1,sha256,sha384", "--overwrite"],
                               capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError("swtpm_setup failed: %s" % p.stderr[-500:])

    def start(self, need_init=False):
        """Start on a free port pair; another pair if one was taken in the meantime."""
        for attempt in range(3):
            try:
                self._start(need_init)
                return
            except Failed:
                self.stop()
                if attempt == 2:
                    raise

    def _start(self, need_init):
        if self.proc is not None:
            raise RuntimeError("server already running")
        self.port = self.fixed_port or free_port_pair()
        if self.reference:
            flags = [] if need_init else ["--flags", "not-need-init,startup-clear"]
            argv = ["swtpm", "socket", "--tpm2",
                    "--server", "type=tcp,port=%d,bindaddr=127.0.0.1" % self.port,
                    "--ctrl", "type=tcp,port=%d,bindaddr=127.0.0.1" % (self.port + 1),
                    "--tpmstate", "dir=" + self.swtpm_dir] + flags
        else:
            argv = [self.tpmd, "--port", str(self.port), "--state", self.state,
                    "--ctrl", self.ctrl, "-v"] + (["--need-init"] if need_init else [])
        self.starts += 1
        with open(self.log, "a") as log:
            log.write("==== start %d: %s\n" % (self.starts, " ".join(argv)))
            log.flush()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        Server.live.append(self)
        wait_port(self.port, self.proc)

    def stop(self):
        """SIGTERM (a power cut for the TPM: volatile state is lost) and wait."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self in Server.live:
            Server.live.remove(self)
        self.proc = None

    def reset_state(self, need_init=False):
        """Stop and start again on a freshly manufactured TPM (after a failed check)."""
        self.stop()
        if self.reference:
            shutil.rmtree(self.swtpm_dir, ignore_errors=True)
            self.__init__(self.tpmd, self.workdir, self.ctrl, self.reference, self.fixed_port)
        elif os.path.exists(self.state):
            os.rename(self.state, self.state + ".failed-%d" % self.starts)
        self.start(need_init=need_init)

    def restart(self, need_init=False):
        self.stop()
        self.start(need_init=need_init)

    def log_tail(self, n=15):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    @staticmethod
    def stop_all():
        for s in list(Server.live):
            try:
                s.stop()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass


def install_cleanup():
    """Stop every server on exit and on SIGTERM/SIGINT/SIGHUP (the trap of a shell test)."""
    def on_signal(sig, _frame):
        Server.stop_all()
        sys.exit(128 + sig)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)


def platform_signal(port, code):
    """One MS-simulator platform signal (TpmTcpProtocol.h) on the platform port: u32 in, u32 out."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack(">I", code))
        ack = b""
        while len(ack) < 4:
            chunk = s.recv(4 - len(ack))
            if not chunk:
                raise Failed("platform port closed before acknowledging signal %d" % code)
            ack += chunk
        s.sendall(struct.pack(">I", 20))  # TPM_SESSION_END
    return struct.unpack(">I", ack)[0]


# ---- runner ------------------------------------------------------------------------------

class Runner:
    def __init__(self, name, verbose):
        self.name = name
        self.verbose = verbose
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, desc, fn, *args):
        try:
            fn(*args)
        except Failed as e:
            self.failed += 1
            self.failures.append(desc)
            print("FAIL %s: %s" % (desc, e))
        except Exception as e:  # noqa: BLE001 - a broken check is a failed check
            self.failed += 1
            self.failures.append(desc)
            print("FAIL %s: %s: %s" % (desc, type(e).__name__, e))
            if self.verbose:
                traceback.print_exc()
        else:
            self.passed += 1
            if self.verbose:
                print("ok   %s" % desc)
        sys.stdout.flush()

    def summary(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def run_client(argv, env, input_bytes=None, cwd=None):
    """One client program under `timeout 20`; returns the CompletedProcess (bytes)."""
    full = ["timeout", str(CLIENT_TIMEOUT)] + argv
    try:
        return subprocess.run(full, env=env, input=input_bytes, capture_output=True,
                              timeout=CLIENT_TIMEOUT + 10, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Failed("%s: no answer within %d s" % (" ".join(argv), CLIENT_TIMEOUT))


def tail(b, n=6):
    lines = b.decode(errors="replace").strip().splitlines()
    return " | ".join(lines[-n:])


# ---- tpm2-tools helpers ----------------------------------------------------------------

class Tools:
    """tpm2-tools bound to one server and TCTI."""

    def __init__(self, server, tcti, tmp):
        self.server = server
        self.tcti_kind = tcti
        self.tmp = tmp
        self.env = dict(os.environ)
        self.env.pop("TPM2TOOLS_TCTI", None)
        self.nfile = 0

    @property
    def tcti(self):
        return "%s:host=127.0.0.1,port=%d" % (self.tcti_kind, self.server.port)

    def run(self, tool, *args, ok=True, rc=None, input_bytes=None):
        """Run tpm2_<tool>: ok=True expects success, False failure (rc: the TPM code it must
        report), None either."""
        env = dict(self.env, TPM2TOOLS_TCTI=self.tcti)
        argv = ["tpm2_" + tool] + [str(a) for a in args]
        p = run_client(argv, env, input_bytes)
        if p.returncode == 124:
            raise Failed("%s: timed out" % " ".join(argv))
        if ok and p.returncode != 0:
            raise Failed("%s: exit %d: %s" % (" ".join(argv), p.returncode, tail(p.stderr)))
        if ok is False and p.returncode == 0:
            raise Failed("%s: succeeded, expected a failure" % " ".join(argv))
        if rc is not None:
            got = tpm_rc_of(p.stderr)
            if got != rc:
                raise Failed("%s: TPM error %s, want 0x%x: %s" % (
                    " ".join(argv), "none" if got is None else "0x%x" % got, rc,
                    tail(p.stderr)))
        return p.stdout.decode(errors="replace")

    def file(self, data=None, name=None):
        self.nfile += 1
        path = os.path.join(self.tmp, name or "f%d" % self.nfile)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def flush_all(self):
        env = dict(self.env, TPM2TOOLS_TCTI=self.tcti)
        run_client(["tpm2_flushcontext", "-t", "-l", "-s"], env)

    # values
    def pcr(self, bank, index):
        out = self.file()
        self.run("pcrread", "%s:%d" % (bank, index), "-o", out)
        value = self.read(out)
        expect_eq(len(value), HASHES[bank]().digest_size, "%s PCR %d size" % (bank, index))
        return value

    def props(self, group):
        return parse_yamlish(self.run("getcap", group))

    def prop(self, group, name):
        d = self.props(group)
        expect(name in d, "getcap %s has no %s" % (group, name))
        v = d[name]
        if isinstance(v, dict):
            v = v.get("raw", v)
        return v

    def handles(self, group):
        return [int(h, 16) for h in re.findall(r"^- (0x[0-9A-Fa-f]+)", self.run("getcap", group),
                                               re.M)]

    def nv_read(self, index, size=None, offset=None, auth="o", password=None):
        out = self.file()
        args = ["nvread", "0x%x" % index, "-C", auth, "-o", out]
        if size is not None:
            args += ["-s", size]
        if offset is not None:
            args += ["--offset", offset]
        if password is not None:
            args += ["-P", password]
        self.run(*args)
        return self.read(out)

    def clock(self):
        d = parse_yamlish(self.run("readclock"))
        info = d.get("clock_info", {})
        expect(isinstance(info, dict) and "reset_count" in info, "readclock: %r" % d)
        return int(info["reset_count"]), int(info["restart_count"])


def parse_yamlish(text):
    """tpm2-tools' YAML-ish output, two levels: {key: value or {key: value}}."""
    out = {}
    cur = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("-"):
            continue
        if not line.startswith(" "):
            k, _, v = line.partition(":")
            cur = k.strip()
            out[cur] = v.strip() if v.strip() else {}
        elif cur is not None and isinstance(out[cur], dict):
            k, _, v = line.strip().partition(":")
            out[cur][k.strip()] = v.strip()
    return out


def tpm_rc_of(stderr):
    """The TPM response code tpm2-tools (ESYS) or the IBM TSS reports in its error output."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    m = re.search(r"ErrorCode \(0x([0-9A-Fa-f]+)\)", text) or \
        re.search(r"\(0x([0-9A-Fa-f]+)\) - tpm:", text) or \
        re.search(r"failed, rc ([0-9A-Fa-f]{8})", text)
    return int(m.group(1), 16) if m else None


def extend(bank, old, data):
    return HASHES[bank](old + data).digest()


def nv_name(index, attrs, size, alg=0x000B, policy=b""):
    """Name of an NV index: nameAlg || H(TPMS_NV_PUBLIC) (TCG Part 1, 16 "Names")."""
    pub = struct.pack(">IHI", index, alg, attrs) + struct.pack(">H", len(policy)) + policy + \
        struct.pack(">H", size)
    h = {0x0004: hashlib.sha1, 0x000B: hashlib.sha256, 0x000C: hashlib.sha384}[alg]
    return struct.pack(">H", alg) + h(pub).digest()


# TPM response codes the checks expect (tss2_tpm2_types.h)
RC_NV_LOCKED = 0x148
RC_NV_UNINITIALIZED = 0x14A
RC_LOCALITY = 0x907
RC_BAD_AUTH_S1 = 0x9A2
RC_AUTH_FAIL_S1 = 0x98E
RC_HANDLE_P1 = 0x18B
RC_TYPE_H1 = 0x18A
RC_INTEGRITY_P1 = 0x1DF
RC_NV_DEFINED = 0x14C
RC_SIGNATURE_P2 = 0x2DB
RC_POLICY_FAIL_S1 = 0x99D
RC_PCR_CHANGED = 0x128
RC_AUTH_UNAVAILABLE = 0x12F
RC_INITIALIZE = 0x100
RC_LOCKOUT = 0x921
TPMA_NV_WRITTEN = 0x20000000

ORD, CTR, BITS, EXT, RL, AUTH, EXT1, PLAT = (0x1500010, 0x1500011, 0x1500012, 0x1500013,
                                             0x1500014, 0x1500015, 0x1500016, 0x1500020)


# ---- the checks --------------------------------------------------------------------------

def c_getrandom(t):
    a = t.run("getrandom", "--hex", 16).strip()
    b = t.run("getrandom", "--hex", 16).strip()
    expect(re.fullmatch(r"[0-9a-f]{32}", a) is not None, "getrandom --hex 16: %r" % a)
    expect(a != b, "two GetRandom answers are equal: %s" % a)
    out = t.file()
    t.run("getrandom", "-o", out, 32)
    expect_eq(len(t.read(out)), 32, "getrandom -o 32 bytes")


def c_getcap(t):
    groups = [g.strip("- ").strip() for g in t.run("getcap", "-l").splitlines() if g.strip()]
    expect("properties-fixed" in groups and "handles-nv-index" in groups,
           "getcap -l: %r" % groups)
    for g in groups:
        t.run("getcap", g)
    fixed = t.props("properties-fixed")
    expect_eq(fixed.get("TPM2_PT_FAMILY_INDICATOR", {}).get("value"), '"2.0"',
              "TPM2_PT_FAMILY_INDICATOR")
    expect_eq(fixed.get("TPM2_PT_PCR_COUNT", {}).get("raw"), "0x18", "TPM2_PT_PCR_COUNT")
    expect_eq(fixed.get("TPM2_PT_PCR_SELECT_MIN", {}).get("raw"), "0x3",
              "TPM2_PT_PCR_SELECT_MIN")
    expect_eq(fixed.get("TPM2_PT_MAX_COMMAND_SIZE", {}).get("raw"), "0x1000",
              "TPM2_PT_MAX_COMMAND_SIZE")
    expect_eq(fixed.get("TPM2_PT_NV_INDEX_MAX", {}).get("raw"), "0x800",
              "TPM2_PT_NV_INDEX_MAX")
    var = t.props("properties-variable")
    sc = var.get("TPM2_PT_STARTUP_CLEAR", {})
    for bit in ("phEnable", "shEnable", "ehEnable", "phEnableNV"):
        expect_eq(sc.get(bit), "1", "TPM2_PT_STARTUP_CLEAR." + bit)
    algs = t.props("algorithms")
    for a in BANKS:
        expect(a in algs and algs[a].get("hash") == "1", "algorithms: %s is no hash" % a)
    cmds = t.props("commands")
    for cc in ("GetRandom", "GetCapability", "PCR_Read", "PCR_Extend", "PCR_Event",
               "PCR_Reset", "Hash", "NV_DefineSpace", "NV_Write", "NV_Read", "NV_Increment",
               "NV_Extend", "NV_SetBits", "NV_ReadLock", "NV_UndefineSpace", "NV_ReadPublic",
               "HierarchyChangeAuth", "Clear", "DictionaryAttackLockReset",
               "DictionaryAttackParameters", "Startup", "Shutdown", "StartAuthSession",
               "FlushContext", "ReadClock"):
        expect("TPM2_CC_" + cc in cmds, "getcap commands does not list %s" % cc)
    pcrs = t.run("getcap", "pcrs")
    for bank in BANKS:
        expect(re.search(r"- %s: \[ 0, 1, 2,[ 0-9,]* 23 \]" % bank, pcrs) is not None,
               "getcap pcrs: %s bank not fully allocated: %s" % (bank, pcrs))
    expect_eq(t.handles("handles-pcr"), list(range(24)), "handles-pcr")
    perm = t.handles("handles-permanent")
    for h in (0x40000001, 0x40000007, 0x4000000A, 0x4000000B, 0x4000000C):
        expect(h in perm, "handles-permanent lacks 0x%x: %s" % (h, perm))
    expect_eq(t.handles("handles-nv-index"), [], "handles-nv-index of a fresh TPM")
    expect_eq(t.handles("handles-persistent"), [], "handles-persistent")
    expect_eq(t.handles("handles-transient"), [], "handles-transient")


def c_pcr(t):
    for bank in BANKS:
        for i in (0, 10, 16, 23):
            expect_eq(t.pcr(bank, i), bytes(HASHES[bank]().digest_size),
                      "fresh %s PCR %d" % (bank, i))
        expect_eq(t.pcr(bank, 17), b"\xff" * HASHES[bank]().digest_size,
                  "%s PCR 17 (DRTM, all ones until _TPM_Hash_Start)" % bank)
    # pcrextend: every bank at once, then one bank
    d = {b: HASHES[b](b"copra-" + b.encode()).digest() for b in BANKS}
    t.run("pcrextend", "16:" + ",".join("%s=%s" % (b, d[b].hex()) for b in BANKS))
    want = {b: extend(b, bytes(HASHES[b]().digest_size), d[b]) for b in BANKS}
    for b in BANKS:
        expect_eq(t.pcr(b, 16).hex(), want[b].hex(), "%s PCR 16 after pcrextend" % b)
    t.run("pcrextend", "16:sha256=" + d["sha256"].hex())
    want["sha256"] = extend("sha256", want["sha256"], d["sha256"])
    for b in BANKS:
        expect_eq(t.pcr(b, 16).hex(), want[b].hex(), "%s PCR 16 after one-bank extend" % b)
    # pcrevent: the TPM hashes the data with every bank's algorithm and extends that
    data = b"an event \x00 with binary data\xff" * 5
    out = t.run("pcrevent", 16, t.file(data))
    for b in BANKS:
        h = HASHES[b](data).digest()
        expect(re.search(r"%s: %s" % (b, h.hex()), out) is not None,
               "pcrevent printed no %s digest %s: %r" % (b, h.hex(), out))
        want[b] = extend(b, want[b], h)
        expect_eq(t.pcr(b, 16).hex(), want[b].hex(), "%s PCR 16 after pcrevent" % b)
    # a multi-bank, multi-PCR read in one command
    two = t.file()
    t.run("pcrread", "sha1:16,23+sha256:16,23", "-o", two)
    expect_eq(t.read(two).hex(), (want["sha1"] + bytes(20) + want["sha256"] + bytes(32)).hex(),
              "pcrread sha1:16,23+sha256:16,23")
    # pcrreset: 16 and 23 are resettable at locality 0, PCR 0 is not
    t.run("pcrextend", "23:sha256=" + d["sha256"].hex())
    expect(t.pcr("sha256", 23) != bytes(32), "PCR 23 unchanged by pcrextend")
    t.run("pcrreset", 16)
    t.run("pcrreset", 23)
    for b in BANKS:
        expect_eq(t.pcr(b, 16), bytes(HASHES[b]().digest_size), "%s PCR 16 after reset" % b)
        expect_eq(t.pcr(b, 23), bytes(HASHES[b]().digest_size), "%s PCR 23 after reset" % b)
    t.run("pcrextend", "0:sha256=" + d["sha256"].hex())
    p0 = t.pcr("sha256", 0)
    t.run("pcrreset", 0, ok=False, rc=RC_LOCALITY)
    expect_eq(t.pcr("sha256", 0), p0, "PCR 0 after a refused reset")
    expect_eq(p0.hex(), extend("sha256", bytes(32), d["sha256"]).hex(), "PCR 0 value")


def c_hash(t):
    for data in (b"", b"abc", bytes(range(256)) * 4):
        f = t.file(data)
        for b in BANKS:
            got = t.run("hash", "-g", b, "--hex", f).strip()
            expect_eq(got, HASHES[b](data).hexdigest(), "tpm2_hash -g %s of %d bytes" % (
                b, len(data)))
    # Larger than one TPM2B_MAX_BUFFER: tpm2_hash uses a hash sequence.
    big = bytes((i * 7) & 0xFF for i in range(5000))
    f = t.file(big)
    for b in BANKS:
        out = t.file()
        ticket = t.file()
        t.run("hash", "-C", "o", "-g", b, "-o", out, "-t", ticket, f)
        expect_eq(t.read(out).hex(), HASHES[b](big).hexdigest(), "sequence hash %s" % b)
        expect(len(t.read(ticket)) > 6, "no ticket written")
    out = t.file()
    ticket = t.file()
    t.run("hash", "-C", "o", "-g", "sha256", "-o", out, "-t", ticket, t.file(b"ticket me"))
    tk = t.read(ticket)
    # TPMT_TK_HASHCHECK: tag TPM_ST_HASHCHECK (0x8024), hierarchy owner, an HMAC with the
    # TPM's proof (its hash algorithm is the TPM's choice)
    expect(len(tk) >= 8 and tk[:6] == bytes.fromhex("802440000001") and
           struct.unpack(">H", tk[6:8])[0] in (32, 48, 64) and
           len(tk) == 8 + struct.unpack(">H", tk[6:8])[0], "hash ticket %s" % tk.hex())


def c_nv(t):
    rw = "ownerread|ownerwrite|authread|authwrite|no_da"
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-s", 32, "-a", rw)
    t.run("nvdefine", "0x%x" % CTR, "-C", "o", "-s", 8, "-a", "nt=counter|" + rw)
    t.run("nvdefine", "0x%x" % BITS, "-C", "o", "-a", "nt=bits|" + rw)
    t.run("nvdefine", "0x%x" % EXT, "-C", "o", "-g", "sha256", "-a", "nt=extend|" + rw)
    t.run("nvdefine", "0x%x" % EXT1, "-C", "o", "-g", "sha1", "-a", "nt=extend|" + rw)
    t.run("nvdefine", "0x%x" % RL, "-C", "o", "-s", 8, "-a",
          "ownerread|ownerwrite|read_stclear|no_da")
    expect_eq(t.handles("handles-nv-index"), [ORD, CTR, BITS, EXT, RL, EXT1],
              "handles-nv-index")
    expect_eq(t.prop("properties-variable", "TPM2_PT_HR_NV_INDEX"), "0x6", "HR_NV_INDEX")
    expect_eq(t.prop("properties-variable", "TPM2_PT_NV_COUNTERS"), "0x1", "NV_COUNTERS")
    # ordinary: unwritten, written, offsets, the Name
    t.run("nvread", "0x%x" % ORD, "-C", "o", "-s", 4, ok=False, rc=RC_NV_UNINITIALIZED)
    pub = t.run("nvreadpublic", "0x%x" % ORD)
    attrs = 0x2 | 0x4 | 0x20000 | 0x40000 | 0x2000000
    expect(("name: %s" % nv_name(ORD, attrs, 32).hex()) in pub,
           "nvreadpublic name before write: %s" % pub)
    data = bytes(range(0x40, 0x60))
    t.run("nvwrite", "0x%x" % ORD, "-C", "o", "-i", t.file(data))
    expect_eq(t.nv_read(ORD, 32), data, "NV data")
    t.run("nvwrite", "0x%x" % ORD, "-C", "0x%x" % ORD, "-i", t.file(b"XYZ"), "--offset", 8)
    data = data[:8] + b"XYZ" + data[11:]
    expect_eq(t.nv_read(ORD, 32, auth="0x%x" % ORD), data, "NV data after an offset write")
    expect_eq(t.nv_read(ORD, 6, offset=6), data[6:12], "NV read at an offset")
    pub = t.run("nvreadpublic", "0x%x" % ORD)
    expect(("name: %s" % nv_name(ORD, attrs | TPMA_NV_WRITTEN, 32).hex()) in pub,
           "nvreadpublic name after write (WRITTEN set): %s" % pub)
    expect(re.search(r"value: 0x%X\b" % (attrs | TPMA_NV_WRITTEN), pub) is not None,
           "nvreadpublic attributes: %s" % pub)
    # counter
    t.run("nvread", "0x%x" % CTR, "-C", "o", "-s", 8, ok=False, rc=RC_NV_UNINITIALIZED)
    t.run("nvincrement", "0x%x" % CTR, "-C", "o")
    v1 = struct.unpack(">Q", t.nv_read(CTR, 8))[0]
    t.run("nvincrement", "0x%x" % CTR, "-C", "0x%x" % CTR)
    t.run("nvincrement", "0x%x" % CTR, "-C", "o")
    v3 = struct.unpack(">Q", t.nv_read(CTR, 8))[0]
    expect(v1 >= 1 and v3 == v1 + 2, "counter %d then %d after two increments" % (v1, v3))
    t.run("nvwrite", "0x%x" % CTR, "-C", "o", "-i", t.file(bytes(8)), ok=False)
    # bits
    t.run("nvsetbits", "0x%x" % BITS, "-C", "o", "-i", "0x5")
    expect_eq(t.nv_read(BITS, 8).hex(), "0000000000000005", "bits after 0x5")
    t.run("nvsetbits", "0x%x" % BITS, "-C", "o", "-i", "0x8000000000000030")
    expect_eq(t.nv_read(BITS, 8).hex(), "8000000000000035", "bits after 0x8000000000000030")
    # extend (SHA-256 and SHA-1 indices)
    t.run("nvextend", "0x%x" % EXT, "-C", "o", "-i", t.file(b"hello"))
    want = hashlib.sha256(bytes(32) + b"hello").digest()
    expect_eq(t.nv_read(EXT, 32).hex(), want.hex(), "extend index after one extend")
    t.run("nvextend", "0x%x" % EXT, "-C", "o", "-i", t.file(b"world" * 100))
    want = hashlib.sha256(want + b"world" * 100).digest()
    expect_eq(t.nv_read(EXT, 32).hex(), want.hex(), "extend index after two extends")
    t.run("nvextend", "0x%x" % EXT1, "-C", "o", "-i", t.file(b"sha1"))
    expect_eq(t.nv_read(EXT1, 20).hex(), hashlib.sha1(bytes(20) + b"sha1").hexdigest(),
              "SHA-1 extend index")
    # read lock (READ_STCLEAR): locked until the next TPM Reset
    t.run("nvwrite", "0x%x" % RL, "-C", "o", "-i", t.file(b"readlock"))
    expect_eq(t.nv_read(RL, 8), b"readlock", "read-lock index before the lock")
    t.run("nvreadlock", "0x%x" % RL, "-C", "o")
    t.run("nvread", "0x%x" % RL, "-C", "o", "-s", 8, ok=False, rc=RC_NV_LOCKED)
    t.server.restart()
    expect_eq(t.nv_read(RL, 8), b"readlock", "read-lock index after a TPM Reset")
    # everything else survived the restart too
    expect_eq(t.nv_read(ORD, 32), data, "NV data after a restart")
    expect_eq(struct.unpack(">Q", t.nv_read(CTR, 8))[0], v3, "counter after a restart")
    expect_eq(t.nv_read(EXT, 32).hex(), want.hex(), "extend index after a restart")
    # undefine
    for i in (ORD, CTR, BITS, EXT, RL, EXT1):
        t.run("nvundefine", "0x%x" % i, "-C", "o")
    t.run("nvreadpublic", "0x%x" % ORD, ok=False, rc=RC_HANDLE_P1)
    expect_eq(t.handles("handles-nv-index"), [], "handles-nv-index after undefine")


def c_nv_auth_da(t):
    """An index with its own password, DA-protected: a wrong password counts."""
    t.run("nvdefine", "0x%x" % AUTH, "-C", "o", "-s", 8, "-p", "secret", "-a",
          "authread|authwrite")
    t.run("nvwrite", "0x%x" % AUTH, "-C", "0x%x" % AUTH, "-P", "secret",
          "-i", t.file(b"12345678"))
    expect_eq(t.nv_read(AUTH, 8, auth="0x%x" % AUTH, password="secret"), b"12345678",
              "read with the index password")
    expect_eq(t.prop("properties-variable", "TPM2_PT_LOCKOUT_COUNTER"), "0x0",
              "LOCKOUT_COUNTER before")
    t.run("nvread", "0x%x" % AUTH, "-C", "0x%x" % AUTH, "-P", "wrong", "-s", 8, ok=False,
          rc=RC_AUTH_FAIL_S1)
    expect_eq(t.prop("properties-variable", "TPM2_PT_LOCKOUT_COUNTER"), "0x1",
              "LOCKOUT_COUNTER after one failure")
    t.run("nvread", "0x%x" % AUTH, "-C", "o", "-s", 8, ok=False)  # no OWNERREAD
    t.run("dictionarylockout", "-c")
    expect_eq(t.prop("properties-variable", "TPM2_PT_LOCKOUT_COUNTER"), "0x0",
              "LOCKOUT_COUNTER after dictionarylockout -c")
    t.run("dictionarylockout", "-s", "-n", 5, "-t", 6, "-l", 7)
    var = t.props("properties-variable")
    expect_eq((var.get("TPM2_PT_MAX_AUTH_FAIL"), var.get("TPM2_PT_LOCKOUT_INTERVAL"),
               var.get("TPM2_PT_LOCKOUT_RECOVERY")), ("0x5", "0x6", "0x7"),
              "DA parameters after dictionarylockout -s -n 5 -t 6 -l 7")
    t.run("nvundefine", "0x%x" % AUTH, "-C", "o")


def c_changeauth(t):
    def auth_set():
        p = t.props("properties-variable").get("TPM2_PT_PERMANENT", {})
        return tuple(p.get(k) for k in ("ownerAuthSet", "endorsementAuthSet", "lockoutAuthSet"))

    expect_eq(auth_set(), ("0", "0", "0"), "auth-set bits of a fresh TPM")
    t.run("changeauth", "-c", "owner", "ownerpw")
    expect_eq(auth_set(), ("1", "0", "0"), "auth-set bits after changeauth -c owner")
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-s", 8, "-a", "ownerread|ownerwrite", ok=False,
          rc=RC_BAD_AUTH_S1)
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-P", "ownerpw", "-s", 8, "-a",
          "ownerread|ownerwrite")
    t.run("nvwrite", "0x%x" % ORD, "-C", "o", "-P", "ownerpw", "-i", t.file(b"owned!!!"))
    expect_eq(t.nv_read(ORD, 8, password="ownerpw"), b"owned!!!", "owner read with new auth")
    t.run("changeauth", "-c", "owner", "-p", "ownerpw", "second")
    t.run("changeauth", "-c", "owner", "-p", "ownerpw", "third", ok=False, rc=RC_BAD_AUTH_S1)
    t.run("changeauth", "-c", "owner", "-p", "second")
    expect_eq(auth_set(), ("0", "0", "0"), "auth-set bits after setting owner auth back")
    t.run("nvundefine", "0x%x" % ORD, "-C", "o")
    t.run("changeauth", "-c", "endorsement", "endorsepw")
    t.run("changeauth", "-c", "lockout", "lockoutpw")
    expect_eq(auth_set(), ("0", "1", "1"), "auth-set bits after endorsement and lockout")
    t.run("changeauth", "-c", "e", "-p", "endorsepw")
    t.run("changeauth", "-c", "l", "-p", "lockoutpw")
    t.run("changeauth", "-c", "platform", "platformpw")
    t.run("nvdefine", "0x%x" % PLAT, "-C", "p", "-s", 8, "-a",
          "ppread|ppwrite|platformcreate|no_da", ok=False, rc=RC_BAD_AUTH_S1)
    t.run("changeauth", "-c", "p", "-p", "platformpw")
    expect_eq(auth_set(), ("0", "0", "0"), "auth-set bits at the end")


def c_clear(t):
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-s", 8, "-a", "ownerread|ownerwrite")
    t.run("nvdefine", "0x%x" % PLAT, "-C", "p", "-s", 8, "-a",
          "ppread|ppwrite|platformcreate|no_da")
    t.run("nvwrite", "0x%x" % PLAT, "-C", "p", "-i", t.file(b"platform"))
    t.run("changeauth", "-c", "owner", "ownerpw")
    t.run("changeauth", "-c", "endorsement", "endorsepw")
    t.run("clear", "-c", "p")
    p = t.props("properties-variable").get("TPM2_PT_PERMANENT", {})
    expect_eq((p.get("ownerAuthSet"), p.get("endorsementAuthSet")), ("0", "0"),
              "owner/endorsement auth after clear -c p")
    expect_eq(t.handles("handles-nv-index"), [PLAT],
              "NV indices after clear (platform ones stay)")
    expect_eq(t.nv_read(PLAT, 8, auth="p"), b"platform", "platform index data after clear")
    # the owner's password is empty again
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-s", 8, "-a", "ownerread|ownerwrite")
    # lockoutRecovery 0: a lockoutAuth failure blocks lockoutAuth until the next TPM Reset.
    t.run("dictionarylockout", "-s", "-n", 5, "-t", 6, "-l", 0)
    t.run("changeauth", "-c", "lockout", "lockoutpw")
    t.run("clear", "-c", "l", ok=False, rc=RC_AUTH_FAIL_S1)
    t.run("clear", "-c", "l", "lockoutpw", ok=False, rc=RC_LOCKOUT)
    t.server.restart()
    t.run("clear", "-c", "l", "lockoutpw")
    expect_eq(t.handles("handles-nv-index"), [PLAT], "NV indices after clear -c l")
    p = t.props("properties-variable").get("TPM2_PT_PERMANENT", {})
    expect_eq(p.get("lockoutAuthSet"), "0", "lockout auth after clear -c l")
    t.run("nvundefine", "0x%x" % PLAT, "-C", "p")


def c_startup_state(t):
    """Shutdown(STATE), restart copra-tpmd from its state file, Startup(STATE): a TPM Resume."""
    d = hashlib.sha256(b"resume").digest()
    t.run("pcrextend", "0:sha256=%s,sha1=%s" % (d.hex(), d[:20].hex()))
    t.run("pcrextend", "16:sha256=" + d.hex())
    p0 = {b: t.pcr(b, 0) for b in BANKS}
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-s", 8, "-a", "ownerread|ownerwrite")
    t.run("nvwrite", "0x%x" % ORD, "-C", "o", "-i", t.file(b"persists"))
    reset0, restart0 = t.clock()
    t.run("shutdown")  # STATE
    t.server.restart(need_init=True)
    if t.tcti_kind == "swtpm":
        # The swtpm control channel's CMD_INIT powers the TPM on (_TPM_Init).
        r = run_client(["swtpm_ioctl", "--tcp", "127.0.0.1:%d" % (t.server.port + 1), "-i"],
                       t.env)
        expect(r.returncode == 0, "swtpm_ioctl -i: %s" % tail(r.stderr))
    # (the mssim TCTI powers the simulator on itself when it connects)
    t.run("startup")  # STATE
    for b in BANKS:
        expect_eq(t.pcr(b, 0).hex(), p0[b].hex(), "%s PCR 0 after Startup(STATE)" % b)
        expect_eq(t.pcr(b, 16), bytes(HASHES[b]().digest_size),
                  "%s PCR 16 after Startup(STATE) (not saved)" % b)
    expect_eq(t.nv_read(ORD, 8), b"persists", "NV after Shutdown(STATE)/Startup(STATE)")
    reset1, restart1 = t.clock()
    expect_eq((reset1, restart1), (reset0, restart0 + 1),
              "resetCount/restartCount after a TPM Resume")
    # A restart without Shutdown: copra-tpmd sends Startup(CLEAR); NV stays, PCRs reset.
    t.server.restart()
    for b in BANKS:
        expect_eq(t.pcr(b, 0), bytes(HASHES[b]().digest_size), "%s PCR 0 after a reset" % b)
    expect_eq(t.nv_read(ORD, 8), b"persists", "NV after a restart without Shutdown")
    reset2, restart2 = t.clock()
    expect_eq((reset2, restart2), (reset1 + 1, 0), "resetCount/restartCount after a TPM Reset")
    # Without an orderly Shutdown(STATE), Startup(STATE) must fail; Startup(CLEAR) works.
    t.server.restart(need_init=True)
    if t.tcti_kind == "swtpm":
        r = run_client(["swtpm_ioctl", "--tcp", "127.0.0.1:%d" % (t.server.port + 1), "-i"],
                       t.env)
        expect(r.returncode == 0, "swtpm_ioctl -i: %s" % tail(r.stderr))
    t.run("startup", ok=False)
    t.run("startup", "-c")
    expect_eq(t.nv_read(ORD, 8), b"persists", "NV after Startup(CLEAR)")
    t.run("nvundefine", "0x%x" % ORD, "-C", "o")


def c_shutdown_clear(t):
    """Shutdown(CLEAR) then Startup(CLEAR): NV kept, PCRs reset, the TPM works on."""
    t.run("nvdefine", "0x%x" % ORD, "-C", "o", "-s", 4, "-a", "ownerread|ownerwrite")
    t.run("nvwrite", "0x%x" % ORD, "-C", "o", "-i", t.file(b"kept"))
    t.run("pcrextend", "0:sha256=" + bytes(32).hex())
    t.run("shutdown", "-c")
    t.server.restart()
    expect_eq(t.pcr("sha256", 0), bytes(32), "PCR 0 after Shutdown(CLEAR)/Startup(CLEAR)")
    expect_eq(t.nv_read(ORD, 4), b"kept", "NV after Shutdown(CLEAR)")
    t.run("nvundefine", "0x%x" % ORD, "-C", "o")


# ---- objects -------------------------------------------------------------------------------

KEY_TYPES = ("rsa2048", "rsa3072", "ecc256", "ecc384")


def primary_key(out):
    """The public key tpm2_createprimary / tpm2_readpublic print: the modulus or (x, y)."""
    d = parse_yamlish(out)
    if "rsa" in d:
        return d["rsa"]
    expect("x" in d and "y" in d, "no public key in: %s" % out[-300:])
    return d["x"] + ":" + d["y"]


def transient(t):
    return t.handles("handles-transient")


def create_primary(t, hier, alg, extra=()):
    """tpm2_createprimary -C hier -G alg: the public key and the handle it was loaded at."""
    before = set(transient(t))
    out = t.run("createprimary", "-C", hier, "-G", alg, *extra)
    new = [h for h in transient(t) if h not in before]
    expect_eq(len(new), 1, "new transient handles after createprimary -C %s -G %s" % (hier, alg))
    return primary_key(out), new[0]


def check_key_shape(key, alg):
    if alg.startswith("rsa"):
        expect_eq(len(key), int(alg[3:]) // 4, "%s modulus hex digits" % alg)
        expect(int(key, 16) >> (int(alg[3:]) - 1) == 1, "%s modulus has its top bit" % alg)
    else:
        size = {"ecc256": 32, "ecc384": 48}[alg]
        x, y = key.split(":")
        expect_eq((len(x), len(y)), (2 * size, 2 * size), "%s point coordinates" % alg)


def c_primary(t):
    """createprimary of every key type in three hierarchies; readpublic; flushcontext."""
    keys = {}
    for hier in ("o", "e", "n"):
        for alg in KEY_TYPES:
            if hier != "o" and alg == "rsa3072":
                continue  # the slow one once is enough
            key, h = create_primary(t, hier, alg)
            check_key_shape(key, alg)
            keys[(hier, alg)] = key
            pub, name = t.file(), t.file()
            out = t.run("readpublic", "-c", "0x%x" % h, "-o", pub, "-n", name)
            expect_eq(primary_key(out), key, "readpublic key of 0x%x" % h)
            # Name = nameAlg || SHA-256(TPMT_PUBLIC), TPMT_PUBLIC being the TPM2B_PUBLIC's body
            p = t.read(pub)
            expect_eq(t.read(name).hex(), ("000b" + hashlib.sha256(p[2:]).hexdigest()),
                      "the Name of %s (-C %s)" % (alg, hier))
            t.run("flushcontext", "0x%x" % h)
            expect(h not in transient(t), "0x%x still loaded after flushcontext" % h)
    for alg in ("rsa2048", "ecc256"):
        expect(len({keys[(hier, alg)] for hier in ("o", "e", "n")}) == 3,
               "%s keys of the owner, endorsement and NULL hierarchies differ" % alg)
    # attributes, a key password, a policy, unique data: the template decides the key
    key, h = create_primary(t, "o", "ecc256", ["-a", "fixedtpm|fixedparent|sensitivedataorigin|"
                                                     "userwithauth|restricted|decrypt|noda"])
    expect(key != keys[("o", "ecc256")], "noDA changes the template, so the key")
    t.run("flushcontext", "0x%x" % h)
    key, h = create_primary(t, "o", "ecc256", ["-p", "keypass"])
    expect_eq(key, keys[("o", "ecc256")], "the key's password does not change the key")
    t.run("flushcontext", "0x%x" % h)
    t.run("createprimary", "-C", "l", "-G", "ecc256", ok=False)
    if not t.server.reference:  # libtpms has RSA-1024 (tests/tpm/diff/README: rsa-key-sizes)
        t.run("createprimary", "-C", "o", "-G", "rsa1024", ok=False)


def c_primary_deterministic(t):
    """The same template twice, then after a server restart: the same public key."""
    first = {}
    for hier, alg in (("o", "rsa2048"), ("o", "ecc256"), ("e", "ecc384"), ("n", "ecc256")):
        key, h = create_primary(t, hier, alg)
        again, h2 = create_primary(t, hier, alg)
        expect_eq(again, key, "createprimary -C %s -G %s twice" % (hier, alg))
        expect(h2 != h, "two objects at two handles")
        t.run("flushcontext", "0x%x" % h)
        t.run("flushcontext", "0x%x" % h2)
        first[(hier, alg)] = key
    t.server.restart()
    expect_eq(transient(t), [], "transient objects after a restart")
    for (hier, alg), key in first.items():
        again, h = create_primary(t, hier, alg)
        if hier == "n":
            expect(again != key, "a NULL-hierarchy key is new after a TPM Reset")
        else:
            expect_eq(again, key, "createprimary -C %s -G %s after a restart" % (hier, alg))
        t.run("flushcontext", "0x%x" % h)


def sealed_primary(t, password, data, attrs=0x52, scheme=b"\x00\x10"):
    """CreatePrimary of a KEYEDHASH object with the given data: sealed data, or an HMAC key
    with scheme (tpm2-tools has no option for the data, so the command goes through
    tpm2_send); returns its handle."""
    tmpl = struct.pack(">HHIH", 0x0008, 0x000B, attrs, 0) + scheme + struct.pack(">H", 0)
    sens = struct.pack(">H", 4 + len(password) + len(data)) + \
        struct.pack(">H", len(password)) + password + struct.pack(">H", len(data)) + data
    body = struct.pack(">II", 0x40000001, 9) + struct.pack(">IHBH", 0x40000009, 0, 1, 0) + \
        sens + struct.pack(">H", len(tmpl)) + tmpl + struct.pack(">HI", 0, 0)
    cmd = struct.pack(">HII", 0x8002, 10 + len(body), 0x131) + body
    env = dict(t.env, TPM2TOOLS_TCTI=t.tcti)
    p = run_client(["tpm2_send"], env, input_bytes=cmd)
    expect(p.returncode == 0, "tpm2_send CreatePrimary: %s" % tail(p.stderr))
    rsp = p.stdout
    expect(len(rsp) >= 14 and struct.unpack(">I", rsp[6:10])[0] == 0,
           "CreatePrimary of sealed data answers %s" % rsp[:10].hex())
    return struct.unpack(">I", rsp[10:14])[0]


def c_unseal(t):
    h = sealed_primary(t, b"sealpw", b"the sealed secret")
    out = t.file()
    t.run("unseal", "-c", "0x%x" % h, "-p", "sealpw", "-o", out)
    expect_eq(t.read(out), b"the sealed secret", "tpm2_unseal of a sealed primary")
    t.run("unseal", "-c", "0x%x" % h, "-p", "wrong", ok=False, rc=RC_AUTH_FAIL_S1)
    t.run("unseal", "-c", "0x%x" % h, "-p", "sealpw", "-o", out)
    expect_eq(t.read(out), b"the sealed secret", "tpm2_unseal after a failed attempt")
    t.run("dictionarylockout", "-c")
    t.run("flushcontext", "0x%x" % h)
    # noDA, empty password (tpm2-tools then authorizes with an HMAC session of its own)
    h = sealed_primary(t, b"", bytes(range(128)), attrs=0x452)
    t.run("unseal", "-c", "0x%x" % h, "-o", out)
    expect_eq(t.read(out), bytes(range(128)), "tpm2_unseal of 128 bytes, empty password")
    t.run("flushcontext", "0x%x" % h)
    # a storage key cannot be unsealed
    _, h = create_primary(t, "o", "ecc256")
    t.run("unseal", "-c", "0x%x" % h, ok=False, rc=RC_TYPE_H1)
    t.run("flushcontext", "0x%x" % h)


def rm(t, tool, *args, **kw):
    """t.run, then flush what the tool left loaded: these TCTIs have no resource manager, and
    tpm2-tools leaves the objects it loads from context files to the one a system has."""
    try:
        return t.run(tool, *args, **kw)
    finally:
        run_client(["tpm2_flushcontext", "-t"], dict(t.env, TPM2TOOLS_TCTI=t.tcti))


def c_keys(t):
    """Ordinary objects through context files: createprimary -c, create, load, unseal,
    changeauth of an object, every key type under both parent types."""
    for parent_alg in ("ecc256", "rsa2048"):
        prim = t.file()
        rm(t, "createprimary", "-C", "o", "-G", parent_alg, "-c", prim)
        secret = t.file(b"a disk key under " + parent_alg.encode())
        pub, priv, obj = t.file(), t.file(), t.file()
        rm(t, "create", "-C", prim, "-i", secret, "-u", pub, "-r", priv, "-p", "objpw")
        rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
        out = t.file()
        rm(t, "unseal", "-c", obj, "-p", "objpw", "-o", out)
        expect_eq(t.read(out), t.read(secret), "unseal under a %s parent" % parent_alg)
        rm(t, "unseal", "-c", obj, "-p", "wrong", ok=False, rc=RC_AUTH_FAIL_S1)
        t.run("dictionarylockout", "-c")
        # the Name load reports is the Name of the public area
        name = t.file()
        rm(t, "readpublic", "-c", obj, "-n", name)
        expect_eq(t.read(name).hex(), "000b" + hashlib.sha256(t.read(pub)[2:]).hexdigest(),
                  "the Name of a loaded object")
        # a new password: a new private area; the old one still loads with the old password
        newpriv = t.file()
        rm(t, "changeauth", "-c", obj, "-C", prim, "-p", "objpw", "-r", newpriv, "newpw")
        obj2 = t.file()
        rm(t, "load", "-C", prim, "-u", pub, "-r", newpriv, "-c", obj2)
        rm(t, "unseal", "-c", obj2, "-p", "newpw", "-o", out)
        expect_eq(t.read(out), t.read(secret), "unseal with the changed password")
        rm(t, "unseal", "-c", obj2, "-p", "objpw", ok=False, rc=RC_AUTH_FAIL_S1)
        t.run("dictionarylockout", "-c")
        t.flush_all()
    prim = t.file()
    rm(t, "createprimary", "-C", "o", "-G", "ecc256", "-c", prim)
    for alg in ("ecc256", "ecc384", "rsa2048", "aes128", "aes256", "hmac", "keyedhash"):
        pub, priv, obj = t.file(), t.file(), t.file()
        rm(t, "create", "-C", prim, "-G", alg, "-u", pub, "-r", priv)
        rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
    # a private area under another parent does not load
    other = t.file()
    rm(t, "createprimary", "-C", "e", "-G", "ecc256", "-c", other)
    pub, priv = t.file(), t.file()
    rm(t, "create", "-C", prim, "-G", "ecc256", "-u", pub, "-r", priv)
    rm(t, "load", "-C", other, "-u", pub, "-r", priv, "-c", t.file(), ok=False,
          rc=RC_INTEGRITY_P1)


def c_persistent(t):
    """evictcontrol of a primary, a sealed object under it after a server restart (a TPM
    Reset), the primary's context file refused after it, removal."""
    prim = t.file()
    rm(t, "createprimary", "-C", "o", "-G", "ecc256", "-c", prim)
    rm(t, "evictcontrol", "-C", "o", "-c", prim, "0x81000001")
    expect_eq(t.handles("handles-persistent"), [0x81000001], "persistent handles")
    secret = t.file(b"sealed under a persistent key")
    pub, priv = t.file(), t.file()
    rm(t, "create", "-C", "0x81000001", "-i", secret, "-u", pub, "-r", priv)
    rm(t, "evictcontrol", "-C", "o", "-c", prim, "0x81000001", ok=False, rc=RC_NV_DEFINED)
    t.server.restart()
    expect_eq(t.handles("handles-persistent"), [0x81000001], "persistent handles after restart")
    obj, out = t.file(), t.file()
    rm(t, "load", "-C", "0x81000001", "-u", pub, "-r", priv, "-c", obj)
    rm(t, "unseal", "-c", obj, "-o", out)
    expect_eq(t.read(out), t.read(secret), "unseal under a persistent parent after a restart")
    # a context file does not outlive a TPM Reset (the reference hashes resetCount into it)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", t.file(), ok=False,
       rc=RC_INTEGRITY_P1)
    rm(t, "evictcontrol", "-C", "o", "-c", "0x81000001")
    expect_eq(t.handles("handles-persistent"), [], "persistent handles after removal")
    rm(t, "readpublic", "-c", "0x81000001", ok=False)


def pcr_policy(pcr_values, sel_bytes):
    """PolicyPCR's digest from a fresh session: H(0 || TPM_CC_PolicyPCR || pcrs || H(values))."""
    return hashlib.sha256(bytes(32) + struct.pack(">I", 0x17F) + sel_bytes +
                          hashlib.sha256(b"".join(pcr_values)).digest()).digest()


def c_policy(t):
    """Sealing to PCR 16 the way clevis does (createpolicy, create -L, unseal -p pcr:), refusal
    after an extend; explicit policy sessions (policypcr, policypassword, policyor,
    policycommandcode, policysecret); digests recomputed here."""
    prim = t.file()
    rm(t, "createprimary", "-C", "o", "-G", "ecc256", "-c", prim)
    rm(t, "pcrreset", "16")
    pol = t.file()
    rm(t, "createpolicy", "--policy-pcr", "-l", "sha256:16", "-L", pol)
    sel16 = struct.pack(">IHB", 1, 0x000B, 3) + bytes([0, 0, 1])
    expect_eq(t.read(pol), pcr_policy([t.pcr("sha256", 16)], sel16), "PolicyPCR digest")
    secret = t.file(b"a LUKS key sealed to PCR 16")
    pub, priv, obj = t.file(), t.file(), t.file()
    rm(t, "create", "-C", prim, "-L", pol, "-i", secret, "-u", pub, "-r", priv, "-a",
       "fixedtpm|fixedparent|noda|adminwithpolicy")
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
    out = t.file()
    rm(t, "unseal", "-c", obj, "-p", "pcr:sha256:16", "-o", out)
    expect_eq(t.read(out), t.read(secret), "unseal with a PCR policy")
    # userWithAuth is clear: the (empty) password does not do
    rm(t, "unseal", "-c", obj, ok=False, rc=RC_AUTH_UNAVAILABLE)
    # an explicit policy session, saved and loaded between the tools
    sess = t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    t.run("policypcr", "-S", sess, "-l", "sha256:16")
    rm(t, "unseal", "-c", obj, "-p", "session:" + sess, "-o", out)
    expect_eq(t.read(out), t.read(secret), "unseal with an explicit policy session")
    t.run("flushcontext", sess)
    rm(t, "pcrextend", "16:sha256=" + "11" * 32)
    rm(t, "unseal", "-c", obj, "-p", "pcr:sha256:16", ok=False, rc=RC_POLICY_FAIL_S1)
    # a PCR changes after PolicyPCR: the session notices at use (PCR 16 is a debug PCR that
    # does not move pcrUpdateCounter, so another one changes)
    rm(t, "pcrreset", "16")
    sess = t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    t.run("policypcr", "-S", sess, "-l", "sha256:16")
    rm(t, "pcrextend", "15:sha256=" + "22" * 32)
    rm(t, "unseal", "-c", obj, "-p", "session:" + sess, ok=False, rc=RC_PCR_CHANGED)
    t.run("flushcontext", sess)
    rm(t, "pcrreset", "16")

    # PolicyPassword: the password in the clear inside a policy session
    trial = t.file()
    t.run("startauthsession", "-S", trial)
    polpw = t.file()
    t.run("policypassword", "-S", trial, "-L", polpw)
    t.run("flushcontext", trial)
    expect_eq(t.read(polpw), hashlib.sha256(bytes(32) + struct.pack(">I", 0x16B)).digest(),
              "PolicyPassword digest (that of PolicyAuthValue)")
    rm(t, "create", "-C", prim, "-L", polpw, "-p", "pw", "-i", secret, "-u", pub, "-r", priv,
       "-a", "fixedtpm|fixedparent|noda|adminwithpolicy")
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
    for tool, want in (("policypassword", True), ("policyauthvalue", True)):
        sess = t.file()
        t.run("startauthsession", "--policy-session", "-S", sess)
        t.run(tool, "-S", sess)
        rm(t, "unseal", "-c", obj, "-p", "session:%s+pw" % sess, "-o", out)
        expect_eq(t.read(out), t.read(secret), "unseal after %s" % tool)
        t.run("flushcontext", sess)
    sess = t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    t.run("policypassword", "-S", sess)
    rm(t, "unseal", "-c", obj, "-p", "session:%s+wrong" % sess, ok=False, rc=RC_BAD_AUTH_S1)
    t.run("flushcontext", sess)

    # PolicyOR of the two, and PolicyCommandCode
    polor = t.file()
    t.run("startauthsession", "-S", trial)
    t.run("policyor", "-S", trial, "-L", polor, "sha256:%s,%s" % (pol, polpw))
    t.run("flushcontext", trial)
    expect_eq(t.read(polor), hashlib.sha256(bytes(32) + struct.pack(">I", 0x171) + t.read(pol) +
                                            t.read(polpw)).digest(), "PolicyOR digest")
    polcc = t.file()
    t.run("startauthsession", "-S", trial)
    t.run("policycommandcode", "-S", trial, "-L", polcc, "TPM2_CC_Unseal")
    t.run("flushcontext", trial)
    expect_eq(t.read(polcc), hashlib.sha256(bytes(32) + struct.pack(">II", 0x16C, 0x15E))
              .digest(), "PolicyCommandCode digest")
    # PolicySecret with the owner hierarchy: H(H(0 || cc || Name(owner)) || policyRef="")
    polsec = t.file()
    t.run("startauthsession", "-S", trial)
    t.run("policysecret", "-S", trial, "-L", polsec, "-c", "o")
    t.run("flushcontext", trial)
    step = hashlib.sha256(bytes(32) + struct.pack(">II", 0x151, 0x40000001)).digest()
    expect_eq(t.read(polsec), hashlib.sha256(step).digest(), "PolicySecret digest")
    rm(t, "create", "-C", prim, "-L", polsec, "-i", secret, "-u", pub, "-r", priv, "-a",
       "fixedtpm|fixedparent|noda|adminwithpolicy")
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
    sess = t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    t.run("policysecret", "-S", sess, "-c", "o")
    rm(t, "unseal", "-c", obj, "-p", "session:" + sess, "-o", out)
    expect_eq(t.read(out), t.read(secret), "unseal after PolicySecret(owner)")
    t.run("flushcontext", sess)


def openssl_rsa_keys(t, count):
    """count RSA-2048 key pairs made by OpenSSL: [(private PEM file, public PEM file)]."""
    keys = []
    for _ in range(count):
        priv, pub = t.file(), t.file()
        for argv in (["openssl", "genrsa", "-out", priv, "2048"],
                     ["openssl", "rsa", "-in", priv, "-out", pub, "-pubout"]):
            p = run_client(argv, t.env)
            expect(p.returncode == 0, "%s: %s" % (" ".join(argv), tail(p.stderr)))
        keys.append((priv, pub))
    return keys


def c_policyauthorize(t):
    """A sealed object whose policy a signing key approves (tpm2_policyauthorize with an
    OpenSSL key loaded as a public key), unsealed under an approved PCR policy; a PCR policy
    signed by another key is refused."""
    keys = openssl_rsa_keys(t, 2)
    kctx, kname = t.file(), t.file()
    rm(t, "loadexternal", "-G", "rsa", "-C", "o", "-u", keys[0][1], "-c", kctx, "-n", kname)
    trial, authpol = t.file(), t.file()
    t.run("startauthsession", "-S", trial)
    t.run("policyauthorize", "-S", trial, "-L", authpol, "-n", kname)
    t.run("flushcontext", trial)
    step = hashlib.sha256(bytes(32) + struct.pack(">I", 0x16A) + t.read(kname)).digest()
    expect_eq(t.read(authpol), hashlib.sha256(step).digest(), "PolicyAuthorize digest")
    prim, pub, priv, obj = t.file(), t.file(), t.file(), t.file()
    rm(t, "createprimary", "-C", "o", "-c", prim)
    secret = t.file(b"released by an approved policy")
    rm(t, "create", "-C", prim, "-L", authpol, "-i", secret, "-u", pub, "-r", priv)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
    pcrpol = t.file()
    t.run("startauthsession", "-S", trial)
    t.run("policypcr", "-S", trial, "-l", "sha256:0", "-L", pcrpol)
    t.run("flushcontext", trial)
    for signer, ok in ((keys[0][0], True), (keys[1][0], False)):
        sig, tkt, out = t.file(), t.file(), t.file()
        p = run_client(["openssl", "dgst", "-sha256", "-sign", signer, "-out", sig, pcrpol], t.env)
        expect(p.returncode == 0, "openssl dgst -sign: %s" % tail(p.stderr))
        rm(t, "loadexternal", "-G", "rsa", "-C", "o", "-u", keys[0][1], "-c", kctx)
        if not ok:
            rm(t, "verifysignature", "-c", kctx, "-g", "sha256", "-m", pcrpol, "-s", sig, "-f",
               "rsassa", "-t", tkt, ok=False, rc=RC_SIGNATURE_P2)
            continue
        rm(t, "verifysignature", "-c", kctx, "-g", "sha256", "-m", pcrpol, "-s", sig, "-f",
           "rsassa", "-t", tkt)
        sess = t.file()
        t.run("startauthsession", "--policy-session", "-S", sess)
        t.run("policypcr", "-S", sess, "-l", "sha256:0")
        t.run("policyauthorize", "-S", sess, "-i", pcrpol, "-n", kname, "-t", tkt)
        rm(t, "unseal", "-p", "session:" + sess, "-c", obj, "-o", out)
        t.run("flushcontext", sess)
        expect_eq(t.read(out), t.read(secret), "unseal under an authorized policy")
        # the ticket is for that policy only
        sess = t.file()
        t.run("startauthsession", "--policy-session", "-S", sess)
        t.run("policypassword", "-S", sess)
        t.run("policyauthorize", "-S", sess, "-i", pcrpol, "-n", kname, "-t", tkt, ok=False)
        t.run("flushcontext", sess)


def c_policy_locality_nvwritten(t):
    """tpm2_policylocality and tpm2_policynvwritten on trial sessions: the digests recomputed."""
    for args, cc, arg in ((["three"], 0x16F, b"\x08"), (["1"], 0x16F, b"\x01"),
                          (["s"], 0x18F, b"\x01"), (["c"], 0x18F, b"\x00")):
        tool = "policylocality" if cc == 0x16F else "policynvwritten"
        sess, pol = t.file(), t.file()
        t.run("startauthsession", "-S", sess)
        t.run(tool, "-S", sess, "-L", pol, *args)
        t.run("flushcontext", sess)
        want = hashlib.sha256(bytes(32) + struct.pack(">I", cc) + arg).digest()
        expect_eq(t.read(pol), want, "tpm2_%s %s digest" % (tool, args[0]))


def c_policysigned(t):
    """An object sealed to PolicySigned of an OpenSSL key (loaded as a public key): unsealed
    with a signature over the authorization (nonce-less, as a remote signer would give it),
    refused with another key's; a signed authorization with a negative expiration yields a
    ticket that tpm2_policyticket uses on a later session instead of the signature."""
    keys = openssl_rsa_keys(t, 2)
    kctx, kname = t.file(), t.file()
    rm(t, "loadexternal", "-G", "rsa", "-C", "o", "-u", keys[0][1], "-c", kctx, "-n", kname)
    # PolicySigned's digest: PolicyUpdate(TPM_CC_PolicySigned, keyName, empty policyRef)
    step = hashlib.sha256(bytes(32) + struct.pack(">I", 0x160) + t.read(kname)).digest()
    policy = t.file(hashlib.sha256(step).digest())
    prim, pub, priv, obj = t.file(), t.file(), t.file(), t.file()
    rm(t, "createprimary", "-C", "o", "-c", prim)
    secret = t.file(b"released by a signed authorization")
    rm(t, "create", "-C", prim, "-L", policy, "-i", secret, "-u", pub, "-r", priv)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)

    def sign(key, expiration):
        # aHash = H(nonceTPM || expiration || cpHashA || policyRef), all but expiration empty
        sig = t.file()
        p = run_client(["openssl", "dgst", "-sha256", "-sign", key, "-out", sig,
                        t.file(struct.pack(">i", expiration))], t.env)
        expect(p.returncode == 0, "openssl dgst -sign: %s" % tail(p.stderr))
        return sig

    for signer, ok in ((keys[0][0], True), (keys[1][0], False)):
        sess, out = t.file(), t.file()
        t.run("startauthsession", "--policy-session", "-S", sess)
        rm(t, "policysigned", "-S", sess, "-g", "sha256", "-s", sign(signer, 0), "-f", "rsassa",
           "-c", kctx, ok=ok)
        if ok:
            rm(t, "unseal", "-p", "session:" + sess, "-c", obj, "-o", out)
            expect_eq(t.read(out), t.read(secret), "unseal under PolicySigned")
        else:
            rm(t, "unseal", "-p", "session:" + sess, "-c", obj, ok=False, rc=RC_POLICY_FAIL_S1)
        t.run("flushcontext", sess)
    # a ticket, then the ticket instead of the signature
    sess, tkt, tmo, out = t.file(), t.file(), t.file(), t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    rm(t, "policysigned", "-S", sess, "-g", "sha256", "-s", sign(keys[0][0], -600), "-f",
       "rsassa", "-c", kctx, "-t", "-600", "--ticket", tkt, "--timeout", tmo)
    t.run("flushcontext", sess)
    expect(len(t.read(tmo)) == 8, "an 8-byte timeout")
    sess = t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    rm(t, "policyticket", "-S", sess, "-n", kname, "--ticket", tkt, "--timeout", tmo)
    rm(t, "unseal", "-p", "session:" + sess, "-c", obj, "-o", out)
    expect_eq(t.read(out), t.read(secret), "unseal under PolicyTicket")
    t.run("flushcontext", sess)
    # the ticket names its policyRef: another one is refused
    sess = t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    rm(t, "policyticket", "-S", sess, "-n", kname, "-q", t.file(b"other"), "--ticket", tkt,
       "--timeout", tmo, ok=False)
    t.run("flushcontext", sess)


def c_hmac_sessions(t):
    """Salted HMAC sessions (RSA and ECC salt keys) with parameter encryption both ways."""
    for alg in ("ecc256", "rsa2048"):
        prim = t.file()
        rm(t, "createprimary", "-C", "o", "-G", alg, "-c", prim)
        sess = t.file()
        rm(t, "startauthsession", "--hmac-session", "-c", prim, "-S", sess)
        rnd = t.file()
        rm(t, "getrandom", "-S", sess, "-o", rnd, "32")
        expect_eq(len(t.read(rnd)), 32, "getrandom through an encrypting session")
        secret = t.file(b"sent encrypted, " + alg.encode())
        pub, priv, obj, out = t.file(), t.file(), t.file(), t.file()
        rm(t, "create", "-C", prim, "-i", secret, "-u", pub, "-r", priv, "-p", "objpw")
        rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", obj)
        rm(t, "unseal", "-c", obj, "-p", "objpw", "-S", sess, "-o", out)
        expect_eq(t.read(out), t.read(secret), "unseal answered encrypted (%s salt)" % alg)
        t.run("flushcontext", sess)


def c_attestation(t):
    """createek/createak (RSA and ECC), quote + checkquote, makecredential (software and TPM)
    + activatecredential, certify, gettime; signatures checked with OpenSSL."""
    for alg, scheme in (("rsa", "rsassa"), ("ecc", "ecdsa")):
        ek, ekpub, ak, akpub, akname = t.file(), t.file(), t.file(), t.file(), t.file()
        rm(t, "createek", "-c", ek, "-G", alg, "-u", ekpub)
        rm(t, "createak", "-C", ek, "-c", ak, "-G", alg, "-g", "sha256", "-s", scheme,
           "-u", akpub, "-n", akname)
        msg, sig, pcrs = t.file(), t.file(), t.file()
        rm(t, "quote", "-c", ak, "-l", "sha256:0,16", "-q", "c0ffee", "-m", msg, "-s", sig,
           "-o", pcrs, "-g", "sha256")
        rm(t, "checkquote", "-u", akpub, "-m", msg, "-s", sig, "-f", pcrs, "-g", "sha256",
           "-q", "c0ffee")
        rm(t, "checkquote", "-u", akpub, "-m", msg, "-s", sig, "-f", pcrs, "-g", "sha256",
           "-q", "c0ffef", ok=False)
        # a credential for the AK's Name, made in software and by the TPM, activated
        secret = t.file(b"credential " + alg.encode())
        name = t.read(akname).hex()
        for extra in (["-T", "none"], []):
            cred, out = t.file(), t.file()
            rm(t, "makecredential", *extra, "-e", ekpub, "-s", secret, "-n", name, "-o", cred)
            sess = t.file()
            t.run("startauthsession", "--policy-session", "-S", sess)
            t.run("policysecret", "-S", sess, "-c", "e")
            rm(t, "activatecredential", "-c", ak, "-C", ek, "-i", cred, "-o", out,
               "-P", "session:" + sess)
            t.run("flushcontext", sess)
            expect_eq(t.read(out), t.read(secret), "activatecredential (%s)" % " ".join(extra))
        att, asig = t.file(), t.file()
        rm(t, "certify", "-C", ak, "-c", ak, "-g", "sha256", "-o", att, "-s", asig)
        expect_eq(t.read(att)[:4], b"\xffTCG", "certify: TPM_GENERATED_VALUE")
        rm(t, "gettime", "-c", ak, "-o", t.file(), "--attestation=" + t.file())
        t.flush_all()
    # an EK certificate provisioned the way platform makers do, read back by anyone
    cert = bytes(range(256)) * 3 + b"\x30\x82"
    rm(t, "nvdefine", "0x01c00002", "-C", "p", "-s", str(len(cert)), "-a",
       "ppwrite|writedefine|ppread|ownerread|authread|no_da|platformcreate")
    rm(t, "nvwrite", "0x01c00002", "-C", "p", "-i", t.file(cert))
    out = t.file()
    rm(t, "nvread", "0x01c00002", "-C", "o", "-o", out)
    expect_eq(t.read(out), cert, "the EK certificate read back from NV")
    rm(t, "nvundefine", "0x01c00002", "-C", "p")


def c_crypto(t):
    """sign/verifysignature (checked by OpenSSL too), rsaencrypt/rsadecrypt (OpenSSL encrypts
    as well), encryptdecrypt in five modes against openssl enc, hmac against Python, ECDH."""
    prim = t.file()
    rm(t, "createprimary", "-C", "o", "-c", prim)
    msg = t.file(b"signed by the vTPM")
    for alg, scheme in (("rsa", "rsassa"), ("rsa", "rsapss"), ("ecc256", "ecdsa"),
                        ("ecc384", "ecdsa"), ("rsa:rsassa", None)):
        # keys without a scheme of their own sign with the caller's
        pub, priv, key, sig, pem = t.file(), t.file(), t.file(), t.file(), t.file()
        how = ["-s", scheme] if scheme else []
        rm(t, "create", "-C", prim, "-G", alg, "-u", pub, "-r", priv)
        rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", key)
        rm(t, "sign", "-c", key, "-g", "sha256", *how, "-o", sig, msg)
        rm(t, "verifysignature", "-c", key, "-g", "sha256", "-m", msg, "-s", sig)
        rm(t, "verifysignature", "-c", key, "-g", "sha256", "-m", t.file(b"other"), "-s", sig,
           ok=False, rc=RC_SIGNATURE_P2)
        rm(t, "sign", "-c", key, "-g", "sha256", *how, "-f", "plain", "-o", sig, msg)
        rm(t, "readpublic", "-c", key, "-f", "pem", "-o", pem)
        argv = ["openssl", "dgst", "-sha256", "-verify", pem, "-signature", sig]
        if scheme == "rsapss":
            argv += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-2"]
        p = run_client(argv + [msg], t.env)
        expect(p.returncode == 0, "OpenSSL verifies the %s signature: %s" % (alg, tail(p.stderr)))
    # RSA decryption of what OpenSSL and the TPM encrypted (OAEP-SHA256 and PKCS#1 v1.5)
    pub, priv, key, pem = t.file(), t.file(), t.file(), t.file()
    rm(t, "create", "-C", prim, "-G", "rsa2048", "-a",
       "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|decrypt", "-u", pub, "-r", priv)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", key)
    rm(t, "readpublic", "-c", key, "-f", "pem", "-o", pem)
    plain = t.file(b"a wrapped key")
    for scheme, ossl in (("oaep", ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt",
                                   "rsa_oaep_md:sha256"]),
                         ("rsaes", ["-pkeyopt", "rsa_padding_mode:pkcs1"])):
        ct, ct2, out = t.file(), t.file(), t.file()
        p = run_client(["openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", pem, "-in", plain,
                        "-out", ct] + ossl, t.env)
        expect(p.returncode == 0, "openssl pkeyutl -encrypt: %s" % tail(p.stderr))
        rm(t, "rsadecrypt", "-c", key, "-s", scheme, "-o", out, ct)
        expect_eq(t.read(out), t.read(plain), "rsadecrypt of OpenSSL's %s" % scheme)
        rm(t, "rsaencrypt", "-c", key, "-s", scheme, "-o", ct2, plain)
        rm(t, "rsadecrypt", "-c", key, "-s", scheme, "-o", out, ct2)
        expect_eq(t.read(out), t.read(plain), "rsaencrypt/rsadecrypt %s" % scheme)
    # AES with a key we know (LoadExternal of a key and its sensitive area), against openssl
    aeskey = bytes(range(16))
    key = t.file()
    rm(t, "loadexternal", "-C", "n", "-G", "aes", "-r", t.file(aeskey), "-c", key)
    data = t.file(bytes(range(64)) * 2)
    iv = bytes([0x42]) * 16
    for mode in ("cfb", "cbc", "ctr", "ofb", "ecb"):
        ct, back = t.file(), t.file()
        args = ["-c", key, "-G", mode]
        if mode != "ecb":
            args += ["-t", t.file(iv)]
        rm(t, "encryptdecrypt", *args, "-o", ct, data)
        cipher = "aes-128-%s" % ("cfb" if mode == "cfb" else mode)
        argv = ["openssl", "enc", "-" + cipher, "-K", aeskey.hex(), "-nopad", "-in", data]
        if mode != "ecb":
            argv += ["-iv", iv.hex()]
        p = run_client(argv, t.env)
        expect(p.returncode == 0, "openssl enc %s: %s" % (cipher, tail(p.stderr)))
        expect_eq(t.read(ct), p.stdout, "encryptdecrypt %s equals openssl enc" % mode)
        rm(t, "encryptdecrypt", "-d", *args, "-o", back, ct)
        expect_eq(t.read(back), t.read(data), "encryptdecrypt -d %s" % mode)
    # HMAC with a key we know
    hkey = b"an hmac key of 32 bytes, exactly"
    h = sealed_primary(t, b"", hkey, attrs=0x40052, scheme=struct.pack(">HH", 0x0005, 0x000B))
    out = rm(t, "hmac", "-c", "0x%x" % h, "--hex", t.file(b"message"))
    expect_eq(out.strip(), hmac.new(hkey, b"message", hashlib.sha256).hexdigest(), "tpm2_hmac")
    # More than one TPM2B_MAX_BUFFER: tpm2_hmac runs HMAC_Start, SequenceUpdate, SequenceComplete
    big = bytes(i * 7 % 251 for i in range(5000))
    # (tpm2_hmac leaves the key flushed: load it again)
    h = sealed_primary(t, b"", hkey, attrs=0x40052, scheme=struct.pack(">HH", 0x0005, 0x000B))
    out = rm(t, "hmac", "-c", "0x%x" % h, "--hex", t.file(big))
    expect_eq(out.strip(), hmac.new(hkey, big, hashlib.sha256).hexdigest(),
              "tpm2_hmac over 5000 bytes (an HMAC sequence)")
    # ECDH: the TPM's Z from ECDH_KeyGen equals ZGen's with the ephemeral point
    pub, priv, key, epub, z1, z2 = (t.file() for _ in range(6))
    rm(t, "create", "-C", prim, "-G", "ecc256:ecdh", "-a",
       "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|decrypt", "-u", pub, "-r", priv)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", key)
    rm(t, "ecdhkeygen", "-u", epub, "-o", z1, "-c", key)
    rm(t, "ecdhzgen", "-u", epub, "-o", z2, "-c", key)
    expect_eq(t.read(z2), t.read(z1), "ECDH_ZGen's point equals ECDH_KeyGen's")
    # a public key from outside: encrypts, cannot be authorized
    ext = t.file()
    rm(t, "loadexternal", "-C", "o", "-u", pub, "-c", ext)


def c_import(t):
    """tpm2_import of an OpenSSL RSA and ECC key, an AES key and an HMAC key under an SRK:
    the imported keys sign (checked by OpenSSL), encrypt (openssl enc) and MAC (Python)."""
    prim = t.file()
    rm(t, "createprimary", "-C", "o", "-c", prim)
    msg = t.file(b"signed by an imported key")
    for genkey, alg in ((["openssl", "genrsa", "-out"], "rsa"),
                        (["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
                          "-out"], "ecc")):
        pem, pubpem, pub, priv, key, sig = (t.file() for _ in range(6))
        for argv in (genkey + [pem], ["openssl", "pkey", "-in", pem, "-pubout", "-out", pubpem]):
            p = run_client(argv, t.env)
            expect(p.returncode == 0, "%s: %s" % (" ".join(argv), tail(p.stderr)))
        rm(t, "import", "-C", prim, "-G", alg, "-i", pem, "-u", pub, "-r", priv)
        rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", key)
        rm(t, "sign", "-c", key, "-g", "sha256", "-s", "rsassa" if alg == "rsa" else "ecdsa",
           "-f", "plain", "-o", sig, msg)
        p = run_client(["openssl", "dgst", "-sha256", "-verify", pubpem, "-signature", sig, msg],
                       t.env)
        expect(p.returncode == 0, "OpenSSL verifies the imported %s key's signature" % alg)
    aeskey = bytes(range(100, 116))
    pub, priv, key, ct = t.file(), t.file(), t.file(), t.file()
    rm(t, "import", "-C", prim, "-G", "aes", "-i", t.file(aeskey), "-u", pub, "-r", priv)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", key)
    data = t.file(bytes(range(32)))
    rm(t, "encryptdecrypt", "-c", key, "-G", "cbc", "-t", t.file(bytes(16)), "-o", ct, data)
    p = run_client(["openssl", "enc", "-aes-128-cbc", "-K", aeskey.hex(), "-iv", "00" * 16,
                    "-nopad", "-in", data], t.env)
    expect_eq(t.read(ct), p.stdout, "the imported AES key encrypts like openssl enc")
    hkey = b"imported hmac key"
    pub, priv, key = t.file(), t.file(), t.file()
    rm(t, "import", "-C", prim, "-G", "hmac", "-i", t.file(hkey), "-u", pub, "-r", priv)
    rm(t, "load", "-C", prim, "-u", pub, "-r", priv, "-c", key)
    out = rm(t, "hmac", "-c", key, "--hex", t.file(b"message"))
    expect_eq(out.strip(), hmac.new(hkey, b"message", hashlib.sha256).hexdigest(),
              "the imported HMAC key")


def c_duplicate(t):
    """tpm2_duplicate of a key whose policy allows Duplicate (PolicyCommandCode), to another
    parent, then tpm2_import there: the copy signs what the original verifies."""
    src, dst = t.file(), t.file()
    rm(t, "createprimary", "-C", "o", "-c", src)
    rm(t, "createprimary", "-C", "o", "-G", "rsa", "-c", dst)
    trial, dpol = t.file(), t.file()
    t.run("startauthsession", "-S", trial)
    t.run("policycommandcode", "-S", trial, "-L", dpol, "TPM2_CC_Duplicate")
    t.run("flushcontext", trial)
    pub, priv, key = t.file(), t.file(), t.file()
    rm(t, "create", "-C", src, "-g", "sha256", "-G", "rsa", "-u", pub, "-r", priv, "-L", dpol,
       "-a", "sensitivedataorigin|userwithauth|decrypt|sign")
    rm(t, "load", "-C", src, "-u", pub, "-r", priv, "-c", key)
    dpriv, dseed, sess = t.file(), t.file(), t.file()
    t.run("startauthsession", "--policy-session", "-S", sess)
    t.run("policycommandcode", "-S", sess, "TPM2_CC_Duplicate")
    rm(t, "duplicate", "-C", dst, "-c", key, "-G", "null", "-p", "session:" + sess, "-r",
       dpriv, "-s", dseed)
    t.run("flushcontext", sess)
    # without the policy: a password cannot authorize DUP
    rm(t, "duplicate", "-C", dst, "-c", key, "-G", "null", "-r", t.file(), "-s", t.file(),
       ok=False)
    priv2, key2, msg, sig = t.file(), t.file(), t.file(b"signed by the copy"), t.file()
    rm(t, "import", "-C", dst, "-u", pub, "-i", dpriv, "-r", priv2, "-s", dseed)
    rm(t, "load", "-C", dst, "-u", pub, "-r", priv2, "-c", key2)
    rm(t, "sign", "-c", key2, "-g", "sha256", "-o", sig, msg)
    rm(t, "verifysignature", "-c", key, "-g", "sha256", "-m", msg, "-s", sig)


def c_object_caps(t):
    algs = t.run("getcap", "algorithms")
    for alg in ("rsa", "ecc", "keyedhash", "symcipher", "aes", "cfb", "rsassa", "oaep", "ecdsa",
                "ecdh"):
        expect(re.search(r"^%s:" % alg, algs, re.M), "getcap algorithms lists %s" % alg)
    curves = t.run("getcap", "ecc-curves")
    for c in ("TPM2_ECC_NIST_P256", "TPM2_ECC_NIST_P384"):
        expect(c in curves, "getcap ecc-curves lists %s" % c)
    cmds = t.run("getcap", "commands")
    for c in ("TPM2_CC_CreatePrimary", "TPM2_CC_ReadPublic", "TPM2_CC_Unseal"):
        expect(c in cmds, "getcap commands lists %s" % c)
    for parms in ("rsa2048", "rsa3072", "ecc256", "ecc384", "aes128cfb", "aes256cfb",
                  "hmac:sha256"):
        t.run("testparms", parms)
    if not t.server.reference:  # libtpms has both (README: rsa-key-sizes, ecc-curves)
        t.run("testparms", "rsa1024", ok=False)
        t.run("testparms", "ecc521", ok=False)


CHECKS = [
    ("getrandom", c_getrandom),
    ("getcap: every group", c_getcap),
    ("pcrread/pcrextend/pcrevent/pcrreset", c_pcr),
    ("hash (Hash and hash sequences)", c_hash),
    ("nvdefine/nvwrite/nvread/nvincrement/nvsetbits/nvextend/nvreadlock/nvundefine", c_nv),
    ("NV password, dictionarylockout -c / -s", c_nv_auth_da),
    ("changeauth owner/endorsement/lockout/platform", c_changeauth),
    ("clear -c p / -c l", c_clear),
    ("shutdown(STATE), server restart, startup(STATE)", c_startup_state),
    ("shutdown -c / startup -c", c_shutdown_clear),
    ("createprimary -C o/e/n -G rsa2048/rsa3072/ecc256/ecc384, readpublic, flushcontext",
     c_primary),
    ("createprimary twice and after a server restart: the same key", c_primary_deterministic),
    ("sealed primary (tpm2_send) and tpm2_unseal", c_unseal),
    ("getcap algorithms/ecc-curves/commands, testparms", c_object_caps),
    ("createprimary -c, create, load, unseal, changeauth: context files", c_keys),
    ("evictcontrol, a server restart, contexts across it", c_persistent),
    ("policy sessions: PCR sealing, password, OR, command code, secret", c_policy),
    ("policysigned with an OpenSSL key, policyticket", c_policysigned),
    ("policylocality and policynvwritten digests", c_policy_locality_nvwritten),
    ("salted HMAC sessions with parameter encryption", c_hmac_sessions),
    ("policyauthorize with an OpenSSL key, approved and unapproved policies", c_policyauthorize),
    ("createek, createak, quote, checkquote, credentials, certify, gettime", c_attestation),
    ("sign, verifysignature, rsa, encryptdecrypt, hmac, ecdh, loadexternal", c_crypto),
    ("import of OpenSSL RSA/ECC keys, an AES key and an HMAC key", c_import),
    ("duplicate under a PolicyCommandCode policy, import under another parent", c_duplicate),
]


def run_tcti(args, r, tcti, tmp):
    work = os.path.join(tmp, tcti)
    os.makedirs(work)
    srv = Server(args.tpmd, work, ctrl=tcti, reference=args.reference)
    try:
        srv.start()
    except Exception as e:  # noqa: BLE001
        r.check("%s: server starts" % tcti, lambda: (_ for _ in ()).throw(Failed(str(e))))
        return
    t = Tools(srv, tcti, work)
    for name, fn in CHECKS:
        if args.filter and args.filter not in name:
            continue

        def one():
            ok = False
            try:
                if srv.proc is None:
                    srv.start()
                fn(t)
                ok = True
            finally:
                if srv.proc is not None and srv.proc.poll() is not None:
                    code = srv.proc.returncode
                    srv.proc = None
                    raise Failed("the server died (exit %d): %s" % (code, srv.log_tail()))
                if not ok:
                    srv.reset_state()  # the next check starts from a known TPM
                elif srv.proc is not None:
                    t.flush_all()

        r.check("%s: %s" % (tcti, name), one)
    srv.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tpmd", default="build/tools/copra-tpmd", help="copra-tpmd binary")
    ap.add_argument("--reference", action="store_true",
                    help="run against swtpm/libtpms instead (checks the test itself)")
    ap.add_argument("--tcti", choices=("swtpm", "mssim"), action="append",
                    help="only this TCTI (default: both)")
    ap.add_argument("--filter", default="", help="only checks whose name contains this")
    ap.add_argument("-k", "--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = ap.parse_args()
    r = Runner("tpm2-tools", args.verbose)
    missing = [p for p in ("tpm2_getrandom", "swtpm_ioctl") if shutil.which(p) is None]
    if args.reference and shutil.which("swtpm") is None:
        missing.append("swtpm")
    if not args.reference and not os.access(args.tpmd, os.X_OK):
        missing.append(args.tpmd)
    if missing:
        print("tpm2-tools: missing %s" % ", ".join(missing))
        r.failed += 1
        return r.summary()
    install_cleanup()
    tctis = args.tcti or (["swtpm"] if args.reference else ["swtpm", "mssim"])
    tmp = tempfile.mkdtemp(prefix="copra-tpm2-tools-")
    try:
        for tcti in tctis:
            run_tcti(args, r, tcti, tmp)
    finally:
        Server.stop_all()
        if args.keep or r.failed:
            print("tpm2-tools: logs and files kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return r.summary()


if __name__ == "__main__":
    sys.exit(main())
