// Internal: the check every reader makes before a library (HDF5, matio)
// sees the file, so that a missing or unreadable file is reported as such
// and not as "not an HDF5 file".
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "datasets/labeled_data.h"

namespace datasets::detail {

inline void require_readable_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw DataError(path + ": cannot open: " + std::strerror(errno));
  std::fclose(file);
}

}  // namespace datasets::detail
