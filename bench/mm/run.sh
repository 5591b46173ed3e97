#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds bench/mm/bench_heap.c with the heap sources (buddy + slab) for the host at -O2, no
# sanitizers, and runs it: Copra's heap against glibc malloc/free, one table, < 20 s.
# lib/string.c is deliberately not linked: its memcpy/memset would collide with libc's.
# Usage: bench/mm/run.sh [BUILD_DIR]   (from anywhere; BUILD_DIR defaults to build)
set -eu
cd "$(dirname "$0")/../.."
out="${1:-build}/bench"
mkdir -p "$out"
${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -DCOPRA_HOST \
	-Iinclude -Ikernel/include \
	bench/mm/bench_heap.c kernel/mm/buddy.c kernel/mm/slab.c -lm -o "$out/bench_heap"
exec "$out/bench_heap"
