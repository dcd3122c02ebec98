#!/usr/bin/env bash
# Side-by-side benchmark of evalkit's verification against numpy and
# scikit-learn, whole process against whole process, on the same files.
#
#   bash bench/run-verify.sh [RUNS]        (default 5 runs of each)
#
# Needs Go and Debian's python3-numpy and python3-sklearn (/usr/bin/python3).
# It builds evalkit, generates the data with the Python scripts, checks that
# both sides print the same numbers, and prints the minimum and median wall
# time of each side (runs alternate, so both see the same machine load) and
# their ratios:
#   1. insightface's 10-fold protocol on 6000 pairs x 512-d (with and without
#      flipped embeddings): `evalkit verify` vs bench/verify_numpy.py;
#   2. exact ROC + TAR@FAR table over 10 million scores: `evalkit ijb
#      --scores` vs bench/roc_sklearn.py (scikit-learn's roc_curve);
#   3. the floor: bench/touch_input.c and its Go twin bench/touchinput,
#      which only read the embedding files (through one small buffer, the
#      fastest way found here), against numpy — the largest whole-process
#      ratio any C or Go program could reach on this machine.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME's decimal point
cd "$(dirname "$0")/.."
RUNS=${1:-5}
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

go build -o "$TMP/evalkit" ./cmd/evalkit
gcc -O2 -o "$TMP/touch_input" bench/touch_input.c
go build -o "$TMP/touch_input_go" ./bench/touchinput
$PY bench/verify_numpy.py --generate "$TMP"
$PY bench/roc_sklearn.py --generate "$TMP"

# shellcheck source=bench/lib.sh
. bench/lib.sh

echo "== same numbers =="
for flip in "" "$TMP/flip.npy"; do
	ref=$($PY bench/verify_numpy.py "$TMP/emb.npy" $flip "$TMP/issame.npy")
	ours=$("$TMP/evalkit" verify --embeddings "$TMP/emb.npy" ${flip:+--flip-embeddings "$flip"} --issame "$TMP/issame.npy" | sed -n 1,3p)
	if [ "$ref" != "$ours" ]; then
		echo "MISMATCH (flip=${flip:-none}):"; echo "numpy:"; echo "$ref"; echo "evalkit:"; echo "$ours"; exit 1
	fi
	echo "$ours"
done
ref=$($PY bench/roc_sklearn.py "$TMP/scores.npy" "$TMP/labels.npy" | awk '/^ROW/ {$1=""; print substr($0, 2)}')
ours=$("$TMP/evalkit" ijb --scores "$TMP/scores.npy" --labels "$TMP/labels.npy" | awk -F'|' 'NR==4 {s=""; for (i=3; i<NF; i++) {gsub(/ /, "", $i); s = s (i>3 ? " " : "") $i}; print s}')
if [ "$ref" != "$ours" ]; then
	echo "MISMATCH TAR@FAR row: sklearn '$ref' evalkit '$ours'"; exit 1
fi
echo "TAR@FAR row (10M scores): $ours"

echo "== $RUNS runs each, alternating, wall clock, whole process =="
time_pair "10-fold protocol, 6000 pairs x 512-d" \
	"$TMP/evalkit" verify --embeddings "$TMP/emb.npy" --issame "$TMP/issame.npy" -- \
	$PY bench/verify_numpy.py "$TMP/emb.npy" "$TMP/issame.npy"
time_pair "same, with flipped embeddings" \
	"$TMP/evalkit" verify --embeddings "$TMP/emb.npy" --flip-embeddings "$TMP/flip.npy" --issame "$TMP/issame.npy" -- \
	$PY bench/verify_numpy.py "$TMP/emb.npy" "$TMP/flip.npy" "$TMP/issame.npy"
time_pair "exact ROC + TAR@FAR, 10M scores" \
	"$TMP/evalkit" ijb --scores "$TMP/scores.npy" --labels "$TMP/labels.npy" -- \
	$PY bench/roc_sklearn.py "$TMP/scores.npy" "$TMP/labels.npy"
time_pair "floor: read the input (C)" \
	"$TMP/touch_input" "$TMP/emb.npy" -- \
	$PY bench/verify_numpy.py "$TMP/emb.npy" "$TMP/issame.npy"
time_pair "floor: read the input (Go)" \
	"$TMP/touch_input_go" "$TMP/emb.npy" -- \
	$PY bench/verify_numpy.py "$TMP/emb.npy" "$TMP/issame.npy"
time_pair "floor, flipped: both inputs (C)" \
	"$TMP/touch_input" "$TMP/emb.npy" "$TMP/flip.npy" -- \
	$PY bench/verify_numpy.py "$TMP/emb.npy" "$TMP/flip.npy" "$TMP/issame.npy"
BENCH_TIMING=1 $PY bench/verify_numpy.py "$TMP/emb.npy" "$TMP/issame.npy" 2>&1 > /dev/null | sed 's/^/(for reference) /'
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
