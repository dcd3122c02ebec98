#!/usr/bin/env bash
# Side-by-side benchmark of evalkit's 1:N identification.
#
#   bash bench/run-identify.sh [RUNS] [BIG_PROBES] [BIG_GALLERY]
#        (defaults 3, 10000, 1000000; BIG_GALLERY=0 skips part 2;
#        BIG_REPS=n repeats part 2, default 1; CPU_TIME=1 adds CPU times,
#        see bench/lib.sh)
#
# Needs Go and Debian's python3-numpy (/usr/bin/python3); part 2 needs
# OpenBLAS (libopenblas.so.0) for its main figure.
#   1. IJB-C 1:N sizes (19593 probe templates, galleries of 1772 and 1759,
#      512-d float64 template features): insightface's numpy code
#      (bench/identify_numpy.py) against `evalkit identify --rule ijb_1n`
#      and `--rule ijb_evals` (both galleries in one process, as the numpy
#      script does them), whole process against
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

# shellcheck source=bench/lib.sh
. bench/lib.sh
REF_LABEL=numpy

# commands as arrays, not functions: CPU_TIME=1 runs them under /usr/bin/time
EK_1N=("$TMP/evalkit" identify --gallery "$TMP/gallery.npy" --gallery-ids "$TMP/gallery_ids.npy" --probes "$TMP/probes.npy" --probe-ids "$TMP/probe_ids.npy" --rule ijb_1n)
EK_EVALS=("$TMP/evalkit" identify --gallery "$TMP/g1.npy" --gallery-ids "$TMP/g1_ids.npy" --gallery "$TMP/g2.npy" --gallery-ids "$TMP/g2_ids.npy"
	--probes "$TMP/probes.npy" --probe-ids "$TMP/probe_ids.npy" --rule ijb_evals)
ek_1n() { "${EK_1N[@]}"; }
ek_evals() { "${EK_EVALS[@]}"; }

echo "== same lines =="
diff <($PY bench/identify_numpy.py ijb_1n "$TMP") <(ek_1n) && echo "ijb_1n: identical"
diff <($PY bench/identify_numpy.py ijb_evals "$TMP" | grep -v '^\[Mean\]') <(ek_evals | grep -v '^|') && echo "ijb_evals: identical"
ek_1n | grep -E '^(top|far)'

echo "== $RUNS runs each, alternating, wall clock, whole process =="
time_pair "ijb_1n, 19593 x 3531 x 512" "${EK_1N[@]}" -- $PY bench/identify_numpy.py ijb_1n "$TMP"
time_pair "ijb_evals, 19593 x (1772, 1759)" "${EK_EVALS[@]}" -- $PY bench/identify_numpy.py ijb_evals "$TMP"
uptime

if [ "$BIGG" -gt 0 ]; then
	echo "== search vs bare sgemm, same process =="
	"$TMP/bench_identify" -probes "$BIGP" -gallery "$BIGG" -blas openblas -reps "${BIG_REPS:-1}"
	"$TMP/bench_identify" -probes "$BIGP" -gallery "$((BIGG / 20))" -blas gonum -reps "${BIG_REPS:-1}"
fi
