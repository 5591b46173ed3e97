#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Boot-time benchmark: QEMU start to Copra's `ready` line, against an empty-firmware floor.

Both are timed the same way: wall time of the QEMU process from spawn to exit, with identical
QEMU flags. Copra runs with `exit_on_ready`, so it exits right after printing `ready`; the floor
image exits at its reset vector. Medians over --runs runs, interleaved, for TCG and KVM.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU_SH = os.path.join(TOP, "scripts", "qemu.sh")


def run_once(image, accel, smp, cmdline):
    cmd = [QEMU_SH, "--image", image, "--accel", accel, "--smp", str(smp), "--cmdline", cmdline]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=60)
    dt = time.perf_counter() - t0
    if p.returncode != 33:
        sys.exit(f"boot_time: {image} ({accel}) exited {p.returncode}:\n{p.stdout.decode()[-2000:]}")
    if cmdline and b"ready:" not in p.stdout:
        sys.exit("boot_time: no ready line")
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    accels = ["tcg"] + (["kvm"] if os.access("/dev/kvm", os.R_OK | os.W_OK) else [])
    print(f"boot time, median of {args.runs} runs (QEMU spawn to exit), "
          f"qemu {subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True).stdout.decode().split()[3]}")
    print(f"{'accel':6} {'vCPUs':>5} {'floor ms':>9} {'copra ms':>9} {'ratio':>6}")
    for accel in accels:
        for smp in (1, 4):
            floor, copra = [], []
            for _ in range(args.runs):
                floor.append(run_once(args.floor, accel, smp, ""))
                copra.append(run_once(args.image, accel, smp, "exit_on_ready"))
            f, c = statistics.median(floor) * 1000, statistics.median(copra) * 1000
            print(f"{accel:6} {smp:>5} {f:9.1f} {c:9.1f} {c / f:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
