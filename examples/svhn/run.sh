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
# Shared helpers: json_str, sed_escape, derive, energy_of, step.
source "$here/../pipeline_helpers.sh"
out=runs/svhn_pipeline
quick=false
train_path="" test_path="" extra_path=""
# The absolute path of the file $2 given to the option $1.
file_arg() {
  [ $# -ge 2 ] || { echo "run.sh: $1 needs a path" >&2; exit 2; }
  [ -f "$2" ] || { echo "run.sh: $1 $2: no such file" >&2; exit 2; }
  realpath "$2"
}
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

step "train the float SVHN CNN ($source_name)"
"$qtrain" train "$out/run_float.json" --out "$out/float" --force "${epochs[@]}" | tee "$out/train_float.log"
step "train the 6-bit QAT SVHN CNN"
"$qtrain" train "$out/run_q6.json" --out "$out/q6" --force "${epochs[@]}" | tee "$out/train_q6.log"
step "the firmware precision config of the 6-bit model (hlsconfig), written into its spec"
"$qtrain" hlsconfig "$out/q6" -o "$out/q6/model.json" --force
step "the 6-bit model through the firmware emulator"
"$qtrain" predict "$out/q6" --emulate | tee "$out/emulate_q6.log"
step "energy: the float model in fp32, the 6-bit model"
"$qtrain" energy --reference fp32 "$out/float/model.json" | tee "$out/energy_float.log"
"$qtrain" energy "$out/q6/model.json" | tee "$out/energy_q6.log"
step "export the 6-bit model"
"$qtrain" export "$out/q6" -o "$out/q6_prj" --force --tb-samples "$tb_samples" | tee "$out/export.log"
step "C simulation against the emulator"
"$qtrain" csim "$out/q6_prj" | tee "$out/csim.log"
step "resource and latency estimate"
"$qtrain" estimate "$out/q6_prj" | tee "$out/estimate.log"

float_pj="$(energy_of "$out/energy_float.log")"
q6_pj="$(energy_of "$out/energy_q6.log")"
step "summary ($source_name; everything in $out)"
printf 'test accuracy    float %s, 6-bit QAT %s, 6-bit firmware (emulated) %s\n' \
  "$(sed -n 's/^Test set .*accuracy \([0-9.]*\)$/\1/p' "$out/train_float.log")" \
  "$(sed -n 's/^Test set .*accuracy \([0-9.]*\)$/\1/p' "$out/train_q6.log")" \
  "$(sed -n 's/^accuracy: //p' "$out/emulate_q6.log")"
printf 'energy           float (fp32) %s pJ, 6-bit %s pJ: %s times less\n' "$float_pj" "$q6_pj" \
  "$(awk -v a="$float_pj" -v b="$q6_pj" 'BEGIN { printf "%.2f", a / b }')"
printf 'csim             %s\n' "$(grep 'mismatching the emulator' "$out/csim.log")"
printf 'estimate         %s; %s\n' \
  "$(awk '$1 == "total" { printf "DSP %s, LUT %s, FF %s, BRAM_18K %s", $2, $3, $4, $5 }' "$out/estimate.log")" \
  "$(grep '^latency' "$out/estimate.log")"
