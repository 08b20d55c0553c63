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
