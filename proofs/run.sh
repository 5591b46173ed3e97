#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Frama-C WP proofs of Copra's pure code (what each unit proves: docs/assurance.md, "Proofs").
#
#   proofs/run.sh [--out DIR] [--timeout SECONDS] [--par N] [UNIT...]
#
# UNIT is a unit name from the table below (default: all). For each unit it prints
#   proofs: FILE: P/T goals proved
# and closes with `proofs: N passed, N failed`; a unit passes when every one of its goals is
# proved. Exits non-zero when any goal is unproved or a tool is missing. Logs: DIR/UNIT.log.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

out=build/proofs
timeout_s=10 # per goal and prover
par=2        # prover processes (the machines have 2 cores)
unit_limit=900 # seconds, a hard bound on one frama-c run
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--par) par=$2; shift 2 ;;
	-h | --help) sed -n '2,10p' "$0"; exit 0 ;;
	-*) echo "proofs: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

for tool in frama-c why3 z3 cvc4; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "proofs: $tool not found (make setup installs frama-c-base, why3, z3, cvc4)" >&2
		echo "proofs: 0 passed, 1 failed"
		exit 1
	fi
done
# WP finds provers through why3's configuration; a fresh machine has none yet.
if [ -z "${WHY3CONFIG:-}" ] && [ ! -f "$HOME/.why3.conf" ]; then
	why3 config detect >/dev/null 2>&1 || {
		echo "proofs: why3 config detect failed" >&2
		exit 1
	}
fi

# One row per unit: name|file reported|source|extra cpp args|frama-c options. A unit proves
# every function and lemma of its source except those named by -wp-skip-fct; what is skipped,
# and why, is in docs/assurance.md.
units=(
	"checked|include/lib/checked.h|proofs/checked.c||"
	"bitmap|lib/bitmap.c|lib/bitmap.c||-wp-auto wp:bitshift"
	"guest_range|kernel/mm/guest_range.c|kernel/mm/guest_range.c||-wp-skip-fct range_within,range_overlaps"
	"rle_bitmap|lib/rle_bitmap.c|lib/rle_bitmap.c|-include proofs/rle_model.h|-rte-no-pointer-call -wp-skip-fct resize"
	"buddy|kernel/mm/buddy.c|kernel/mm/buddy.c||-rte-no-pointer-call -wp-auto wp:range -wp-skip-fct report,buddy_page_info"
	"tpm_marshal|tpm/marshal.c|tpm/marshal.c|-Itpm/include -Itpm -include proofs/string_spec.h|-wp-model Typed+cast -wp-auto wp:bitshift"
)

mkdir -p "$out"
: >"$out/times"
passed=0
failed=0
start_all=$SECONDS
for row in "${units[@]}"; do
	IFS='|' read -r name file src cpp opts <<<"$row"
	if [ $# -gt 0 ]; then
		want=0
		for u in "$@"; do [ "$u" = "$name" ] && want=1; done
		[ $want -eq 1 ] || continue
	fi
	log="$out/$name.log"
	args=(-c11 -machdep x86_64
		-cpp-extra-args="-Iinclude -Ikernel/include -include proofs/prelude.h $cpp"
		-wp -wp-rte -wp-prover z3,cvc4 -wp-timeout "$timeout_s" -wp-par "$par"
		-wp-session "$out/$name.session" -wp-out "$out/$name.out")
	# shellcheck disable=SC2206 # opts is a word list on purpose
	[ -n "$opts" ] && args+=($opts)
	t0=$SECONDS
	timeout "$unit_limit" frama-c "${args[@]}" "$src" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^\[wp\] Proved goals: +[0-9]+ / [0-9]+' "$log" | tail -n 1)
	if [[ $line =~ ([0-9]+)\ /\ ([0-9]+) ]]; then
		p=${BASH_REMATCH[1]}
		t=${BASH_REMATCH[2]}
	else
		p=0
		t=0
	fi
	# With -wp-skip-fct WP generates no lemma goals, so such a unit proves its lemmas (its
	# own and its headers') in a second run without it, counted in the same totals.
	if [[ " $opts " == *" -wp-skip-fct "* ]]; then
		largs=(-c11 -machdep x86_64
			-cpp-extra-args="-Iinclude -Ikernel/include -include proofs/prelude.h $cpp"
			-wp -wp-prop=@lemma -wp-prover z3,cvc4 -wp-timeout "$timeout_s" -wp-par "$par"
			-wp-session "$out/$name.lemmas.session" -wp-out "$out/$name.lemmas.out")
		skip=0
		for o in $opts; do
			if [ $skip -eq 1 ]; then
				skip=0
			elif [ "$o" = -wp-skip-fct ]; then
				skip=1
			else
				largs+=("$o")
			fi
		done
		timeout "$unit_limit" frama-c "${largs[@]}" "$src" >"$out/$name.lemmas.log" 2>&1
		lrc=$?
		[ "$rc" -eq 0 ] && rc=$lrc
		line=$(grep -E '^\[wp\] Proved goals: +[0-9]+ / [0-9]+' "$out/$name.lemmas.log" | tail -n 1)
		if [[ $line =~ ([0-9]+)\ /\ ([0-9]+) ]]; then
			p=$((p + BASH_REMATCH[1]))
			t=$((t + BASH_REMATCH[2]))
		fi
	fi
	secs=$((SECONDS - t0))
	echo "proofs: $file: $p/$t goals proved"
	echo "$file: ${secs}s" >>"$out/times"
	if [ "$rc" -eq 0 ] && [ "$t" -gt 0 ] && [ "$p" -eq "$t" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		[ "$rc" -eq 124 ] && echo "proofs: $file: stopped after ${unit_limit}s" >&2
		grep -hE '^\[wp\] \[(Failed|Timeout|Unknown)\]|User Error|error' "$log" \
			"$out/$name.lemmas.log" 2>/dev/null | head -n 20 >&2
		echo "proofs: $file: full log in $log" >&2
	fi
done
echo "proofs: total time $((SECONDS - start_all))s"
echo "proofs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
