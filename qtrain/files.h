// File helpers shared by every command that reads or writes artefacts:
// outputs are written to a temporary file next to the target and renamed
// over it, so an interrupted or failed write never leaves a truncated file
// and never destroys the previous version.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace qtrain {

// The whole file; throws std::runtime_error naming the path when missing or
// unreadable.
std::string read_text_file(const std::string& path);
// Parses a JSON file; errors name the path (and the parse position).
nlohmann::json read_json_file(const std::string& path);

// Calls write(temporary_path), then renames the temporary file to `path`.
// If write throws, the temporary is removed and `path` is left untouched.
void write_atomically(const std::string& path, const std::function<void(const std::string& temporary)>& write);
void write_text_atomically(const std::string& path, const std::string& contents);
// Pretty-printed (2-space) JSON with a final newline.
void write_json_atomically(const std::string& path, const nlohmann::json& value);

}  // namespace qtrain
