#!/usr/bin/env bash
# The jet tagger end to end: the QKeras paper's float jet tagger and its 6-bit
# quantization-aware twin trained on the same data, their QTools energies,
# the 6-bit model's HLS project, its g++ C simulation against the bit-exact
# emulator and its resource and latency estimate, then a summary.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: examples/jet_tagger/run.sh [--quick] [--data JETS] [OUT_DIR]

train float.json and q6.json (QAT) -> hlsconfig (the QAT quantizers
as the firmware types) -> energy of both -> export of the 6-bit
run -> csim (fails on any output differing from the emulator) -> estimate.
The training settings are run_float.json's and run_q6.json's.

  OUT_DIR      runs, HLS project, derived configs and logs
               (default runs/jet_tagger_pipeline)
  --data JETS  the real hls4ml jets (run-config data kind "jets"): an OpenML
               CSV/ARFF file, a Zenodo HDF5 file or a directory of them;
               default: the built-in synthetic jets (100000)
  --quick      a smoke test: 5000 synthetic jets and 2 epochs
               (with --data: the real jets for 2 epochs)
  QTRAIN       environment: the qtrain binary (default build/qtrain/qtrain
               of this repository)
EOF
}

here="$(cd "$(dirname "$0")" && pwd)"
qtrain="${QTRAIN:-$here/../../build/qtrain/qtrain}"
# Shared helpers and steps (examples/pipeline_helpers.sh).
source "$here/../pipeline_helpers.sh"
out=runs/jet_tagger_pipeline
quick=false
data_path=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=true ;;
    --data) [ $# -ge 2 ] || { echo "run.sh: --data needs a path" >&2; exit 2; }
            data_path="$2"; shift ;;
    -*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) out="$1" ;;
  esac
  shift
done
[ -x "$qtrain" ] || { echo "run.sh: no qtrain binary at '$qtrain' (build it or set QTRAIN)" >&2; exit 2; }


data=""
source_name="synthetic jets"
if [ -n "$data_path" ]; then
  [ -e "$data_path" ] || { echo "run.sh: --data $data_path: no such file or directory" >&2; exit 2; }
  data="{\"kind\": \"jets\", \"path\": $(json_str "$(realpath "$data_path")")}"
  source_name="$data_path"
elif $quick; then
  data='{"kind": "synthetic_jets", "samples": 5000, "seed": 7}'
fi
epochs=() tb_samples=1000
$quick && epochs=(--epochs 2)

mkdir -p "$out"
derive "$here/run_float.json" "$here/float.json" "$data" "$out/run_float.json"
derive "$here/run_q6.json" "$here/q6.json" "$data" "$out/run_q6.json"

classifier_pipeline "jet tagger"
