// The QKeras call syntax of a quantizer spec: `name`, `name()` or
// `name(positional..., keyword=value...)` with Python literals as values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantizers/field.h"

namespace quantizers {

struct CallExpr {
  std::string name;
  std::vector<ArgValue> positional;
  std::vector<std::pair<std::string, ArgValue>> keywords;
};

// Throws QuantizerError naming the offending token and quoting the text.
CallExpr parse_call(std::string_view text);

}  // namespace quantizers
