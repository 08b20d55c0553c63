#!/usr/bin/env bash
# The SVHN CNN end to end: the hls4ml CNN paper's float SVHN CNN and its 6-bit
# quantization-aware twin trained on the same data, their QTools energies,
# the 6-bit model's HLS project, its g++ C simulation against the bit-exact
# emulator and its resource and latency estimate, then a summary.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: examples/svhn/run.sh [--quick] [--train FILE --test FILE [--extra FILE]] [OUT_DIR]

train float.json and q6.json (QAT) -> hlsconfig (the QAT quantizers
as the firmware types) -> energy of both -> export of the 6-bit
run -> csim of 1000 test images (fails on any output differing from the
emulator) -> estimate.
On the synthetic digits the training settings are run_float.json's and
run_q6.json's (6000 images, 6 epochs); on the real files
run_float_real.json's (30 epochs, batch 1024) for both models.

  OUT_DIR       runs, HLS project, derived configs and logs
                (default runs/svhn_pipeline)
  --train FILE  the real SVHN train_32x32.mat (with --test; run-config data
                kind "svhn"); default: the built-in synthetic digits
  --test FILE   the real test_32x32.mat
  --extra FILE  optionally extra_32x32.mat, added to the training images
  --quick       a smoke test: 500 synthetic digits, 1 epoch, 50 C-simulated
                images (with the real files: 1 epoch, 50 images)
  QTRAIN        environment: the qtrain binary (default build/qtrain/qtrain
                of this repository)
EOF
}

here="$(cd "$(dirname "$0")" && pwd)"
qtrain="${QTRAIN:-$here/../../build/qtrain/qtrain}"
# Shared helpers and steps (examples/pipeline_helpers.sh).
source "$here/../pipeline_helpers.sh"
out=runs/svhn_pipeline
quick=false
train_path="" test_path="" extra_path=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=true ;;
    --train) train_path="$(file_arg "$@")"; shift ;;
    --test) test_path="$(file_arg "$@")"; shift ;;
    --extra) extra_path="$(file_arg "$@")"; shift ;;
    -*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) out="$1" ;;
  esac
  shift
done
[ -x "$qtrain" ] || { echo "run.sh: no qtrain binary at '$qtrain' (build it or set QTRAIN)" >&2; exit 2; }


data=""
source_name="synthetic digits"
float_config="$here/run_float.json" q6_config="$here/run_q6.json"
if [ -n "$train_path$test_path$extra_path" ]; then
  if [ -z "$train_path" ] || [ -z "$test_path" ]; then
    echo "run.sh: the real data need both --train and --test" >&2
    exit 2
  fi
  # run_float_real.json's data, at the given paths
  data="{\"kind\": \"svhn\", \"path\": $(json_str "$train_path"), \"test_path\": $(json_str "$test_path"),"
  [ -z "$extra_path" ] || data="$data \"extra_path\": $(json_str "$extra_path"),"
  data="$data \"validation_fraction\": 0.1}"
  source_name="$train_path, $test_path${extra_path:+, $extra_path}"
  float_config="$here/run_float_real.json" q6_config="$here/run_float_real.json"
elif $quick; then
  data='{"kind": "synthetic_svhn", "samples": 500, "seed": 7}'
fi
epochs=() tb_samples=1000
$quick && epochs=(--epochs 1) tb_samples=50

mkdir -p "$out"
derive "$float_config" "$here/float.json" "$data" "$out/run_float.json"
derive "$q6_config" "$here/q6.json" "$data" "$out/run_q6.json"

classifier_pipeline "SVHN CNN"
