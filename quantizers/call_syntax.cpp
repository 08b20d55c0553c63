#include "quantizers/call_syntax.h"

#include <cctype>
#include <cstdlib>
#include <optional>

#include "quantizers/quantizer.h"

namespace quantizers {
namespace {

// A recursive-descent reader over the spec text.  Values are Python literals:
// numbers, True/False/None, quoted strings and lists of numbers.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  CallExpr call() {
    CallExpr expr;
    expr.name = identifier();
    if (expr.name.empty()) fail("expected a quantizer name");
    skip_space();
    if (at_end()) return expr;
    expect('(');
    skip_space();
    if (!accept(')')) {
      while (true) {
        argument(expr);
        skip_space();
        if (accept(')')) break;
        expect(',');
        skip_space();
        if (accept(')')) break;  // Python allows a trailing comma
      }
    }
    skip_space();
    if (!at_end()) fail("unexpected text after ')'");
    return expr;
  }

 private:
  void argument(CallExpr& expr) {
    size_t start = pos_;
    std::string key = identifier();
    skip_space();
    if (!key.empty() && accept('=')) {
      for (const auto& [k, v] : expr.keywords)
        if (k == key) fail_at(start, "argument '" + key + "' given twice");
      expr.keywords.emplace_back(key, value());
      return;
    }
    pos_ = start;  // not a keyword: a positional literal
    if (!expr.keywords.empty()) fail("positional argument after keyword argument");
    expr.positional.push_back(value());
  }

  ArgValue value() {
    skip_space();
    size_t start = pos_;
    if (at_end()) fail("expected a value");
    char c = text_[pos_];
    if (c == '\'' || c == '"') return quoted();
    if (c == '[' || c == '(') return list();
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::string word = identifier();
      if (word == "True") return true;
      if (word == "False") return false;
      if (word == "None") return std::monostate{};
      fail_at(start, "unknown name '" + word + "' (expected a number, True, False, None or a quoted string)");
    }
    return number();
  }

  double number() {
    size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
                         text_[pos_] == '+' || text_[pos_] == '-'))
      ++pos_;
    std::string token(text_.substr(start, pos_ - start));
    if (token.empty()) fail_at(start, "expected a value");
    char* end = nullptr;
    double v = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size() || token == "nan" || token.find("inf") != std::string::npos)
      fail_at(start, "'" + token + "' is not a number");
    return v;
  }

  std::string quoted() {
    char quote = text_[pos_++];
    size_t start = pos_;
    while (!at_end() && text_[pos_] != quote) ++pos_;
    if (at_end()) fail_at(start - 1, "unterminated string");
    std::string s(text_.substr(start, pos_ - start));
    ++pos_;
    return s;
  }

  std::vector<double> list() {
    char close = text_[pos_++] == '[' ? ']' : ')';
    std::vector<double> items;
    skip_space();
    if (accept(close)) return items;
    while (true) {
      skip_space();
      items.push_back(number());
      skip_space();
      if (accept(close)) return items;
      expect(',');
    }
  }

  std::string identifier() {
    size_t start = pos_;
    skip_space();
    start = pos_;
    if (at_end() || !(std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) return {};
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  bool accept(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }

  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    std::string found = at < text_.size() ? "'" + std::string(text_.substr(at, 12)) + "'" : "end of text";
    throw QuantizerError(what + " at " + found + " in \"" + std::string(text_) + "\"");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

CallExpr parse_call(std::string_view text) { return Reader(text).call(); }

}  // namespace quantizers
