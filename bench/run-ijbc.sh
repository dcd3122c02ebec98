#!/usr/bin/env bash
# Side-by-side benchmark of `evalkit ijb --features` against insightface's
# IJB-C 1:1 evaluation (ijb_11.py's numpy code, bench/ijbc_numpy.py), whole
# process against whole process, on IJB-C-sized synthetic data.
#
#   bash bench/run-ijbc.sh [--scale F] [--runs N] [--seed S]
#
# Defaults: --scale 1 (IJB-C's 469,375 images, 23,124 templates, 15,658,489
# pairs), --runs 3, --seed 20261201. Needs Go and Debian's python3-numpy,
# python3-sklearn and python3-prettytable (/usr/bin/python3).
#
# The data (bench/ijbc_generate.py: meta files in IJB-C's formats and a
# 469,375 x 1024 float32 features .npy, 2.2 GB at scale 1) is written once
# per (scale, seed, generator) into $EVALKIT_BENCH_CACHE (default
# ~/.cache/evalkit-bench), outside the repository. The script builds
# evalkit, runs both sides once and stops unless they print the same table
# and write bit-identical scores, then runs each side N more times,
# alternating, timed with bash's EPOCHREALTIME, and prints minimum and
# median wall times and the ratios. Each side's phase times from the check
# run (BENCH_TIMING=1 / evalkit ijb --timing) are printed at the end.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME's decimal point
cd "$(dirname "$0")/.."
SCALE=1
RUNS=3
SEED=20261201
while [ $# -gt 0 ]; do
	case $1 in
	--scale) SCALE=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	*) echo "usage: $0 [--scale F] [--runs N] [--seed S]" >&2; exit 2 ;;
	esac
done
PY=/usr/bin/python3
CACHE=${EVALKIT_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evalkit-bench}
GENSUM=$(sha256sum bench/ijbc_generate.py | cut -c1-12)
DATA=$CACHE/ijbc-scale$SCALE-seed$SEED-$GENSUM
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

go build -o "$TMP/evalkit" ./cmd/evalkit
if [ ! -f "$DATA/done" ]; then
	rm -rf "$DATA"
	mkdir -p "$DATA"
	echo "generating $DATA ..."
	$PY bench/ijbc_generate.py "$DATA" --scale "$SCALE" --seed "$SEED"
	touch "$DATA/done"
fi
EVALKIT=("$TMP/evalkit" ijb --features "$DATA/feats.npy" --meta-dir "$DATA/meta" --target IJBC --method insightface)
NUMPY=($PY bench/ijbc_numpy.py "$DATA/meta" "$DATA/feats.npy" --target IJBC --job insightface)

echo "== same table, same scores =="
BENCH_TIMING=1 "${NUMPY[@]}" --save-scores "$TMP/numpy.npy" > "$TMP/numpy.txt" 2> "$TMP/numpy.phases"
"${EVALKIT[@]}" --save-scores "$TMP/evalkit.npy" --timing > "$TMP/evalkit.txt" 2> "$TMP/evalkit.phases"
if ! diff <(head -n 5 "$TMP/evalkit.txt") "$TMP/numpy.txt"; then
	echo "MISMATCH: the tables differ (< evalkit, > numpy)"; exit 1
fi
$PY - "$TMP/numpy.npy" "$TMP/evalkit.npy" <<'EOF'
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
if a.dtype != b.dtype or a.shape != b.shape or not (a.view(np.uint64) == b.view(np.uint64)).all():
    sys.exit("MISMATCH: scores differ (%s %s vs %s %s)" % (a.dtype, a.shape, b.dtype, b.shape))
print("%d scores, bit-identical" % a.size)
EOF
cat "$TMP/numpy.txt"

# time_pair NAME CMD_A... -- CMD_B...: A and B alternately RUNS times
# (output discarded), each under /usr/bin/time for its CPU time (user +
# system); min and median wall-clock and CPU seconds of each and the ratios
# B/A of the medians and of the minima. On a shared machine the CPU ratio
# is the steadier one: other jobs stretch both sides' wall time.
time_pair() {
	local name=$1
	shift
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	local ta=() tb=() ca=() cb=() s e
	for _ in $(seq "$RUNS"); do
		s=$EPOCHREALTIME; /usr/bin/time -o "$TMP/cpu" -f "%U %S" "${a[@]}" > /dev/null; e=$EPOCHREALTIME
		ta+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')")
		ca+=("$(awk '{printf "%.2f", $1 + $2}' "$TMP/cpu")")
		s=$EPOCHREALTIME; /usr/bin/time -o "$TMP/cpu" -f "%U %S" "${b[@]}" > /dev/null 2>&1; e=$EPOCHREALTIME
		tb+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')")
		cb+=("$(awk '{printf "%.2f", $1 + $2}' "$TMP/cpu")")
		echo "  run: evalkit ${ta[-1]} s (cpu ${ca[-1]} s), numpy ${tb[-1]} s (cpu ${cb[-1]} s), load $(cut -d' ' -f1 /proc/loadavg)"
	done
	summary() {
		{ printf '%s\n' $1 | sort -g | tr '\n' ' '; echo; printf '%s\n' $2 | sort -g | tr '\n' ' '; echo; } |
			awk -v n="$3" 'NR == 1 {na = split($0, a, " ")} NR == 2 {nb = split($0, b, " ")}
			function med(x, k) { return (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2 }
			END {
				ma = med(a, na); mb = med(b, nb)
				printf "%s: evalkit min %.3f med %.3f s | numpy min %.3f med %.3f s | ratio med %.1fx min %.1fx\n", n, a[1], ma, b[1], mb, mb / ma, b[1] / a[1]
			}'
	}
	summary "${ta[*]}" "${tb[*]}" "$name, wall"
	summary "${ca[*]}" "${cb[*]}" "$name, cpu"
}

echo "== $RUNS runs each, alternating, wall clock, whole process (scale $SCALE) =="
time_pair "IJB-C 1:1 from features" "${EVALKIT[@]}" -- "${NUMPY[@]}"
echo "== phases of the check run =="
sed 's/^/numpy   /' "$TMP/numpy.phases" | grep -v 'Finish Calculating'
sed 's/^/evalkit /' "$TMP/evalkit.phases"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
