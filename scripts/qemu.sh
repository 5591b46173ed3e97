#!/usr/bin/env bash
# Boot a Copra image in QEMU. Used by `make run`, the test drivers and the benchmarks.
#   scripts/qemu.sh --image IMG [--accel tcg|kvm] [--smp N] [--machine q35|microvm]
#                   [--mem 256M] [--cmdline "..."] [--cpu MODEL] [--interactive] [-- extra qemu args]
# Exit status is QEMU's: (code << 1) | 1 for isa-debug-exit codes (include/boot/exit.h).
set -euo pipefail

image= accel=tcg smp=1 machine=q35 mem=256M cmdline= cpu= interactive=0
while [ $# -gt 0 ]; do
	case "$1" in
	--image) image=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--machine) machine=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--) shift; break ;;
	*) echo "qemu.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$image" ] || { echo "qemu.sh: --image is required" >&2; exit 2; }

if [ -z "$cpu" ]; then
	case "$accel" in
	# This machine's KVM (PVM) aborts on MSR 0x10a with plain `-cpu host`.
	kvm) cpu=host,arch-capabilities=off ;;
	*) cpu=max ;;
	esac
fi
case "$machine" in
microvm) mopts="microvm,acpi=off" ;;
*) mopts="$machine" ;;
esac

args=(-machine "$mopts" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
	-bios "$image" -display none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
[ -n "$cmdline" ] && args+=(-fw_cfg "name=opt/copra/cmdline,string=$cmdline")
if [ "$interactive" = 1 ]; then
	echo "qemu.sh: Ctrl-A X quits QEMU" >&2
	args+=(-serial mon:stdio)
else
	args+=(-serial stdio -monitor none)
fi
exec qemu-system-x86_64 "${args[@]}" "$@"
