#!/usr/bin/env bash
# The QAT family of the SVHN CNN at one common width: kernels, biases and
# activations of every layer quantized to BITS bits (3..16) as the hls4ml CNN
# paper's scan.  Fills qat_template.json with BITS and runs quantize-model on
# float.json:
#   examples/svhn/make_qat.sh 6            # writes examples/svhn/q6.json
#   examples/svhn/make_qat.sh 4 /tmp/q4.json
# Train it with a copy of run_q6.json whose "model" names the new file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bits="${1:?usage: make_qat.sh BITS [output.json]}"
if ! [[ "$bits" =~ ^[0-9]+$ ]] || [ "$bits" -lt 3 ] || [ "$bits" -gt 16 ]; then
  echo "make_qat.sh: BITS must be an integer in 3..16, got '$bits'" >&2
  exit 2
fi
out="${2:-$here/q$bits.json}"
qtrain="${QTRAIN:-$here/../../build/qtrain/qtrain}"
config="$(mktemp)"
trap 'rm -f "$config"' EXIT
sed "s/BITS/$bits/g" "$here/qat_template.json" > "$config"
"$qtrain" quantize-model "$here/float.json" "$config" -o "$out" --force
