#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An independent model of Copra's primary-key derivation (docs/tpm.md, "Primary keys").

    tests/tpm/primary_model.py            print the known answers of tests/unit/test_tpm_object.c
    tests/tpm/primary_model.py --check    compare with the values the C test pins (exit 1 if not
                                          equal); ends "primary-model: N passed, N failed"

Written from the description in docs/tpm.md only (Python integers and hashlib/hmac, no code
shared with tpm/primary.c), so that the documentation, this model and the engine agree or a
test fails: a change of the derivation, in the engine or in mbedTLS, cannot go unnoticed.
Standard library only.
"""
import argparse
import hashlib
import hmac
import os
import re
import struct
import sys

ALG = {"sha1": 0x0004, "sha256": 0x000B, "sha384": 0x000C, "sha512": 0x000D}
HASH = {0x0004: hashlib.sha1, 0x000B: hashlib.sha256, 0x000C: hashlib.sha384,
        0x000D: hashlib.sha512}
RESTRICTED, DECRYPT, SDO = 0x10000, 0x20000, 0x20

# NIST P-256 and P-384 (FIPS 186-4, D.1.2.3 and D.1.2.4)
CURVES = {
    0x0003: dict(
        p=0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
        a=-3,
        n=0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
        gx=0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
        gy=0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5,
        size=32),
    0x0004: dict(
        p=int("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff"
              "0000000000000000ffffffff", 16),
        a=-3,
        n=int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db2"
              "48b0a77aecec196accc52973", 16),
        gx=int("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25d"
               "bf55296c3a545e3872760ab7", 16),
        gy=int("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce"
               "1d7e819d7a431d7c90ea0e5f", 16),
        size=48),
}


def kdfa(alg, key, label, u, v, bits):
    """KDFa (TPM 2.0 Part 1, 11.4.10.2): SP 800-108 counter mode with HMAC."""
    out = b""
    counter = 1
    while len(out) * 8 < bits:
        out += hmac.new(key, struct.pack(">I", counter) + label + b"\0" + u + v +
                        struct.pack(">I", bits), HASH[alg]).digest()
        counter += 1
    out = out[:(bits + 7) // 8]
    if bits % 8:
        out = bytes([out[0] & ((1 << (bits % 8)) - 1)]) + out[1:]
    return out


class Stream:
    """stream(tag): KDFa(SHA-256, seed, "Copra primary", D, tag || u32 i, 512) for i = 0, 1, ..."""

    def __init__(self, seed, digest, tag):
        self.seed, self.digest, self.tag = seed, digest, tag
        self.block, self.buf = 0, b""

    def read(self, n):
        while len(self.buf) < n:
            self.buf += kdfa(ALG["sha256"], self.seed, b"Copra primary", self.digest,
                             self.tag + struct.pack(">I", self.block), 512)
            self.block += 1
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def is_probable_prime(n):
    """Miller-Rabin with the first 24 primes as bases: certain far beyond these sizes' needs."""
    small = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79,
             83, 89]
    if n < 2:
        return False
    for p in small:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


SMALL_PRIMES = [p for p in range(3, 2048) if all(p % q for q in range(2, int(p ** 0.5) + 1))]


def rsa_prime(stream, bits, e, other=None):
    while True:
        x = int.from_bytes(stream.read(bits // 8), "big")
        x |= (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if other is not None and abs(x - other) <= 1 << (bits - 100):
            continue
        if any(x % p == 0 for p in SMALL_PRIMES):
            continue
        if x % e == 1:
            continue
        if is_probable_prime(x):
            return x


def ec_mul(c, k):
    """k G on the curve, affine double-and-add (speed does not matter here)."""
    p = c["p"]

    def add(P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        if P[0] == Q[0] and (P[1] + Q[1]) % p == 0:
            return None
        if P == Q:
            lam = (3 * P[0] * P[0] + c["a"]) * pow(2 * P[1], -1, p) % p
        else:
            lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
        x = (lam * lam - P[0] - Q[0]) % p
        return (x, (lam * (P[0] - x) - P[1]) % p)

    R, Q = None, (c["gx"], c["gy"])
    while k:
        if k & 1:
            R = add(R, Q)
        Q = add(Q, Q)
        k >>= 1
    return R


def parse_template(t):
    """The fields of a TPMT_PUBLIC the derivation needs."""
    otype, name_alg, attrs = struct.unpack(">HHI", t[:8])
    off = 8
    (plen,) = struct.unpack(">H", t[off:off + 2])
    off += 2 + plen
    f = dict(type=otype, name_alg=name_alg, attrs=attrs)

    def sym():
        nonlocal off
        (alg,) = struct.unpack(">H", t[off:off + 2])
        off += 2
        bits = 0
        if alg != 0x0010:
            (bits,) = struct.unpack(">H", t[off:off + 2])
            off += 4
        return bits

    def scheme():
        nonlocal off
        (alg,) = struct.unpack(">H", t[off:off + 2])
        off += 2
        h = None
        if alg not in (0x0010, 0x0015):
            (h,) = struct.unpack(">H", t[off:off + 2])
            off += 2
        return alg, h

    if otype == 0x0001:
        sym()
        scheme()
        f["bits"], f["exponent"] = struct.unpack(">HI", t[off:off + 6])
    elif otype == 0x0023:
        sym()
        scheme()
        (f["curve"],) = struct.unpack(">H", t[off:off + 2])
    elif otype == 0x0008:
        f["scheme"] = scheme()
    elif otype == 0x0025:
        f["bits"] = sym()
    return f


def derive(seed, template, data=b""):
    """The unique field of the primary object Copra derives from seed and template."""
    digest = hashlib.sha256(struct.pack(">H", len(template)) + template +
                            struct.pack(">H", len(data)) + data).digest()
    f = parse_template(template)
    h = HASH[f["name_alg"]]
    seed_value = b""
    if (f["attrs"] & (RESTRICTED | DECRYPT)) == RESTRICTED | DECRYPT or f["type"] in (8, 0x25):
        seed_value = Stream(seed, digest, b"SEED").read(h().digest_size)
    if f["type"] == 0x0001:
        # The Miller-Rabin bases (stream "RSAM") decide nothing about the result.
        e = f["exponent"] or 65537
        p = rsa_prime(Stream(seed, digest, b"RSAP"), f["bits"] // 2, e)
        q = rsa_prime(Stream(seed, digest, b"RSAQ"), f["bits"] // 2, e, p)
        return (p * q).to_bytes(f["bits"] // 8, "big")
    if f["type"] == 0x0023:
        c = CURVES[f["curve"]]
        cbytes = (c["n"].bit_length() + 64) // 8
        d = int.from_bytes(Stream(seed, digest, b"ECCD").read(cbytes), "big") % (c["n"] - 1) + 1
        x, y = ec_mul(c, d)
        return x.to_bytes(c["size"], "big") + y.to_bytes(c["size"], "big")
    if not f["attrs"] & SDO:
        key = data
    elif f["type"] == 0x0025:
        key = Stream(seed, digest, b"SYMK").read(f["bits"] // 8)
    else:
        alg, halg = f["scheme"]
        key = Stream(seed, digest, b"HMAC").read(
            HASH[halg if alg == 0x0005 else f["name_alg"]]().digest_size)
    return h(seed_value + key).digest()


# The templates of the known answers: TPMT_PUBLIC bytes, in tests/unit/test_tpm_object.c order.
def _pub(otype, attrs, parms, unique, name_alg=0x000B):
    return struct.pack(">HHIH", otype, name_alg, attrs, 0) + parms + unique


STORAGE = 0x00030072
AES128CFB = struct.pack(">HHH", 0x0006, 128, 0x0043)
KATS = [
    ("rsa2048", _pub(0x0001, STORAGE, AES128CFB + struct.pack(">HHI", 0x0010, 2048, 0),
                     struct.pack(">H", 0)), b""),
    ("rsa3072", _pub(0x0001, STORAGE, AES128CFB + struct.pack(">HHI", 0x0010, 3072, 0),
                     struct.pack(">H", 0)), b""),
    ("ecc256", _pub(0x0023, STORAGE, AES128CFB + struct.pack(">HHH", 0x0010, 0x0003, 0x0010),
                    struct.pack(">HH", 0, 0)), b""),
    ("ecc384", _pub(0x0023, STORAGE, AES128CFB + struct.pack(">HHH", 0x0010, 0x0004, 0x0010),
                    struct.pack(">HH", 0, 0)), b""),
    ("hmac", _pub(0x0008, 0x00040072, struct.pack(">HH", 0x0005, 0x000B), struct.pack(">H", 0)),
     b""),
    ("aes128", _pub(0x0025, STORAGE, AES128CFB, struct.pack(">H", 0)), b""),
    ("sealed", _pub(0x0008, 0x00000052, struct.pack(">H", 0x0010), struct.pack(">H", 0)),
     b"sealed secret"),
]
TEST_SEED = bytes(range(64))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    test = os.path.join(os.path.dirname(__file__), "..", "unit", "test_tpm_object.c")
    pinned = {}
    if args.check:
        with open(test) as f:
            for m in re.finditer(r'\{"(\w+)",[^"]*"([0-9a-f]{64})"\}', f.read()):
                pinned[m.group(1)] = m.group(2)
    bad = 0
    for name, tmpl, data in KATS:
        got = hashlib.sha256(derive(TEST_SEED, tmpl, data)).hexdigest()
        if not args.check:
            print('{"%s", "%s"},' % (name, got))
        elif pinned.get(name) != got:
            print("FAIL primary-model: %s: the model derives %s, the C test pins %s" % (
                name, got, pinned.get(name)))
            bad += 1
    if args.check:
        print("primary-model: %d passed, %d failed" % (len(KATS) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
