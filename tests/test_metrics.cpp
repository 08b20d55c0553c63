// accuracy, roc_curve, roc_auc, roc_auc_per_class and tpr_at_fpr against
// sklearn's documented examples, values worked by hand (derivation next to
// each), and a brute-force Mann-Whitney count as an independent AUC.
#include "tests/test_common.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "qtrain/metrics.h"

using Catch::Matchers::Contains;
using qtrain::RocCurve;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

at::Tensor doubles(const std::vector<double>& v) { return torch::tensor(v, torch::kDouble); }
at::Tensor longs(const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong); }

// sklearn's roc_curve / roc_auc_score documentation example:
// y = [1, 1, 2, 2] with pos_label=2, scores [0.1, 0.4, 0.35, 0.8].
const std::vector<double> kDocScores = {0.1, 0.4, 0.35, 0.8};
const std::vector<int64_t> kDocPositive = {0, 0, 1, 1};

// P(score of a positive > score of a negative) + half the ties, over all pairs.
double mann_whitney_auc(const std::vector<double>& scores, const std::vector<int64_t>& positive) {
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    for (size_t j = 0; j < scores.size(); ++j)
      if (positive[i] && !positive[j]) {
        pairs += 1;
        wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
      }
  return wins / pairs;
}

}  // namespace

TEST_CASE("accuracy takes the first maximum on ties, like numpy.argmax", "[metrics]") {
  // Row 0: tie between classes 0 and 1 -> predicts 0 (label 0: right).
  // Row 1: same tie, label 1 -> wrong.  Row 2: max at 2, label 2 -> right.
  // Row 3: max at 1, label 0 -> wrong.  2 of 4 right.
  const at::Tensor scores =
      torch::tensor({0.5f, 0.5f, 0.1f, 0.5f, 0.5f, 0.1f, 0.1f, 0.2f, 0.7f, 0.3f, 0.6f, 0.1f}).view({4, 3});
  CHECK(qtrain::accuracy(scores, longs({0, 1, 2, 0})) == 0.5);
  CHECK(qtrain::accuracy(scores, longs({0, 0, 2, 1})) == 1.0);
  CHECK(qtrain::accuracy(scores, torch::tensor({1, 1, 0, 0}, torch::kInt)) == 0.0);
}

TEST_CASE("accuracy rejects bad input and is NaN without samples", "[metrics]") {
  const at::Tensor scores = torch::tensor({0.1, 0.9, kNaN, 0.2}).view({2, 2});
  CHECK_THROWS_WITH(qtrain::accuracy(scores, longs({1, 0})), Contains("accuracy") && Contains("row 1"));
  const at::Tensor good = torch::tensor({0.1, 0.9, 0.3, 0.2}).view({2, 2});
  CHECK_THROWS_WITH(qtrain::accuracy(good, longs({1, 2})), Contains("label 2"));
  CHECK_THROWS_WITH(qtrain::accuracy(good, longs({-1, 0})), Contains("label -1"));
  CHECK_THROWS_AS(qtrain::accuracy(good, longs({1})), std::invalid_argument);
  CHECK_THROWS_AS(qtrain::accuracy(good, doubles({1, 0})), std::invalid_argument);
  CHECK_THROWS_AS(qtrain::accuracy(doubles({0.1, 0.9}), longs({1, 0})), std::invalid_argument);
  CHECK(std::isnan(qtrain::accuracy(torch::zeros({0, 3}), longs({}))));
}

TEST_CASE("roc_curve reproduces sklearn's documentation example", "[metrics]") {
  const RocCurve curve = qtrain::roc_curve(doubles(kDocScores), longs(kDocPositive));
  CHECK(curve.fpr == std::vector<double>{0, 0, 0.5, 0.5, 1});
  CHECK(curve.tpr == std::vector<double>{0, 0.5, 0.5, 1, 1});
  CHECK(curve.thresholds == std::vector<double>{kInf, 0.8, 0.4, 0.35, 0.1});
  // Pairs (positive, negative): 0.35 beats 0.1 but not 0.4, 0.8 beats both: 3/4.
  CHECK(qtrain::roc_auc(curve) == 0.75);
  CHECK(qtrain::roc_auc(doubles(kDocScores), longs(kDocPositive)) == 0.75);
  // Bool targets and float32 scores give the same curve; thresholds are the
  // float32 values widened.
  const RocCurve from_float = qtrain::roc_curve(torch::tensor({0.1f, 0.4f, 0.35f, 0.8f}),
                                                torch::tensor({false, false, true, true}));
  CHECK(from_float.fpr == curve.fpr);
  CHECK(from_float.tpr == curve.tpr);
  CHECK(from_float.thresholds ==
        std::vector<double>{kInf, double(0.8f), double(0.4f), double(0.35f), double(0.1f)});
}

TEST_CASE("roc_curve merges tied scores into one diagonal step", "[metrics]") {
  // Sorted: 0.5 (pos), 0.5 (neg), 0.5 (pos), 0.2 (neg).  Threshold 0.5 accepts
  // 2 of 2 positives and 1 of 2 negatives; 0.2 accepts everything.
  const std::vector<double> scores = {0.5, 0.5, 0.2, 0.5};
  const std::vector<int64_t> positive = {1, 0, 0, 1};
  const RocCurve curve = qtrain::roc_curve(doubles(scores), longs(positive));
  CHECK(curve.fpr == std::vector<double>{0, 0.5, 1});
  CHECK(curve.tpr == std::vector<double>{0, 1, 1});
  CHECK(curve.thresholds == std::vector<double>{kInf, 0.5, 0.2});
  // Area: 0.5·(0+1)/2 + 0.5·(1+1)/2 = 0.75; pairs: each positive ties one
  // negative (1/2) and beats the other (1): (1.5 + 1.5) / 4.
  CHECK(qtrain::roc_auc(curve) == 0.75);
  CHECK(mann_whitney_auc(scores, positive) == 0.75);
  // The input order inside a tie group does not matter.
  const RocCurve permuted = qtrain::roc_curve(doubles({0.5, 0.5, 0.5, 0.2}), longs({0, 1, 1, 0}));
  CHECK(permuted.fpr == curve.fpr);
  CHECK(permuted.tpr == curve.tpr);
}

TEST_CASE("roc_auc equals the Mann-Whitney statistic with many ties", "[metrics]") {
  // Scores on a coarse grid so that most pairs tie; labels correlated with them.
  torch::manual_seed(7);
  const at::Tensor labels = torch::randint(0, 2, {400}, torch::kLong);
  const at::Tensor scores = (torch::rand({400}, torch::kDouble) * 8 + labels.to(torch::kDouble) * 3).floor();
  const std::vector<double> s(scores.data_ptr<double>(), scores.data_ptr<double>() + 400);
  const std::vector<int64_t> y(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + 400);
  const double expected = mann_whitney_auc(s, y);
  REQUIRE(expected > 0.6);  // the data carries signal, so a reversed curve would fail
  CHECK(qtrain::roc_auc(scores, labels) == Approx(expected).epsilon(1e-12));
  // Reversing the score reverses the ranking: AUC -> 1 - AUC.
  CHECK(qtrain::roc_auc(-scores, labels) == Approx(1 - expected).epsilon(1e-12));
}

TEST_CASE("roc_auc is exact on a million interleaved samples", "[metrics]") {
  // Negatives score 2i, positives 2i+1 (i < M): positive i beats negatives
  // 0..i, so the AUC is sum(i+1)/M^2 = (M+1)/(2M).  Shuffled so the sort matters.
  const int64_t m = 1000000;
  const at::Tensor index = torch::arange(2 * m, torch::kLong);
  torch::manual_seed(3);
  const at::Tensor order = torch::randperm(2 * m, torch::kLong);
  const at::Tensor scores = index.index_select(0, order).to(torch::kDouble);
  const at::Tensor positive = index.index_select(0, order).remainder(2);
  CHECK(qtrain::roc_auc(scores, positive) == Approx((m + 1.0) / (2.0 * m)).epsilon(1e-12));
}

TEST_CASE("one-class inputs give NaN rates and NaN AUC", "[metrics]") {
  // No negatives: FPR undefined (sklearn warns, returns nan), TPR fine.
  const RocCurve all_positive = qtrain::roc_curve(doubles({0.3, 0.7}), longs({1, 1}));
  REQUIRE(all_positive.fpr.size() == 3);
  for (double x : all_positive.fpr) CHECK(std::isnan(x));
  CHECK(all_positive.tpr == std::vector<double>{0, 0.5, 1});
  CHECK(std::isnan(qtrain::roc_auc(all_positive)));
  CHECK(std::isnan(qtrain::tpr_at_fpr(all_positive, 0.1)));
  // No positives: TPR undefined.
  const RocCurve all_negative = qtrain::roc_curve(doubles({0.3, 0.7}), longs({0, 0}));
  CHECK(all_negative.fpr == std::vector<double>{0, 0.5, 1});
  for (double x : all_negative.tpr) CHECK(std::isnan(x));
  CHECK(std::isnan(qtrain::roc_auc(doubles({0.3, 0.7}), longs({0, 0}))));
}

TEST_CASE("ROC functions reject non-finite scores and non-binary targets", "[metrics]") {
  CHECK_THROWS_WITH(qtrain::roc_curve(doubles({0.1, kNaN}), longs({0, 1})),
                    Contains("roc_curve") && Contains("nan") && Contains("index 1"));
  CHECK_THROWS_WITH(qtrain::roc_auc(doubles({kInf, 0.2}), longs({0, 1})),
                    Contains("roc_curve") && Contains("inf") && Contains("index 0"));
  CHECK_THROWS_WITH(qtrain::roc_curve(doubles({0.1, 0.2}), longs({0, 2})),
                    Contains("is_positive") && Contains("index 1"));
  CHECK_THROWS_AS(qtrain::roc_curve(doubles({0.1, 0.2}), longs({0, 1, 1})), std::invalid_argument);
  CHECK_THROWS_AS(qtrain::roc_curve(doubles({0.1, 0.2}).view({1, 2}), longs({0, 1})),
                  std::invalid_argument);
  const at::Tensor two_class = torch::tensor({0.1, 0.9, kNaN, 0.2}).view({2, 2});
  CHECK_THROWS_WITH(qtrain::roc_auc_per_class(two_class, longs({1, 0})),
                    Contains("roc_auc_per_class") && Contains("index 1 of class 0"));
  CHECK_THROWS_WITH(qtrain::roc_auc_per_class(torch::ones({2, 2}), longs({0, 5})), Contains("label 5"));
}

TEST_CASE("roc_auc_per_class is one-vs-rest per column", "[metrics]") {
  // 5 samples, 3 classes; class 2 never occurs.
  //   class 0: positives rows 0, 1 score 0.9, 0.4; negatives rows 2-4 score 0.5,
  //     0.2, 0.1.  0.9 beats 3, 0.4 beats 2: 5/6.
  //   class 1: positives rows 2-4 all score 0.3; negatives rows 0, 1 score 0.1,
  //     0.3.  Each positive beats one (1) and ties one (1/2): 3·1.5 / 6 = 0.75.
  //   class 2: no positives -> NaN.
  const at::Tensor scores = torch::tensor({0.9, 0.1, 0.0,    //
                                           0.4, 0.3, 0.5,    //
                                           0.5, 0.3, 0.2,    //
                                           0.2, 0.3, 0.5,    //
                                           0.1, 0.3, 0.6})   //
                                .view({5, 3});
  const at::Tensor labels = longs({0, 0, 1, 1, 1});
  const std::vector<double> aucs = qtrain::roc_auc_per_class(scores, labels);
  REQUIRE(aucs.size() == 3);
  CHECK(aucs[0] == Approx(5.0 / 6.0).epsilon(1e-15));
  CHECK(aucs[1] == 0.75);
  CHECK(std::isnan(aucs[2]));
  // Each entry is the binary AUC of its column (a strided view here).
  CHECK(aucs[0] == qtrain::roc_auc(scores.select(1, 0), labels.eq(0)));
}

TEST_CASE("tpr_at_fpr interpolates like numpy.interp", "[metrics]") {
  // Tie curve: (0, 0), (0.5, 1), (1, 1).
  const RocCurve diagonal = qtrain::roc_curve(doubles({0.5, 0.5, 0.2, 0.5}), longs({1, 0, 0, 1}));
  CHECK(qtrain::tpr_at_fpr(diagonal, 0.25) == 0.5);   // halfway up the first segment
  CHECK(qtrain::tpr_at_fpr(diagonal, 0.1) == Approx(0.2).epsilon(1e-15));
  CHECK(qtrain::tpr_at_fpr(diagonal, 0.0) == 0.0);
  CHECK(qtrain::tpr_at_fpr(diagonal, 0.75) == 1.0);
  CHECK(qtrain::tpr_at_fpr(diagonal, 1.0) == 1.0);
  CHECK(qtrain::tpr_at_fpr(diagonal, 2.0) == 1.0);   // right of the range: last value
  CHECK(qtrain::tpr_at_fpr(diagonal, -1.0) == 0.0);  // left: first value
  CHECK(std::isnan(qtrain::tpr_at_fpr(diagonal, kNaN)));

  // sklearn example: fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1].  At a
  // repeated FPR numpy.interp takes the last point: np.interp(0, ...) = 0.5 and
  // np.interp(0.5, ...) = 1.
  const RocCurve doc = qtrain::roc_curve(doubles(kDocScores), longs(kDocPositive));
  CHECK(qtrain::tpr_at_fpr(doc, 0.0) == 0.5);
  CHECK(qtrain::tpr_at_fpr(doc, 0.25) == 0.5);
  CHECK(qtrain::tpr_at_fpr(doc, 0.5) == 1.0);
  CHECK(qtrain::tpr_at_fpr(doc, 1e-5) == 0.5);

  // A hand-made curve with a sloped segment between FPR 0.2 and 0.6.
  const RocCurve sloped{{0, 0.2, 0.6, 1}, {0, 0.4, 0.8, 1}, {kInf, 3, 2, 1}};
  CHECK(qtrain::tpr_at_fpr(sloped, 0.3) == Approx(0.5).epsilon(1e-12));
  CHECK(qtrain::tpr_at_fpr(sloped, 0.8) == Approx(0.9).epsilon(1e-12));
  CHECK_THROWS_AS(qtrain::tpr_at_fpr(RocCurve{}, 0.1), std::invalid_argument);
}
