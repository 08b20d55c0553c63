// Helpers shared by test files; include after tests/test_common.h.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "qtrain/model.h"

namespace test_helpers {

// A fresh, uniquely named scratch directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qtrain_test_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to file(name) and returns that path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

// Sets a layer's float weight, which must exist with the value's shape.
inline void set_weight(qtrain::Model& model, const std::string& layer, const std::string& weight,
                       const torch::Tensor& value) {
  torch::NoGradGuard no_grad;
  for (qtrain::LayerWeight& w : model.layer(layer)->weights())
    if (w.name == weight) {
      REQUIRE(w.variable.sizes() == value.sizes());
      w.variable.copy_(value);
      return;
    }
  FAIL("no weight " << weight << " in " << layer);
}

}  // namespace test_helpers
