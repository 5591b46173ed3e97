#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""In-QEMU test suite: boots Copra images and checks the serial log and the exit status.

Cases: the in-Copra test image on several machines / CPU counts, the panic path (deliberate
crashes), and bad input to the loader (too little RAM, corrupted or malformed kernel images).
KVM cases run only when /dev/kvm works; they are reported as skipped otherwise.

Usage: suite.py --build BUILD [--filter SUBSTR] [--kvm auto|on|off] [--timeout S]
Prints one line per case and closes with `N passed, N failed, N skipped`.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

EXIT_SUCCESS, EXIT_FAILURE, EXIT_PANIC, EXIT_BOOT_ERROR = 33, 35, 37, 39
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU_SH = os.path.join(TOP, "scripts", "qemu.sh")


class Case:
    def __init__(self, name, image, exit_status, expect=(), reject=(), smp=1,
                 machine="q35", accel="tcg", mem="256M", cmdline="", cpu=None):
        self.name, self.image, self.exit_status = name, image, exit_status
        self.expect, self.reject = list(expect), list(reject)
        self.smp, self.machine, self.accel, self.mem = smp, machine, accel, mem
        self.cmdline, self.cpu = cmdline, cpu


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def make_bad_images(build, mkimage, loader, kernel):
    """Images with damaged or wrong content, built from the real parts."""
    out = os.path.join(build, "bad-images")
    os.makedirs(out, exist_ok=True)
    good = os.path.join(build, "copra.bin")
    with open(good, "rb") as f:
        img = bytearray(f.read())
    size = len(img)
    header = size - 0x40000 - 0x1000

    def write(name, data):
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    images = {}
    flipped = bytearray(img)
    flipped[0x1000] ^= 0xff  # inside the kernel ELF
    images["kernel-flipped"] = write("kernel-flipped.bin", flipped)
    hdr = bytearray(img)
    hdr[header + 24] ^= 0x01  # kernel_offset in the header
    images["header-flipped"] = write("header-flipped.bin", hdr)
    nohdr = bytearray(img)
    nohdr[header:header + 8] = b"\0" * 8
    images["header-missing"] = write("header-missing.bin", nohdr)

    with open(kernel, "rb") as f:
        elf = f.read()
    for name, data in (("elf-truncated", elf[:3000]), ("elf-not-elf", b"\x7fELG" + elf[4:]),
                       ("elf-empty-phdrs", elf[:56] + b"\0\0" + elf[58:])):
        src = write(name + ".elf", data)
        dst = os.path.join(out, name + ".bin")
        subprocess.run([mkimage, "--loader", loader, "--kernel", src, "--size", str(size),
                        "-o", dst, "--no-check"], check=True)
        images[name] = dst
    return images


def build_cases(build, kvm):
    test = os.path.join(build, "copra-test.bin")
    prod = os.path.join(build, "copra.bin")
    ok = [r"ktest: (\d+) passed, 0 failed"]
    cases = []
    for machine in ("q35", "microvm"):
        for smp in (1, 4):
            cases.append(Case(f"ktest-{machine}-smp{smp}-tcg", test, EXIT_SUCCESS, ok,
                              [r"FAIL"], smp=smp, machine=machine))
    cases.append(Case("ktest-q35-smp8-tcg", test, EXIT_SUCCESS, ok, [r"FAIL"], smp=8))
    # The default CPU model (no SMEP/SMAP/UMIP): the kernel must adapt, tests must still pass.
    cases.append(Case("ktest-q35-qemu64-tcg", test, EXIT_SUCCESS, ok + [r"SMEP absent"],
                      [r"FAIL"], smp=2, cpu="qemu64"))
    cases.append(Case("boot-ready-prod-tcg", prod, EXIT_SUCCESS,
                      [r"ready: 2 CPU\(s\) online", r"smp: cpu 1 online"], [r"ktest"],
                      smp=2, cmdline="exit_on_ready"))
    cases.append(Case("loglevel-debug", prod, EXIT_SUCCESS, [r"tsc: \d+ kHz"], [],
                      smp=2, cmdline="exit_on_ready loglevel=debug"))
    cases.append(Case("loglevel-error-quiet", prod, EXIT_SUCCESS, [r"copra loader: started"],
                      [r"ready:"], cmdline="exit_on_ready loglevel=error"))
    if kvm:
        for machine in ("q35", "microvm"):
            for smp in (1, 2):
                cases.append(Case(f"ktest-{machine}-smp{smp}-kvm", test, EXIT_SUCCESS, ok,
                                  [r"FAIL"], smp=smp, machine=machine, accel="kvm"))
    # Panic path: an unexpected fault is reported (vector, error, registers, CR2, symbolized
    # backtrace), all CPUs stop, QEMU ends with the panic status.
    panic_common = [r"PANIC on cpu 0", r"RIP 0008:", r"CR0 [0-9a-f]+ CR2", r"backtrace:"]
    cases.append(Case("panic-pf", test, EXIT_PANIC, panic_common + [
        r"EXCEPTION #PF page fault \(vector 14\) error 0x2",
        r"CR2=ffffff7fdead0000", r"#0 +[0-9a-f]+ crash_pf\+", r"ktest_early_hook\+",
        r"stopped 3 other CPU"], [r"passed"], smp=4, cmdline="ktest.crash=pf"))
    cases.append(Case("panic-ud", test, EXIT_PANIC, panic_common + [
        r"EXCEPTION #UD invalid opcode \(vector 6\)", r"crash_ud\+"], [r"passed"],
        cmdline="ktest.crash=ud"))
    cases.append(Case("panic-stack-overflow", test, EXIT_PANIC, panic_common + [
        r"EXCEPTION #DF double fault \(vector 8\)", r"kernel stack overflow: CR2 is in the "
        r"guard page of stack slot 0", r"crash_overflow\+"], [r"passed"],
        cmdline="ktest.crash=overflow"))
    cases.append(Case("panic-check", test, EXIT_PANIC, [
        r"PANIC on cpu 0: CHECK failed: kind\[0\] == 'x'", r"backtrace:"], [r"passed"],
        cmdline="ktest.crash=check"))
    cases.append(Case("panic-oom-report", test, EXIT_PANIC, [
        r"out of memory: 1048576 bytes requested by 0x[0-9a-f]+ crash_oom\+",
        r"free blocks per order: 0:\d+ 1:\d+", r"PANIC on cpu 0: out of memory"], [r"passed"],
        cmdline="ktest.crash=oom"))
    cases.append(Case("panic-double-free", test, EXIT_PANIC, [
        r"PANIC on cpu 0: heap violation: .*free", r"#0 +[0-9a-f]+ heap_violation\+",
        r"kfree\+", r"ktest_early_hook\+"], [r"passed"],
        cmdline="ktest.crash=double_free"))
    # Bad input to the loader: a clear message and the boot-error status, never a triple fault.
    fatal = r"copra loader: FATAL: "
    cases.append(Case("loader-ram-8M", prod, EXIT_BOOT_ERROR,
                      [fatal + r"not enough memory: the SVSM region needs 16 MiB"], [r"ready"],
                      mem="8M"))
    cases.append(Case("loader-ram-16M", prod, EXIT_BOOT_ERROR, [fatal + r"not enough memory"],
                      [r"ready"], mem="16M"))
    cases.append(Case("loader-ram-24M", prod, EXIT_SUCCESS, [r"ready"], [], mem="24M",
                      cmdline="exit_on_ready"))
    bad = {
        "kernel-flipped": r"kernel image is corrupted: CRC-32C",
        "header-flipped": r"image header is corrupted",
        "header-missing": r"no Copra image header",
        "elf-truncated": r"kernel ELF rejected: file is truncated",
        "elf-not-elf": r"kernel ELF rejected: not an ELF file",
        "elf-empty-phdrs": r"kernel ELF rejected: bad program header table",
    }
    for name, msg in bad.items():
        cases.append(Case("loader-" + name, ("bad", name), EXIT_BOOT_ERROR, [fatal + msg],
                          [r"entering kernel"]))
    return cases


def run_case(case, images, timeout, logdir):
    image = images[case.image[1]] if isinstance(case.image, tuple) else case.image
    cmd = [QEMU_SH, "--image", image, "--accel", case.accel, "--smp", str(case.smp),
           "--machine", case.machine, "--mem", case.mem, "--cmdline", case.cmdline]
    if case.cpu:
        cmd += ["--cpu", case.cpu]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        out, status = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        status = "timeout"
    elapsed = time.monotonic() - start
    with open(os.path.join(logdir, case.name + ".log"), "w") as f:
        f.write(out)
    problems = []
    if status != case.exit_status:
        problems.append(f"exit status {status}, expected {case.exit_status}")
    for pat in case.expect:
        if not re.search(pat, out):
            problems.append(f"missing /{pat}/")
    for pat in case.reject:
        if re.search(pat, out):
            problems.append(f"unexpected /{pat}/")
    if "Triple fault" in out or "triple fault" in out:
        problems.append("triple fault")
    return problems, elapsed, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--filter", default="")
    ap.add_argument("--kvm", default="auto", choices=("auto", "on", "off"))
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    kvm = kvm_usable() if args.kvm == "auto" else args.kvm == "on"
    images = make_bad_images(build, os.path.join(build, "tools", "mkimage"),
                             os.path.join(build, "boot", "loader.bin"),
                             os.path.join(build, "kernel", "copra.stripped.elf"))
    logdir = os.path.join(build, "qemu-logs")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    passed = failed = 0
    skipped = 0 if kvm else 4
    if not kvm:
        print("skip KVM cases: /dev/kvm is not usable here")
    for case in build_cases(build, kvm):
        if args.filter not in case.name:
            continue
        problems, elapsed, out = run_case(case, images, args.timeout, logdir)
        if problems:
            failed += 1
            print(f"FAIL {case.name} ({elapsed:.1f} s): " + "; ".join(problems))
            print("     --- last lines of the serial log ---")
            for line in out.strip().splitlines()[-25:]:
                print("     " + line)
        else:
            passed += 1
            print(f"ok   {case.name} ({elapsed:.1f} s)")
        sys.stdout.flush()
    print(f"qemu-suite: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
