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

# shellcheck source=bench/lib.sh
. bench/lib.sh
REF_LABEL=numpy CPU_TIME=1

echo "== $RUNS runs each, alternating, wall clock, whole process (scale $SCALE) =="
time_pair "IJB-C 1:1 from features" "${EVALKIT[@]}" -- "${NUMPY[@]}"
echo "== phases of the check run =="
sed 's/^/numpy   /' "$TMP/numpy.phases" | grep -v 'Finish Calculating'
sed 's/^/evalkit /' "$TMP/evalkit.phases"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
