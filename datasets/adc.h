// The LHC anomaly-detection data of the ADC2021 challenge ("LHC physics
// dataset for unsupervised New Physics detection at 40 MHz", Govorkova et
// al.): readers for its HDF5 files and a deterministic synthetic background
// and four synthetic signals.  Layout: shared/spec/datasets.md §4d.
//
// An event is 19 particle slots × (pT, η, φ): slot 0 the missing transverse
// energy (η ≡ 0), slots 1-4 up to 4 electrons, 5-8 up to 4 muons, 9-18 up
// to 10 jets, pT-ordered within each type; empty slots are all zero.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/labeled_data.h"
#include "datasets/standard_scaler.h"

namespace datasets {

constexpr int64_t kAdcSlots = 19;
constexpr int64_t kAdcFeatures = 3;  // pT, η, φ

// |η| acceptance of each slot's object type: electrons 3.0, muons 2.1, jets
// 4.0 (the challenge's object selection); the MET slot has η ≡ 0 and gets 0.
const std::array<double, kAdcSlots>& adc_eta_limits();

// Reads the (N, 19, 4) float data set `Particles` (pT, η, φ, class) of an
// ADC2021 file and returns features (N, 19, 3) (the class column dropped),
// labels all 0 and class_names {`name`}.  The class column is checked
// against the slot layout (1 MET, 2 electron, 3 muon, 4 jet, 0 empty).
// Throws DataError naming the file for a missing or unreadable file, a
// missing `Particles`, a wrong shape, a non-finite value and a class that
// does not fit its slot (with the row and slot).
LabeledData read_adc(const std::string& path, const std::string& name);

// The processes of the synthetic stand-in; the four signals are analogues of
// the challenge's: a neutral scalar A → 4 leptons, a leptoquark → b τ, a
// Higgs → τ τ and a charged Higgs → τ ν.
enum class AdcProcess { Background, Ato4l, Leptoquark, HToTauTau, HChargedToTauNu };
// "background", "Ato4l", "leptoquark", "hToTauTau", "hChToTauNu".
const std::string& adc_process_name(AdcProcess process);
const std::vector<AdcProcess>& adc_signal_processes();

// `n` synthetic events of `process` in the layout of read_adc() (labels 0,
// class_names {adc_process_name(process)}), a function of (process, n,
// seed) only.  The background is a mix of W, Z, top-pair and QCD multijet
// events that passed a single-lepton trigger (one lepton above 23 GeV): one
// or two leptons, a few soft jets, moderate MET.  The signals differ in
// kinematics and multiplicities: Ato4l has four hard leptons, the
// leptoquark a lepton and two hard jets, h → ττ soft leptons and narrow jets
// with MET, h± → τν one lepton or jet with large MET.  They overlap the
// background, so a trained autoencoder separates them imperfectly.
LabeledData synthetic_adc(AdcProcess process, int64_t n, uint64_t seed);

// The paper's standardisation of pT: per slot, over the slot's particles
// (its non-zero entries) in `background` (N, 19, 3); η and φ stay in their
// physical units (mean 0, scale 1) so that the tanh-rescaled outputs of the
// loss (adc_eta_limits(), ±π) cover them, and padding stays exactly 0
// (keep_zeros).
StandardScaler fit_adc_scaler(const at::Tensor& background);

}  // namespace datasets
