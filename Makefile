# SPDX-License-Identifier: MIT
# Copra: one non-recursive GNU make build. Everything lands out of tree in $(BUILD).
#   make run     build and boot Copra in QEMU (installs what it needs first)
#   make check   every test, gate and smoke run (installs what it needs first)
.DEFAULT_GOAL := all
BUILD ?= build
TOP := $(CURDIR)

include mk/toolchain.mk
include lib/module.mk
include mk/mbedtls.mk
include tpm/module.mk
include boot/module.mk
include kernel/module.mk
include tools/module.mk
include tests/module.mk
include tests/ct/module.mk
include bench/module.mk
include mk/targets.mk
include mk/process.mk
include mk/lint.mk
include proofs/module.mk
include fuzz/module.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
