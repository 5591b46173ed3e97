#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Protocol test for copra-tpmd: both framings on the command port, the swtpm control channel,
the MS-simulator platform port, hostile input on every port, the state file (an A/B slot file:
commits alternate slots, a damaged newer slot falls back one commit, a failed commit changes
nothing), restart from it and refusal of a corrupt one.

    tests/tpm/test_tpmd_protocol.py --tpmd build/tools/copra-tpmd [-v]

Only the server's protocol behaviour and a handful of commands every TPM 2.0 knows (Startup,
Shutdown, GetRandom, NV_DefineSpace, NV_ReadPublic) are used, so the same test runs against the real
engine and against the fake one (build/tests/tpm/copra-tpmd-fake). Wire facts checked here are
the ones copra-tpmd's server.c cites. Standard library only.
"""
import argparse
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

TIMEOUT = 5.0

# TPM 2.0 (tss2_tpm2_types.h)
TPM_RC_SUCCESS = 0x000
TPM_RC_INITIALIZE = 0x100
TPM_RC_FAILURE = 0x101
TPM_RC_COMMAND_CODE = 0x143
TPM_RC_NV_UNAVAILABLE = 0x923

# MS simulator (TpmTcpProtocol.h; tpm2-tss tcti-mssim)
MS_POWER_ON, MS_POWER_OFF, MS_PP_ON, MS_PP_OFF = 1, 2, 3, 4
MS_HASH_START, MS_HASH_DATA, MS_HASH_END, MS_SEND_COMMAND = 5, 6, 7, 8
MS_CANCEL_ON, MS_CANCEL_OFF, MS_NV_ON, MS_NV_OFF = 9, 10, 11, 12
MS_HANDSHAKE, MS_RESET, MS_SESSION_END, MS_STOP = 15, 17, 20, 21

# swtpm control channel (swtpm tpm_ioctl.h); results are TPM 1.2 codes
CMD_GET_CAPABILITY, CMD_INIT, CMD_SHUTDOWN, CMD_GET_TPMESTABLISHED = 1, 2, 3, 4
CMD_SET_LOCALITY, CMD_CANCEL_TPM_CMD, CMD_STORE_VOLATILE = 5, 9, 10
CMD_RESET_TPMESTABLISHED, CMD_STOP, CMD_GET_CONFIG, CMD_SET_BUFFERSIZE = 11, 14, 15, 17
PTM_CAP_INIT, PTM_CAP_SHUTDOWN, PTM_CAP_SET_LOCALITY, PTM_CAP_STOP = 0x1, 0x2, 0x8, 0x400
TPM_BAD_ORDINAL, TPM_BAD_LOCALITY = 10, 61

GET_RANDOM_8 = bytes.fromhex("80010000000c0000017b0008")
STARTUP_CLEAR = bytes.fromhex("80010000000c000001440000")
SHUTDOWN_CLEAR = bytes.fromhex("80010000000c000001450000")
NV_INDEX = 0x01500001

# copra-tpmd's state file (tools/copra-tpmd/platform_file.h): two slots, each a 32-byte header
# (magic, u64 sequence, u32 length, u32 CRC-32C over sequence, length and blob, 8 zero bytes)
# and room for the largest NV blob.
SLOT_MAGIC = b"CPRNVSL1"
SLOT_HEADER = 32
NV_BLOB_MAX = 128 * 1024
SLOT_SIZE = SLOT_HEADER + NV_BLOB_MAX
FILE_SIZE = 2 * SLOT_SIZE


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = CRC32C_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def slot_bytes(content, i):
    return content[i * SLOT_SIZE:(i + 1) * SLOT_SIZE]


def slot_info(content, i):
    """(valid, sequence) of slot i, checked as copra-tpmd checks it."""
    s = slot_bytes(content, i)
    magic, seq, n, crc, reserved = struct.unpack(">8sQII8s", s[:SLOT_HEADER])
    valid = (magic == SLOT_MAGIC and n <= NV_BLOB_MAX and reserved == bytes(8) and
             crc32c(s[SLOT_HEADER:SLOT_HEADER + n], crc32c(s[8:20])) == crc)
    return valid, seq


def current_slot(content):
    """(slot, sequence) a server loads from a state file's bytes: the newer valid slot."""
    if len(content) != FILE_SIZE:
        raise Failed("state file of %d bytes, not %d" % (len(content), FILE_SIZE))
    valid = [(seq, i) for i, (ok, seq) in enumerate(slot_info(content, i) for i in range(2))
             if ok]
    if not valid:
        raise Failed("state file without a valid slot")
    seq, i = max(valid)
    return i, seq


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def write_file(path, content):
    with open(path, "wb") as f:
        f.write(content)


def nv_define_space(index):
    """TPM2_NV_DefineSpace(TPM_RH_OWNER, empty password session, 8-byte ordinary index)."""
    auth = struct.pack(">IHBH", 0x40000009, 0, 0, 0)  # TPM_RS_PW, no nonce, attrs, no hmac
    # TPMA_NV_OWNERWRITE | AUTHWRITE | OWNERREAD | AUTHREAD | NO_DA
    attrs = 0x2 | 0x4 | 0x20000 | 0x40000 | 0x2000000
    public = struct.pack(">IHIHH", index, 0x000B, attrs, 0, 8)  # SHA-256, no policy, 8 bytes
    body = (struct.pack(">I", 0x40000001) + struct.pack(">I", len(auth)) + auth +
            struct.pack(">H", 0) + struct.pack(">H", len(public)) + public)
    return struct.pack(">HII", 0x8002, 10 + len(body), 0x12A) + body


def nv_read_public(index):
    return struct.pack(">HIII", 0x8001, 14, 0x169, index)


class Failed(Exception):
    pass


def rc_of(rsp):
    if len(rsp) < 10:
        raise Failed("short response %r" % rsp.hex())
    return struct.unpack(">I", rsp[6:10])[0]


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise Failed("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def expect_closed(sock):
    """True when the server closes sock (EOF or reset) within the timeout."""
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def raw_cmd(sock, cmd):
    sock.sendall(cmd)
    hdr = recv_exact(sock, 10)
    size = struct.unpack(">I", hdr[2:6])[0]
    if size < 10 or size > 4096:
        raise Failed("response size %d" % size)
    return hdr + recv_exact(sock, size - 10)


def ms_cmd(sock, cmd, locality=0):
    sock.sendall(struct.pack(">IBI", MS_SEND_COMMAND, locality, len(cmd)) + cmd)
    size = struct.unpack(">I", recv_exact(sock, 4))[0]
    if size < 10 or size > 4096:
        raise Failed("framed response size %d" % size)
    rsp = recv_exact(sock, size)
    ack = struct.unpack(">I", recv_exact(sock, 4))[0]
    if ack != 0:
        raise Failed("TPM_SEND_COMMAND trailer %d" % ack)
    return rsp


def ctrl(sock, code, payload=b"", resp_len=4):
    sock.sendall(struct.pack(">I", code) + payload)
    return recv_exact(sock, resp_len)


def ctrl_res(sock, code, payload=b""):
    return struct.unpack(">I", ctrl(sock, code, payload))[0]


def platform(sock, code):
    sock.sendall(struct.pack(">I", code))
    return struct.unpack(">I", recv_exact(sock, 4))[0]


def free_port_pair():
    """A port p with p and p+1 both free now (the server binds them a moment later)."""
    for _ in range(100):
        a = socket.socket()
        b = socket.socket()
        try:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port >= 65534:
                continue
            b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
        finally:
            a.close()
            b.close()
    raise RuntimeError("no free port pair")


class Tpmd:
    """One copra-tpmd process on fresh ports; stderr goes to a file for inspection."""

    running = []  # every process started, stopped at the end whatever happened

    def __init__(self, binary, state, args=(), expect_up=True, preexec=None):
        self.state = state
        self.ctrl = "mssim" if "mssim" in args else "swtpm"
        self.errpath = state + ".stderr"
        for _ in range(5):
            self.port = free_port_pair()
            with open(self.errpath, "wb") as err:
                self.proc = subprocess.Popen(
                    [binary, "--port", str(self.port), "--state", state, "-v"] + list(args),
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    preexec_fn=preexec)
            Tpmd.running.append(self)
            if not expect_up or self._wait_up():
                return
            self.stop()
            # Another program may have taken a port between the probe and the bind: retry.
            if "cannot bind" not in self.log():
                raise Failed("copra-tpmd did not come up: %s" % self.log())
        raise Failed("copra-tpmd: no usable port")

    def _wait_up(self):
        deadline = time.time() + TIMEOUT * 2
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                for p in (self.port, self.port + 1):
                    socket.create_connection(("127.0.0.1", p), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def log(self):
        with open(self.errpath, "r", errors="replace") as f:
            return f.read()

    def conn(self, offset=0):
        s = socket.create_connection(("127.0.0.1", self.port + offset), timeout=TIMEOUT)
        s.settimeout(TIMEOUT)
        return s

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM):
        if self.alive():
            self.proc.send_signal(sig)
        rc = self.wait()
        if rc is None:
            self.proc.kill()
            self.proc.wait()
        return rc


class Skipped(Exception):
    pass


class Runner:
    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.prefix = ""

    def check(self, name, fn):
        name = self.prefix + name
        try:
            fn()
        except Skipped as e:
            self.skipped += 1
            print("skip %s: %s" % (name, e))
            return
        except (Failed, OSError, AssertionError, struct.error,
                subprocess.SubprocessError) as e:
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            return
        self.passed += 1
        if self.verbose:
            print("ok   %s" % name)


def expect(cond, what):
    if not cond:
        raise Failed(what)


def expect_rc(rsp, want, what):
    rc = rc_of(rsp)
    expect(rc == want, "%s: rc 0x%x, expected 0x%x" % (what, rc, want))


def expect_random(rsp, n):
    expect_rc(rsp, TPM_RC_SUCCESS, "GetRandom")
    expect(len(rsp) == 12 + n, "GetRandom response of %d bytes" % len(rsp))
    expect(struct.unpack(">H", rsp[10:12])[0] == n, "GetRandom count")


def good_command(t):
    """The server still answers a fresh connection (a one-command swtpm TCTI exchange)."""
    expect(t.alive(), "server exited")
    with t.conn() as s:
        expect_random(raw_cmd(s, GET_RANDOM_8), 8)


# ---- tests ----


def tests_command_port(r, t):
    def raw_per_connection():
        outs = []
        for _ in range(3):
            with t.conn() as s:
                rsp = raw_cmd(s, GET_RANDOM_8)
                expect_random(rsp, 8)
                outs.append(rsp[12:])
        expect(len(set(outs)) == 3, "three GetRandom answers are not all different")

    def raw_kept_open():
        with t.conn() as s:
            for _ in range(3):
                expect_random(raw_cmd(s, GET_RANDOM_8), 8)

    def mssim_framed():
        with t.conn() as s:
            for loc in (0, 0, 3):
                expect_random(ms_cmd(s, GET_RANDOM_8, loc), 8)

    def mixed_framing():
        with t.conn() as s:
            expect_random(raw_cmd(s, GET_RANDOM_8), 8)
            expect_random(ms_cmd(s, GET_RANDOM_8), 8)
            expect_random(raw_cmd(s, GET_RANDOM_8), 8)

    def split_bytes():
        # One byte per segment: the server must reassemble messages across reads.
        with t.conn() as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            msg = struct.pack(">IBI", MS_SEND_COMMAND, 0, len(GET_RANDOM_8)) + GET_RANDOM_8
            for b in msg[:-1]:
                s.sendall(bytes([b]))
                time.sleep(0.002)
            s.sendall(msg[-1:])
            rsize = struct.unpack(">I", recv_exact(s, 4))[0]
            expect_random(recv_exact(s, rsize), 8)
            expect(recv_exact(s, 4) == b"\0\0\0\0", "trailer")

    def two_messages_in_one_segment():
        with t.conn() as s:
            s.sendall(GET_RANDOM_8 + GET_RANDOM_8)
            for _ in range(2):
                hdr = recv_exact(s, 10)
                expect_random(hdr + recv_exact(s, struct.unpack(">I", hdr[2:6])[0] - 10), 8)

    def handshake():
        with t.conn() as s:
            s.sendall(struct.pack(">II", MS_HANDSHAKE, 1))
            version, flags, ack = struct.unpack(">III", recv_exact(s, 12))
            expect(version == 1, "server version %d" % version)
            # tpmPlatformAvailable | tpmInRawMode | tpmSupportsPP, as the simulator answers
            expect(flags == 0x0D, "endpoint flags 0x%x" % flags)
            expect(ack == 0, "trailer")
            expect_random(ms_cmd(s, GET_RANDOM_8), 8)

    def handshake_version_0():
        with t.conn() as s:
            s.sendall(struct.pack(">II", MS_HANDSHAKE, 0))
            expect(expect_closed(s), "client version 0 not refused")
        good_command(t)

    def session_end():
        with t.conn() as s:
            expect_random(ms_cmd(s, GET_RANDOM_8), 8)
            s.sendall(struct.pack(">I", MS_SESSION_END))
            expect(expect_closed(s), "TPM_SESSION_END did not close the connection")
        good_command(t)

    def hash_signals_refused():
        with t.conn() as s:
            for msg in (struct.pack(">I", MS_HASH_START),
                        struct.pack(">II", MS_HASH_DATA, 3) + b"abc",
                        struct.pack(">I", MS_HASH_END)):
                s.sendall(msg)
                expect(recv_exact(s, 4) != b"\0\0\0\0", "hash signal acknowledged")
            expect_random(ms_cmd(s, GET_RANDOM_8), 8)

    r.check("cmd: raw GetRandom, one connection per command", raw_per_connection)
    r.check("cmd: raw GetRandom, connection kept open", raw_kept_open)
    r.check("cmd: MS-simulator TPM_SEND_COMMAND", mssim_framed)
    r.check("cmd: raw and framed on one connection", mixed_framing)
    r.check("cmd: message split into one-byte segments", split_bytes)
    r.check("cmd: two messages in one segment", two_messages_in_one_segment)
    r.check("cmd: TPM_REMOTE_HANDSHAKE", handshake)
    r.check("cmd: handshake with client version 0 ends the session", handshake_version_0)
    r.check("cmd: TPM_SESSION_END closes the connection", session_end)
    r.check("cmd: hash signals answered with an error", hash_signals_refused)


def tests_hostile_command_port(r, t):
    def closed_then_good(data, what):
        with t.conn() as s:
            s.sendall(data)
            expect(expect_closed(s), "%s: connection not closed" % what)
        good_command(t)

    def truncated_then_good(data):
        with t.conn() as s:
            s.sendall(data)
        good_command(t)

    r.check("cmd: garbage closes only that connection",
            lambda: closed_then_good(b"\xde\xad\xbe\xef" * 4, "garbage"))
    r.check("cmd: raw command larger than 4096",
            lambda: closed_then_good(struct.pack(">HII", 0x8001, 5000, 0x17B) + bytes(100),
                                     "oversize raw"))
    r.check("cmd: raw command size below a header",
            lambda: closed_then_good(struct.pack(">HI", 0x8001, 6), "undersize raw"))
    r.check("cmd: framed command larger than 4096",
            lambda: closed_then_good(struct.pack(">IBI", MS_SEND_COMMAND, 0, 5000) + bytes(64),
                                     "oversize framed"))
    r.check("cmd: framed command at locality 7",
            lambda: closed_then_good(struct.pack(">IBI", MS_SEND_COMMAND, 7, 12) + GET_RANDOM_8,
                                     "bad locality"))
    r.check("cmd: flood of 256 KiB",
            lambda: closed_then_good(bytes(random.Random(1).getrandbits(8)
                                           for _ in range(256 * 1024)), "flood"))
    r.check("cmd: truncated raw command, then disconnect",
            lambda: truncated_then_good(GET_RANDOM_8[:7]))
    r.check("cmd: truncated framed header, then disconnect",
            lambda: truncated_then_good(struct.pack(">IB", MS_SEND_COMMAND, 0)))
    r.check("cmd: truncated framed body, then disconnect",
            lambda: truncated_then_good(struct.pack(">IBI", MS_SEND_COMMAND, 0, 12) +
                                        GET_RANDOM_8[:5]))

    def half_message_held_open():
        # A client stuck mid-message must not block anyone else; its message completes later.
        with t.conn() as stuck, t.conn(1) as stuck_ctrl:
            stuck.sendall(GET_RANDOM_8[:5])
            stuck_ctrl.sendall(struct.pack(">I", CMD_SET_LOCALITY) if t.ctrl == "swtpm"
                               else b"\0\0")
            good_command(t)
            with t.conn() as s:
                expect_random(ms_cmd(s, GET_RANDOM_8), 8)
            stuck.sendall(GET_RANDOM_8[5:])
            hdr = recv_exact(stuck, 10)
            expect_random(hdr + recv_exact(stuck, struct.unpack(">I", hdr[2:6])[0] - 10), 8)
        good_command(t)

    def random_junk():
        rng = random.Random(1234)
        for i in range(60):
            n = rng.choice([1, 3, 4, 5, 9, 10, 13, 64, 700, 5000])
            data = bytes(rng.getrandbits(8) for _ in range(n))
            if i % 3 == 0:  # make some of it look like a real message start
                data = rng.choice([b"\x80\x01", b"\x80\x02", b"\0\0\0\x08", b"\0\0\0\x0f"]) + data
            with t.conn() as s:
                try:
                    s.sendall(data)
                except OSError:
                    pass  # the server may already have closed it
        good_command(t)

    def leaked_connections():
        # Clients that leak connections (more than the server keeps) must not lock others out.
        socks = [t.conn() for _ in range(20)] + [t.conn(1) for _ in range(20)]
        try:
            for s in socks[:3]:
                s.sendall(GET_RANDOM_8[:4])
            good_command(t)
            with t.conn(1) as c:
                expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x00") == 0 if t.ctrl == "swtpm"
                       else platform(c, MS_NV_ON) == 0, "control port")
        finally:
            for s in socks:
                s.close()
        good_command(t)

    r.check("cmd: half message held open does not block others", half_message_held_open)
    r.check("cmd: 60 random messages", random_junk)
    r.check("cmd: 40 leaked connections held open", leaked_connections)


def tests_swtpm_ctrl(r, t):
    def capability():
        with t.conn(1) as c:
            caps = struct.unpack(">Q", ctrl(c, CMD_GET_CAPABILITY, resp_len=8))[0]
            for bit in (PTM_CAP_INIT, PTM_CAP_SHUTDOWN, PTM_CAP_SET_LOCALITY, PTM_CAP_STOP):
                expect(caps & bit, "capability 0x%x missing from 0x%x" % (bit, caps))

    def locality():
        with t.conn(1) as c:
            expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x03") == 0, "set locality 3")
            good_command(t)
            expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x05") == TPM_BAD_LOCALITY,
                   "locality 5 accepted")
            expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x00") == 0, "set locality 0")
        # the tpm2-tss swtpm TCTI style: a new control connection per request
        for _ in range(3):
            with t.conn(1) as c:
                expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x00") == 0, "set locality 0")

    def small_commands():
        # Answers as swtpm 0.7.1 gives them to the same requests (measured).
        with t.conn(1) as c:
            expect(ctrl_res(c, CMD_CANCEL_TPM_CMD) == 0, "cancel")
            expect(ctrl_res(c, CMD_STORE_VOLATILE) == 0, "store volatile")
            expect(ctrl_res(c, CMD_RESET_TPMESTABLISHED, b"\x03") == 0, "reset established")
            expect(ctrl_res(c, CMD_RESET_TPMESTABLISHED, b"\x00") == TPM_BAD_LOCALITY,
                   "reset established from locality 0")
            res, bit = struct.unpack(">IB3x", ctrl(c, CMD_GET_TPMESTABLISHED, resp_len=8))
            expect(res == 0 and bit in (0, 1), "get established %d %d" % (res, bit))
            res, flags = struct.unpack(">II", ctrl(c, CMD_GET_CONFIG, resp_len=8))
            expect(res == 0, "get config %d" % res)
            res, size, lo, hi = struct.unpack(
                ">IIII", ctrl(c, CMD_SET_BUFFERSIZE, struct.pack(">I", 0), resp_len=16))
            expect(res == 0 and lo <= size <= hi and size >= 4096,
                   "buffer size %d %d %d %d" % (res, size, lo, hi))
            expect(ctrl_res(c, CMD_SET_BUFFERSIZE, struct.pack(">I", 100)) == TPM_BAD_ORDINAL,
                   "buffer size changed while running")

    def init_needs_startup():
        with t.conn(1) as c, t.conn() as s:
            expect(ctrl_res(c, CMD_INIT, struct.pack(">I", 0)) == 0, "CMD_INIT")
            expect_rc(raw_cmd(s, GET_RANDOM_8), TPM_RC_INITIALIZE, "after CMD_INIT")
            expect_rc(raw_cmd(s, STARTUP_CLEAR), TPM_RC_SUCCESS, "Startup")
            expect_random(raw_cmd(s, GET_RANDOM_8), 8)

    def stop_then_init():
        with t.conn(1) as c, t.conn() as s:
            expect(ctrl_res(c, CMD_STOP) == 0, "CMD_STOP")
            expect_rc(raw_cmd(s, GET_RANDOM_8), TPM_RC_FAILURE, "while stopped")
            # while stopped, swtpm refuses these with TPM_BAD_ORDINAL alone
            for code in (CMD_CANCEL_TPM_CMD, CMD_STORE_VOLATILE, CMD_GET_TPMESTABLISHED):
                expect(ctrl_res(c, code) == TPM_BAD_ORDINAL, "command %d while stopped" % code)
            expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x00") == 0, "locality while stopped")
            res, size, lo, hi = struct.unpack(
                ">IIII", ctrl(c, CMD_SET_BUFFERSIZE, struct.pack(">I", 100), resp_len=16))
            expect(res == 0 and lo <= size <= hi, "buffer size while stopped")
            expect(ctrl_res(c, CMD_INIT, struct.pack(">I", 0)) == 0, "CMD_INIT")
            expect_rc(raw_cmd(s, STARTUP_CLEAR), TPM_RC_SUCCESS, "Startup")
            expect_random(raw_cmd(s, GET_RANDOM_8), 8)

    def unknown_and_garbage():
        with t.conn(1) as c:
            expect(ctrl_res(c, 0x63) == TPM_BAD_ORDINAL, "unknown command")
            c.sendall(b"\xff" * 12)
            expect(struct.unpack(">I", recv_exact(c, 4))[0] == TPM_BAD_ORDINAL, "garbage")
            expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x00") == 0, "after garbage")
        with t.conn(1) as c:
            c.sendall(struct.pack(">I", CMD_INIT) + b"\0\0")  # truncated, then gone
        with t.conn(1) as c:
            c.sendall(bytes(random.Random(7).getrandbits(8) for _ in range(100000)))
        with t.conn(1) as c:
            expect(ctrl_res(c, CMD_SET_LOCALITY, b"\x00") == 0, "after truncated")
        good_command(t)

    r.check("swtpm ctrl: CMD_GET_CAPABILITY", capability)
    r.check("swtpm ctrl: CMD_SET_LOCALITY", locality)
    r.check("swtpm ctrl: cancel, store volatile, established, config, buffer size",
            small_commands)
    r.check("swtpm ctrl: CMD_INIT power-cycles, Startup needed", init_needs_startup)
    r.check("swtpm ctrl: CMD_STOP, then CMD_INIT", stop_then_init)
    r.check("swtpm ctrl: unknown, garbage and truncated messages", unknown_and_garbage)


def tests_mssim_platform(r, t):
    def power_on_when_on_is_noop():
        with t.conn(1) as p, t.conn() as s:
            expect(platform(p, MS_POWER_ON) == 0, "power on")
            expect(platform(p, MS_NV_ON) == 0, "nv on")
            expect_random(ms_cmd(s, GET_RANDOM_8), 8)

    def power_cycle():
        with t.conn(1) as p, t.conn() as s:
            expect(platform(p, MS_POWER_OFF) == 0, "power off")
            expect_rc(ms_cmd(s, GET_RANDOM_8), TPM_RC_FAILURE, "while off")
            expect(platform(p, MS_POWER_ON) == 0, "power on")
            expect_rc(ms_cmd(s, GET_RANDOM_8), TPM_RC_INITIALIZE, "before Startup")
            expect_rc(ms_cmd(s, STARTUP_CLEAR), TPM_RC_SUCCESS, "Startup")
            expect_random(ms_cmd(s, GET_RANDOM_8), 8)

    def reset():
        with t.conn(1) as p, t.conn() as s:
            expect(platform(p, MS_RESET) == 0, "reset")
            expect_rc(ms_cmd(s, GET_RANDOM_8), TPM_RC_INITIALIZE, "after reset")
            expect_rc(ms_cmd(s, STARTUP_CLEAR), TPM_RC_SUCCESS, "Startup")

    def signals():
        with t.conn(1) as p:
            for code in (MS_PP_ON, MS_PP_OFF, MS_CANCEL_ON, MS_CANCEL_OFF, MS_NV_OFF, MS_NV_ON):
                expect(platform(p, code) == 0, "signal %d" % code)
        good_command(t)

    def unknown_and_garbage():
        with t.conn(1) as p:
            p.sendall(struct.pack(">I", 99))
            expect(recv_exact(p, 4) == b"\0\0\0\1", "unknown platform command")
            expect(expect_closed(p), "unknown platform command: not closed")
        with t.conn(1) as p:
            p.sendall(b"\x00\x00")  # half a code, then gone
        with t.conn(1) as p:
            p.sendall(bytes(random.Random(9).getrandbits(8) for _ in range(10000)))
        with t.conn(1) as p:
            expect(platform(p, MS_POWER_ON) == 0, "after garbage")
        good_command(t)

    def session_end():
        with t.conn(1) as p:
            expect(platform(p, MS_NV_ON) == 0, "nv on")
            p.sendall(struct.pack(">I", MS_SESSION_END))
            expect(expect_closed(p), "not closed")
        good_command(t)

    r.check("mssim platform: POWER_ON while on is a no-op", power_on_when_on_is_noop)
    r.check("mssim platform: power off and on, Startup needed", power_cycle)
    r.check("mssim platform: SIGNAL_RESET", reset)
    r.check("mssim platform: phys presence, cancel, NV signals", signals)
    r.check("mssim platform: unknown, garbage and truncated messages", unknown_and_garbage)
    r.check("mssim platform: TPM_SESSION_END", session_end)


def tool(name):
    for d in os.environ.get("PATH", "/usr/bin").split(os.pathsep):
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    raise Skipped("%s is not installed" % name)


def run_tool(argv, env_extra, what):
    env = dict(os.environ)
    env.update(env_extra)
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    if p.returncode != 0:
        raise Failed("%s: exit %d: %s" % (what, p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


def tpm2_getrandom(t, tcti):
    # -f (force): do not ask the TPM for TPM_PT_MAX_DIGEST first (a fake engine has no
    # GetCapability); the GetRandom exchange is the same either way.
    out = run_tool([tool("tpm2_getrandom"), "-f", "8"],
                   {"TPM2TOOLS_TCTI": "%s:host=127.0.0.1,port=%d" % (tcti, t.port)},
                   "tpm2_getrandom " + tcti)
    expect(len(out) == 8, "tpm2_getrandom printed %d bytes" % len(out))


def ibm_env(t, tmp, server_type):
    return {"TPM_INTERFACE_TYPE": "socsim", "TPM_SERVER_TYPE": server_type,
            "TPM_SERVER_NAME": "127.0.0.1", "TPM_COMMAND_PORT": str(t.port),
            "TPM_PLATFORM_PORT": str(t.port + 1), "TPM_DATA_DIR": tmp}


def tss_getrandom(t, tmp, server_type):
    out = run_tool([tool("tssgetrandom"), "-by", "8"], ibm_env(t, tmp, server_type),
                   "tssgetrandom " + server_type)
    expect(b"randomBytes length 8" in out, "tssgetrandom: %r" % out)


def swtpm_ioctl(t):
    ctl = "127.0.0.1:%d" % (t.port + 1)
    out = run_tool([tool("swtpm_ioctl"), "--tcp", ctl, "-c"], {}, "swtpm_ioctl -c")
    expect(b"ptm capability is" in out, "swtpm_ioctl -c: %r" % out)
    for opt in (["-l", "0"], ["-g"], ["-e"], ["-b", "0"]):
        run_tool([tool("swtpm_ioctl"), "--tcp", ctl] + opt, {}, "swtpm_ioctl " + " ".join(opt))
    good_command(t)


def tests_clients_swtpm(r, t, tmp):
    r.check("client: swtpm_ioctl -c, -l 0, -g, -e, -b 0", lambda: swtpm_ioctl(t))
    r.check("client: tpm2-tools over the swtpm TCTI", lambda: tpm2_getrandom(t, "swtpm"))
    r.check("client: IBM TSS socsim, raw server type",
            lambda: tss_getrandom(t, tmp, "raw"))


def tests_clients_mssim(r, t, tmp):
    r.check("client: tpm2-tools over the mssim TCTI", lambda: tpm2_getrandom(t, "mssim"))

    def ibm_powerup():
        # tsspowerup: POWER_OFF, POWER_ON, NV_ON, then the TPM wants Startup
        env = ibm_env(t, tmp, "mssim")
        run_tool([tool("tsspowerup")], env, "tsspowerup")
        run_tool([tool("tssstartup")], env, "tssstartup")
        tss_getrandom(t, tmp, "mssim")

    r.check("client: IBM TSS socsim powerup, startup, getrandom", ibm_powerup)


def run(args):
    r = Runner(args.verbose)
    tmp = tempfile.mkdtemp(prefix="tpmd-test-")
    state = os.path.join(tmp, "tpm.state")

    # -- fresh state, swtpm control channel --
    t = Tpmd(args.tpmd, state)
    r.prefix = "[swtpm] "
    r.check("start: manufactures a missing state file",
            lambda: expect("manufactured new TPM state in %s" % state in t.log() and
                           os.path.exists(state), "no manufacture: %s" % t.log()))

    def manufactured_file():
        expect(os.stat(state).st_size == FILE_SIZE,
               "state file of %d bytes, not two slots (%d)" % (os.stat(state).st_size, FILE_SIZE))
        current_slot(read_file(state))
        expect(not os.path.exists(state + ".tmp"), "temporary file left behind")

    r.check("state: manufactured file is two slots, one of them valid", manufactured_file)
    tests_command_port(r, t)
    tests_hostile_command_port(r, t)
    tests_swtpm_ctrl(r, t)
    tests_clients_swtpm(r, t, tmp)

    def one_commit(run_command):
        """run_command makes one NV commit: it must go to the other slot with the next sequence,
        leave the current slot as it was and keep the file (same inode and size)."""
        before = read_file(state)
        ino = os.stat(state).st_ino
        cur, seq = current_slot(before)
        run_command()
        after = read_file(state)
        ncur, nseq = current_slot(after)
        expect((ncur, nseq) == (1 - cur, seq + 1),
               "commit went to slot %d sequence %d, after slot %d sequence %d" %
               (ncur, nseq, cur, seq))
        expect(slot_bytes(after, cur) == slot_bytes(before, cur), "the current slot was written")
        expect(os.stat(state).st_ino == ino, "state file replaced (new inode)")
        expect(not os.path.exists(state + ".tmp"), "temporary file written")

    def shutdown_commit():
        # Shutdown makes every TPM record its orderly state in NV: a commit.
        def shutdown():
            with t.conn() as s:
                expect_rc(raw_cmd(s, SHUTDOWN_CLEAR), TPM_RC_SUCCESS, "Shutdown(CLEAR)")
        one_commit(shutdown)

    nv_defined = []

    def nv_define():
        def define():
            with t.conn() as s:
                rsp = raw_cmd(s, nv_define_space(NV_INDEX))
                if rc_of(rsp) == TPM_RC_COMMAND_CODE:
                    raise Skipped("the engine does not implement NV_DefineSpace")
                expect_rc(rsp, TPM_RC_SUCCESS, "NV_DefineSpace")
                expect_rc(raw_cmd(s, nv_read_public(NV_INDEX)), TPM_RC_SUCCESS, "NV_ReadPublic")
        one_commit(define)
        nv_defined.append(NV_INDEX)

    r.check("state: Shutdown commits to the other slot, sequence + 1", shutdown_commit)
    r.check("state: NV_DefineSpace commits back to the first slot, before a restart", nv_define)
    r.check("stop: SIGTERM exits 0", lambda: expect(t.stop() == 0, "exit %s" % t.proc.returncode))

    # -- restart from the state file; MS-simulator platform port --
    t = Tpmd(args.tpmd, state, ["--ctrl", "mssim"])
    r.prefix = "[mssim] "

    def restarted():
        expect("manufactured" not in t.log(), "manufactured again: %s" % t.log())
        with t.conn() as s:
            for index in nv_defined:
                expect_rc(raw_cmd(s, nv_read_public(index)), TPM_RC_SUCCESS,
                          "NV index lost over restart")
            expect_random(raw_cmd(s, GET_RANDOM_8), 8)

    r.check("restart: state file restored, started without client Startup", restarted)
    tests_mssim_platform(r, t)
    tests_command_port(r, t)
    tests_hostile_command_port(r, t)
    tests_clients_mssim(r, t, tmp)

    def mssim_stop():
        with t.conn(1) as p:
            p.sendall(struct.pack(">I", MS_STOP))
        expect(t.wait() == 0, "TPM_STOP on the platform port: exit %s" % t.proc.returncode)

    r.check("stop: TPM_STOP on the platform port exits 0", mssim_stop)

    # -- --need-init with each control protocol --
    r.prefix = ""
    def need_init_swtpm():
        t3 = Tpmd(args.tpmd, state, ["--need-init"])
        try:
            with t3.conn(1) as c, t3.conn() as s:
                expect_rc(raw_cmd(s, GET_RANDOM_8), TPM_RC_FAILURE, "before CMD_INIT")
                expect(ctrl_res(c, CMD_INIT, struct.pack(">I", 0)) == 0, "CMD_INIT")
                expect_rc(raw_cmd(s, GET_RANDOM_8), TPM_RC_INITIALIZE, "before Startup")
                expect_rc(raw_cmd(s, STARTUP_CLEAR), TPM_RC_SUCCESS, "Startup")
                expect_random(raw_cmd(s, GET_RANDOM_8), 8)
                c.sendall(struct.pack(">I", CMD_SHUTDOWN))
                expect(recv_exact(c, 4) == b"\0\0\0\0", "CMD_SHUTDOWN result")
            expect(t3.wait() == 0, "CMD_SHUTDOWN: exit %s" % t3.proc.returncode)
        finally:
            t3.stop()

    def need_init_mssim():
        t3 = Tpmd(args.tpmd, state, ["--need-init", "--ctrl", "mssim"])
        try:
            with t3.conn(1) as p, t3.conn() as s:
                expect_rc(ms_cmd(s, GET_RANDOM_8), TPM_RC_FAILURE, "before power on")
                expect(platform(p, MS_POWER_ON) == 0, "power on")
                expect(platform(p, MS_NV_ON) == 0, "nv on")
                expect_rc(ms_cmd(s, STARTUP_CLEAR), TPM_RC_SUCCESS, "Startup")
                expect_random(ms_cmd(s, GET_RANDOM_8), 8)
                s.sendall(struct.pack(">I", MS_STOP))
            expect(t3.wait() == 0, "TPM_STOP on the command port: exit %s" % t3.proc.returncode)
        finally:
            t3.stop()

    def sigint():
        t3 = Tpmd(args.tpmd, state)
        good_command(t3)
        expect(t3.stop(signal.SIGINT) == 0, "SIGINT: exit %s" % t3.proc.returncode)

    r.check("need-init: swtpm CMD_INIT + Startup, CMD_SHUTDOWN exits 0", need_init_swtpm)
    r.check("need-init: mssim POWER_ON + Startup, TPM_STOP exits 0", need_init_mssim)
    r.check("stop: SIGINT exits 0", sigint)

    # -- state files that must be refused and left alone --
    def refused(content, what):
        path = os.path.join(tmp, "bad.state")
        with open(path, "wb") as f:
            f.write(content)
        before = os.stat(path)
        t3 = Tpmd(args.tpmd, path, expect_up=False)
        rc = t3.wait()
        if rc is None:
            t3.stop()
        expect(rc not in (None, 0), "%s: started anyway" % what)
        log = t3.log()
        expect("corrupt" in log and path in log, "%s: unclear message: %r" % (what, log))
        with open(path, "rb") as f:
            expect(f.read() == content, "%s: state file modified" % what)
        expect(os.stat(path).st_mtime_ns == before.st_mtime_ns, "%s: touched" % what)
        expect(not os.path.exists(path + ".tmp"), "%s: temporary file written" % what)
        os.unlink(path)

    r.check("state: random bytes refused, file untouched",
            lambda: refused(bytes(random.Random(5).getrandbits(8) for _ in range(600)),
                            "random"))
    r.check("state: empty file refused, file untouched", lambda: refused(b"", "empty"))
    r.check("state: random bytes of a slot file's size refused",
            lambda: refused(random.Random(6).randbytes(FILE_SIZE), "random slots"))
    good = read_file(state)
    r.check("state: truncated real state refused",
            lambda: refused(good[:SLOT_SIZE], "truncated"))
    r.check("state: real state one byte too long refused",
            lambda: refused(good + b"\0", "too long"))

    def both_damaged():
        bad = bytearray(good)
        for i in range(2):
            expect(slot_info(good, i)[0], "slot %d of the real state not valid" % i)
            bad[i * SLOT_SIZE + SLOT_HEADER + 7] ^= 0x40  # a blob byte: the CRC fails
        refused(bytes(bad), "both slots damaged")

    def same_sequence():
        cur = current_slot(good)[0]
        both = slot_bytes(good, cur) * 2
        refused(both, "both slots with one sequence")

    r.check("state: both slots damaged refused", both_damaged)
    r.check("state: both slots valid with the same sequence refused", same_sequence)

    # -- a damaged newer slot: the restarted server has the state from one commit earlier --
    def define_then_stop(path):
        """Manufacture path, define NV_INDEX in its last commit; returns (file, slot, seq)."""
        if os.path.exists(path):
            os.unlink(path)
        t3 = Tpmd(args.tpmd, path)
        try:
            with t3.conn() as s:
                rsp = raw_cmd(s, nv_define_space(NV_INDEX))
                if rc_of(rsp) == TPM_RC_COMMAND_CODE:
                    raise Skipped("the engine does not implement NV_DefineSpace")
                expect_rc(rsp, TPM_RC_SUCCESS, "NV_DefineSpace")
            defined = current_slot(read_file(path))
            expect(t3.stop() == 0, "exit %s" % t3.proc.returncode)
        finally:
            t3.stop()
        content = read_file(path)
        expect(current_slot(content) == defined, "stopping the server committed")
        return content, defined[0], defined[1]

    def nv_index_rc(path, after=None):
        """Start a server on path, return NV_ReadPublic(NV_INDEX)'s rc and its log."""
        t3 = Tpmd(args.tpmd, path)
        try:
            with t3.conn() as s:
                rc = rc_of(raw_cmd(s, nv_read_public(NV_INDEX)))
                expect_random(raw_cmd(s, GET_RANDOM_8), 8)
                if after:
                    after(s)
            expect(t3.stop() == 0, "exit %s" % t3.proc.returncode)
        finally:
            t3.stop()
        return rc, t3.log()

    def fallback(damage, what):
        path = os.path.join(tmp, "ab.state")
        good_ab, cur, seq = define_then_stop(path)
        rc, _ = nv_index_rc(path)
        expect(rc == TPM_RC_SUCCESS, "NV index missing from the intact file: rc 0x%x" % rc)
        bad = bytearray(good_ab)
        damage(bad, cur * SLOT_SIZE)
        write_file(path, bytes(bad))

        def shutdown(s):
            # The next commit goes to the damaged slot, with the damaged commit's sequence.
            expect_rc(raw_cmd(s, SHUTDOWN_CLEAR), TPM_RC_SUCCESS, "Shutdown(CLEAR)")

        rc, log = nv_index_rc(path, shutdown)
        expect(rc != TPM_RC_SUCCESS, "%s: the damaged commit's NV index is there" % what)
        expect("damaged" in log, "%s: no note of the damaged slot: %r" % (what, log))
        # Commits after the fallback (Startup may make one too) rewrite the damaged slot and
        # continue the sequence from the state loaded.
        after = read_file(path)
        infos = [slot_info(after, i) for i in range(2)]
        expect(infos[cur][0] and infos[1 - cur][0], "%s: the damaged slot not rewritten" % what)
        expect(abs(infos[0][1] - infos[1][1]) == 1 and current_slot(after)[1] >= seq,
               "%s: sequences %d and %d after loading %d" % (what, infos[0][1], infos[1][1],
                                                             seq - 1))
        os.unlink(path)

    def blob_len(b, base):
        return struct.unpack(">I", b[base + 16:base + 20])[0]

    def crc_flip(b, base):
        b[base + 21] ^= 0x01

    def blob_flip(b, base):
        b[base + SLOT_HEADER + blob_len(b, base) // 2] ^= 0x01

    def torn(b, base):
        # The write of the newer slot stopped halfway through its blob (the rest was blank).
        end = base + SLOT_HEADER + blob_len(b, base)
        mid = base + SLOT_HEADER + blob_len(b, base) // 2
        b[mid:end] = bytes(end - mid)

    r.check("state: newer slot's CRC damaged: restart loads the commit before",
            lambda: fallback(crc_flip, "CRC"))
    r.check("state: newer slot's blob damaged: restart loads the commit before",
            lambda: fallback(blob_flip, "blob"))
    r.check("state: newer slot torn halfway: restart loads the commit before",
            lambda: fallback(torn, "torn"))

    def commit_failure():
        # Writes at or past offset SLOT_SIZE fail (RLIMIT_FSIZE, EFBIG; SIGXFSZ ignored), so
        # every commit into slot 1 fails while slot 0 works: the command must answer
        # TPM_RC_NV_UNAVAILABLE, the file stay byte-identical, the server keep serving, and a
        # restart find the old state.
        path = os.path.join(tmp, "commit.state")
        extra = [0x01500002, 0x01500003, 0x01500004]
        t3 = Tpmd(args.tpmd, path)
        try:
            with t3.conn() as s:
                rsp = raw_cmd(s, nv_define_space(extra[0]))
                if rc_of(rsp) == TPM_RC_COMMAND_CODE:
                    raise Skipped("the engine does not implement NV_DefineSpace")
                expect_rc(rsp, TPM_RC_SUCCESS, "NV_DefineSpace")
                if current_slot(read_file(path))[0] == 0:
                    expect_rc(raw_cmd(s, nv_define_space(extra[1])), TPM_RC_SUCCESS,
                              "NV_DefineSpace")
            expect(t3.stop() == 0, "exit %s" % t3.proc.returncode)
        finally:
            t3.stop()
        expect(current_slot(read_file(path))[0] == 1, "setup: slot 1 not current")

        def limit_writes():
            resource.setrlimit(resource.RLIMIT_FSIZE, (SLOT_SIZE, SLOT_SIZE))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        t3 = Tpmd(args.tpmd, path, preexec=limit_writes)
        try:
            with t3.conn() as s:
                # Startup(CLEAR) may have committed (into slot 0); if not, this one does.
                if current_slot(read_file(path))[0] == 1:
                    expect_rc(raw_cmd(s, nv_define_space(extra[2])), TPM_RC_SUCCESS,
                              "NV_DefineSpace into slot 0")
                before = read_file(path)
                expect(current_slot(before)[0] == 0, "setup: slot 0 not current")
                expect_rc(raw_cmd(s, nv_define_space(NV_INDEX)), TPM_RC_NV_UNAVAILABLE,
                          "NV_DefineSpace without its commit")
                expect(read_file(path) == before, "state file changed by a failed commit")
                expect(rc_of(raw_cmd(s, nv_read_public(NV_INDEX))) != TPM_RC_SUCCESS,
                       "the failed command's NV index is there")
                expect_random(raw_cmd(s, GET_RANDOM_8), 8)
            expect("cannot write slot 1" in t3.log(), "no reason logged: %r" % t3.log())
            expect(t3.stop() == 0, "exit %s" % t3.proc.returncode)
        finally:
            t3.stop()
        expect(read_file(path) == before, "state file changed")
        rc, _ = nv_index_rc(path, lambda s: expect_rc(raw_cmd(s, nv_define_space(NV_INDEX)),
                                                     TPM_RC_SUCCESS, "NV_DefineSpace"))
        expect(rc != TPM_RC_SUCCESS, "the failed command's NV index is there after a restart")
        expect(current_slot(read_file(path))[1] > current_slot(before)[1],
               "no commit after the restart")
        os.unlink(path)

    r.check("state: failed commit answers NV_UNAVAILABLE, changes nothing, server keeps serving",
            commit_failure)

    def manufacture_only():
        path = os.path.join(tmp, "new.state")
        p = subprocess.run([args.tpmd, "--manufacture-only", "--state", path],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        expect(p.returncode == 0 and os.path.exists(path), "manufacture: %r" % p.stderr)
        content = read_file(path)
        expect(len(content) == FILE_SIZE, "manufactured %d bytes, not %d" % (len(content),
                                                                           FILE_SIZE))
        expect(slot_info(content, 0) == (True, 1), "slot 0 is not a valid sequence 1")
        expect(slot_bytes(content, 1) == bytes(SLOT_SIZE), "slot 1 is not blank")
        expect(not os.path.exists(path + ".tmp"), "temporary file left behind")
        p = subprocess.run([args.tpmd, "--manufacture-only", "--state", path],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        expect(p.returncode != 0, "manufactured over an existing state file")
        expect(read_file(path) == content, "existing state file changed")
        os.unlink(path)

    def leftover_tmp():
        # FILE.tmp is created exclusively: a leftover (an interrupted manufacture, or another
        # server manufacturing) stops manufacture and is not touched.
        path = os.path.join(tmp, "left.state")
        write_file(path + ".tmp", b"someone else's")
        p = subprocess.run([args.tpmd, "--manufacture-only", "--state", path],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        expect(p.returncode != 0, "manufactured over a leftover %s.tmp" % path)
        expect(path + ".tmp" in p.stderr.decode(errors="replace"), "unclear: %r" % p.stderr)
        expect(not os.path.exists(path), "state file created")
        expect(read_file(path + ".tmp") == b"someone else's", "leftover FILE.tmp changed")
        os.unlink(path + ".tmp")

    r.check("state: --manufacture-only writes slot 0 (sequence 1) of a two-slot file, once",
            manufacture_only)
    r.check("state: a leftover FILE.tmp stops manufacture, untouched", leftover_tmp)

    shutil.rmtree(tmp)
    if r.skipped:
        print("tpmd-protocol: %d skipped (reasons above)" % r.skipped)
    print("tpmd-protocol: %d passed, %d failed" % (r.passed, r.failed))
    return 0 if r.failed == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tpmd", default="build/tools/copra-tpmd", help="copra-tpmd binary")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = ap.parse_args()
    if not os.access(args.tpmd, os.X_OK):
        print("tpmd-protocol: no executable %s" % args.tpmd)
        print("tpmd-protocol: 0 passed, 1 failed")
        return 1
    try:
        return run(args)
    except (Failed, OSError, subprocess.SubprocessError) as e:
        # A server that cannot even start ends the run; say so in the closing line's format.
        print("FAIL setup: %s: %s" % (type(e).__name__, e))
        print("tpmd-protocol: 0 passed, 1 failed")
        return 1
    finally:
        for t in Tpmd.running:
            t.stop()


if __name__ == "__main__":
    sys.exit(main())
