#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs libFuzzer harnesses one after another (fuzz/module.mk: make fuzz-smoke, make fuzz).
#   fuzz/run.sh smoke|long BUILD SECONDS NAME...
# smoke: each harness on a fresh copy of fuzz/corpus/NAME in BUILD/fuzz/work/NAME, so the
#        in-tree seeds never change; prints "fuzz-smoke: NAME: N execs, ok" per harness and
#        "fuzz-smoke: N passed, N failed" at the end.
# long:  each harness on BUILD/fuzz/long/NAME (seeded from fuzz/corpus/NAME, kept between runs
#        so the corpus keeps growing); prints exec counts and rates, "fuzz: N passed, N failed".
# cov:   each NAME:SRC+SRC... (SECONDS unused): runs BUILD/fuzz/cov/fuzz_NAME once over the
#        long-run corpus (the seeds when there is none) and reports the line and branch
#        coverage of the sources under test; "fuzz-cov: NAME: lines ..., branches ...".
# smoke and long: -timeout=10, crash inputs saved as BUILD/fuzz/crashes/NAME-crash-<sha1> (or leak-,
# timeout-, oom-), full output in BUILD/fuzz/logs/MODE-NAME.log; exit status 1 if any failed.
set -u

mode=$1
build=$2
seconds=$3
shift 3
case $mode in
smoke) tag=fuzz-smoke ;;
long) tag=fuzz ;;
cov) tag=fuzz-cov ;;
*)
	echo "usage: $0 smoke|long|cov BUILD SECONDS NAME..." >&2
	exit 2
	;;
esac

crashes=$build/fuzz/crashes
logs=$build/fuzz/logs
mkdir -p "$crashes" "$logs"

if [ "$mode" = cov ]; then
	for arg in "$@"; do
		name=${arg%%:*}
		srcs=$(echo "${arg#*:}" | tr + ' ')
		bin=$build/fuzz/cov/fuzz_$name
		corpus=$build/fuzz/long/$name
		if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
			corpus=fuzz/corpus/$name
		fi
		raw=$build/fuzz/cov/$name.profraw
		rm -f "$raw"
		LLVM_PROFILE_FILE=$raw "$bin" -runs=0 "$corpus" >"$logs/cov-$name.log" 2>&1
		llvm-profdata merge -sparse "$raw" -o "$build/fuzz/cov/$name.profdata"
		# shellcheck disable=SC2086 # srcs is a list
		llvm-cov report "$bin" -instr-profile="$build/fuzz/cov/$name.profdata" $srcs \
			>"$logs/cov-$name.txt"
		# TOTAL: regions, missed, %, functions, missed, %, lines, missed, %, branches, missed, %
		read -r _ _ _ _ _ _ fcov _ lmiss lcov _ bmiss bcov <<EOF
$(grep '^TOTAL' "$logs/cov-$name.txt")
EOF
		echo "$tag: $name: lines $lcov ($lmiss missed), branches $bcov ($bmiss missed)," \
			"functions $fcov of code under test, corpus $(find "$corpus" -type f | wc -l) inputs"
	done
	exit 0
fi
passed=0
failed=0
start_all=$(date +%s)

for name in "$@"; do
	bin=$build/fuzz/fuzz_$name
	seeds=fuzz/corpus/$name
	log=$logs/$mode-$name.log
	if [ "$mode" = smoke ]; then
		work=$build/fuzz/work/$name
		rm -rf "$work"
	else
		work=$build/fuzz/long/$name
	fi
	mkdir -p "$work"
	# -n: a long-run corpus keeps what it found; seeds are only added.
	if [ -d "$seeds" ]; then
		cp -n "$seeds"/* "$work"/ 2>/dev/null || true
	fi
	t0=$(date +%s)
	"$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$crashes/$name-" "$work" >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ -z "$execs" ]; then
		# A crash ends the run before the final stats: take the last status line.
		execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	fi
	execs=${execs:-0}
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	ninputs=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		verdict=ok
	else
		failed=$((failed + 1))
		artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		verdict="FAILED (exit $rc; input: ${artifact:-none saved}; log: $log)"
	fi
	if [ "$mode" = smoke ]; then
		echo "$tag: $name: $execs execs, $verdict"
	else
		echo "$tag: $name: $execs execs in $((t1 - t0)) s (${rate:-?}/s), corpus $ninputs inputs, $verdict"
	fi
done

echo "$tag: $(($(date +%s) - start_all)) s in all"
echo "$tag: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
