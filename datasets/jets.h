// The hls4ml LHC jet-tagging data (16 high-level features, 5 classes):
// readers for the published files and a deterministic synthetic stand-in.
// Layouts and sources: shared/spec/datasets.md §4a (OpenML) and §4b (Zenodo).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/labeled_data.h"
#include "datasets/standard_scaler.h"

namespace datasets {

// The 16 features in the OpenML / hls4ml tutorial order:
// zlogz, c1_b0_mmdt, ..., mass_mmdt, multiplicity.  Every reader returns its
// columns in this order, whatever the order in the file.
const std::vector<std::string>& jet_feature_names();

// The class order of the whole jet task: g, q, t, w, z = 0..4 (gluon, light
// quark, top, W, Z), i.e. sklearn's LabelEncoder order used by the hls4ml
// tutorial.  The Zenodo one-hot columns come in the order j_g, j_q, j_w, j_z,
// j_t and are mapped into this order, so a label means the same class
// whichever file it came from.
const std::vector<std::string>& jet_class_names();

// Reads jets, choosing the format by extension (case-insensitive):
//  - .csv: a header naming the 16 features and `class` (any column order,
//    names and labels optionally quoted), then one jet per line with the
//    label one of g, q, t, w, z;
//  - .arff: OpenML ARFF (@attribute lines for the same columns, numeric
//    features, nominal `class`, then @data; % comments);
//  - .h5 / .hdf5: a Zenodo file with the (N, 59) data set `jets` whose
//    columns are named by `jetFeatureNames` (with or without the `j_`
//    prefix); the features are picked by name and the label is the hot
//    column of j_g, j_q, j_w, j_z, j_t;
//  - a directory: every .h5/.hdf5 file in it, concatenated in file-name order.
// Throws DataError (file, row, column) for a missing or unreadable file, an
// empty file, a wrong column count, a missing or unknown column, a feature
// that is not a finite number, an unknown label and a label row that is not
// one-hot.
LabeledData read_jets(const std::string& path);

// `n` synthetic jets with the real feature names and classes, a function of
// (n, seed) only: the same bits on every run and thread count (the draws are
// sequential, over std::mt19937_64 and our own distributions).  Classes are
// balanced (n/5 each, the remainder to the first classes) and shuffled.  The
// features mimic the physics at the scale of the real ones: groomed mass in
// GeV with peaks at the W, Z and top masses, integer constituent multiplicity,
// long-tailed energy-correlation ratios.  The classes overlap and the jet
// shape shows only in small differences of correlated inputs, so a float
// 16-64-32-32-5 MLP reaches about 77 % test accuracy and loses 6-18 points when
// its weights are rounded to 4 bits after training, but only a few when
// trained with 4-bit weights (details in synthetic_jets.cpp).
LabeledData synthetic_jets(int64_t n, uint64_t seed);

}  // namespace datasets
