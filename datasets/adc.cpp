#include "datasets/adc.h"

#include <hdf5.h>
#include <torch/types.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "datasets/file_check.h"
#include "datasets/hdf5_util.h"
#include "datasets/random.h"

namespace datasets {

namespace {

constexpr int64_t kFileColumns = 4;  // pT, η, φ, class
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kElectronSlot = 1, kMuonSlot = 5, kJetSlot = 9;
constexpr int64_t kMaxElectrons = 4, kMaxMuons = 4, kMaxJets = 10;

// The class the file gives a filled slot: 1 MET, 2 electron, 3 muon, 4 jet.
int slot_class(int64_t slot) { return slot == 0 ? 1 : slot < kMuonSlot ? 2 : slot < kJetSlot ? 3 : 4; }

std::string number_text(double x) {
  std::ostringstream text;
  text << x;
  return text.str();
}

// Rows read per HDF5 call: bounds the extra memory for files of any length.
constexpr hsize_t kRowsPerRead = 1 << 14;

}  // namespace

const std::array<double, kAdcSlots>& adc_eta_limits() {
  static const std::array<double, kAdcSlots> limits = [] {
    std::array<double, kAdcSlots> l{};
    for (int64_t s = 1; s < kAdcSlots; ++s) l[static_cast<size_t>(s)] = s < kMuonSlot ? 3.0 : s < kJetSlot ? 2.1 : 4.0;
    return l;
  }();
  return limits;
}

LabeledData read_adc(const std::string& path, const std::string& name) {
  detail::require_readable_file(path);
  using hdf5::Handle;
  const hdf5::QuietHdf5Errors quiet;
  const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) throw DataError(path + ": not an HDF5 file");
  if (H5Lexists(file.get(), "Particles", H5P_DEFAULT) <= 0) throw DataError(path + ": no data set 'Particles'");
  const Handle particles(H5Dopen2(file.get(), "Particles", H5P_DEFAULT), H5Dclose);
  if (!particles.valid()) throw DataError(path + ": cannot open data set 'Particles'");
  const Handle space(H5Dget_space(particles.get()), H5Sclose);
  std::array<hsize_t, 3> shape{};
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank == 3) H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
  if (rank != 3 || shape[1] != kAdcSlots || shape[2] != kFileColumns) {
    std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    std::string found;
    for (const hsize_t d : dims) found += (found.empty() ? "" : ", ") + std::to_string(d);
    throw DataError(path + ": 'Particles' must have shape (N, 19, 4) (pT, eta, phi, class), got (" + found + ")");
  }
  const auto n = static_cast<int64_t>(shape[0]);
  if (n == 0) throw DataError(path + ": 'Particles' holds no event");

  at::Tensor features = torch::empty({n, kAdcSlots, kAdcFeatures}, torch::kFloat32);
  float* out = features.data_ptr<float>();
  std::vector<float> block;
  for (hsize_t first = 0; first < shape[0]; first += kRowsPerRead) {
    const std::array<hsize_t, 3> start{first, 0, 0}, count{std::min(kRowsPerRead, shape[0] - first), shape[1], shape[2]};
    block.resize(count[0] * count[1] * count[2]);
    const Handle memory(H5Screate_simple(3, count.data(), nullptr), H5Sclose);
    if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
        H5Dread(particles.get(), H5T_NATIVE_FLOAT, memory.get(), space.get(), H5P_DEFAULT, block.data()) < 0)
      throw DataError(path + ": cannot read 'Particles' as numbers");
    for (hsize_t r = 0; r < count[0]; ++r)
      for (int64_t s = 0; s < kAdcSlots; ++s) {
        const float* in = block.data() + (r * kAdcSlots + static_cast<hsize_t>(s)) * kFileColumns;
        const auto where = [&] {
          return path + ": 'Particles' event " + std::to_string(first + r + 1) + ", slot " + std::to_string(s);
        };
        for (int64_t f = 0; f < kFileColumns; ++f)
          if (!std::isfinite(in[f])) throw DataError(where() + ": not a finite number");
        if (in[3] != 0.0f && in[3] != static_cast<float>(slot_class(s)))
          throw DataError(where() + ": class " + number_text(in[3]) + ", expected 0 (empty) or " +
                          std::to_string(slot_class(s)));
        std::copy(in, in + kAdcFeatures, out + ((first + r) * kAdcSlots + static_cast<hsize_t>(s)) * kAdcFeatures);
      }
  }
  return {features, torch::zeros({n}, torch::kInt64), {}, {name}};
}

const std::string& adc_process_name(AdcProcess process) {
  static const std::array<std::string, 5> names = {"background", "Ato4l", "leptoquark", "hToTauTau", "hChToTauNu"};
  return names[static_cast<size_t>(process)];
}

const std::vector<AdcProcess>& adc_signal_processes() {
  static const std::vector<AdcProcess> signals = {AdcProcess::Ato4l, AdcProcess::Leptoquark, AdcProcess::HToTauTau,
                                                  AdcProcess::HChargedToTauNu};
  return signals;
}

namespace {

struct Particle {
  double pt, eta, phi;
};

// The objects of one event before they are put into slots.
struct Event {
  double met = 0.0;
  std::vector<Particle> electrons, muons, jets;
};

class EventMaker {
 public:
  explicit EventMaker(uint64_t seed) : random_(seed) {}

  double exponential(double mean) { return -mean * std::log(1.0 - random_.uniform()); }
  // Number of failures before a success of probability p: mean (1 − p) / p.
  int geometric(double p) {
    int k = 0;
    while (random_.uniform() >= p) ++k;
    return k;
  }
  bool chance(double p) { return random_.uniform() < p; }

  // A particle with pT = threshold + exponential(mean), η ~ N(0, eta_width)
  // redrawn beyond the acceptance, φ uniform.
  Particle particle(double threshold, double mean, double eta_width, double eta_limit) {
    Particle p;
    p.pt = threshold + exponential(mean);
    do p.eta = eta_width * random_.normal();
    while (std::fabs(p.eta) >= eta_limit);
    p.phi = kPi * (2.0 * random_.uniform() - 1.0);
    return p;
  }
  // A lepton of random flavour into the event.
  void lepton(Event& e, double threshold, double mean, double eta_width) {
    if (chance(0.5))
      e.electrons.push_back(particle(threshold, mean, eta_width, 3.0));
    else
      e.muons.push_back(particle(threshold, mean, eta_width, 2.1));
  }
  void jets(Event& e, int count, double threshold, double mean, double eta_width) {
    for (int j = 0; j < count; ++j) e.jets.push_back(particle(threshold, mean, eta_width, 4.0));
  }
  double uniform() { return random_.uniform(); }

 private:
  detail::Random random_;
};

// Kinematics in GeV.  Every event has a lepton above the 23 GeV trigger
// threshold (the files' lepton filter).
Event draw_event(AdcProcess process, EventMaker& m) {
  Event e;
  switch (process) {
    case AdcProcess::Background: {
      const double u = m.uniform();
      if (u < 0.55) {  // W → ℓν + jets
        m.lepton(e, 23.0, 12.0, 1.2);
        m.jets(e, m.geometric(0.55), 20.0, 20.0, 1.8);
        e.met = 15.0 + m.exponential(15.0);
      } else if (u < 0.80) {  // QCD multijet with a soft (fake) lepton
        m.lepton(e, 23.0, 5.0, 1.2);
        m.jets(e, 2 + m.geometric(0.45), 25.0, 30.0, 1.8);
        e.met = m.exponential(12.0);
      } else if (u < 0.90) {  // Z → ℓℓ
        const bool electrons = m.chance(0.5);
        for (const double threshold : {23.0, 10.0}) {
          const Particle p = m.particle(threshold, 15.0, 1.2, electrons ? 3.0 : 2.1);
          (electrons ? e.electrons : e.muons).push_back(p);
        }
        m.jets(e, m.geometric(0.6), 20.0, 20.0, 1.8);
        e.met = m.exponential(10.0);
      } else {  // top pairs
        m.lepton(e, 23.0, 25.0, 1.1);
        if (m.chance(0.2)) m.lepton(e, 10.0, 20.0, 1.1);
        m.jets(e, 3 + m.geometric(0.5), 30.0, 40.0, 1.4);
        e.met = 30.0 + m.exponential(30.0);
      }
      break;
    }
    case AdcProcess::Ato4l:  // four hard, central leptons, little else
      m.lepton(e, 23.0, 30.0, 0.9);
      for (int l = 0; l < 3; ++l) m.lepton(e, 10.0, 30.0, 0.9);
      m.jets(e, m.geometric(0.6), 20.0, 15.0, 1.8);
      e.met = m.exponential(10.0);
      break;
    case AdcProcess::Leptoquark:  // a lepton, two hard jets, some MET
      m.lepton(e, 23.0, 30.0, 1.0);
      m.jets(e, 2 + m.geometric(0.6), 50.0, 60.0, 1.2);
      e.met = 20.0 + m.exponential(30.0);
      break;
    case AdcProcess::HToTauTau:  // τ → ℓνν and a τ jet (or two leptons), MET: close to the background
      m.lepton(e, 23.0, 15.0, 1.0);
      if (m.chance(0.5)) m.lepton(e, 10.0, 15.0, 1.0);
      m.jets(e, 1 + m.geometric(0.7), 30.0, 30.0, 0.9);
      e.met = 30.0 + m.exponential(30.0);
      break;
    case AdcProcess::HChargedToTauNu:  // one lepton, large MET
      m.lepton(e, 23.0, 25.0, 1.0);
      m.jets(e, m.geometric(0.6), 20.0, 20.0, 1.4);
      e.met = 60.0 + m.exponential(50.0);
      break;
  }
  return e;
}

// Writes `particles` pT-ordered into `count` slots from `first` (the hardest
// ones when there are more).
void fill_slots(std::vector<Particle> particles, int64_t first, int64_t count, float* event) {
  std::sort(particles.begin(), particles.end(), [](const Particle& a, const Particle& b) { return a.pt > b.pt; });
  for (size_t i = 0; i < particles.size() && static_cast<int64_t>(i) < count; ++i) {
    float* slot = event + (first + static_cast<int64_t>(i)) * kAdcFeatures;
    slot[0] = static_cast<float>(particles[i].pt);
    slot[1] = static_cast<float>(particles[i].eta);
    slot[2] = static_cast<float>(particles[i].phi);
  }
}

}  // namespace

LabeledData synthetic_adc(AdcProcess process, int64_t n, uint64_t seed) {
  if (n < 0) throw std::invalid_argument("synthetic_adc: negative count " + std::to_string(n));
  // Each process draws from its own stream, so a signal does not repeat the
  // background's events for the same seed.
  EventMaker maker(seed * 8191 + static_cast<uint64_t>(process));
  at::Tensor features = torch::zeros({n, kAdcSlots, kAdcFeatures}, torch::kFloat32);
  float* out = features.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    Event e = draw_event(process, maker);
    float* event = out + i * kAdcSlots * kAdcFeatures;
    event[0] = static_cast<float>(e.met);
    event[2] = static_cast<float>(kPi * (2.0 * maker.uniform() - 1.0));
    fill_slots(std::move(e.electrons), kElectronSlot, kMaxElectrons, event);
    fill_slots(std::move(e.muons), kMuonSlot, kMaxMuons, event);
    fill_slots(std::move(e.jets), kJetSlot, kMaxJets, event);
  }
  return {features, torch::zeros({n}, torch::kInt64), {}, {adc_process_name(process)}};
}

StandardScaler fit_adc_scaler(const at::Tensor& background) {
  if (background.dim() != 3 || background.size(1) != kAdcSlots || background.size(2) != kAdcFeatures)
    throw std::invalid_argument("fit_adc_scaler: need (N, 19, 3) particles");
  StandardScaler scaler = StandardScaler::fit_nonzero(background);
  // Only pT (feature 0 of each slot) is standardised.
  const at::Tensor angles = torch::arange(kAdcSlots * kAdcFeatures) % kAdcFeatures != 0;
  scaler.mean.masked_fill_(angles, 0.0);
  scaler.scale.masked_fill_(angles, 1.0);
  return scaler;
}

}  // namespace datasets
