#!/usr/bin/env bash
# norm_crop side by side: align's BenchmarkNormCrop (Go) against OpenCV +
# scikit-image (bench/norm_crop_opencv.py), alternating, N rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}
uptime
for _ in $(seq "$n"); do
  go test -run XXX -bench NormCrop -benchtime 2000x ./align/ | grep Benchmark
  /usr/bin/python3 bench/norm_crop_opencv.py
done
