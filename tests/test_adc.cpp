// ADC2021 anomaly-detection data: the HDF5 reader on files written here, the
// synthetic background and signals, and the pT standardisation.
#include "tests/test_common.h"

#include <hdf5.h>

#include <cmath>
#include <vector>

#include "datasets/adc.h"
#include "datasets/hdf5_util.h"
#include "tests/helpers.h"

namespace {

using datasets::DataError;
using test_helpers::TempDir;

// Writes one float data set of `dims` (gzip-compressed, as the challenge files).
void write_h5(const std::string& path, const char* name, const std::vector<hsize_t>& dims, const std::vector<float>& data) {
  using datasets::hdf5::Handle;
  const Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  REQUIRE(file.valid());
  const Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  const Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(properties.get(), static_cast<int>(dims.size()), dims.data());
  H5Pset_deflate(properties.get(), 4);
  const Handle dataset(H5Dcreate2(file.get(), name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                       H5Dclose);
  REQUIRE(dataset.valid());
  REQUIRE(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) >= 0);
}

// Two events in the file layout (pT, η, φ, class): event 0 has MET, one
// electron, one muon and two jets; event 1 MET and one muon.
std::vector<float> two_events() {
  std::vector<float> p(2 * 19 * 4, 0.0f);
  const auto set = [&](int event, int slot, float pt, float eta, float phi, float cls) {
    float* s = p.data() + (event * 19 + slot) * 4;
    s[0] = pt, s[1] = eta, s[2] = phi, s[3] = cls;
  };
  set(0, 0, 40.5f, 0.0f, 1.25f, 1);
  set(0, 1, 30.0f, -1.5f, 0.5f, 2);
  set(0, 5, 25.0f, 0.75f, -2.0f, 3);
  set(0, 9, 60.0f, 2.5f, 3.0f, 4);
  set(0, 10, 22.0f, -3.5f, -0.25f, 4);
  set(1, 0, 12.0f, 0.0f, -1.0f, 1);
  set(1, 5, 45.0f, -0.5f, 2.0f, 3);
  return p;
}

std::string error_of(const std::string& path) {
  try {
    datasets::read_adc(path, "x");
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("read_adc drops the class column and keeps the slots", "[adc]") {
  TempDir dir;
  const std::string path = dir.file("background_for_training.h5");
  write_h5(path, "Particles", {2, 19, 4}, two_events());
  const datasets::LabeledData d = datasets::read_adc(path, "background");
  REQUIRE(d.features.sizes() == torch::IntArrayRef({2, 19, 3}));
  CHECK(d.class_names == std::vector<std::string>{"background"});
  CHECK(d.labels.equal(torch::zeros({2}, torch::kInt64)));
  const auto x = d.features.accessor<float, 3>();
  CHECK(x[0][0][0] == 40.5f);
  CHECK(x[0][0][2] == 1.25f);
  CHECK(x[0][1][1] == -1.5f);
  CHECK(x[0][5][2] == -2.0f);
  CHECK(x[0][10][0] == 22.0f);
  CHECK(x[0][10][1] == -3.5f);
  CHECK(x[1][5][0] == 45.0f);
  CHECK(x[1][1][0] == 0.0f);
  // 7 filled slots · 3 features, minus the two MET η that are 0.
  CHECK(d.features.ne(0).sum().item<int64_t>() == 7 * 3 - 2);
}

TEST_CASE("read_adc errors name the file and what is wrong", "[adc]") {
  TempDir dir;
  using Catch::Matchers::Contains;
  const std::string wrong_name = dir.file("wrong_name.h5");
  write_h5(wrong_name, "Particle", {2, 19, 4}, two_events());
  CHECK_THAT(error_of(wrong_name), Contains("wrong_name.h5: no data set 'Particles'"));

  const std::string wrong_shape = dir.file("wrong_shape.h5");
  write_h5(wrong_shape, "Particles", {2, 19, 3}, std::vector<float>(2 * 19 * 3, 0.0f));
  CHECK_THAT(error_of(wrong_shape), Contains("'Particles' must have shape (N, 19, 4) (pT, eta, phi, class), got (2, 19, 3)"));

  std::vector<float> bad_class = two_events();
  bad_class[(1 * 19 + 5) * 4 + 3] = 2.0f;  // a "electron" in a muon slot
  const std::string wrong_class = dir.file("wrong_class.h5");
  write_h5(wrong_class, "Particles", {2, 19, 4}, bad_class);
  CHECK_THAT(error_of(wrong_class), Contains("event 2, slot 5: class 2") && Contains("expected 0 (empty) or 3"));

  std::vector<float> nan = two_events();
  nan[(0 * 19 + 9) * 4 + 1] = std::nanf("");
  const std::string with_nan = dir.file("nan.h5");
  write_h5(with_nan, "Particles", {2, 19, 4}, nan);
  CHECK_THAT(error_of(with_nan), Contains("event 1, slot 9: not a finite number"));

  CHECK_THAT(error_of(dir.write("text.h5", "plain text")), Contains("text.h5: not an HDF5 file"));
  CHECK_THAT(error_of(dir.file("absent.h5")), Contains("absent.h5: cannot open"));
}

TEST_CASE("synthetic_adc: the file layout, deterministic, signals differ from the background", "[adc]") {
  using datasets::AdcProcess;
  const datasets::LabeledData bg = datasets::synthetic_adc(AdcProcess::Background, 2000, 5);
  REQUIRE(bg.features.sizes() == torch::IntArrayRef({2000, 19, 3}));
  CHECK(bg.features.equal(datasets::synthetic_adc(AdcProcess::Background, 2000, 5).features));
  CHECK(!bg.features.equal(datasets::synthetic_adc(AdcProcess::Background, 2000, 6).features));
  CHECK(bg.class_names == std::vector<std::string>{"background"});

  const at::Tensor pt = bg.features.select(2, 0), eta = bg.features.select(2, 1), phi = bg.features.select(2, 2);
  // MET has η ≡ 0; every |η| within its slot's acceptance, |φ| ≤ π.
  CHECK(eta.select(1, 0).abs().max().item<float>() == 0.0f);
  const auto& limits = datasets::adc_eta_limits();
  for (int64_t s = 1; s < 19; ++s) CHECK(eta.select(1, s).abs().max().item<double>() < limits[static_cast<size_t>(s)]);
  CHECK(phi.abs().max().item<double>() <= M_PI);
  // The lepton filter: an electron or muon above 23 GeV in every event.
  const at::Tensor leading_lepton = torch::maximum(pt.select(1, 1), pt.select(1, 5));
  CHECK(leading_lepton.min().item<float>() >= 23.0f);
  // pT-ordered within each object type, empty slots at the end.
  for (const auto& [first, count] : {std::pair{1, 4}, std::pair{5, 4}, std::pair{9, 10}}) {
    const at::Tensor block = pt.slice(1, first, first + count);
    CHECK((block.slice(1, 1) <= block.slice(1, 0, -1)).all().item<bool>());
  }
  // Ato4l has four leptons in every event, the background rarely more than two.
  const auto leptons = [](const at::Tensor& x) {
    return (x.select(2, 0).slice(1, 1, 9) > 0).sum(1).to(torch::kFloat64).mean().item<double>();
  };
  CHECK(leptons(datasets::synthetic_adc(AdcProcess::Ato4l, 500, 5).features) == Approx(4.0));
  CHECK(leptons(bg.features) < 1.5);
  // h± → τν: far more MET than the background.
  const auto met = [](const at::Tensor& x) { return x.select(2, 0).select(1, 0).mean().item<double>(); };
  CHECK(met(datasets::synthetic_adc(AdcProcess::HChargedToTauNu, 500, 5).features) > 2 * met(bg.features));
  CHECK(datasets::adc_signal_processes().size() == 4);
}

TEST_CASE("fit_adc_scaler standardises pT per slot over real particles only", "[adc]") {
  // Three events, slot 1 (an electron) with pT 10, 30 and empty: mean 20, std 10.
  at::Tensor x = torch::zeros({3, 19, 3});
  x[0][1][0] = 10.0f, x[1][1][0] = 30.0f;
  x[0][1][1] = 1.5f, x[1][1][2] = -2.0f;
  x[0][0][0] = 50.0f;  // MET: a single value, scale 1
  const datasets::StandardScaler scaler = datasets::fit_adc_scaler(x);
  CHECK(scaler.keep_zeros);
  CHECK(scaler.mean[3].item<double>() == 20.0);
  CHECK(scaler.scale[3].item<double>() == 10.0);
  CHECK(scaler.mean[4].item<double>() == 0.0);  // η untouched
  CHECK(scaler.scale[4].item<double>() == 1.0);
  const at::Tensor y = scaler.transform(x);
  CHECK(y[0][1][0].item<float>() == -1.0f);
  CHECK(y[1][1][0].item<float>() == 1.0f);
  CHECK(y[2][1][0].item<float>() == 0.0f);  // padding stays 0
  CHECK(y[0][1][1].item<float>() == 1.5f);
  CHECK(y[1][1][2].item<float>() == -2.0f);
  CHECK(y[0][0][0].item<float>() == 0.0f);  // (50 − 50) / 1
  const datasets::StandardScaler back = datasets::StandardScaler::from_json(scaler.to_json());
  CHECK(back.keep_zeros);
}
