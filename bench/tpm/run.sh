#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TPM benchmark: one ESAPI client (bench_esys) against copra-tpmd and against swtpm/libtpms in
# the same run, both over the swtpm TCTI on loopback with state on disk. For each operation the
# peers alternate for ROUNDS rounds; the median ops/s of each is reported with the ratio
# copra/swtpm (higher is better for Copra).
#   bench/tpm/run.sh BUILD [ITERATIONS] [ROUNDS]
set -euo pipefail
export TSS2_LOG=all+none # ESAPI logs expected errors (probing for an old NV index)
build=${1:?usage: run.sh BUILD [ITERATIONS] [ROUNDS]}
iters=${2:-500}
rounds=${3:-5}
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

printf '%-12s %12s %8s %12s %8s %12s\n' operation "copra ops/s" ratio "no-sync" ratio "swtpm ops/s"
for op in getrandom pcr_extend nv_write nv_read; do
	: >"$work/c" && : >"$work/n" && : >"$work/s"
	for _ in $(seq "$rounds"); do
		"$bin" "swtpm:host=127.0.0.1,port=$cport" "$op" "$iters" | awk '{ print $4 }' >>"$work/c"
		"$bin" "swtpm:host=127.0.0.1,port=$nport" "$op" "$iters" | awk '{ print $4 }' >>"$work/n"
		"$bin" "swtpm:host=127.0.0.1,port=$sport" "$op" "$iters" | awk '{ print $4 }' >>"$work/s"
	done
	c=$(median <"$work/c")
	n=$(median <"$work/n")
	s=$(median <"$work/s")
	awk -v op="$op" -v c="$c" -v n="$n" -v s="$s" \
		'BEGIN { printf "%-12s %12.1f %7.2fx %12.1f %7.2fx %12.1f\n", op, c, c / s, n, n / s, s }'
done
