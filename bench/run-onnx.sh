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
# so all sides see similar machine load; figures are images per second (each
# image embedded with its mirror) of wall-clock time and of CPU time (user +
# system: on a machine shared with other work, the wall-clock share each
# process gets varies from run to run, its CPU time per image much less),
# and ratios of medians.
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
# WALL (seconds), RSS (peak KiB) and CPU (user + system seconds) from GNU time.
timed() {
	/usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
	read -r WALL RSS usr sys <"$TMP/time"
	CPU=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", n / s }'; }

echo "load before: $(uptime)"
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
go_w=() go_c=() embed_w=() torch_w=() torch_c=() bare_w=() bare_c=()
for r in $(seq "$RUNS"); do
	timed "$TMP/evalkit" verify --model "$TMP/r50.onnx" --bin "$TMP/$N.bin" --threads 2 --batch-size 32
	go_w+=("$(rate "$N" "$WALL")") go_c+=("$(rate "$N" "$CPU")")
	go_rss=$RSS
	embed_w+=("$(sed -n 's/.*(\([0-9.]*\) images\/s).*/\1/p' "$TMP/err")")
	cp "$TMP/out" "$TMP/go_lines"
	read -r bw bc < <("$TMP/onnxbare" --model "$TMP/r50.onnx" --images "$N" --threads 2 --batch 32)
	bare_w+=("$bw") bare_c+=("$bc")
	timed $PY bench/onnx_torch.py "$TMP/r50.pt" "$TMP/$N.bin" 2 32
	torch_w+=("$(rate "$N" "$WALL")") torch_c+=("$(rate "$N" "$CPU")")
	torch_rss=$RSS
	cp "$TMP/out" "$TMP/torch_lines"
	echo "run $r (img/s wall, per CPU-s): evalkit whole process ${go_w[-1]}, ${go_c[-1]} (embedding phase ${embed_w[-1]} wall);" \
		"bare ORT ${bare_w[-1]}, ${bare_c[-1]}; PyTorch whole process ${torch_w[-1]}, ${torch_c[-1]}; load $(cut -d' ' -f1 /proc/loadavg)"
done
gw=$(median "${go_w[@]}") gc=$(median "${go_c[@]}") ew=$(median "${embed_w[@]}")
bw=$(median "${bare_w[@]}") bc=$(median "${bare_c[@]}") tw=$(median "${torch_w[@]}") tc=$(median "${torch_c[@]}")
echo "medians (img/s wall, per CPU-s): evalkit $gw, $gc (embedding phase $ew wall); bare ORT $bw, $bc; PyTorch $tw, $tc"
awk -v gw="$gw" -v gc="$gc" -v ew="$ew" -v bw="$bw" -v bc="$bc" -v tw="$tw" -v tc="$tc" 'BEGIN {
	printf "evalkit / PyTorch, whole process: %.2f× wall, %.2f× CPU\n", gw / tw, gc / tc
	printf "evalkit / bare ORT: whole process %.0f %% wall, %.0f %% CPU; embedding phase %.0f %% wall\n", 100 * gw / bw, 100 * gc / bc, 100 * ew / bw }'
timed "$TMP/evalkit" verify --model "$TMP/r50.onnx" --bin "$TMP/$((4 * N)).bin" --threads 2 --batch-size 32
echo "peak RSS: evalkit $((go_rss / 1024)) MiB on $N images, $((RSS / 1024)) MiB on $((4 * N)); PyTorch $((torch_rss / 1024)) MiB on $N"
echo "load after: $(uptime)"
echo "evalkit (Go image/jpeg):"; head -2 "$TMP/go_lines"
echo "PyTorch (OpenCV):"; cat "$TMP/torch_lines"
