#!/usr/bin/env bash
# Side-by-side benchmark of evalkit's 1:N identification.
#
#   bash bench/run-identify.sh [RUNS] [BIG_PROBES] [BIG_GALLERY]
#        (defaults 3, 10000, 1000000; BIG_GALLERY=0 skips part 2;
#        BIG_REPS=n repeats part 2, default 1)
#
# Needs Go and Debian's python3-numpy (/usr/bin/python3); part 2 needs
# OpenBLAS (libopenblas.so.0) for its main figure.
#   1. IJB-C 1:N sizes (19593 probe templates, galleries of 1772 and 1759,
#      512-d float64 template features): insightface's numpy code
#      (bench/identify_numpy.py) against `evalkit identify --rule ijb_1n`
#      and `--rule ijb_evals` (run once per gallery), whole process against
#      whole process, runs alternating; the printed lines are checked equal
#      first.
#   2. 10k probes x 1M gallery x 512-d float32, top-10: evalkit's search
#      against bare sgemm on the same matrices in the same process
#      (bench/identify), with OpenBLAS and, on a gallery 20x smaller, with
#      the pure-Go default against gonum's Sgemm.
# Data goes to a temporary directory outside the repository, deleted at exit.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
RUNS=${1:-3}
BIGP=${2:-10000}
BIGG=${3:-1000000}
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

go build -o "$TMP/evalkit" ./cmd/evalkit
go build -o "$TMP/bench_identify" ./bench/identify
$PY bench/identify_numpy.py --generate "$TMP"
uptime

# time_pair NAME CMD_A... -- CMD_B...: A and B alternately, RUNS times;
# min and median wall-clock seconds, and the ratios B/A.
time_pair() {
	local name=$1
	shift
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	local ta=() tb=() s e
	for _ in $(seq "$RUNS"); do
		s=$EPOCHREALTIME; "${a[@]}" > /dev/null; e=$EPOCHREALTIME
		ta+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')")
		s=$EPOCHREALTIME; "${b[@]}" > /dev/null; e=$EPOCHREALTIME
		tb+=("$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f", e - s}')")
	done
	{ printf '%s\n' "${ta[@]}" | sort -g | tr '\n' ' '; echo; printf '%s\n' "${tb[@]}" | sort -g | tr '\n' ' '; echo; } |
		awk -v n="$name" 'NR == 1 {na = split($0, a, " ")} NR == 2 {nb = split($0, b, " ")}
		function med(x, k) { return (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2 }
		END {
			ma = med(a, na); mb = med(b, nb)
			printf "%-32s min %7.3f med %7.3f s | numpy min %7.3f med %7.3f s | ratio med %5.1fx min %5.1fx\n", n, a[1], ma, b[1], mb, mb / ma, b[1] / a[1]
		}'
}

ek_1n() { "$TMP/evalkit" identify --gallery "$TMP/gallery.npy" --gallery-ids "$TMP/gallery_ids.npy" --probes "$TMP/probes.npy" --probe-ids "$TMP/probe_ids.npy" --rule ijb_1n; }
ek_evals() {
	for g in g1 g2; do
		"$TMP/evalkit" identify --gallery "$TMP/$g.npy" --gallery-ids "$TMP/${g}_ids.npy" --probes "$TMP/probes.npy" --probe-ids "$TMP/probe_ids.npy" --rule ijb_evals
	done
}

echo "== same lines =="
diff <($PY bench/identify_numpy.py ijb_1n "$TMP") <(ek_1n) && echo "ijb_1n: identical"
diff <($PY bench/identify_numpy.py ijb_evals "$TMP" | grep -v '^\[Mean\]') <(ek_evals | grep -v '^|') && echo "ijb_evals: identical"
ek_1n | grep -E '^(top|far)'

echo "== $RUNS runs each, alternating, wall clock, whole process =="
time_pair "ijb_1n, 19593 x 3531 x 512" ek_1n -- $PY bench/identify_numpy.py ijb_1n "$TMP"
time_pair "ijb_evals, 19593 x (1772, 1759)" ek_evals -- $PY bench/identify_numpy.py ijb_evals "$TMP"
uptime

if [ "$BIGG" -gt 0 ]; then
	echo "== search vs bare sgemm, same process =="
	"$TMP/bench_identify" -probes "$BIGP" -gallery "$BIGG" -blas openblas -reps "${BIG_REPS:-1}"
	"$TMP/bench_identify" -probes "$BIGP" -gallery "$((BIGG / 20))" -blas gonum -reps "${BIG_REPS:-1}"
fi
