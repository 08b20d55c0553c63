#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <numeric>
#include <string>
#include <vector>

#include "datasets/jets.h"
#include "tests/test_common.h"

#include "tests/helpers.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using datasets::DataError;
using datasets::LabeledData;

namespace {

const std::string kFixtures = std::string(QTRAIN_SOURCE_DIR) + "/tests/data/jets/";

const std::vector<std::string> kFeatureNames = {"zlogz",         "c1_b0_mmdt",    "c1_b1_mmdt", "c1_b2_mmdt",
                                                "c2_b1_mmdt",    "c2_b2_mmdt",    "d2_b1_mmdt", "d2_b2_mmdt",
                                                "d2_a1_b1_mmdt", "d2_a1_b2_mmdt", "m2_b1_mmdt", "m2_b2_mmdt",
                                                "n2_b1_mmdt",    "n2_b2_mmdt",    "mass_mmdt",  "multiplicity"};

// The jets of sample.csv / sample.arff: 16 features in kFeatureNames order, then the class.
const std::vector<std::vector<std::string>> kSampleRows = {
    {"-3.1234", "0.4123", "0.1834", "0.0412", "0.3011", "0.2145", "2.8812", "3.5021", "2.3011", "2.9987", "0.0912",
     "0.0611", "0.3412", "0.2781", "168.25", "61", "t"},
    {"-2.8811", "0.3504", "0.0823", "0.0091", "0.2811", "0.2401", "4.1203", "6.0112", "3.3012", "4.8021", "0.0701",
     "0.0481", "0.4123", "0.3655", "31.5", "44", "g"},
    {"-2.6012", "0.3301", "0.1203", "0.0153", "0.1812", "0.1205", "1.4011", "1.5523", "1.1209", "1.2418", "0.0612",
     "0.0402", "0.2101", "0.1712", "80.125", "38", "w"},
    {"-2.3121", "0.3012", "0.0512", "3.1e-03", "0.2203", "0.1812", "3.9012", "5.5012", "3.1209", "4.4012", "0.0551",
     "0.0352", "0.3011", "0.2611", "15.75", "27", "q"},
    {"-2.7001", "0.3401", "0.1315", "0.0181", "0.1903", "0.1297", "1.5012", "1.7011", "1.2010", "1.3609", "0.0633",
     "0.0421", "0.2203", "0.1811", "90.5", "40", "z"},
};
// t, g, w, q, z in the g, q, t, w, z order.
const std::vector<int64_t> kSampleLabels = {2, 0, 3, 1, 4};

// The features of kSampleRows, each decimal rounded to double by the C
// library and then to float32.
at::Tensor sample_features() {
  at::Tensor x = torch::empty({static_cast<int64_t>(kSampleRows.size()), 16}, torch::kFloat32);
  for (size_t r = 0; r < kSampleRows.size(); ++r)
    for (size_t f = 0; f < 16; ++f)
      x[static_cast<int64_t>(r)][static_cast<int64_t>(f)] =
          static_cast<float>(std::strtod(kSampleRows[r][f].c_str(), nullptr));
  return x;
}

at::Tensor int64_tensor(const std::vector<int64_t>& values) { return torch::tensor(values, torch::kInt64); }

void check_sample(const LabeledData& data) {
  REQUIRE(data.features.sizes() == std::vector<int64_t>{5, 16});
  CHECK(data.features.dtype() == torch::kFloat32);
  CHECK(data.features.is_contiguous());
  CHECK(data.labels.dtype() == torch::kInt64);
  CHECK(data.feature_names == kFeatureNames);
  CHECK(data.class_names == std::vector<std::string>{"g", "q", "t", "w", "z"});
  CHECK(torch::equal(data.features, sample_features()));
  CHECK(torch::equal(data.labels, int64_tensor(kSampleLabels)));
}

using test_helpers::TempDir;

std::string join(const std::vector<std::string>& fields, const std::string& separator = ",") {
  std::string text;
  for (size_t i = 0; i < fields.size(); ++i) text += (i ? separator : "") + fields[i];
  return text;
}

std::vector<std::string> csv_header() {
  std::vector<std::string> header = kFeatureNames;
  header.push_back("class");
  return header;
}

std::string csv_text(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string text = join(header) + "\n";
  for (const auto& row : rows) text += join(row) + "\n";
  return text;
}

// Line 1 @relation, lines 2-18 the attributes, line 19 @data, rows from line 20.
std::string arff_text(const std::vector<std::vector<std::string>>& rows,
                      const std::string& class_type = "{g,q,t,w,z}") {
  std::string text = "@relation jets\n";
  for (const auto& name : kFeatureNames) text += "@attribute " + name + " numeric\n";
  text += "@attribute class " + class_type + "\n@data\n";
  for (const auto& row : rows) text += join(row) + "\n";
  return text;
}

// The message of the DataError that read_jets(path) throws.
std::string read_error(const std::string& path) {
  try {
    datasets::read_jets(path);
  } catch (const DataError& e) {
    return e.what();
  }
  FAIL("read_jets(\"" << path << "\") threw no DataError");
  return {};
}

void check_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  INFO(message);
  CHECK(message.find('\n') == std::string::npos);
  for (const auto& part : parts) CHECK_THAT(message, Contains(part));
}

// zenodo_*.h5: the file columns of the 16 features (the *_mmdt ones, not the
// ungroomed j_c1_b0 ... at columns 13-25) and the value every cell holds.
const std::vector<int64_t> kZenodoColumns = {12, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 48, 52};

at::Tensor zenodo_features(double base, int64_t rows) {
  at::Tensor x = torch::empty({rows, 16}, torch::kFloat32);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t f = 0; f < 16; ++f) x[r][f] = static_cast<float>(base + 1000.0 * (r + 1) + kZenodoColumns[f]);
  return x;
}

}  // namespace

TEST_CASE("read_jets: OpenML CSV and ARFF", "[datasets]") {
  SECTION("csv with quoted header and labels") { check_sample(datasets::read_jets(kFixtures + "sample.csv")); }
  SECTION("arff with comments, quoted names, numeric/real/integer types") {
    check_sample(datasets::read_jets(kFixtures + "sample.arff"));
  }
  SECTION("csv columns in any order, CRLF, blanks, byte-order mark, upper-case extension") {
    TempDir dir;
    std::vector<std::string> header = csv_header();
    std::reverse(header.begin(), header.end());
    std::string text = "\xEF\xBB\xBF" + join(header) + "\r\n";
    for (auto row : kSampleRows) {
      std::reverse(row.begin(), row.end());
      row[0] = " '" + row[0] + "' ";
      row[1] = " " + row[1] + "\t";
      text += join(row) + "\r\n";
    }
    check_sample(datasets::read_jets(dir.write("JETS.CSV", text + "\r\n\n")));
  }
  SECTION("arff nominal class as string, keywords in any case") {
    TempDir dir;
    std::string text = arff_text(kSampleRows, "string");
    text.replace(text.find("@data"), 5, "@DATA");
    check_sample(datasets::read_jets(dir.write("jets.arff", text)));
  }
}

TEST_CASE("read_jets: bad CSV names the file, line and column", "[datasets]") {
  TempDir dir;
  const auto rows = kSampleRows;

  SECTION("missing file") { check_mentions(read_error(dir.file("absent.csv")), {"absent.csv", "no such file"}); }
  SECTION("unreadable file") {
    const std::string path = dir.write("locked.csv", csv_text(csv_header(), rows));
    ::chmod(path.c_str(), 0);
    if (::access(path.c_str(), R_OK) == 0) {
      WARN("running with permission to read a mode-000 file (root); unreadable-file case skipped");
    } else {
      check_mentions(read_error(path), {"locked.csv", "cannot open"});
    }
  }
  SECTION("unknown extension") { check_mentions(read_error(dir.write("jets.txt", "x")), {"jets.txt", ".txt"}); }
  SECTION("empty file") {
    check_mentions(read_error(dir.write("empty.csv", "")), {"empty.csv", "empty file"});
    check_mentions(read_error(dir.write("blank.csv", " \n\r\n")), {"blank.csv", "empty file"});
  }
  SECTION("header only") {
    check_mentions(read_error(dir.write("header.csv", join(csv_header()) + "\n")), {"header.csv", "no data rows"});
  }
  SECTION("wrong column count") {
    auto short_rows = rows;
    short_rows[2].erase(short_rows[2].begin() + 3);
    check_mentions(read_error(dir.write("short.csv", csv_text(csv_header(), short_rows))),
                   {"short.csv", "line 4", "16 fields, expected 17"});
    auto long_rows = rows;
    long_rows[0].push_back("1");
    check_mentions(read_error(dir.write("long.csv", csv_text(csv_header(), long_rows))),
                   {"long.csv", "line 2", "18 fields, expected 17"});
  }
  SECTION("missing feature column") {
    auto header = csv_header();
    auto cut = rows;
    header.erase(header.begin() + 7);
    for (auto& row : cut) row.erase(row.begin() + 7);
    check_mentions(read_error(dir.write("missing.csv", csv_text(header, cut))),
                   {"missing.csv", "line 1", "d2_b2_mmdt"});
  }
  SECTION("missing class column") {
    auto header = csv_header();
    auto cut = rows;
    header.pop_back();
    for (auto& row : cut) row.pop_back();
    check_mentions(read_error(dir.write("noclass.csv", csv_text(header, cut))), {"noclass.csv", "line 1", "'class'"});
  }
  SECTION("unknown or duplicate column") {
    auto header = csv_header();
    auto extra = rows;
    header.push_back("pt");
    for (auto& row : extra) row.push_back("1000");
    check_mentions(read_error(dir.write("unknown.csv", csv_text(header, extra))),
                   {"unknown.csv", "line 1", "column 18", "'pt'"});
    header = csv_header();
    header[0] = "c1_b0_mmdt";
    check_mentions(read_error(dir.write("duplicate.csv", csv_text(header, rows))),
                   {"duplicate.csv", "line 1", "column 2", "duplicate", "'c1_b0_mmdt'"});
  }
  SECTION("feature that is not a finite float32 number") {
    for (const std::string bad : {"nan", "NaN", "inf", "-inf", "abc", "", "1.5x", "1,5", "0x10", "1e39"}) {
      INFO("value '" << bad << "'");
      auto edited = rows;
      edited[1][4] = bad;
      const std::string message = read_error(dir.write("bad_value.csv", csv_text(csv_header(), edited)));
      if (bad == "1,5") {  // the comma splits the field: a count error on the same line
        check_mentions(message, {"bad_value.csv", "line 3", "18 fields"});
      } else {
        check_mentions(message, {"bad_value.csv", "line 3", "column 5 (c2_b1_mmdt)"});
      }
    }
  }
  SECTION("label not in g, q, t, w, z") {
    for (const std::string bad : {"x", "G", "", "0", "gq"}) {
      INFO("label '" << bad << "'");
      auto edited = rows;
      edited[4][16] = bad;
      check_mentions(read_error(dir.write("bad_label.csv", csv_text(csv_header(), edited))),
                     {"bad_label.csv", "line 6", "column 17 (class)", "'" + bad + "'"});
    }
  }
}

TEST_CASE("read_jets: bad ARFF names the file, line and column", "[datasets]") {
  TempDir dir;
  const auto rows = kSampleRows;

  SECTION("no @data section") {
    std::string text = arff_text(rows);
    text.erase(text.find("@data"));
    check_mentions(read_error(dir.write("nodata.arff", text)), {"nodata.arff", "no @data"});
  }
  SECTION("empty file") { check_mentions(read_error(dir.write("empty.arff", "\n")), {"empty.arff", "empty file"}); }
  SECTION("unknown attribute") {
    std::string text = arff_text(rows);
    text.insert(text.find("@attribute class"), "@attribute pt numeric\n");
    check_mentions(read_error(dir.write("unknown.arff", text)), {"unknown.arff", "line 18", "'pt'"});
  }
  SECTION("missing attribute") {
    std::string text = arff_text(rows);
    const size_t at = text.find("@attribute mass_mmdt");
    text.erase(at, text.find('\n', at) + 1 - at);
    check_mentions(read_error(dir.write("missing.arff", text)), {"missing.arff", "line 18", "mass_mmdt"});
  }
  SECTION("feature declared nominal, class declared numeric") {
    std::string text = arff_text(rows);
    text.replace(text.find("zlogz numeric"), 13, "zlogz {a,b}");
    check_mentions(read_error(dir.write("nominal.arff", text)), {"nominal.arff", "line 2", "'zlogz'", "numeric"});
    check_mentions(read_error(dir.write("numeric_class.arff", arff_text(rows, "numeric"))),
                   {"numeric_class.arff", "line 18", "'class'", "nominal"});
  }
  SECTION("missing value, wrong count, unknown label, sparse row") {
    auto edited = rows;
    edited[0][2] = "?";
    check_mentions(read_error(dir.write("missing_value.arff", arff_text(edited))),
                   {"missing_value.arff", "line 20", "column 3 (c1_b1_mmdt)", "'?'"});
    edited = rows;
    edited[3].pop_back();
    check_mentions(read_error(dir.write("count.arff", arff_text(edited))), {"count.arff", "line 23", "16 fields"});
    edited = rows;
    edited[1][16] = "b";
    check_mentions(read_error(dir.write("label.arff", arff_text(edited))),
                   {"label.arff", "line 21", "column 17 (class)", "'b'"});
    std::string text = arff_text(rows);
    text += "{0 1.5, 16 g}\n";
    check_mentions(read_error(dir.write("sparse.arff", text)), {"sparse.arff", "line 25", "sparse"});
  }
}

TEST_CASE("read_jets: Zenodo HDF5 files and directories", "[datasets]") {
  SECTION("features picked by name, labels from the one-hot columns") {
    const LabeledData data = datasets::read_jets(kFixtures + "zenodo_sample.h5");
    CHECK(data.feature_names == kFeatureNames);
    CHECK(torch::equal(data.features, zenodo_features(0, 4)));
    // j_g, j_t, j_w, j_z in the g, q, t, w, z order.
    CHECK(torch::equal(data.labels, int64_tensor({0, 2, 3, 4})));
  }
  SECTION("float64 data, variable-length names") {
    const LabeledData data = datasets::read_jets(kFixtures + "zenodo_part_a.h5");
    CHECK(torch::equal(data.features, zenodo_features(10000, 3)));
    CHECK(torch::equal(data.labels, int64_tensor({1, 1, 2})));
  }
  SECTION("a directory: .h5 files concatenated in file-name order, other files ignored") {
    TempDir dir;
    fs::copy_file(kFixtures + "zenodo_part_b.h5", dir.file("jetImage_1.h5"));
    fs::copy_file(kFixtures + "zenodo_part_a.h5", dir.file("jetImage_0.HDF5"));
    dir.write("README.txt", "not data");
    const LabeledData data = datasets::read_jets(dir.file(""));
    CHECK(torch::equal(data.features, torch::cat({zenodo_features(10000, 3), zenodo_features(20000, 2)})));
    CHECK(torch::equal(data.labels, int64_tensor({1, 1, 2, 4, 0})));
    CHECK(data.class_names == std::vector<std::string>{"g", "q", "t", "w", "z"});
  }
}

TEST_CASE("read_jets: bad HDF5 names the file, row and column", "[datasets]") {
  TempDir dir;
  SECTION("missing file, not HDF5, empty directory") {
    check_mentions(read_error(dir.file("absent.h5")), {"absent.h5", "no such file"});
    check_mentions(read_error(dir.write("text.h5", "jets")), {"text.h5", "not an HDF5 file"});
    const TempDir empty;
    check_mentions(read_error(empty.file("")), {"no .h5"});
  }
  SECTION("a bad file in a directory is named") {
    fs::copy_file(kFixtures + "zenodo_part_a.h5", dir.file("a.h5"));
    fs::copy_file(kFixtures + "bad_nan.h5", dir.file("b.h5"));
    check_mentions(read_error(dir.file("")), {"b.h5", "row 3"});
  }
  SECTION("missing data sets") {
    check_mentions(read_error(kFixtures + "bad_no_jets.h5"), {"bad_no_jets.h5", "'jets'"});
    check_mentions(read_error(kFixtures + "bad_no_names.h5"), {"bad_no_names.h5", "'jetFeatureNames'"});
  }
  SECTION("missing feature column") {
    check_mentions(read_error(kFixtures + "bad_missing_feature.h5"), {"bad_missing_feature.h5", "j_multiplicity"});
  }
  SECTION("NaN feature") {
    check_mentions(read_error(kFixtures + "bad_nan.h5"),
                   {"bad_nan.h5", "row 3", "column 49 (j_mass_mmdt)", "not a finite number"});
  }
  SECTION("labels that are not one-hot") {
    check_mentions(read_error(kFixtures + "bad_not_one_hot.h5"), {"bad_not_one_hot.h5", "row 2", "not one-hot"});
    check_mentions(read_error(kFixtures + "bad_undefined_label.h5"),
                   {"bad_undefined_label.h5", "row 2", "not one-hot"});
  }
}

namespace {

// Row i: features (i, -i), label i mod 5.
LabeledData numbered_rows(int64_t n) {
  const at::Tensor index = torch::arange(n, torch::kFloat32);
  return {torch::stack({index, -index}, 1).contiguous(),
          torch::arange(n, torch::kInt64) % 5,
          {"i", "minus_i"},
          {"a", "b", "c", "d", "e"}};
}

std::vector<int64_t> row_numbers(const LabeledData& part) {
  const at::Tensor i = part.features.select(1, 0).to(torch::kInt64);
  return {i.data_ptr<int64_t>(), i.data_ptr<int64_t>() + i.numel()};
}

}  // namespace

TEST_CASE("LabeledData::subset and split", "[datasets]") {
  const LabeledData data = numbered_rows(103);

  SECTION("subset keeps rows, labels and names together, in index order") {
    const LabeledData part = data.subset(int64_tensor({7, 0, 7}));
    CHECK(row_numbers(part) == std::vector<int64_t>{7, 0, 7});
    CHECK(torch::equal(part.labels, int64_tensor({2, 0, 2})));
    CHECK(part.feature_names == data.feature_names);
    CHECK(part.class_names == data.class_names);
    CHECK(part.size() == 3);
  }
  SECTION("sizes as sklearn's train_test_split: ceil for the held-out parts") {
    const datasets::Splits s = datasets::split(data, 0.2, 0.2, 7);
    CHECK(s.test.size() == 21);        // ceil(20.6)
    CHECK(s.validation.size() == 17);  // ceil(0.2 · 82) = ceil(16.4)
    CHECK(s.train.size() == 65);
    const datasets::Splits defaults = datasets::split(data);
    CHECK(defaults.test.size() == 21);
    CHECK(defaults.validation.size() == 17);
    // The OpenML jets: 830 000 rows, 166 000 test rows (spec §4a).
    const LabeledData jets{torch::zeros({830000, 1}), torch::zeros({830000}, torch::kInt64), {"x"}, {"c"}};
    const datasets::Splits big = datasets::split(jets, 0.2, 0.2, 42);
    CHECK(big.test.size() == 166000);
    CHECK(big.validation.size() == 132800);
    CHECK(big.train.size() == 531200);
  }
  SECTION("disjoint, covering, shuffled, labels follow their rows") {
    const datasets::Splits s = datasets::split(data, 0.2, 0.2, 7);
    std::vector<int64_t> all;
    for (const LabeledData* part : {&s.train, &s.validation, &s.test}) {
      const auto rows = row_numbers(*part);
      all.insert(all.end(), rows.begin(), rows.end());
      CHECK(torch::equal(part->labels, part->features.select(1, 0).to(torch::kInt64) % 5));
      CHECK(torch::equal(part->features.select(1, 1), -part->features.select(1, 0)));
    }
    std::vector<int64_t> sorted = all;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> expected(103);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(sorted == expected);
    CHECK(all != expected);
  }
  SECTION("deterministic for a seed, different for another") {
    const datasets::Splits a = datasets::split(data, 0.2, 0.2, 7);
    const datasets::Splits b = datasets::split(data, 0.2, 0.2, 7);
    const datasets::Splits c = datasets::split(data, 0.2, 0.2, 8);
    CHECK(row_numbers(a.train) == row_numbers(b.train));
    CHECK(row_numbers(a.validation) == row_numbers(b.validation));
    CHECK(row_numbers(a.test) == row_numbers(b.test));
    CHECK(row_numbers(a.test) != row_numbers(c.test));
  }
  SECTION("zero fractions, bad fractions") {
    const datasets::Splits s = datasets::split(data, 0.0, 0.0, 1);
    CHECK(s.train.size() == 103);
    CHECK(s.test.size() == 0);
    CHECK(s.test.features.sizes() == std::vector<int64_t>{0, 2});
    CHECK_THROWS_AS(datasets::split(data, 1.0, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(datasets::split(data, 0.2, -0.1, 1), std::invalid_argument);
    CHECK_THROWS_AS(datasets::split(data, std::nan(""), 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(datasets::split(numbered_rows(2), 0.5, 0.5, 1), std::invalid_argument);
  }
}

TEST_CASE("StandardScaler", "[datasets]") {
  // Column 0: 1, 2, 3, 6: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
  // Column 1: constant.
  const at::Tensor x = torch::tensor({1.0f, 0.1f, 2.0f, 0.1f, 3.0f, 0.1f, 6.0f, 0.1f}).reshape({4, 2});
  const datasets::StandardScaler scaler = datasets::StandardScaler::fit(x);

  SECTION("fit: mean and ddof=0 std in float64, constant column scale 1") {
    CHECK(scaler.mean.dtype() == torch::kFloat64);
    CHECK(scaler.scale.dtype() == torch::kFloat64);
    CHECK(scaler.mean[0].item<double>() == 3.0);
    CHECK(scaler.mean[1].item<double>() == static_cast<double>(0.1f));
    CHECK(scaler.scale[0].item<double>() == std::sqrt(3.5));
    CHECK(scaler.scale[1].item<double>() == 1.0);
  }
  SECTION("a constant column whose float64 mean is off by a rounding error still gets scale 1") {
    const at::Tensor constant = torch::full({3, 1}, 0.1, torch::kFloat64);
    const datasets::StandardScaler fitted = datasets::StandardScaler::fit(constant);
    CHECK(fitted.mean[0].item<double>() != 0.1);  // (0.1 + 0.1 + 0.1) / 3 rounds up
    CHECK(fitted.scale[0].item<double>() == 1.0);
    CHECK(fitted.transform(constant).abs().max().item<float>() < 1e-7f);
  }
  SECTION("transform: float32 of the float64 (x - mean) / scale") {
    const at::Tensor y = scaler.transform(x);
    CHECK(y.dtype() == torch::kFloat32);
    const double deviations[] = {-2, -1, 0, 3};
    for (int64_t i = 0; i < 4; ++i) {
      CHECK(y[i][0].item<float>() == static_cast<float>(deviations[i] / std::sqrt(3.5)));
      CHECK(y[i][1].item<float>() == 0.0f);
    }
    CHECK_THROWS_AS(scaler.transform(torch::zeros({2, 3})), std::invalid_argument);
    CHECK_THROWS_AS(datasets::StandardScaler::fit(torch::zeros({0, 3})), std::invalid_argument);
  }
  SECTION("JSON round trip is exact") {
    const nlohmann::json json = scaler.to_json();
    CHECK(json.at("mean").size() == 2);
    const datasets::StandardScaler back = datasets::StandardScaler::from_json(nlohmann::json::parse(json.dump()));
    CHECK(torch::equal(back.mean, scaler.mean));
    CHECK(torch::equal(back.scale, scaler.scale));
  }
  SECTION("malformed JSON throws DataError") {
    for (const char* text :
         {R"([1, 2])", R"({"mean": [1]})", R"({"scale": [1]})", R"({"mean": [], "scale": []})",
          R"({"mean": [1, 2], "scale": [1]})", R"({"mean": ["1"], "scale": [1]})", R"({"mean": [1], "scale": [0]})",
          R"({"mean": [1], "scale": [-2]})", R"({"mean": [1], "scale": [null]})", R"({"mean": 1, "scale": 1})"}) {
      INFO(text);
      CHECK_THROWS_AS(datasets::StandardScaler::from_json(nlohmann::json::parse(text)), DataError);
    }
  }
}

namespace {

double median_where(const LabeledData& data, int64_t feature, int64_t label) {
  return data.features.select(1, feature).masked_select(data.labels == label).median().item<double>();
}

}  // namespace

TEST_CASE("synthetic_jets", "[datasets]") {
  const LabeledData a = datasets::synthetic_jets(1003, 9);

  SECTION("shape, names, types") {
    CHECK(a.features.sizes() == std::vector<int64_t>{1003, 16});
    CHECK(a.features.dtype() == torch::kFloat32);
    CHECK(a.features.is_contiguous());
    CHECK(a.labels.sizes() == std::vector<int64_t>{1003});
    CHECK(a.labels.dtype() == torch::kInt64);
    CHECK(a.feature_names == kFeatureNames);
    CHECK(a.class_names == std::vector<std::string>{"g", "q", "t", "w", "z"});
    CHECK(datasets::synthetic_jets(0, 9).features.sizes() == std::vector<int64_t>{0, 16});
  }
  SECTION("deterministic for a seed, different for another") {
    const LabeledData again = datasets::synthetic_jets(1003, 9);
    CHECK(torch::equal(a.features, again.features));
    CHECK(torch::equal(a.labels, again.labels));
    const LabeledData other = datasets::synthetic_jets(1003, 10);
    CHECK_FALSE(torch::equal(a.features, other.features));
    CHECK_FALSE(torch::equal(a.labels, other.labels));
  }
  SECTION("balanced classes in shuffled order, finite features, integer multiplicity") {
    CHECK(torch::equal(torch::bincount(a.labels), int64_tensor({201, 201, 201, 200, 200})));
    CHECK_FALSE(torch::equal(a.labels.slice(0, 0, 5), torch::arange(5, torch::kInt64)));
    CHECK(torch::isfinite(a.features).all().item<bool>());
    const at::Tensor multiplicity = a.features.select(1, 15);
    CHECK(torch::equal(multiplicity, multiplicity.round()));
    CHECK(multiplicity.min().item<float>() >= 3.0f);
  }
  SECTION("the physics it imitates") {
    const LabeledData jets = datasets::synthetic_jets(10000, 3);
    enum { g, q, t, w, z };
    const int64_t mass = 14, multiplicity = 15;
    CHECK(median_where(jets, mass, w) == Approx(80.4).margin(3.0));
    CHECK(median_where(jets, mass, z) == Approx(91.2).margin(3.0));
    CHECK(median_where(jets, mass, t) > 140.0);
    CHECK(median_where(jets, mass, g) > median_where(jets, mass, q));
    CHECK(median_where(jets, multiplicity, g) > median_where(jets, multiplicity, q));
    CHECK(median_where(jets, multiplicity, t) > median_where(jets, multiplicity, w));
  }
  SECTION("standardised with a scaler fitted on its train split") {
    const datasets::Splits s = datasets::split(datasets::synthetic_jets(5000, 4), 0.2, 0.2, 42);
    const at::Tensor x =
        datasets::StandardScaler::fit(s.train.features).transform(s.train.features).to(torch::kFloat64);
    CHECK(x.mean(0).abs().max().item<double>() < 1e-5);
    CHECK((x.std(0, /*unbiased=*/false) - 1).abs().max().item<double>() < 1e-5);
  }
}
