// The text formats of the OpenML jet data: CSV and ARFF.  Both come down to
// a list of named columns followed by comma-separated rows, so one JetTable
// maps the columns and parses the rows for both.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include "datasets/jet_readers.h"
#include "datasets/jets.h"

namespace datasets::detail {

namespace {

std::string read_whole_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw DataError(path + ": cannot open: " + std::strerror(errno));
  // Sized up front (the OpenML CSV is 150 MB), then read to the end in case
  // the size was unknown or the file grew.
  std::string text;
  if (std::fseek(file.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(file.get());
    if (size > 0) text.resize(static_cast<size_t>(size));
    std::rewind(file.get());
  }
  text.resize(std::fread(text.data(), 1, text.size(), file.get()));
  char buffer[1 << 16];
  for (size_t count; (count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0;) text.append(buffer, count);
  if (std::ferror(file.get())) throw DataError(path + ": cannot read: " + std::strerror(errno));
  return text;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_empty(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Trims, then drops one pair of matching quotes: pandas and OpenML quote
// names and nominal values with " or '.
std::string_view unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t comma; (comma = line.find(',', start)) != std::string_view::npos; start = comma + 1)
    fields.push_back(line.substr(start, comma - start));
  fields.push_back(line.substr(start));
  return fields;
}

// Yields the lines of a text with their 1-based numbers.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 byte-order mark
  }
  bool next(std::string_view& line) {
    if (position_ >= text_.size()) return false;
    const size_t end = std::min(text_.find('\n', position_), text_.size());
    line = text_.substr(position_, end - position_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    position_ = end + 1;
    ++number_;
    return true;
  }
  int64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t position_ = 0;
  int64_t number_ = 0;
};

// The columns of a file in file order, each a jet feature or the class, and
// the rows parsed against them.
class JetTable {
 public:
  explicit JetTable(const std::string& path) : path_(path) {}

  // Declares the next column of the file, named `name` at line `line`.
  void add_column(std::string_view name, int64_t line) {
    const auto position = static_cast<int64_t>(roles_.size()) + 1;
    int role;
    if (name == "class") {
      role = kClass;
    } else if (const auto feature = jet_feature_index(name)) {
      role = *feature;
    } else {
      throw error(line, "column " + std::to_string(position) + ": unknown column '" + std::string(name) +
                            "' (expected the 16 jet features and 'class')");
    }
    if (std::find(roles_.begin(), roles_.end(), role) != roles_.end())
      throw error(line, "column " + std::to_string(position) + ": duplicate column '" + std::string(name) + "'");
    roles_.push_back(role);
    names_.emplace_back(name);
  }

  // Throws unless every feature and the class have a column; `line` is where
  // the header ended.
  void require_all_columns(int64_t line) const {
    if (std::find(roles_.begin(), roles_.end(), kClass) == roles_.end()) throw error(line, "no 'class' column");
    for (size_t f = 0; f < jet_feature_names().size(); ++f)
      if (std::find(roles_.begin(), roles_.end(), static_cast<int>(f)) == roles_.end())
        throw error(line, "no column for feature '" + jet_feature_names()[f] + "'");
  }

  void add_row(std::string_view line, int64_t line_number) {
    const auto fields = static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1;
    if (fields != roles_.size())
      throw error(line_number, std::to_string(fields) + " fields, expected " + std::to_string(roles_.size()));
    const size_t row_start = features_.size();
    features_.resize(row_start + jet_feature_names().size());
    size_t start = 0;
    for (size_t column = 0; column < roles_.size(); ++column) {
      const size_t comma = std::min(line.find(',', start), line.size());
      const std::string_view field = line.substr(start, comma - start);
      start = comma + 1;
      if (roles_[column] == kClass)
        labels_.push_back(parse_label(field, line_number, column));
      else
        features_[row_start + static_cast<size_t>(roles_[column])] = parse_feature(field, line_number, column);
    }
  }

  LabeledData finish(int64_t last_line) const {
    if (labels_.empty()) throw error(last_line, "no data rows");
    return make_jet_data(features_, labels_);
  }

  DataError error(int64_t line, const std::string& what) const {
    return DataError(path_ + ": line " + std::to_string(line) + ": " + what);
  }

 private:
  static constexpr int kClass = -1;

  DataError field_error(int64_t line, size_t column, const std::string& what) const {
    return error(line, "column " + std::to_string(column + 1) + " (" + names_[column] + "): " + what);
  }

  float parse_feature(std::string_view field, int64_t line, size_t column) const {
    const std::string_view text = trim(field);
    double value;
    const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || status != std::errc() || end != text.data() + text.size())
      throw field_error(line, column, "'" + std::string(text) + "' is not a number");
    if (const char* problem = feature_value_problem(value))
      throw field_error(line, column, "'" + std::string(text) + "' is " + problem);
    return static_cast<float>(value);
  }

  int64_t parse_label(std::string_view field, int64_t line, size_t column) const {
    const std::string_view text = unquote(field);
    if (const auto label = jet_class_index(text)) return *label;
    throw field_error(line, column, "unknown class '" + std::string(text) + "' (expected g, q, t, w or z)");
  }

  const std::string& path_;
  std::vector<int> roles_;  // per file column: feature index or kClass
  std::vector<std::string> names_;
  std::vector<float> features_;
  std::vector<int64_t> labels_;
};

bool starts_with_keyword(std::string_view line, std::string_view keyword) {
  if (line.size() < keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != keyword[i]) return false;
  return line.size() == keyword.size() || is_blank(line[keyword.size()]);
}

// An ARFF @attribute line: `@attribute <name> <type>`, the name bare or quoted.
void add_arff_attribute(JetTable& table, std::string_view line, int64_t line_number) {
  std::string_view rest = trim(line.substr(std::strlen("@attribute")));
  size_t name_end;
  if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"')) {
    name_end = rest.find(rest.front(), 1);
    if (name_end == std::string_view::npos) throw table.error(line_number, "unterminated attribute name");
    ++name_end;
  } else {
    name_end = std::min(rest.find_first_of(" \t"), rest.size());
  }
  const std::string_view name = unquote(rest.substr(0, name_end));
  std::string type(trim(rest.substr(name_end)));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });

  table.add_column(name, line_number);
  const bool is_class = name == "class";
  const bool type_fits = is_class ? (!type.empty() && type.front() == '{') || type == "string"
                                  : type == "numeric" || type == "real" || type == "integer";
  if (!type_fits)
    throw table.error(line_number, "attribute '" + std::string(name) + "' has type '" + type + "', expected " +
                                       (is_class ? "nominal" : "numeric"));
}

}  // namespace

LabeledData read_jets_csv(const std::string& path) {
  const std::string text = read_whole_file(path);
  if (is_empty(text)) throw DataError(path + ": empty file");

  JetTable table(path);
  Lines lines(text);
  std::string_view line;
  lines.next(line);
  for (const std::string_view name : split_commas(line)) table.add_column(unquote(name), lines.number());
  table.require_all_columns(lines.number());
  while (lines.next(line))
    if (!trim(line).empty()) table.add_row(line, lines.number());
  return table.finish(lines.number());
}

LabeledData read_jets_arff(const std::string& path) {
  const std::string text = read_whole_file(path);
  if (is_empty(text)) throw DataError(path + ": empty file");

  JetTable table(path);
  Lines lines(text);
  std::string_view line;
  bool in_data = false;
  while (lines.next(line)) {
    line = trim(line);
    if (line.empty() || line.front() == '%') continue;
    if (in_data) {
      if (line.front() == '{') throw table.error(lines.number(), "sparse ARFF rows are not supported");
      table.add_row(line, lines.number());
    } else if (starts_with_keyword(line, "@attribute")) {
      add_arff_attribute(table, line, lines.number());
    } else if (starts_with_keyword(line, "@data")) {
      table.require_all_columns(lines.number());
      in_data = true;
    } else if (!starts_with_keyword(line, "@relation")) {
      throw table.error(lines.number(), "expected @relation, @attribute or @data, got '" + std::string(line) + "'");
    }
  }
  if (!in_data) throw table.error(lines.number(), "no @data section");
  return table.finish(lines.number());
}

}  // namespace datasets::detail
