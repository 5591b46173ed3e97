#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TPM benchmark: one ESAPI client (bench_esys) against copra-tpmd and against swtpm/libtpms in
# the same run, both over the swtpm TCTI on loopback with state on disk. For each operation the
# peers alternate for ROUNDS rounds; the median ops/s of each is reported with the ratio
# copra/swtpm (higher is better for Copra).
#   bench/tpm/run.sh BUILD [ITERATIONS] [ROUNDS]
# ITERATIONS (calls per timed run) defaults per operation (the table below: fewer for the slow
# key-generating ones, so the whole run stays within a few minutes on a loaded 2-core machine);
# given, it applies to every operation. Every bench_esys process creates its keys and sessions
# as transient objects and flushes them (and any an interrupted run left loaded): nothing
# persistent is made, and the servers' state lives in a temporary directory.
set -euo pipefail
export TSS2_LOG=all+none # ESAPI logs expected errors (probing for an old NV index)
build=${1:?usage: run.sh BUILD [ITERATIONS] [ROUNDS]}
iters=${2:-}
rounds=${3:-5}
# operation:iterations, in the order reported
ops=(getrandom:500 pcr_extend:500 nv_write:500 nv_read:500 createprimary_ecc:300
	createprimary_rsa:50 seal_unseal_pcr:150 quote_ecc:300 getrandom_hmac:300)
bin=$build/bench/bench_esys
tpmd=$build/tools/copra-tpmd
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket
while True:
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1)); break
    except OSError:
        pass
    finally:
        a.close(); b.close()
print(p)'
}
wait_port() {
	for _ in $(seq 100); do
		if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "bench-tpm: nothing listens on port $1" >&2
	exit 1
}

# copra-tpmd twice: as shipped (each commit is a pwrite into the idle slot of its A/B state
# file plus fdatasync: power-cut safe), and with --no-sync (no flush), which matches swtpm's own
# commit (rename without fsync) for a like-for-like ratio.
cport=$(free_port)
"$tpmd" --port "$cport" --state "$work/copra.state" &
pids+=($!)
wait_port "$cport"
nport=$(free_port)
"$tpmd" --port "$nport" --state "$work/copra-nosync.state" --no-sync &
pids+=($!)
wait_port "$nport"
sport=$(free_port)
mkdir -p "$work/swtpm"
swtpm socket --tpm2 --server type=tcp,port="$sport",bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((sport + 1)),bindaddr=127.0.0.1 --tpmstate dir="$work/swtpm" \
	--flags not-need-init,startup-clear &
pids+=($!)
wait_port "$sport"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-17s %6s %12s %8s %12s %8s %12s\n' operation calls "copra ops/s" ratio "no-sync" ratio \
	"swtpm ops/s"
for entry in "${ops[@]}"; do
	op=${entry%%:*}
	n=${iters:-${entry#*:}}
	: >"$work/c" && : >"$work/n" && : >"$work/s"
	for _ in $(seq "$rounds"); do
		"$bin" "swtpm:host=127.0.0.1,port=$cport" "$op" "$n" | awk '{ print $4 }' >>"$work/c"
		"$bin" "swtpm:host=127.0.0.1,port=$nport" "$op" "$n" | awk '{ print $4 }' >>"$work/n"
		"$bin" "swtpm:host=127.0.0.1,port=$sport" "$op" "$n" | awk '{ print $4 }' >>"$work/s"
	done
	c=$(median <"$work/c")
	ns=$(median <"$work/n")
	s=$(median <"$work/s")
	awk -v op="$op" -v k="$n" -v c="$c" -v n="$ns" -v s="$s" \
		'BEGIN { printf "%-17s %6d %12.1f %7.2fx %12.1f %7.2fx %12.1f\n",
			 op, k, c, c / s, n, n / s, s }'
done
