// SVHN cropped digits (32×32 colour images of house-number digits, 10
// classes): the reader for the published .mat files and a deterministic
// synthetic stand-in.  Format and sources: shared/spec/datasets.md §4c.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/labeled_data.h"

namespace datasets {

// "0" .. "9": class k is digit k.
const std::vector<std::string>& svhn_class_names();

// Reads train_32x32.mat / test_32x32.mat / extra_32x32.mat (MATLAB level 5,
// compressed or not, or v7.3): `X` uint8 of dims (32, 32, 3, N) in MATLAB's
// column-major order and `y` (N, 1) of labels 1..10 (uint8 or double), where
// 10 means digit 0.  Returns features (N, 32, 32, 3) channels-last float32
// pixel / 255 (so in [0, 1]) and labels 0..9.  Throws DataError naming the
// file and the variable for a missing or unreadable file, a missing variable,
// wrong dimensions or class, label counts that differ from the image count
// and labels outside 0..10.
LabeledData read_svhn(const std::string& path);

// `n` synthetic SVHN-like images with the shapes and value grid of
// read_svhn() (multiples of 1/255), a function of (n, seed) only.  Each image
// is a digit glyph drawn from a 5×7 bitmap font at a random size and offset
// around the centre, in a random colour on a contrasting random background,
// with parts of neighbouring digits at the left and right edges and pixel
// noise.  Classes are balanced (n/10 each, remainder to the first) and
// shuffled.
LabeledData synthetic_svhn(int64_t n, uint64_t seed);

}  // namespace datasets
