#include "datasets/svhn.h"

#include <matio.h>
#include <torch/types.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <mutex>
#include <sstream>

#include "datasets/file_check.h"
#include "datasets/random.h"

namespace datasets {

const std::vector<std::string>& svhn_class_names() {
  static const std::vector<std::string> names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return names;
}

namespace {

constexpr int64_t kSide = 32, kChannels = 3;
constexpr int64_t kPixels = kSide * kSide * kChannels;

// matio reports problems through a log function (the default one prints to
// stderr); ours keeps the last message so that the DataError can carry it.
std::string& last_matio_message() {
  static std::string message;
  return message;
}

void keep_matio_message(int, char* message) { last_matio_message() = message ? message : ""; }

// matio's log function and last message are process-wide.
std::mutex& matio_mutex() {
  static std::mutex mutex;
  static std::once_flag installed;
  std::call_once(installed, [] { Mat_LogInitFunc("qtrain", keep_matio_message); });
  return mutex;
}

struct MatCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct VarFreer {
  void operator()(matvar_t* var) const { Mat_VarFree(var); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;
using MatVar = std::unique_ptr<matvar_t, VarFreer>;

std::string dims_text(const matvar_t& var) {
  std::string text = "(";
  for (int i = 0; i < var.rank; ++i) text += (i ? ", " : "") + std::to_string(var.dims[i]);
  return text + ")";
}

std::string class_text(matio_classes c) {
  switch (c) {
    case MAT_C_UINT8: return "uint8";
    case MAT_C_DOUBLE: return "double";
    case MAT_C_SINGLE: return "single";
    case MAT_C_INT8: return "int8";
    case MAT_C_INT16: return "int16";
    case MAT_C_UINT16: return "uint16";
    case MAT_C_INT32: return "int32";
    case MAT_C_UINT32: return "uint32";
    case MAT_C_INT64: return "int64";
    case MAT_C_UINT64: return "uint64";
    case MAT_C_CHAR: return "char";
    case MAT_C_CELL: return "cell";
    case MAT_C_STRUCT: return "struct";
    default: return "class " + std::to_string(static_cast<int>(c));
  }
}

MatVar read_variable(mat_t* mat, const std::string& path, const char* name) {
  last_matio_message().clear();
  // Look the variable up by its header first, so that a missing variable is
  // told apart from one whose data cannot be read (a corrupt stream).
  MatVar info(Mat_VarReadInfo(mat, name));
  if (!info) throw DataError(path + ": no variable '" + name + "'");
  MatVar var(Mat_VarRead(mat, name));
  if (!var || (var->nbytes > 0 && var->data == nullptr))
    throw DataError(path + ": cannot read variable '" + name + "'" +
                    (last_matio_message().empty() ? "" : ": " + last_matio_message()));
  if (var->isComplex) throw DataError(path + ": variable '" + name + "' is complex");
  return var;
}

}  // namespace

LabeledData read_svhn(const std::string& path) {
  detail::require_readable_file(path);
  const std::lock_guard<std::mutex> lock(matio_mutex());
  MatFile mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw DataError(path + ": not a MATLAB .mat file");

  const MatVar x = read_variable(mat.get(), path, "X");
  if (x->class_type != MAT_C_UINT8 || x->rank != 4 || x->dims[0] != kSide || x->dims[1] != kSide ||
      x->dims[2] != kChannels)
    throw DataError(path + ": variable 'X' must be uint8 of dims (32, 32, 3, N), got " + class_text(x->class_type) +
                    " " + dims_text(*x));
  const auto n = static_cast<int64_t>(x->dims[3]);
  if (n == 0) throw DataError(path + ": variable 'X' holds no image");

  const MatVar y = read_variable(mat.get(), path, "y");
  const size_t y_count = y->rank == 2 && (y->dims[0] == 1 || y->dims[1] == 1) ? y->dims[0] * y->dims[1] : 0;
  if (y_count != static_cast<size_t>(n))
    throw DataError(path + ": variable 'y' must have dims (" + std::to_string(n) + ", 1) to label the " +
                    std::to_string(n) + " images of 'X', got " + dims_text(*y));
  if (y->class_type != MAT_C_UINT8 && y->class_type != MAT_C_DOUBLE)
    throw DataError(path + ": variable 'y' must be uint8 or double, got " + class_text(y->class_type));

  // MATLAB's X(h, w, c, i) is element h + 32 w + 1024 c + 3072 i: read as a
  // row-major (N, C, W, H) array and permute to (N, H, W, C).
  const at::Tensor raw = torch::from_blob(x->data, {n, kChannels, kSide, kSide}, torch::kUInt8);
  at::Tensor features = raw.permute({0, 3, 2, 1}).to(torch::kFloat32).div_(255.0f).contiguous();

  at::Tensor labels = torch::empty({n}, torch::kInt64);
  int64_t* label = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const double value = y->class_type == MAT_C_UINT8 ? static_cast<const uint8_t*>(y->data)[i]
                                                      : static_cast<const double*>(y->data)[i];
    if (!(value >= 0 && value <= 10 && value == std::floor(value))) {
      std::ostringstream message;
      message << path << ": variable 'y', row " << i + 1 << ": label " << value << " is not one of 1..10 (10 is digit 0)";
      throw DataError(message.str());
    }
    label[i] = static_cast<int64_t>(value) % 10;
  }
  return {features, labels, {}, svhn_class_names()};
}

namespace {

// A 5×7 font, one row of 5 cells per string, '#' is ink.
constexpr int kGlyphWidth = 5, kGlyphHeight = 7;
constexpr std::array<std::array<const char*, kGlyphHeight>, 10> kGlyphs = {{
    {" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "},  // 0
    {"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "},  // 1
    {" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"},  // 2
    {"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "},  // 3
    {"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "},  // 4
    {"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "},  // 5
    {"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "},  // 6
    {"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "},  // 7
    {" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "},  // 8
    {" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "},  // 9
}};

bool ink(int digit, int row, int column) {
  return kGlyphs[static_cast<size_t>(digit)][static_cast<size_t>(row)][column] == '#';
}

// A digit placed on the image: top-left corner and the size of a font cell, in pixels.
struct Placement {
  int digit;
  double left, top, cell_width, cell_height;
};

// Fraction of the pixel (h, w) that the glyph covers, from 3×3 sub-samples.
double coverage(const Placement& p, int h, int w) {
  int hits = 0;
  for (int sy = 0; sy < 3; ++sy)
    for (int sx = 0; sx < 3; ++sx) {
      const double u = (w + (sx + 0.5) / 3.0 - p.left) / p.cell_width;
      const double v = (h + (sy + 0.5) / 3.0 - p.top) / p.cell_height;
      if (u >= 0 && v >= 0 && u < kGlyphWidth && v < kGlyphHeight && ink(p.digit, static_cast<int>(v), static_cast<int>(u)))
        ++hits;
    }
  return hits / 9.0;
}

void draw_image(int digit, detail::Random& random, float* out) {
  std::array<double, 3> background{}, foreground{};
  for (double& c : background) c = random.uniform();
  // The digit is lighter or darker than the background by at least 0.3 in
  // every channel, in a colour of its own.
  const bool lighter = (background[0] + background[1] + background[2]) / 3.0 < 0.5;
  for (size_t c = 0; c < 3; ++c) {
    const double step = 0.3 + 0.5 * random.uniform();
    foreground[c] = std::clamp(background[c] + (lighter ? step : -step), 0.0, 1.0);
  }
  const double cell_width = 2.2 + 0.8 * random.uniform();
  const double cell_height = cell_width * (1.0 + 0.25 * random.uniform());
  const double width = kGlyphWidth * cell_width, height = kGlyphHeight * cell_height;
  const double left = (kSide - width) / 2.0 + 1.5 * random.normal();
  const double top = (kSide - height) / 2.0 + 1.0 * random.normal();
  std::vector<Placement> glyphs = {{digit, left, top, cell_width, cell_height}};
  // House numbers have neighbours: each side shows another digit with
  // probability 0.6, one glyph width plus a gap away.
  for (const double side : {-1.0, 1.0})
    if (random.uniform() < 0.6) {
      const int neighbour = static_cast<int>(random.below(10));
      const double gap = cell_width * (0.8 + 0.8 * random.uniform());
      glyphs.push_back({neighbour, left + side * (width + gap), top + random.normal(), cell_width, cell_height});
    }
  const double noise = 0.02 + 0.06 * random.uniform();
  for (int h = 0; h < kSide; ++h)
    for (int w = 0; w < kSide; ++w) {
      double cover = 0.0;
      for (const Placement& p : glyphs) cover = std::max(cover, coverage(p, h, w));
      for (size_t c = 0; c < 3; ++c) {
        const double value = background[c] + (foreground[c] - background[c]) * cover + noise * random.normal();
        // On the uint8 grid of the real files, then / 255 as read_svhn().
        out[(h * kSide + w) * kChannels + static_cast<int64_t>(c)] =
            static_cast<float>(std::round(std::clamp(value, 0.0, 1.0) * 255.0)) / 255.0f;
      }
    }
}

}  // namespace

LabeledData synthetic_svhn(int64_t n, uint64_t seed) {
  if (n < 0) throw std::invalid_argument("synthetic_svhn: negative count " + std::to_string(n));
  detail::Random random(seed);
  const std::vector<int64_t> order = random.permutation(n);
  at::Tensor features = torch::empty({n, kSide, kSide, kChannels}, torch::kFloat32);
  at::Tensor labels = torch::empty({n}, torch::kInt64);
  int64_t* label = labels.data_ptr<int64_t>();
  float* pixels = features.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    label[i] = order[static_cast<size_t>(i)] % 10;
    draw_image(static_cast<int>(label[i]), random, pixels + i * kPixels);
  }
  return {features, labels, {}, svhn_class_names()};
}

}  // namespace datasets
