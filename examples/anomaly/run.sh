#!/usr/bin/env bash
# The anomaly-detection DNN autoencoder end to end: the float AE of Govorkova
# et al. and its 8-bit quantization-aware twin trained on the same
# background, their QTools energies, the 8-bit model's HLS project, its g++ C
# simulation against the bit-exact emulator and its resource and latency
# estimate, then a summary with the IO score's ROC AUC per signal.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: examples/anomaly/run.sh [--quick] [--background FILE --signal NAME=FILE ...] [OUT_DIR]

train dnn_ae.json and its 8-bit QAT version -> hlsconfig (the QAT quantizers
as the firmware types) -> energy of both -> export of
the 8-bit run -> csim (fails on any output differing from the emulator) ->
estimate.  The 8-bit version is dnn_ae.json through quantize-model with
quantized_bits(8,0,alpha=1) kernels and quantized_bits(8,3,alpha=1) biases
in every Dense layer (BatchNormalization and LeakyReLU stay float, the
firmware default ap_fixed<16,6>).  On the synthetic events the training
settings are run_dnn_ae.json's (20000 background events, 3000 per signal,
8 epochs), on the real files run_dnn_ae_real.json's (50 epochs, batch 1024).

  OUT_DIR                runs, HLS project, derived configs and logs
                         (default runs/anomaly_pipeline)
  --background FILE      the real ADC2021 background, e.g.
                         background_for_training.h5 (run-config data kind
                         "adc"); default: the built-in synthetic events
  --signal NAME=FILE     a real signal file scored against the background
                         test split, e.g. Ato4l=Ato4l_lepFilter_13TeV_filtered.h5;
                         repeat for each signal (at least one)
  --quick                a smoke test: 3000 synthetic background events,
                         500 per signal, 2 epochs, 200 C-simulated events
                         (with the real files: 2 epochs, 200 events)
  QTRAIN                 environment: the qtrain binary (default
                         build/qtrain/qtrain of this repository)
USAGE
}

here="$(cd "$(dirname "$0")" && pwd)"
qtrain="${QTRAIN:-$here/../../build/qtrain/qtrain}"
# Shared helpers and steps (examples/pipeline_helpers.sh).
source "$here/../pipeline_helpers.sh"
out=runs/anomaly_pipeline
quick=false
background=""
signals=()  # JSON objects {"name", "path"}

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=true ;;
    --background) background="$(file_arg "$@")"; shift ;;
    --signal)
      if [ $# -lt 2 ] || [[ "$2" != ?*=?* ]]; then echo "run.sh: --signal needs NAME=FILE" >&2; exit 2; fi
      signals+=("{\"name\": $(json_str "${2%%=*}"), \"path\": $(json_str "$(file_arg --signal "${2#*=}")")}")
      shift ;;
    -*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) out="$1" ;;
  esac
  shift
done
[ -x "$qtrain" ] || { echo "run.sh: no qtrain binary at '$qtrain' (build it or set QTRAIN)" >&2; exit 2; }

# "signal AUC, ..." of the io rows of a training log's anomaly table.
aucs_of() {
  awk '$1 == "io" { name = $2; for (i = 3; i <= NF - 5; ++i) name = name " " $i
                    printf "%s%s %s", sep, name, $NF; sep = ", " }' "$1"
}

data=""
source_name="synthetic events"
config="$here/run_dnn_ae.json"
if [ -n "$background" ] || [ ${#signals[@]} -gt 0 ]; then
  if [ -z "$background" ] || [ ${#signals[@]} -eq 0 ]; then
    echo "run.sh: the real data need --background and at least one --signal" >&2
    exit 2
  fi
  # run_dnn_ae_real.json's data, with the given files
  data="{\"kind\": \"adc\", \"path\": $(json_str "$background"), \"signals\": [$(IFS=,; echo "${signals[*]}")],"
  data="$data \"test_fraction\": 0.2, \"validation_fraction\": 0.2}"
  source_name="$background and ${#signals[@]} signal files"
  config="$here/run_dnn_ae_real.json"
elif $quick; then
  data='{"kind": "synthetic_adc", "samples": 3000, "signal_samples": 500, "seed": 7}'
fi
epochs=() tb_samples=1000
$quick && epochs=(--epochs 2) tb_samples=200

mkdir -p "$out"
cat > "$out/q8_config.json" <<'CONFIG'
{
  "QDense": {"kernel_quantizer": "quantized_bits(8,0,alpha=1)", "bias_quantizer": "quantized_bits(8,3,alpha=1)"}
}
CONFIG
"$qtrain" quantize-model "$here/dnn_ae.json" "$out/q8_config.json" -o "$out/dnn_ae_q8.json" --force
derive "$config" "$here/dnn_ae.json" "$data" "$out/run_float.json"
derive "$config" "$out/dnn_ae_q8.json" "$data" "$out/run_q8.json"

train_both AE q8
hlsconfig_of q8
# The firmware computes the anomaly score itself: the masked MSE of input and
# reconstruction with the loss's tanh on eta and phi (qtrain export --score io).
energy_export_csim_estimate q8 --score io

step "summary ($source_name; everything in $out)"
printf 'IO score ROC AUC float: %s\n' "$(aucs_of "$out/train_float.log")"
printf '                 8-bit: %s\n' "$(aucs_of "$out/train_q8.log")"
summary_lines q8
