// SVHN: the .mat reader on files written here with matio, the synthetic
// digits, and per-pixel standardisation.
#include "tests/test_common.h"

#include <matio.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <vector>

#include "datasets/standard_scaler.h"
#include "datasets/svhn.h"
#include "qtrain/files.h"
#include "qtrain/run_config.h"
#include "qtrain/run_data.h"
#include "qtrain/train.h"
#include "tests/helpers.h"

namespace {

using datasets::DataError;
using test_helpers::TempDir;

// Writes variables to a compressed level-5 .mat file, as the published files are.
struct MatWriter {
  explicit MatWriter(const std::string& path) : mat(Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5)) {
    REQUIRE(mat != nullptr);
  }
  ~MatWriter() { Mat_Close(mat); }
  template <class T>
  void write(const char* name, matio_classes class_type, matio_types data_type, std::vector<size_t> dims,
             std::vector<T> data) {
    matvar_t* var = Mat_VarCreate(name, class_type, data_type, static_cast<int>(dims.size()), dims.data(),
                                  data.data(), 0);
    REQUIRE(var != nullptr);
    REQUIRE(Mat_VarWrite(mat, var, MAT_COMPRESSION_ZLIB) == 0);
    Mat_VarFree(var);
  }
  mat_t* mat;
};

// The MATLAB value of X(h, w, c, i) (0-based) in the test file: distinct for
// every (h, w, c) of the first 3 images modulo 256.
uint8_t pixel(size_t h, size_t w, size_t c, size_t i) { return static_cast<uint8_t>((h * 7 + w * 3 + c * 101 + i * 13) % 256); }

std::vector<uint8_t> column_major_images(size_t n) {
  std::vector<uint8_t> x(32 * 32 * 3 * n);
  // Column-major: the first index runs fastest.
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < 3; ++c)
      for (size_t w = 0; w < 32; ++w)
        for (size_t h = 0; h < 32; ++h) x[h + 32 * w + 1024 * c + 3072 * i] = pixel(h, w, c, i);
  return x;
}

}  // namespace

TEST_CASE("read_svhn maps MATLAB's column-major X to NHWC and label 10 to digit 0", "[svhn]") {
  TempDir dir;
  const std::string path = dir.file("train_32x32.mat");
  {
    MatWriter mat(path);
    mat.write("X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 3}, column_major_images(3));
    mat.write("y", MAT_C_UINT8, MAT_T_UINT8, {3, 1}, std::vector<uint8_t>{10, 1, 7});
  }
  const datasets::LabeledData data = datasets::read_svhn(path);
  REQUIRE(data.features.sizes() == torch::IntArrayRef({3, 32, 32, 3}));
  CHECK(data.features.dtype() == torch::kFloat32);
  CHECK(data.labels.equal(torch::tensor({0, 1, 7}, torch::kInt64)));
  CHECK(data.class_names.size() == 10);
  const auto x = data.features.accessor<float, 4>();
  int64_t mismatches = 0;
  for (size_t i = 0; i < 3; ++i)
    for (size_t h = 0; h < 32; ++h)
      for (size_t w = 0; w < 32; ++w)
        for (size_t c = 0; c < 3; ++c)
          mismatches += x[i][h][w][c] != static_cast<float>(pixel(h, w, c, i)) / 255.0f;
  CHECK(mismatches == 0);
  // Spot values worked by hand: X(2, 5, 1, 1) (0-based h=2, w=5, c=1, image 1) = 14 + 15 + 101 + 13 = 143.
  CHECK(x[1][2][5][1] == 143.0f / 255.0f);
  CHECK(x[0][31][0][2] == static_cast<float>((217 + 202) % 256) / 255.0f);  // 31·7 + 2·101 = 419 → 163
}

TEST_CASE("read_svhn accepts double labels and rejects bad files naming the variable", "[svhn]") {
  TempDir dir;
  const auto write = [&](const std::string& name, const std::function<void(MatWriter&)>& fill) {
    const std::string path = dir.file(name);
    MatWriter mat(path);
    fill(mat);
    return path;
  };
  const auto images = [](MatWriter& m, size_t n) { m.write("X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, n}, column_major_images(n)); };

  const std::string doubles = write("double_y.mat", [&](MatWriter& m) {
    images(m, 2);
    m.write("y", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, std::vector<double>{10.0, 4.0});
  });
  CHECK(datasets::read_svhn(doubles).labels.equal(torch::tensor({0, 4}, torch::kInt64)));

  const auto message = [](const std::string& path) {
    try {
      datasets::read_svhn(path);
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  using Catch::Matchers::Contains;
  CHECK_THAT(message(write("no_y.mat", [&](MatWriter& m) { images(m, 2); })), Contains("no_y.mat") && Contains("no variable 'y'"));
  CHECK_THAT(message(write("no_x.mat", [&](MatWriter& m) {
               m.write("y", MAT_C_UINT8, MAT_T_UINT8, {1, 1}, std::vector<uint8_t>{1});
             })),
             Contains("no variable 'X'"));
  CHECK_THAT(message(write("gray.mat", [&](MatWriter& m) {
               m.write("X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 1, 2}, std::vector<uint8_t>(2048, 0));
               m.write("y", MAT_C_UINT8, MAT_T_UINT8, {2, 1}, std::vector<uint8_t>{1, 2});
             })),
             Contains("'X' must be uint8 of dims (32, 32, 3, N), got uint8 (32, 32, 1, 2)"));
  CHECK_THAT(message(write("float_x.mat", [&](MatWriter& m) {
               m.write("X", MAT_C_DOUBLE, MAT_T_DOUBLE, {32, 32, 3, 1}, std::vector<double>(3072, 0.0));
               m.write("y", MAT_C_UINT8, MAT_T_UINT8, {1, 1}, std::vector<uint8_t>{1});
             })),
             Contains("got double (32, 32, 3, 1)"));
  CHECK_THAT(message(write("short_y.mat", [&](MatWriter& m) {
               images(m, 3);
               m.write("y", MAT_C_UINT8, MAT_T_UINT8, {2, 1}, std::vector<uint8_t>{1, 2});
             })),
             Contains("'y' must have dims (3, 1)"));
  CHECK_THAT(message(write("label11.mat", [&](MatWriter& m) {
               images(m, 2);
               m.write("y", MAT_C_UINT8, MAT_T_UINT8, {2, 1}, std::vector<uint8_t>{3, 11});
             })),
             Contains("'y', row 2: label 11"));
  CHECK_THAT(message(dir.write("text.mat", "not a mat file at all")), Contains("text.mat: not a MATLAB .mat file"));
  CHECK_THAT(message(dir.file("missing.mat")), Contains("missing.mat: cannot open"));

  // A compressed file cut in the middle of X's stream.
  const std::string whole = write("whole.mat", [&](MatWriter& m) {
    images(m, 40);
    m.write("y", MAT_C_UINT8, MAT_T_UINT8, {40, 1}, std::vector<uint8_t>(40, 3));
  });
  std::ifstream in(whole, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = dir.write("cut.mat", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_AS(datasets::read_svhn(cut), DataError);
}

TEST_CASE("synthetic_svhn: shapes, value grid, balanced labels, deterministic per seed", "[svhn]") {
  const datasets::LabeledData a = datasets::synthetic_svhn(50, 3);
  REQUIRE(a.features.sizes() == torch::IntArrayRef({50, 32, 32, 3}));
  CHECK(a.features.min().item<float>() >= 0.0f);
  CHECK(a.features.max().item<float>() <= 1.0f);
  // On the uint8 grid of the files: x·255 is an integer.
  const at::Tensor scaled = a.features * 255.0f;
  CHECK((scaled - scaled.round()).abs().max().item<float>() < 1e-4f);
  CHECK(torch::bincount(a.labels).equal(torch::full({10}, 5, torch::kInt64)));
  CHECK(a.features.equal(datasets::synthetic_svhn(50, 3).features));
  CHECK(a.labels.equal(datasets::synthetic_svhn(50, 3).labels));
  CHECK(!a.features.equal(datasets::synthetic_svhn(50, 4).features));
  // The digit is drawn: the centre differs from the border colour.
  const at::Tensor centre = a.features.slice(1, 12, 20).slice(2, 14, 18);
  const at::Tensor corner = a.features.slice(1, 0, 2).slice(2, 0, 2);
  CHECK((centre.amax({1, 2, 3}) - corner.amin({1, 2, 3})).abs().min().item<float>() > 0.1f);
}

TEST_CASE("StandardScaler standardises per pixel of (N, H, W, C) samples", "[svhn]") {
  // Two 1×2×1 images: pixel 0 takes 0.2 and 0.6 (mean 0.4, std 0.2), pixel 1 is constant.
  const at::Tensor x = torch::tensor({0.2, 0.5, 0.6, 0.5}, torch::kFloat64).reshape({2, 1, 2, 1});
  const datasets::StandardScaler scaler = datasets::StandardScaler::fit(x);
  CHECK(scaler.mean.size(0) == 2);
  CHECK(scaler.mean[0].item<double>() == Approx(0.4));
  CHECK(scaler.scale[0].item<double>() == Approx(0.2));
  CHECK(scaler.scale[1].item<double>() == 1.0);
  const at::Tensor y = scaler.transform(x);
  REQUIRE(y.sizes() == x.sizes());
  CHECK(y[0][0][0][0].item<float>() == Approx(-1.0f));
  CHECK(y[1][0][0][0].item<float>() == Approx(1.0f));
  CHECK(y[1][0][1][0].item<float>() == 0.0f);
  CHECK_THROWS_AS(scaler.transform(torch::zeros({2, 3, 1, 1})), std::invalid_argument);
}

namespace {

nlohmann::json svhn_run(int64_t samples, int epochs) {
  return {{"name", "svhn"},
          {"model", std::string(QTRAIN_SOURCE_DIR) + "/examples/svhn/float.json"},
          {"data", {{"kind", "synthetic_svhn"}, {"samples", samples}, {"seed", 11}}},
          {"optimizer", {{"kind", "adam"}, {"lr", 0.003}}},
          {"batch_size", 64},
          {"epochs", epochs},
          {"seed", 4}};
}

qtrain::TrainResult train_svhn(const TempDir& dir, const nlohmann::json& config) {
  qtrain::write_json_atomically(dir.file("run.json"), config);
  qtrain::TrainOptions options;
  options.config_path = dir.file("run.json");
  options.out_dir = dir.file("run");
  options.force = true;
  options.threads = 2;
  return qtrain::train(options);
}

}  // namespace

TEST_CASE("the SVHN baseline learns the synthetic digits", "[svhn]") {
  TempDir dir;
  const qtrain::TrainResult r = train_svhn(dir, svhn_run(2500, 3));
  const nlohmann::json& test = r.metrics.at("test");
  CHECK(test.at("samples") == 500);
  // Chance is 0.1.
  CHECK(test.at("accuracy").get<double>() > 0.4);
  // The per-pixel scaler: 32·32·3 means.
  CHECK(qtrain::read_json_file(r.run_dir + "/scaler.json").at("mean").size() == 3072);
}

TEST_CASE("split_fold: numpy.array_split folds after the test rows", "[svhn]") {
  // 23 rows, test ceil(0.2·23) = 5, 18 left in 4 folds: sizes 5, 5, 4, 4.
  datasets::LabeledData data{torch::arange(23, torch::kFloat32).view({23, 1}), torch::arange(23), {"x"}, {}};
  const datasets::Splits whole = datasets::split(data, 0.2, 0.2, 9);
  std::vector<int64_t> seen;
  for (int fold = 1; fold <= 4; ++fold) {
    const datasets::Splits s = datasets::split_fold(data, 0.2, 4, fold, 9);
    CHECK(s.test.labels.equal(whole.test.labels));  // the same test rows as split()
    CHECK(s.validation.size() == (fold <= 2 ? 5 : 4));
    CHECK(s.train.size() == 18 - s.validation.size());
    for (int64_t i = 0; i < s.validation.size(); ++i) seen.push_back(s.validation.labels[i].item<int64_t>());
  }
  // Every non-test row is validation exactly once.
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  CHECK(seen.size() == 18);
  CHECK_THROWS_AS(datasets::split_fold(data, 0.2, 4, 5, 9), std::invalid_argument);
  CHECK_THROWS_AS(datasets::split_fold(data, 0.2, 1, 1, 9), std::invalid_argument);
}

TEST_CASE("k-fold training runs k folds and reports mean and std of the test accuracy", "[svhn]") {
  TempDir dir;
  nlohmann::json config = svhn_run(600, 1);
  config["data"]["folds"] = 3;
  const qtrain::TrainResult r = train_svhn(dir, config);
  const nlohmann::json& folds = r.metrics.at("folds");
  REQUIRE(folds.size() == 3);
  std::vector<double> accuracies;
  for (int k = 1; k <= 3; ++k) {
    const nlohmann::json& fold = folds[static_cast<size_t>(k - 1)];
    CHECK(fold.at("fold") == k);
    accuracies.push_back(fold.at("test").at("accuracy").get<double>());
    // Each fold is a run directory that reopens with its own split.
    const nlohmann::json saved = qtrain::read_json_file(fold.at("run_dir").get<std::string>() + "/run.json");
    CHECK(saved.at("data").at("fold") == k);
    const qtrain::RunData data = qtrain::load_run_data(qtrain::RunConfig::load(fold.at("run_dir").get<std::string>() + "/run.json"));
    CHECK(data.validation.size() == 160);  // (600 − 120 test) / 3
    CHECK(data.train.size() == 320);
  }
  const double mean = (accuracies[0] + accuracies[1] + accuracies[2]) / 3;
  double variance = 0.0;
  for (double a : accuracies) variance += (a - mean) * (a - mean) / 3;
  const nlohmann::json& accuracy = r.metrics.at("test").at("accuracy");
  CHECK(accuracy.at("mean").get<double>() == Approx(mean));
  CHECK(accuracy.at("std").get<double>() == Approx(std::sqrt(variance)).margin(1e-12));
  CHECK(accuracy.at("per_fold").size() == 3);
  CHECK(qtrain::read_json_file(r.run_dir + "/metrics.json").at("test") == r.metrics.at("test"));
}
