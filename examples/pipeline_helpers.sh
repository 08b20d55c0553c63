# Shell helpers shared by the workload pipelines (examples/<workload>/run.sh),
# which source this file.

# A JSON string of $1.
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
# $1 escaped for the replacement of a sed s|...|...| command.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }
# derive SRC MODEL DATA DST: the example run config SRC (pretty-printed, as
# the examples are) with "model" set to the spec MODEL and, unless DATA is
# empty, its "data" object replaced by the JSON object DATA (and its
# description saying so).
derive() {
  local model data="$3" expr
  model="$(json_str "$2")"
  expr="s|\"model\": \"[^\"]*\"|\"model\": $(sed_escape "$model")|"
  [ -z "$data" ] || expr="$expr; s|\"description\": \"[^\"]*\"|\"description\": \"${1##*/} with the data given to run.sh\"|
    s|\"data\": {\n\(    [^\n]*\n\)*  }|\"data\": $(sed_escape "$data")|"
  sed -z "$expr" "$1" > "$4"
  if ! grep -qF "\"model\": $model" "$4" || { [ -n "$data" ] && ! grep -qF "\"data\": $data" "$4"; }; then
    echo "run.sh: $1: cannot replace its model and data (expected the examples' layout)" >&2
    exit 1
  fi
}
# The value of a "Total energy: N pJ" line.
energy_of() { sed -n 's/^Total energy: \([0-9]*\) pJ.*/\1/p' "$1"; }
step() { printf '\n== %s\n' "$*"; }
# The absolute path of the file $2 given to the option $1.
file_arg() {
  [ $# -ge 2 ] || { echo "run.sh: $1 needs a path" >&2; exit 2; }
  [ -f "$2" ] || { echo "run.sh: $1 $2: no such file" >&2; exit 2; }
  realpath "$2"
}

# The steps every pipeline shares; they read $qtrain, $out, $source_name,
# the array $epochs and $tb_samples.  TAG names the quantized model: q and
# its width in bits (q6, q8).
bits_of() { echo "${1#q}"; }
#
# train_both WHAT TAG: trains $out/run_float.json into $out/float and
# $out/run_TAG.json into $out/TAG.
train_both() {
  step "train the float $1 ($source_name)"
  "$qtrain" train "$out/run_float.json" --out "$out/float" --force "${epochs[@]}" | tee "$out/train_float.log"
  step "train the $(bits_of "$2")-bit QAT $1"
  "$qtrain" train "$out/run_$2.json" --out "$out/$2" --force "${epochs[@]}" | tee "$out/train_$2.log"
}
# hlsconfig_of TAG: the firmware precision config of the quantized model,
# written into its spec.
hlsconfig_of() {
  step "the firmware precision config of $1 (hlsconfig), written into its spec"
  "$qtrain" hlsconfig "$out/$1" -o "$out/$1/model.json" --force
}
# energy_export_csim_estimate TAG [EXPORT OPTIONS...]: QTools energy of
# the float model (fp32) and the quantized one, then the quantized model's
# project, its C simulation against the emulator and its estimate.
energy_export_csim_estimate() {
  local tag="$1" bits
  bits="$(bits_of "$1")"
  shift
  step "energy: the float model in fp32, the $bits-bit model"
  "$qtrain" energy --reference fp32 "$out/float/model.json" | tee "$out/energy_float.log"
  "$qtrain" energy "$out/$tag/model.json" | tee "$out/energy_$tag.log"
  step "export the $bits-bit model"
  "$qtrain" export "$out/$tag" -o "$out/${tag}_prj" --force --tb-samples "$tb_samples" "$@" | tee "$out/export.log"
  step "C simulation against the emulator"
  "$qtrain" csim "$out/${tag}_prj" | tee "$out/csim.log"
  step "resource and latency estimate"
  "$qtrain" estimate "$out/${tag}_prj" | tee "$out/estimate.log"
}
# summary_lines TAG: the energy ratio, csim and estimate lines of the summary.
summary_lines() {
  local float_pj quantized_pj
  float_pj="$(energy_of "$out/energy_float.log")"
  quantized_pj="$(energy_of "$out/energy_$1.log")"
  printf 'energy           float (fp32) %s pJ, %s-bit %s pJ: %s times less\n' "$float_pj" "$(bits_of "$1")" "$quantized_pj" \
    "$(awk -v a="$float_pj" -v b="$quantized_pj" 'BEGIN { printf "%.2f", a / b }')"
  printf 'csim             %s\n' "$(grep 'mismatching the emulator' "$out/csim.log")"
  printf 'estimate         %s; %s\n' \
    "$(awk '$1 == "total" { printf "DSP %s, LUT %s, FF %s, BRAM_18K %s", $2, $3, $4, $5 }' "$out/estimate.log")" \
    "$(grep '^latency' "$out/estimate.log")"
}
# classifier_pipeline WHAT: the jet tagger's and the SVHN CNN's steps after
# their run configs $out/run_float.json and $out/run_q6.json are written:
# float and 6-bit QAT training, the 6-bit firmware emulated, energy, export,
# csim, estimate and the summary with the three test accuracies.
classifier_pipeline() {
  train_both "$1" q6
  hlsconfig_of q6
  step "the 6-bit model through the firmware emulator"
  "$qtrain" predict "$out/q6" --emulate | tee "$out/emulate_q6.log"
  energy_export_csim_estimate q6
  step "summary ($source_name; everything in $out)"
  printf 'test accuracy    float %s, 6-bit QAT %s, 6-bit firmware (emulated) %s\n' \
    "$(sed -n 's/^Test set .*accuracy \([0-9.]*\)$/\1/p' "$out/train_float.log")" \
    "$(sed -n 's/^Test set .*accuracy \([0-9.]*\)$/\1/p' "$out/train_q6.log")" \
    "$(sed -n 's/^accuracy: //p' "$out/emulate_q6.log")"
  summary_lines q6
}
