#!/usr/bin/env bash
# Side-by-side benchmark of evalkit's model path (verify --model) against
# the same pipeline in PyTorch 1.13 on CPU with OpenCV decoding, whole
# process against whole process, both on 2 threads, on an r50-shaped iresnet
# (6.3 GMAC per image) over a generated .bin; plus bare ONNX Runtime
# throughput on a pre-filled tensor (no decoding, preprocessing or
# evaluation) in the same run, and evalkit's peak memory on 4× the images.
#
#   ONNXRUNTIME_LIB=/path/libonnxruntime.so.1 bash bench/run-onnx.sh [RUNS] [IMAGES]
#
# (default 3 runs, 200 images). Needs Go, ONNX Runtime 1.30 (see .ci/run)
# and Debian's python3-torch, python3-onnx, python3-opencv. Runs alternate,
# so all sides see the same machine load; figures are images per second
# (each image embedded with its mirror) and ratios of medians.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
RUNS=${1:-3}
N=${2:-200}
PY=/usr/bin/python3
: "${ONNXRUNTIME_LIB:?set ONNXRUNTIME_LIB to libonnxruntime.so.1 (see .ci/run)}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

go build -o "$TMP/evalkit" ./cmd/evalkit
go build -o "$TMP/onnxbare" ./bench/onnxbare
$PY bench/onnx_gen.py "$TMP" "$N" $((4 * N)) 2>/dev/null

# timed CMD...: runs CMD (stdout to $TMP/out, stderr to $TMP/err), sets
# WALL (seconds) and RSS (peak KiB) from GNU time.
timed() {
	/usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
	read -r WALL RSS <"$TMP/time"
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", n / s }'; }

echo "load before: $(uptime)"
go_rates=() torch_rates=() bare_rates=() embed_rates=()
for r in $(seq "$RUNS"); do
	timed "$TMP/evalkit" verify --model "$TMP/r50.onnx" --bin "$TMP/$N.bin" --threads 2 --batch-size 32
	go_rates+=("$(rate "$N" "$WALL")")
	go_rss=$RSS
	embed_rates+=("$(sed -n 's/.*(\([0-9.]*\) images\/s).*/\1/p' "$TMP/err")")
	cp "$TMP/out" "$TMP/go_lines"
	timed $PY bench/onnx_torch.py "$TMP/r50.pt" "$TMP/$N.bin" 2 32
	torch_rates+=("$(rate "$N" "$WALL")")
	torch_rss=$RSS
	cp "$TMP/out" "$TMP/torch_lines"
	bare_rates+=("$("$TMP/onnxbare" --model "$TMP/r50.onnx" --images "$N" --threads 2 --batch 32)")
	echo "run $r: evalkit ${go_rates[-1]} img/s whole process (embedding phase ${embed_rates[-1]}), PyTorch ${torch_rates[-1]}, bare ORT ${bare_rates[-1]}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
g=$(median "${go_rates[@]}") t=$(median "${torch_rates[@]}") b=$(median "${bare_rates[@]}") e=$(median "${embed_rates[@]}")
echo "medians: evalkit $g img/s, PyTorch $t, bare ORT $b, evalkit embedding phase $e"
awk -v g="$g" -v t="$t" -v b="$b" -v e="$e" 'BEGIN {
	printf "evalkit / PyTorch (whole process): %.2f×\n", g / t
	printf "evalkit / bare ORT: whole process %.0f %%, embedding phase %.0f %%\n", 100 * g / b, 100 * e / b }'
timed "$TMP/evalkit" verify --model "$TMP/r50.onnx" --bin "$TMP/$((4 * N)).bin" --threads 2 --batch-size 32
echo "peak RSS: evalkit $((go_rss / 1024)) MiB on $N images, $((RSS / 1024)) MiB on $((4 * N)); PyTorch $((torch_rss / 1024)) MiB on $N"
echo "load after: $(uptime)"
echo "evalkit (Go image/jpeg):"; head -2 "$TMP/go_lines"
echo "PyTorch (OpenCV):"; cat "$TMP/torch_lines"
