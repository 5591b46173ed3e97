#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the fuzz harnesses into fuzz/corpus/NAME/.

Every seed is small and meaningful: a valid input that reaches deep into the parser, or a
near miss that fails one specific check. Input formats are described at the top of each
fuzz/fuzz_NAME.c. The output is deterministic; run it again after changing a format and commit
the result:

    /usr/bin/python3 fuzz/make_seeds.py            # rewrites fuzz/corpus/*/
    /usr/bin/python3 fuzz/make_seeds.py --out DIR  # elsewhere

Each corpus directory is emptied first, so it holds exactly what this script writes. The
tpm_state seeds are real NV blobs, which only the engine can make: they are rewritten only with
--tpm-state-gen BIN (BIN = a built fuzz_tpm_state, which writes them when FUZZ_TPM_STATE_SEEDS
names a directory; `make fuzz-seeds` passes it), and left as they are otherwise.
"""
import argparse
import hashlib
import os
import re
import struct
import subprocess

KERNEL_VBASE = 0xFFFFFFFF80000000
U64_MAX = (1 << 64) - 1
KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30

E820_USABLE, E820_RESERVED, E820_ACPI, E820_NVS = 1, 2, 3, 4

HERE = os.path.dirname(os.path.abspath(__file__))


# --- elf -------------------------------------------------------------------------------------

PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 0, 1, 2, 3, 4
PT_GNU_STACK = 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4


P = 0x400  # file offset of the payload, after any program header table used here


def elf(phdrs, entry, payload=b"", phoff=64, etype=2, machine=62):
    """An ELF64 header, its program headers right after it, then payload at offset P."""
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0, 64, 56,
                      len(phdrs), 0, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", t, f, off, va, va, fs, ms, 0x1000)
                  for (t, f, off, va, fs, ms) in phdrs)
    blob = bytearray(eh)
    blob += bytes(max(0, phoff - len(blob)))
    blob[phoff:phoff + len(ph)] = ph
    assert len(blob) <= P
    if payload:
        blob += bytes(P - len(blob))
        blob += payload
    return bytes(blob)


def elf_seeds():
    code = bytes([0xF4, 0xEB, 0xFD]) + bytes(61)  # hlt; jmp .-1
    k = KERNEL_VBASE
    return {
        "01-one-text-segment": elf([(PT_LOAD, PF_R | PF_X, P, k, 64, 64)], k, code),
        "02-kernel-layout": elf([
            (PT_LOAD, PF_R | PF_X, P, k, 0x40, 0x2000),
            (PT_LOAD, PF_R, P + 0x40, k + 0x2000, 0x20, 0x20),
            (PT_LOAD, PF_R | PF_W, P + 0x60, k + 0x3000, 0x20, 0x5000),  # .data + .bss
            (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0),
        ], k + 0x10, code + bytes(64)),
        "03-null-note-empty-load": elf([
            (PT_NULL, 0, 0, 0, 0, 0),
            (PT_NOTE, PF_R, P, 0, 8, 8),
            (PT_LOAD, PF_R | PF_W, 0, k + 0x8000, 0, 0),  # memsz 0: occupies nothing
            (PT_LOAD, PF_R | PF_X, P, k + 0x1000, 64, 64),
        ], k + 0x1000, code),
        "04-near-miss-wx": elf([(PT_LOAD, PF_R | PF_W | PF_X, P, k, 64, 64)], k, code),
        "05-near-miss-interp": elf([
            (PT_INTERP, PF_R, P, 0, 8, 8),
            (PT_LOAD, PF_R | PF_X, P, k, 64, 64),
        ], k, code),
        "06-near-miss-overlap": elf([
            (PT_LOAD, PF_R | PF_X, P, k, 64, 0x1800),
            (PT_LOAD, PF_R, P, k + 0x1000, 64, 64),
        ], k, code),
        "07-near-miss-entry-in-data": elf([
            (PT_LOAD, PF_R | PF_X, P, k, 64, 64),
            (PT_LOAD, PF_R | PF_W, P, k + 0x1000, 64, 64),
        ], k + 0x1000, code),
        "08-near-miss-top-of-window": elf([
            (PT_LOAD, PF_R | PF_X, P, k + 0x3FFF000, 64, 0x1001),
        ], k + 0x3FFF000, code),
        # ELF_MAX_SEGMENTS loadable segments, and one too many.
        "09-sixteen-segments": elf([(PT_LOAD, PF_R | PF_X, P, k + i * 0x1000, 64, 64)
                                    for i in range(16)], k, code, phoff=0x40),
        "10-near-miss-seventeen-segments": elf([(PT_LOAD, PF_R, P, k + i * 0x1000, 64, 64)
                                                for i in range(17)], k, code, phoff=0x40),
    }


# --- e820 ------------------------------------------------------------------------------------

def e820_map(entries):
    return b"".join(struct.pack("<QQII", a, s, t, 0) for (a, s, t) in entries)


def e820_params(size, align_byte, min_, max_, raw_align=None):
    out = b"\x01" + struct.pack("<QB", size, align_byte)
    if raw_align is not None:
        out += struct.pack("<Q", raw_align)
    return out + struct.pack("<QQ", min_, max_)


Q35_4G = [(0, 2 * GiB, E820_USABLE), (0xB0000000, 0x10000000, E820_RESERVED),
          (0xFEFFC000, 0x4000, E820_RESERVED), (4 * GiB, 2 * GiB, E820_USABLE)]


def e820_seeds():
    frag = []
    for i in range(20):
        frag.append((i * 64 * MiB, 40 * MiB, E820_USABLE))
        frag.append((i * 64 * MiB + 30 * MiB, 1 * MiB, E820_RESERVED))
    return {
        # What QEMU's fw_cfg etc/e820 reports: RAM entries plus the few reservations.
        "01-qemu-q35-256m": b"\x00" + e820_map([(0, 256 * MiB, E820_USABLE),
                                                 (0xFEFFC000, 0x4000, E820_RESERVED)]),
        "02-qemu-q35-4g": b"\x00" + e820_map(Q35_4G),
        "03-qemu-pc-legacy-1g": b"\x00" + e820_map([
            (0, 0x9FC00, E820_USABLE), (0x9FC00, 0x400, E820_RESERVED),
            (0xF0000, 0x10000, E820_RESERVED), (0x100000, GiB - 0x100000 - 0x20000,
                                                E820_USABLE),
            (GiB - 0x20000, 0x20000, E820_ACPI), (0xFFFC0000, 0x40000, E820_RESERVED)]),
        "04-fragmented-40-entries": b"\x00" + e820_map(frag),
        "05-touching-overlapping-wrapping": b"\x00" + e820_map([
            (0, 8 * MiB, E820_USABLE), (8 * MiB, 8 * MiB, E820_USABLE),
            (12 * MiB, 16 * MiB, E820_USABLE), (20 * MiB, 4 * KiB, E820_NVS),
            (U64_MAX - 0xFFF, 0x2000, E820_USABLE), (0, 0, E820_RESERVED)]),
        "06-too-small": b"\x00" + e820_map([(0, 8 * MiB, E820_USABLE),
                                             (64 * MiB, 12 * MiB, E820_USABLE)]),
        "07-params-4k-anywhere": e820_params(4 * KiB, 12, 0, U64_MAX) + e820_map(Q35_4G),
        "08-params-top-of-space": e820_params(2 * MiB, 21, 4 * GiB, U64_MAX) + e820_map([
            (U64_MAX - 64 * MiB, 64 * MiB, E820_USABLE),
            (U64_MAX - 8 * MiB, 4 * KiB, E820_RESERVED)]),
        "09-params-bad-align": e820_params(16 * MiB, 0x80, MiB, 4 * GiB, raw_align=3 * MiB)
        + e820_map(Q35_4G),
        "10-no-usable": b"\x00" + e820_map([(0, GiB, E820_RESERVED), (GiB, 0, E820_USABLE)]),
    }


# --- symtab ----------------------------------------------------------------------------------

SYMTAB_MAGIC = 0x4D595343


def symtab(entries, names, lookups=(), count=None, magic=SYMTAB_MAGIC):
    """entries: (addr, size, name index into names); names are NUL-joined into the strtab."""
    strtab = b""
    offs = []
    for n in names:
        offs.append(len(strtab))
        strtab += n.encode() + b"\0"
    body = b"".join(struct.pack("<QII", a, s, offs[i] if i < len(offs) else i)
                    for (a, s, i) in entries)
    hdr = struct.pack("<IIII", magic, len(entries) if count is None else count, len(strtab), 0)
    tail = b"".join(struct.pack("<Q", a) for a in lookups)
    return bytes([len(lookups)]) + hdr + body + strtab + tail


def symtab_seeds():
    k = KERNEL_VBASE
    names = ["_start", "kernel_main", "panic", "backtrace"]
    return {
        "01-kernel-symbols": symtab([(k, 0x40, 0), (k + 0x40, 0x200, 1), (k + 0x240, 0x80, 2),
                                     (k + 0x300, 0, 3)], names,
                                    lookups=(k, k + 0x41, k + 0x2C0, k + 0x10000)),
        "02-duplicate-addresses": symtab([(k, 0x10, 0), (k, 0x20, 1), (k + 0x20, 0, 2)],
                                         names[:3], lookups=(k + 0x18, k + 0x20, k - 1)),
        "03-empty-table": symtab([], [""], lookups=(k,)),
        "04-near-miss-unsorted": symtab([(k + 0x100, 0x10, 0), (k, 0x10, 1)], names[:2],
                                        lookups=(k + 0x105,)),
        "05-near-miss-name-offset": symtab([(k, 0x10, 7)], names[:1], lookups=(k,)),
        "06-near-miss-count": symtab([(k, 0x10, 0)], names[:1], count=2, lookups=(k,)),
    }


# --- guest_range -----------------------------------------------------------------------------

def guest_range(entries, svsm_base, svsm_size, queries):
    return (bytes([len(entries)]) + struct.pack("<QQ", svsm_base, svsm_size) + e820_map(entries)
            + b"".join(struct.pack("<QQ", g, n) for (g, n) in queries))


def guest_range_seeds():
    q35 = [(0, 256 * MiB, E820_USABLE), (0xFEFFC000, 0x4000, E820_RESERVED)]
    svsm = 0x0F000000
    return {
        "01-q35-256m": guest_range(q35, svsm, 16 * MiB, [
            (0x1000, 0x1000), (svsm - 0x1000, 0x2000), (svsm + 16 * MiB, 0x1000),
            (256 * MiB - 8, 16), (0, 0), (U64_MAX, 2), (0xFEFFC000, 4)]),
        "02-q35-4g": guest_range(Q35_4G, 2 * GiB - 16 * MiB, 16 * MiB, [
            (2 * GiB - 0x1000, 0x2000), (3 * GiB, 8), (4 * GiB, 0x1000), (6 * GiB - 1, 1),
            (6 * GiB - 1, 2), (1 * GiB, 1 * GiB)]),
        "03-touching-overlapping-wrapping": guest_range([
            (0x100000, 0x100000, E820_USABLE), (0x200000, 0x100000, E820_USABLE),
            (0x180000, 0x200000, E820_USABLE), (0x10000000, 0x1000, E820_USABLE),
            (U64_MAX - 0xFFF, 0x2000, E820_USABLE), (0x400000, 0, E820_USABLE),
            (0x500000, 0x1000, E820_RESERVED)], 0x10000000, 0x1000, [
            (0x100000, 0x300000), (0x100000, 0x300001), (0x10000000, 1),
            (0x500000, 1)]),
        "04-svsm-at-top": guest_range([(0, U64_MAX, E820_USABLE)], U64_MAX - 16 * MiB,
                                      16 * MiB, [(U64_MAX - 1, 1), (0, U64_MAX)]),
        # More disjoint usable ranges than GUEST_RAM_MAX (128): the table fills up.
        "05-more-ranges-than-table": guest_range(
            [(i * 2 * MiB, MiB, E820_USABLE) for i in range(130)], 0x40000000, 16 * MiB,
            [(0, 4096), (129 * 2 * MiB, 4096)]),
    }


# --- cmdline ---------------------------------------------------------------------------------

def cmdline(line, keys):
    """keys: (buffer size, key) pairs."""
    out = line.encode() if isinstance(line, str) else line
    for (n, k) in keys:
        out += b"\0" + bytes([n]) + k.encode()
    return out


def cmdline_seeds():
    std = [(16, "loglevel"), (8, "quiet"), (2, "smp"), (16, "log"), (16, "level"),
           (16, "missing")]
    return {
        "01-typical": cmdline("loglevel=debug smp=2 quiet", std),
        "02-separators": cmdline("a=1\tb==2\nc= d\r\re=", [(8, "a"), (8, "b"), (8, "c"),
                                                            (8, "d"), (8, "e"), (1, "a")]),
        "03-prefix-collision": cmdline("loglevelx=1 log=2 loglevel=3", std),
        "04-too-long": cmdline("x" * 250 + " tail=cut-here-and-longer", [(16, "tail"),
                                                                          (255, "x" * 250)]),
        "05-empty": cmdline("", [(4, "a"), (0, "a"), (4, "")]),
        "06-odd-keys": cmdline("k=v w", [(8, "k=v"), (8, "k v"), (8, " w"), (8, "=")]),
    }


# --- rle -------------------------------------------------------------------------------------

def rle_op(op, start=0, count=0, smode=0, cmode=0, fail=False):
    """op: 0 set 1 clear 2 test 3 test_all 4 test_any 5 count/walk 6 compact 7 destroy."""
    width = {0: 1, 1: 2, 2: 8, 3: 1}
    b = bytes([op | smode << 3 | cmode << 5 | (0x80 if fail else 0)])
    b += start.to_bytes(width[smode], "little")
    b += count.to_bytes(width[cmode], "little")
    return b


def rle_seeds():
    s = {}
    s["01-set-merge-clear"] = b"".join([
        rle_op(0, 0, 10), rle_op(0, 20, 5), rle_op(2, 12, 1), rle_op(0, 10, 10),
        rle_op(3, 0, 25), rle_op(4, 30, 5), rle_op(1, 3, 4), rle_op(1, 100, 1),
        rle_op(5), rle_op(6), rle_op(5)])
    s["02-top-of-space"] = b"".join([
        rle_op(0, 10, 0, smode=3, cmode=3), rle_op(2, 0, 0, smode=3),
        rle_op(0, 20, 1, smode=3), rle_op(0, 5, 0, smode=3, cmode=3),
        rle_op(1, 0x1234, 5, smode=2, cmode=2), rle_op(3, 15, 10, smode=3),
        rle_op(5)])
    grow = [rle_op(0, 4 * i, 2) for i in range(8)]
    grow.insert(4, rle_op(0, 200, 1, fail=True))  # needs a 5th run: the allocation fails
    s["03-alloc-failure-on-growth"] = b"".join(grow + [rle_op(5)])
    s["04-compact-destroy"] = b"".join(
        [rle_op(0, 3 * i, 1) for i in range(20)] + [rle_op(1, 0, 255), rle_op(0, 7, 1),
                                                   rle_op(6, fail=True), rle_op(6),
                                                   rle_op(7), rle_op(0, 1, 1), rle_op(5)])
    s["05-invalid-ranges"] = b"".join([
        rle_op(0, 5, 0), rle_op(1, 5, 0), rle_op(0, 0, 1, smode=3, cmode=3),
        rle_op(0, 0, 0xFFFF, smode=3, cmode=1), rle_op(3, 0, 0), rle_op(4, 0, 0)])
    s["06-clear-splits"] = b"".join([
        rle_op(0, 0, 0xFFFF, cmode=1)] + [rle_op(1, 1000 * i, 10, smode=1) for i in range(1, 9)]
        + [rle_op(1, 500, 3000, smode=1, cmode=1, fail=True), rle_op(5)])
    return s


# --- heap ------------------------------------------------------------------------------------

def heap_seeds():
    def alloc(size):
        if size < 256:
            return bytes([0, size])
        if size < 65536:
            return bytes([1]) + size.to_bytes(2, "little")
        return bytes([2]) + size.to_bytes(3, "little")

    def free(i):
        return bytes([3, i])

    def pages(order):
        return bytes([4, order])

    def free_pages(i):
        return bytes([5, i])

    stats, trim = bytes([7]), bytes([7 | 8])
    s = {}
    s["01-every-class"] = b"\x00" + b"".join(alloc(n) for n in (1, 32, 33, 64, 100, 200)) \
        + b"".join(alloc(n) for n in (256, 300, 512, 1000, 2048)) + stats \
        + b"".join(free(0) for _ in range(11)) + trim
    s["02-large-and-pages"] = b"\x00" + b"".join(
        [alloc(2049), alloc(4096), alloc(4097), alloc(65536), alloc(2 * MiB), alloc(2 * MiB + 1),
         pages(0), pages(3), pages(9), stats, bytes([6, 1]), bytes([6 | 8, 0]), free(1),
         free_pages(1), free(0), free_pages(0), stats])
    s["03-exhaust-pages"] = b"\x00" + pages(9) * 3 + pages(0) * 4 + alloc(32) * 3 + stats \
        + free_pages(0) + alloc(2048) + stats
    s["04-hole"] = b"\x01" + bytes([10, 37]) + b"".join(
        [pages(5), pages(5), alloc(3000), alloc(128) * 3, stats, free(2), free_pages(0), trim])
    s["05-slab-churn"] = b"\x00" + (alloc(48) * 40 + free(7) * 39 + alloc(48) * 5 + stats) * 2 \
        + trim
    # 150 slabs of 2048-byte objects need a second page of slab records.
    s["06-two-record-pages"] = b"\x00" + alloc(2048) * 300 + stats + free(0) * 300 + stats \
        + alloc(2048) * 10 + trim

    def misuse(kind, *operands):
        return bytes([0x10 | kind << 5, *operands])

    s["07-misuse"] = b"\x00" + b"".join([
        alloc(100), alloc(5000), pages(2), pages(0),
        misuse(0, 0, 5), misuse(0, 0x81, 3), misuse(2, 1), misuse(2, 0x80), misuse(3, 0, 4),
        misuse(4, 0), misuse(4, 1), misuse(5, 0, 0x7F, 1), misuse(5, 7, 0, 0), misuse(6, 3),
        misuse(7, 0), misuse(7, 1), misuse(7, 2), misuse(7, 3), misuse(7, 4),
        misuse(1, 0), misuse(1, 0x80), stats])
    return s


# --- printf ----------------------------------------------------------------------------------

def printf_table():
    """(format, signature, cmp) rows of the table in fuzz/fuzz_printf.c, in order."""
    src = open(os.path.join(HERE, "fuzz_printf.c")).read()
    body = src[src.index("static const struct entry table[]"):]
    body = body[:body.index("};")]
    return re.findall(r'\{"((?:[^"\\]|\\.)*)", (SIG_\w+), (true|false)\}', body)


def printf_args(sig, seed):
    i32 = struct.pack("<i", [0, -1, 42, -2147483648, 2147483647, 255, -129][seed % 7])
    u64 = struct.pack("<Q", [0, 1, U64_MAX, 1 << 63, 0xDEADBEEF, 12345678901][seed % 6])
    star = struct.pack("<H", [300, 290, 310, 0, 305][seed % 5])  # 0, -10, 10, -300, 5
    text = b"hello, world"[:seed % 13]

    def string(flags=0):
        return bytes([flags, len(text)]) + text

    return {
        "SIG_NONE": b"", "SIG_I": i32, "SIG_U": i32, "SIG_L": u64, "SIG_UL": u64,
        "SIG_LL": u64, "SIG_ULL": u64, "SIG_Z": u64, "SIG_T": u64, "SIG_J": u64,
        "SIG_UJ": u64, "SIG_P": u64, "SIG_S": string(seed & 1), "SIG_WI": star + i32,
        "SIG_WPI": star + star + i32, "SIG_WU": star + i32,
        "SIG_PS": star + star + string(2 if seed & 1 else 0),
        "SIG_WPS": star + star + string(2 if seed & 1 else 0), "SIG_W": star,
        "SIG_MIX": string() + i32 + i32 + u64 + b"Z",
    }[sig]


def printf_seeds():
    table = printf_table()
    assert len(table) > 50, "fuzz_printf.c table not found"
    sizes = [600 - 1, 64, 1, 0, 5, 17]
    s = {}
    per = 24  # calls per seed (the harness takes at most 64)
    for start in range(0, len(table), per):
        out = b""
        for i in range(start, min(start + per, len(table))):
            out += bytes([i]) + struct.pack("<H", sizes[i % len(sizes)])
            out += printf_args(table[i][1], i)
        s["%02d-table-%03d-%03d" % (start // per + 1, start, min(start + per, len(table)) - 1)] \
            = out
    return s


# --- tpm --------------------------------------------------------------------------------------

TPM_PW = struct.pack(">IHBH", 0x40000009, 0, 1, 0)  # TPM_RS_PW, no nonce, continue, empty


def tpm_cmd(cc, handles=(), auth=None, params=b"", tag=None):
    """A TPM 2.0 command: header, handles, [authorization area], parameters (big-endian)."""
    body = b"".join(struct.pack(">I", h) for h in handles)
    if auth is not None:
        area = b"".join(auth)
        body += struct.pack(">I", len(area)) + area
    body += params
    if tag is None:
        tag = 0x8002 if auth is not None else 0x8001
    return struct.pack(">HII", tag, 10 + len(body), cc) + body


def tpm_rec(cmd, locality=0, patch=True, cycle=False, no_startup=False):
    """One record of fuzz_tpm.c's input: control byte, u16 LE length, the command."""
    ctl = locality | (0x10 if patch else 0) | (0x08 if cycle else 0) | (0x20 if no_startup else 0)
    return struct.pack("<BH", ctl, len(cmd)) + cmd


def tpm_2b(data):
    return struct.pack(">H", len(data)) + data


def tpm_pcr_sel(banks):
    out = struct.pack(">I", len(banks))
    for alg, pcrs in banks:
        bm = bytearray(3)
        for p in pcrs:
            bm[p // 8] |= 1 << (p % 8)
        out += struct.pack(">HB", alg, 3) + bytes(bm)
    return out


def tpm_nv_public(index, attrs, size, alg=0x000B):
    return tpm_2b(struct.pack(">IHIHH", index, alg, attrs, 0, size))


def public(otype, attrs, parms, unique, name_alg=0x000B, policy=b""):
    """TPM2B_PUBLIC (TPMT_PUBLIC: type, nameAlg, attributes, policy, parameters, unique)."""
    return tpm_2b(struct.pack(">HHI", otype, name_alg, attrs) + tpm_2b(policy) + parms + unique)


def rsa_public(bits, exponent=0, attrs=0x00030072):
    return public(0x0001, attrs, struct.pack(">HHHHHI", 0x0006, 128, 0x0043, 0x0010, bits,
                                             exponent), tpm_2b(b""))


def ecc_public(curve, attrs=0x00030072):
    return public(0x0023, attrs, struct.pack(">HHHHHH", 0x0006, 128, 0x0043, 0x0010, curve,
                                             0x0010), tpm_2b(b"") + tpm_2b(b""))


def create_primary(hierarchy, tmpl, auth=b"", data=b"", outside=b"", pcrs=b"\0\0\0\0"):
    """A CreatePrimary record authorized with an empty password."""
    return tpm_rec(tpm_cmd(0x131, [hierarchy], [TPM_PW],
                           tpm_2b(tpm_2b(auth) + tpm_2b(data)) + tmpl + tpm_2b(outside) + pcrs))


def tpm_seeds():
    sha1, sha256, sha384 = 0x0004, 0x000B, 0x000C
    storage = 0x00030072  # fixedTPM fixedParent sensitiveDataOrigin userWithAuth restricted decrypt
    owner, null, lockout, platform = 0x40000001, 0x40000007, 0x4000000A, 0x4000000C
    rw = 0x2 | 0x4 | 0x20000 | 0x40000  # OWNERWRITE AUTHWRITE OWNERREAD AUTHREAD
    no_da = 0x2000000
    nv_ord, nv_ctr, nv_bits, nv_ext = 0x01500010, 0x01500011, 0x01500012, 0x01500013
    pw = [TPM_PW]

    def define(index, attrs, size, auth=b""):
        return tpm_rec(tpm_cmd(0x12A, [owner], pw, tpm_2b(auth) +
                               tpm_nv_public(index, attrs, size)))

    return {
        "01-getrandom": tpm_rec(tpm_cmd(0x17B, params=struct.pack(">H", 16))),
        "02-getcapability": b"".join(tpm_rec(tpm_cmd(0x17A, params=struct.pack(">III", c, p, n)))
                                     for c, p, n in ((6, 0x100, 64), (6, 0x200, 32), (0, 0, 64),
                                                     (2, 0x11F, 128), (5, 0, 8), (7, 0, 32),
                                                     (1, 0x01000000, 16), (1, 0, 32),
                                                     (1, 0x40000000, 16), (8, 0, 8))),
        "03-pcr": b"".join([
            tpm_rec(tpm_cmd(0x17E, params=tpm_pcr_sel([(sha1, [0, 16]), (sha256, [16, 23])]))),
            tpm_rec(tpm_cmd(0x182, [16], pw, struct.pack(">I", 2) +
                            struct.pack(">H", sha1) + bytes(20) +
                            struct.pack(">H", sha256) + bytes(range(32)))),
            tpm_rec(tpm_cmd(0x13C, [16], pw, tpm_2b(b"event data"))),
            tpm_rec(tpm_cmd(0x13D, [16], pw)),
            tpm_rec(tpm_cmd(0x17E, params=tpm_pcr_sel([(sha384, [16])]))),
        ]),
        "04-pcr-localities": b"".join([
            tpm_rec(tpm_cmd(0x182, [17 + loc], pw, struct.pack(">IH", 1, sha256) + bytes(32)),
                    locality=loc) for loc in range(5)] +
            [tpm_rec(tpm_cmd(0x13D, [20 + (loc & 1)], pw), locality=loc) for loc in range(5)]),
        "05-nv": b"".join([
            define(nv_ord, rw | no_da, 32),
            define(nv_ctr, rw | no_da | 0x10, 8),
            define(nv_bits, rw | no_da | 0x20, 8),
            define(nv_ext, rw | no_da | 0x40, 32),
            tpm_rec(tpm_cmd(0x137, [nv_ord, nv_ord], pw, tpm_2b(b"hello, world") +
                            struct.pack(">H", 4))),
            tpm_rec(tpm_cmd(0x14E, [owner, nv_ord], pw, struct.pack(">HH", 16, 0))),
            tpm_rec(tpm_cmd(0x169, [nv_ord])),
            tpm_rec(tpm_cmd(0x134, [nv_ctr, nv_ctr], pw)),
            tpm_rec(tpm_cmd(0x135, [nv_bits, nv_bits], pw, struct.pack(">Q", 0x8000000000000005))),
            tpm_rec(tpm_cmd(0x136, [nv_ext, nv_ext], pw, tpm_2b(b"measurement"))),
            tpm_rec(tpm_cmd(0x14E, [nv_ext, nv_ext], pw, struct.pack(">HH", 32, 0))),
            tpm_rec(tpm_cmd(0x14F, [owner, nv_ord], pw)),  # NV_ReadLock
            tpm_rec(tpm_cmd(0x122, [owner, nv_bits], pw)),
            tpm_rec(tpm_cmd(0x17A, params=struct.pack(">III", 1, 0x01000000, 8))),
        ]),
        "06-nv-password-da": b"".join([
            define(nv_ord, 0x4 | 0x40000, 8, auth=b"secret"),
            tpm_rec(tpm_cmd(0x137, [nv_ord, nv_ord],
                            [struct.pack(">IHBH", 0x40000009, 0, 1, 6) + b"secret"],
                            tpm_2b(b"12345678") + struct.pack(">H", 0))),
            tpm_rec(tpm_cmd(0x14E, [nv_ord, nv_ord],
                            [struct.pack(">IHBH", 0x40000009, 0, 1, 5) + b"wrong"],
                            struct.pack(">HH", 8, 0))),
            tpm_rec(tpm_cmd(0x139, [lockout], pw)),
            tpm_rec(tpm_cmd(0x13A, [lockout], pw, struct.pack(">III", 5, 10, 0))),
        ]),
        "07-sessions": b"".join([
            tpm_rec(tpm_cmd(0x176, [null, null], None, tpm_2b(bytes(range(16))) + tpm_2b(b"") +
                            struct.pack(">BHH", 0, 0x0010, sha256))),
            tpm_rec(tpm_cmd(0x176, [null, owner], None, tpm_2b(bytes(range(32))) + tpm_2b(b"") +
                            struct.pack(">BHH", 0, 0x0010, sha384))),  # bound to the owner
            tpm_rec(tpm_cmd(0x17A, params=struct.pack(">III", 1, 0x02000000, 8))),
            tpm_rec(tpm_cmd(0x165, params=struct.pack(">I", 0x02000000))),
            # the bound session used (with a wrong HMAC) for NV_DefineSpace
            tpm_rec(tpm_cmd(0x12A, [owner],
                            [struct.pack(">IH", 0x02000001, 16) + bytes(16) + b"\x01" +
                             tpm_2b(bytes(48))],
                            tpm_2b(b"") + tpm_nv_public(nv_ord, rw, 8))),
        ]),
        "08-hash": b"".join([
            tpm_rec(tpm_cmd(0x17D, params=tpm_2b(b"abc") + struct.pack(">HI", sha256, null))),
            tpm_rec(tpm_cmd(0x17D, params=tpm_2b(b"abc") + struct.pack(">HI", sha384, owner))),
            tpm_rec(tpm_cmd(0x186, params=tpm_2b(b"") + struct.pack(">H", sha1))),
            tpm_rec(tpm_cmd(0x15C, [0x80000000], pw, tpm_2b(bytes(200)))),
            tpm_rec(tpm_cmd(0x13E, [0x80000000], pw, tpm_2b(b"end") + struct.pack(">I", owner))),
            tpm_rec(tpm_cmd(0x186, params=tpm_2b(b"") + struct.pack(">H", 0x0010))),
            tpm_rec(tpm_cmd(0x15C, [0x80000000], pw, tpm_2b(b"event"))),
            tpm_rec(tpm_cmd(0x185, [16, 0x80000000], pw + pw, tpm_2b(b"done"))),
        ]),
        "09-hierarchy": b"".join([
            tpm_rec(tpm_cmd(0x129, [owner], pw, tpm_2b(b"ownerpw"))),
            tpm_rec(tpm_cmd(0x12A, [owner],
                            [struct.pack(">IHBH", 0x40000009, 0, 1, 7) + b"ownerpw"],
                            tpm_2b(b"") + tpm_nv_public(nv_ord, rw, 8))),
            tpm_rec(tpm_cmd(0x127, [platform], pw, b"\x01")),
            tpm_rec(tpm_cmd(0x126, [platform], pw)),
            tpm_rec(tpm_cmd(0x127, [platform], pw, b"\x00")),
            tpm_rec(tpm_cmd(0x126, [lockout], pw)),
            tpm_rec(tpm_cmd(0x121, [platform], pw, struct.pack(">IB", owner, 0))),
            tpm_rec(tpm_cmd(0x12B, [platform], pw, tpm_pcr_sel([(sha256, list(range(24)))]))),
        ]),
        "10-shutdown-state": b"".join([
            tpm_rec(tpm_cmd(0x182, [0], pw, struct.pack(">IH", 1, sha256) + bytes(32))),
            tpm_rec(tpm_cmd(0x145, params=struct.pack(">H", 1))),
            tpm_rec(tpm_cmd(0x144, params=struct.pack(">H", 1)), cycle=True, no_startup=True),
            tpm_rec(tpm_cmd(0x17E, params=tpm_pcr_sel([(sha256, [0, 16])]))),
            tpm_rec(tpm_cmd(0x181)),
            tpm_rec(tpm_cmd(0x143, params=b"\x01")),
            tpm_rec(tpm_cmd(0x17C)),
        ]),
        "11-near-misses": b"".join([
            tpm_rec(bytes.fromhex("80010000000c0000017b"), patch=False),       # truncated
            tpm_rec(bytes.fromhex("00c10000000c0000017b0010"), patch=False),  # TPM 1.2 tag
            tpm_rec(bytes.fromhex("80010000000d0000017b0010"), patch=False),  # size mismatch
            tpm_rec(bytes.fromhex("80010000000c0000019f0010")),               # unknown code
            tpm_rec(tpm_cmd(0x12A, [owner], None, tpm_2b(b"") +
                            tpm_nv_public(nv_ord, rw, 8))),                    # no auth area
            tpm_rec(tpm_cmd(0x14E, [owner, 0x01500099], pw, struct.pack(">HH", 8, 0))),
            tpm_rec(tpm_cmd(0x182, [24], pw, struct.pack(">IH", 1, sha256) + bytes(32))),
        ]),
        # (fuzz_tpm.c runs at most three successful CreatePrimary commands per input)
        "12-primary-keys": b"".join([
            create_primary(owner, ecc_public(0x0003)),                     # ECC P-256 SRK
            tpm_rec(tpm_cmd(0x173, [0x80000000])),                          # ReadPublic
            create_primary(0x4000000B, rsa_public(2048)),                   # RSA EK-like
            tpm_rec(tpm_cmd(0x17A, params=struct.pack(">III", 1, 0x80000000, 8))),
            tpm_rec(tpm_cmd(0x165, params=struct.pack(">I", 0x80000001))),  # FlushContext
            create_primary(owner, rsa_public(2048)),                        # the cached key
            tpm_rec(tpm_cmd(0x126, [platform], pw)),                        # Clear flushes
            tpm_rec(tpm_cmd(0x173, [0x80000000])),
        ]),
        "15-primary-creation-data": b"".join([
            create_primary(null, ecc_public(0x0004), outside=b"outside",
                           pcrs=tpm_pcr_sel([(sha256, [0, 16])])),
            create_primary(platform, public(0x0025, storage,
                                            struct.pack(">HHH", 0x0006, 256, 0x0043), tpm_2b(b""))),
            tpm_rec(tpm_cmd(0x121, [platform], pw, struct.pack(">IB", platform, 0))),
            tpm_rec(tpm_cmd(0x173, [0x80000001])),
        ]),
        "13-sealed-unseal": b"".join([
            create_primary(owner, public(0x0008, 0x52, struct.pack(">H", 0x0010), tpm_2b(b"")),
                           auth=b"pw", data=b"sealed secret"),
            tpm_rec(tpm_cmd(0x15E, [0x80000000],
                            [struct.pack(">IHBH", 0x40000009, 0, 1, 2) + b"pw"])),
            tpm_rec(tpm_cmd(0x15E, [0x80000000],
                            [struct.pack(">IHBH", 0x40000009, 0, 1, 5) + b"wrong"])),
            # an HMAC session bound to the object (the HMAC is wrong: a failed authorization)
            tpm_rec(tpm_cmd(0x176, [null, 0x80000000], None, tpm_2b(bytes(32)) + tpm_2b(b"") +
                            struct.pack(">BHH", 0, 0x0010, sha256))),
            tpm_rec(tpm_cmd(0x15E, [0x80000000],
                            [struct.pack(">IH", 0x02000000, 32) + bytes(32) + b"\x01" +
                             tpm_2b(bytes(32))])),
            create_primary(owner, public(0x0008, 0x40072, struct.pack(">HH", 0x0005, sha256),
                                         tpm_2b(b""))),                              # an HMAC key
            tpm_rec(tpm_cmd(0x15E, [0x80000001], pw)),
        ]),
        # Create under an ECC SRK, Load of a private area the fuzzer will mutate, contexts
        "16-create-load-context": b"".join([
            create_primary(owner, ecc_public(0x0003)),
            tpm_rec(tpm_cmd(0x153, [0x80000000], pw,
                            tpm_2b(tpm_2b(b"pw") + tpm_2b(b"data")) +
                            public(0x0008, 0x52, struct.pack(">H", 0x0010), tpm_2b(b"")) +
                            tpm_2b(b"") + struct.pack(">I", 0))),
            tpm_rec(tpm_cmd(0x157, [0x80000000], pw,
                            tpm_2b(tpm_2b(bytes(32)) + bytes(48)) +
                            public(0x0008, 0x52, struct.pack(">H", 0x0010),
                                   tpm_2b(bytes(32))))),
            tpm_rec(tpm_cmd(0x162, [0x80000000])),                          # ContextSave
            tpm_rec(tpm_cmd(0x161, params=struct.pack(">QII", 1, 0x80000000, owner) +
                            tpm_2b(tpm_2b(bytes(32)) + bytes(40)))),        # ContextLoad
            tpm_rec(tpm_cmd(0x120, [owner, 0x80000000], pw, struct.pack(">I", 0x81000001))),
            tpm_rec(tpm_cmd(0x173, [0x81000001])),
            tpm_rec(tpm_cmd(0x120, [owner, 0x81000001], pw, struct.pack(">I", 0x81000001))),
        ]),
        # policy sessions: every policy command, then Unseal with PolicyPassword
        "17-policy": b"".join([
            create_primary(owner, public(0x0008, 0x12, struct.pack(">H", 0x0010), tpm_2b(b""),
                                         policy=hashlib.sha256(bytes(32) + struct.pack(
                                             ">I", 0x16B)).digest()), auth=b"pw", data=b"p"),
            tpm_rec(tpm_cmd(0x176, [null, null], None, tpm_2b(bytes(16)) + tpm_2b(b"") +
                            struct.pack(">BHH", 1, 0x0010, sha256))),
            tpm_rec(tpm_cmd(0x18C, [0x03000000])),                          # PolicyPassword
            tpm_rec(tpm_cmd(0x15E, [0x80000000],
                            [struct.pack(">IHBH", 0x03000000, 0, 1, 2) + b"pw"])),
            tpm_rec(tpm_cmd(0x17F, [0x03000000], None, tpm_2b(b"") +
                            tpm_pcr_sel([(sha256, [16])]))),
            tpm_rec(tpm_cmd(0x16C, [0x03000000], None, struct.pack(">I", 0x15E))),
            tpm_rec(tpm_cmd(0x171, [0x03000000], None, struct.pack(">I", 2) +
                            tpm_2b(bytes(32)) + tpm_2b(bytes(32)))),
            tpm_rec(tpm_cmd(0x16E, [0x03000000], None, tpm_2b(bytes(32)))),
            tpm_rec(tpm_cmd(0x180, [0x03000000])),
            tpm_rec(tpm_cmd(0x16D, [0x03000000], None, tpm_2b(bytes(4)) +
                            struct.pack(">HH", 8, 0))),
            tpm_rec(tpm_cmd(0x151, [owner, 0x03000000], pw, tpm_2b(b"") + tpm_2b(b"") +
                            tpm_2b(b"") + struct.pack(">I", 0))),
            tpm_rec(tpm_cmd(0x189, [0x03000000])),
        ]),
        # a salted session with AES parameter encryption (the salt point is not on the curve)
        "18-salted-session": b"".join([
            create_primary(owner, ecc_public(0x0003)),
            tpm_rec(tpm_cmd(0x176, [0x80000000, null], None, tpm_2b(bytes(16)) +
                            tpm_2b(tpm_2b(bytes(range(32))) + tpm_2b(bytes(range(32)))) +
                            struct.pack(">BHHHH", 0, 0x0006, 128, 0x0043, sha256))),
            tpm_rec(tpm_cmd(0x176, [null, null], None, tpm_2b(bytes(16)) + tpm_2b(b"") +
                            struct.pack(">BHHHH", 0, 0x0006, 128, 0x0043, sha256))),
            tpm_rec(tpm_cmd(0x17B, [], [struct.pack(">IH", 0x02000000, 16) + bytes(16) +
                                        b"\x41" + tpm_2b(b"")], struct.pack(">H", 16))),
            tpm_rec(tpm_cmd(0x137, [owner, nv_ord], pw + [struct.pack(">IH", 0x02000000, 16) +
                                                        bytes(16) + b"\x21" + tpm_2b(b"")],
                            tpm_2b(b"encrypted") + struct.pack(">H", 0))),
        ]),
        # signing, attestation, symmetric and RSA commands, Import, credentials
        "19-crypto": b"".join([
            create_primary(owner, ecc_public(0x0003)),                          # SRK
            create_primary(owner, public(0x0023, 0x40072, struct.pack(
                ">HHHHHH", 0x0010, 0x0018, sha256, 0x0003, 0x0010, 0), tpm_2b(b"") +
                tpm_2b(b""))),                                                  # ECDSA key
            tpm_rec(tpm_cmd(0x15D, [0x80000001], pw, tpm_2b(bytes(32)) +
                            struct.pack(">HHIH", 0x0010, 0x8024, null, 0))),    # Sign
            tpm_rec(tpm_cmd(0x158, [0x80000001], pw, tpm_2b(b"q") + struct.pack(">H", 0x0010) +
                            tpm_pcr_sel([(sha256, [0])]))),                     # Quote
            tpm_rec(tpm_cmd(0x177, [0x80000001], None, tpm_2b(bytes(32)) +
                            struct.pack(">HH", 0x0018, sha256) + tpm_2b(bytes(32)) +
                            tpm_2b(bytes(32)))),                                # VerifySignature
            tpm_rec(tpm_cmd(0x163, [0x80000000])),                              # ECDH_KeyGen
            tpm_rec(tpm_cmd(0x168, [0x80000000], None, tpm_2b(bytes(16)) +
                            tpm_2b(struct.pack(">H", sha256) + bytes(32)))),    # MakeCredential
            tpm_rec(tpm_cmd(0x156, [0x80000000], pw, tpm_2b(bytes(16)) +
                            public(0x0008, 0x40, struct.pack(">H", 0x0010), tpm_2b(bytes(32))) +
                            tpm_2b(tpm_2b(bytes(32)) + bytes(40)) + tpm_2b(b"") +
                            struct.pack(">HHH", 0x0006, 128, 0x0043))),         # Import
            tpm_rec(tpm_cmd(0x164, [0x80000000], pw, b"\x00" + struct.pack(">H", 0x0043) +
                            tpm_2b(bytes(16)) + tpm_2b(bytes(32)))),            # EncryptDecrypt
        ]),
        # HMAC sequences, PolicySigned with an HMAC key and its ticket in PolicyTicket
        "20-hmac-seq-policy-signed": b"".join([
            create_primary(owner, public(0x0008, 0x40052, struct.pack(">HH", 0x0005, sha256),
                                         tpm_2b(b"")), data=b"hmac key"),
            tpm_rec(tpm_cmd(0x15B, [0x80000000], pw, tpm_2b(b"sq") +
                            struct.pack(">H", 0x0010))),                    # HMAC_Start
            tpm_rec(tpm_cmd(0x15C, [0x80000001], [struct.pack(">IHBH", 0x40000009, 0, 1, 2) +
                                                  b"sq"], tpm_2b(b"abc"))),  # SequenceUpdate
            tpm_rec(tpm_cmd(0x13E, [0x80000001], [struct.pack(">IHBH", 0x40000009, 0, 1, 2) +
                                                  b"sq"], tpm_2b(b"d") +
                            struct.pack(">I", owner))),                     # SequenceComplete
            tpm_rec(tpm_cmd(0x176, [null, null], None, tpm_2b(bytes(16)) + tpm_2b(b"") +
                            struct.pack(">BHH", 1, 0x0010, sha256))),
            tpm_rec(tpm_cmd(0x160, [0x80000000, 0x03000000], None, tpm_2b(b"") + tpm_2b(b"") +
                            tpm_2b(b"ref") + struct.pack(">iHH", -60, 0x0005, sha256) +
                            bytes(32))),                                    # PolicySigned
            tpm_rec(tpm_cmd(0x172, [0x03000000], None, tpm_2b(bytes(8)) + tpm_2b(b"") +
                            tpm_2b(b"ref") + tpm_2b(struct.pack(">H", sha256) + bytes(32)) +
                            struct.pack(">HI", 0x8025, owner) + tpm_2b(bytes(64)))),
            tpm_rec(tpm_cmd(0x152, [null, null], pw, tpm_2b(bytes(40)) +
                            tpm_2b(struct.pack(">H", sha256) + bytes(32)) + tpm_2b(b""))),
            tpm_rec(tpm_cmd(0x152, [null, 0x80000000], pw, tpm_2b(bytes(40)) +
                            tpm_2b(struct.pack(">H", sha256) + bytes(32)) + tpm_2b(b""))),
        ]),
        "14-template-errors": b"".join([
            create_primary(owner, ecc_public(0x0003, attrs=storage | 0x40000)),
            create_primary(owner, ecc_public(0x0005)),
            create_primary(owner, rsa_public(2048, exponent=3)),
            create_primary(owner, public(0x0025, storage, struct.pack(">H", 0x0010), tpm_2b(b""))),
            create_primary(owner, public(0x0008, 0x52, struct.pack(">H", 0x0010), tpm_2b(b""))),
            create_primary(owner, rsa_public(1024), auth=bytes(40)),
            tpm_rec(tpm_cmd(0x18A, params=struct.pack(">HHHHHHI", 0x0001, 0x0006, 128, 0x0043,
                                                      0x0010, 3072, 0))),   # TestParms
            tpm_rec(tpm_cmd(0x18A, params=struct.pack(">HHH", 0x0008, 0x0005, sha384))),
        ]),
    }


# --- tpmd_slot ---------------------------------------------------------------------------------

# copra-tpmd's slot file (tools/copra-tpmd/platform_file.h): two slots, each a 32-byte header
# (magic, u64 sequence, u32 length, u32 CRC-32C over sequence, length and blob, 8 zero bytes)
# followed by room for the largest NV blob.
SLOT_MAGIC = b"CPRNVSL1"
SLOT_HEADER = 32
NV_BLOB_MAX = 128 * KiB
SLOT_SIZE = SLOT_HEADER + NV_BLOB_MAX


def crc32c(data, crc=0):
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def slot(seq, blob, length=None, crc=None, magic=SLOT_MAGIC, reserved=bytes(8)):
    """One slot's header and blob; length and CRC computed unless given."""
    n = len(blob) if length is None else length
    fields = struct.pack(">QI", seq, n)
    if crc is None:
        crc = crc32c(blob + bytes(max(0, n - len(blob))), crc32c(fields))
    return magic + fields + struct.pack(">I", crc) + reserved + blob


def slot_file(s0, s1=b"", ctl=0):
    """fuzz_tpmd_slot.c's input: control byte, u16 LE length of slot 0's bytes, both slots."""
    return struct.pack("<BH", ctl, len(s0)) + s0 + s1


def tpmd_slot_seeds():
    fix0, fix1, commit, short = 0x02, 0x04, 0x08, 0x10
    a = b"CPRTPMNV" + bytes(range(120))     # blobs: opaque to the slot file
    b = b"CPRTPMNV" + bytes(range(200, 64, -1))
    torn = slot(4, b)[:SLOT_HEADER + 40]     # header written, blob cut short
    return {
        "01-one-slot": slot_file(slot(1, a), ctl=commit),
        "02-two-slots": slot_file(slot(5, a), slot(6, b), ctl=commit),
        "03-two-slots-first-newer": slot_file(slot(9, a), slot(8, b), ctl=commit),
        "04-torn-second": slot_file(slot(3, a), torn, ctl=commit),
        "05-torn-first": slot_file(slot(7, b)[:SLOT_HEADER + 3], slot(6, a)),
        "06-wrong-crc": slot_file(slot(1, a, crc=0x12345678)),
        "07-wrong-crc-fixed": slot_file(slot(1, a, crc=0), slot(2, b, crc=1), ctl=fix0 | fix1),
        "08-same-sequence": slot_file(slot(3, a), slot(3, a)),
        "09-bad-magic": slot_file(slot(1, a, magic=b"CPRNVSL2"), slot(2, b)),
        "10-reserved-not-zero": slot_file(slot(1, a), slot(2, b, reserved=bytes(7) + b"\x01")),
        "11-length-out-of-range": slot_file(slot(1, a, length=NV_BLOB_MAX + 1, crc=0), ctl=fix0),
        "12-long-zero-blob": slot_file(slot(1, a, length=4096), ctl=commit),
        "13-sequence-max": slot_file(slot(2**64 - 1, a), slot(2**64 - 2, b), ctl=commit),
        "14-sequence-max-1": slot_file(slot(2**64 - 2, a), ctl=commit),
        "15-empty-blob": slot_file(slot(1, b""), ctl=commit),
        "16-short-buffer": slot_file(slot(1, a), ctl=short),
        "17-raw-short-file": bytes([0x01]) + slot(1, a),
        "18-blank": slot_file(b"", b""),
    }


# --- p256 ----------------------------------------------------------------------------------------

P256_GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
P256_GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def p256_seeds():
    """fuzz_p256.c: a mode byte, then 32-byte big-endian k and two more fields."""
    b32 = lambda v: v.to_bytes(32, "big")  # noqa: E731
    return {
        "01-base-k1": b"\x00" + b32(1),
        "02-base-near-n": b"\x80" + b32(2),
        "03-base-n": b"\x00" + b32(P256_N),
        "04-point-from-s": b"\x01" + b32(0x1234567) + b32(7),
        "05-point-k-n-2": b"\x81" + b32(1) + b32(5),
        "06-given-g": b"\x02" + b32(3) + b32(P256_GX) + b32(P256_GY),
        "07-given-off-curve": b"\x02" + b32(3) + b32(P256_GX) + b32(P256_GY + 1),
        "08-given-x-p": b"\x02" + b32(3) + b32(2**256 - 2**224 + 2**192 + 2**96 - 1) +
                        b32(P256_GY),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--tpm-state-gen", metavar="BIN",
                    help="a built fuzz_tpm_state, to write the tpm_state seeds with")
    args = ap.parse_args()
    corpora = {
        "elf": elf_seeds(), "e820": e820_seeds(), "symtab": symtab_seeds(),
        "guest_range": guest_range_seeds(), "cmdline": cmdline_seeds(), "rle": rle_seeds(),
        "heap": heap_seeds(), "printf": printf_seeds(), "tpm": tpm_seeds(),
        "tpmd_slot": tpmd_slot_seeds(), "p256": p256_seeds(),
    }
    for name, seeds in corpora.items():
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        for seed, data in sorted(seeds.items()):
            with open(os.path.join(d, seed), "wb") as fh:
                fh.write(data)
        print("%-12s %2d seeds, %5d bytes" % (name, len(seeds), sum(map(len, seeds.values()))))
    d = os.path.join(args.out, "tpm_state")
    if args.tpm_state_gen:
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        subprocess.run([args.tpm_state_gen], check=True,
                       env=dict(os.environ, FUZZ_TPM_STATE_SEEDS=d))
        files = [os.path.join(d, f) for f in os.listdir(d)]
        print("%-12s %2d seeds, %5d bytes" % ("tpm_state", len(files),
                                              sum(os.path.getsize(f) for f in files)))
    else:
        print("%-12s left as it is (no --tpm-state-gen)" % "tpm_state")


if __name__ == "__main__":
    main()
