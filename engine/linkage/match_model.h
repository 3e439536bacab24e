// Fellegi-Sunter scoring of a pair of person records from their anonymised identities. Each
// comparison (given name, family name, date of birth, postcode, PNC id, phone, email, vehicle, sex,
// address, place of birth, occupation)
// falls into one level, from agreement to disagreement; a level contributes log2(m / u), where m is
// the chance of that level for a true match and u for a non-match, and a comparison with a value
// missing on either side contributes nothing. Agreement on a frequent value says less than on a
// rare one: where the agreeing value is a token, u is its frequency among all records (term
// frequency adjustment). m and u start from sane priors, and a relink estimates both from the
// population it links: u from random pairs (FitModel), m from the sure matches among the
// blocking's candidate pairs (ConfidentPairCounter, run by Linker::Build).
// Thread-safe once built (pure functions of an immutable model).
#ifndef CROSSFORCE_ENGINE_LINKAGE_MATCH_MODEL_H_
#define CROSSFORCE_ENGINE_LINKAGE_MATCH_MODEL_H_

#include <array>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/linkage/person_record.h"

namespace crossforce {

enum class Comparison {
  kGivenName,
  kFamilyName,
  kDateOfBirth,
  kPostcode,
  kPncId,
  kPhone,
  kEmail,
  kVehicle,
  kSex,
  kAddress,
  kBirthPlace,
  kOccupation,
};
inline constexpr int kComparisonCount = 12;

struct ComparisonLevel {
  std::string name;  // e.g. "dice>=0.90", "day/month swapped"
  double m = 0.5;
  double u = 0.5;
};

struct ComparisonSpec {
  std::string name;                     // e.g. "given_name"
  std::vector<ComparisonLevel> levels;  // from strongest agreement to disagreement
};

// How likely a record is to belong to its entity, from the weight w of the strongest link holding
// it there: log2 odds = at_link_weight + per_doubling x population_doublings
// + per_bit x (w - link_weight). Summed comparison weights are not log2 odds: correlated
// comparisons each count the same evidence again, so a bit of weight moves the odds by less than
// a bit, and the link weight rises faster with the population than its prior odds fall
// (FitOptions::weight_per_doubling). The defaults are a least-squares fit of the log odds below 8
// bits of margin, each data set weighing alike, measured against the truth on historical_50k and
// on the linker benchmark's records at 100,000, 1,000,000 and 10,000,000 (BENCHMARKS.md): a
// record held by a link just over the link weight belongs half the time in a population of
// 50,000, 0.78 of the time in one of a million; each bit over it adds 0.77 bits of log odds.
struct LinkConfidenceCurve {
  double at_link_weight = 0;
  double per_doubling = 0.42;
  double per_bit = 0.77;
};

struct MatchModel {
  std::array<ComparisonSpec, kComparisonCount> comparisons;
  // Pairs at or above this total weight are linked. FitModel raises it for a population larger
  // than FitOptions::calibration_population.
  double link_weight = 10.0;
  // Pairs below this are never put in one entity: evidence of 4,096 to 1 that they are two people
  // (different dates of birth, names and postcodes together). It is a veto for clear
  // contradictions only; chaining is held back by merge_mean_weight. At -4 one corrupted date
  // and a nickname were enough to veto, and on historical_50k (clusters of up to 21 noisy
  // records) that split true entities: F1 0.874 at -4, 0.903 at -12 (BENCHMARKS.md).
  double cannot_link_weight = -12.0;
  // Two clusters merge only if the mean weight of all pairs across them reaches this: a record
  // must agree with the entity as a whole, not just with the one record it links to. FitModel
  // raises it with link_weight.
  double merge_mean_weight = 5.0;
  // log2 of the population the model was fitted to over FitOptions::calibration_population when
  // larger, else 0 (FitModel): link_weight and merge_mean_weight were raised by
  // FitOptions::weight_per_doubling bits for each, for the population's lower prior odds. The
  // linker raises its similarity screen with it too
  // (LinkerOptions::lsh_min_dice_per_doubling).
  double population_doublings = 0;
  LinkConfidenceCurve confidence;
  // Smallest probability used: u in term-frequency adjustment, and any m or u estimated from
  // the data (a level never observed must not weigh infinitely).
  double u_floor = 1e-7;
  // Relative frequency of token values (kind byte + token) among person records, for term
  // frequency adjustment; tokens absent from the table use the level's u.
  absl::flat_hash_map<uint64_t, double> token_frequency;  // by LinkToken::packed

  // The probability that a record belongs to its entity when the strongest link holding it there
  // weighs `weight` (the curve above).
  double LinkConfidence(double weight) const;

  // Priors for police person records.
  static MatchModel Default();
};

struct ComparisonOutcome {
  Comparison comparison = Comparison::kGivenName;
  int level = -1;            // index into the spec's levels; -1: a value is missing, no evidence
  double weight = 0.0;       // log2(m / u) of the level, after term-frequency adjustment
  double similarity = -1.0;  // Dice of the filters where one was compared, else -1
  bool term_frequency_adjusted = false;
};

struct PairScore {
  double weight = 0.0;  // sum of the comparisons' weights
  std::array<ComparisonOutcome, kComparisonCount> comparisons;
};

// Scores pairs under one model, with every level's weight, log2(m / u), taken once rather than
// per pair: a relink scores tens of millions of pairs, and the logarithms were a tenth of scoring.
// Reads the model's term frequencies, so the model must outlive the scorer, and a scorer must be
// made afresh when the model changes.
class PairScorer {
 public:
  explicit PairScorer(const MatchModel& model);

  // The level of each comparison for a pair (-1 where a value is missing), with the similarities.
  PairScore Compare(const PersonView& a, const PersonView& b) const;

 private:
  // Sets the outcome's level and weight, adjusting u by the frequency of `tf_token` when given.
  void SetLevel(Comparison c, int level, const LinkToken* tf_token, ComparisonOutcome& out) const;

  const MatchModel* model_;
  // log2(m / u), by comparison and level.
  std::array<std::array<double, 8>, kComparisonCount> weight_{};
};

// Fills model->token_frequency from `persons`: each term-frequency token's share of records.
void CountTokenFrequencies(const std::vector<const PersonRecord*>& persons, MatchModel* model);

// Re-estimates every level's u from random pairs of `persons`, nearly all of them two different
// people (as Splink does): up to `sample_pairs` pairs drawn with a fixed seed, or every pair when
// there are fewer. The model's prior u weighs as `prior_pairs` pairs, so that a level the sample
// never shows (an exact PNC id agreeing) keeps its prior and a small population barely moves it.
// The pairs are compared on `workers` threads; the estimate does not depend on how many.
void EstimateUFromRandomPairs(const std::vector<const PersonRecord*>& persons, size_t sample_pairs,
                              double prior_pairs, MatchModel* model, size_t workers = 1);

// Estimates each level's m from candidate pairs that are sure matches without it: a pair counts
// for comparison c when the weight of its other comparisons reaches `confident_weight`. Splink
// trains each comparison on pairs chosen by a rule that does not involve it for the same reason:
// a pair chosen because it agrees on c says nothing about how often true matches disagree on c.
//
// Expectation maximisation over the blocking's candidate pairs (with u from random pairs or not)
// was tried and collapses on these data: the candidate pairs are mostly namesakes, and EM takes
// "shares a name" for the match class (FEBRL4 precision 0.88, historical_50k 0.81; BENCHMARKS.md).
// Per comparison, how many pairs fell in each of its levels (no comparison has more than eight).
using LevelCounts = std::array<std::array<double, 8>, kComparisonCount>;

class ConfidentPairCounter {
 public:
  // `model` must outlive the counter.
  ConfidentPairCounter(const MatchModel& model, double confident_weight)
      : scorer_(model), confident_weight_(confident_weight) {}

  // Scores a candidate pair under the model and counts its levels where the pair qualifies.
  void Add(const PersonView& a, const PersonView& b);
  // Adds another counter's counts (one counter per worker thread).
  void Merge(const ConfidentPairCounter& other);
  // How many pairs were counted for comparison c.
  double counted(Comparison c) const;
  // Sets every level's m to its share among the counted pairs, with the model's prior m weighing
  // as `prior_pairs` pairs (a comparison no sure match shows keeps its prior).
  void EstimateM(double prior_pairs, MatchModel* model) const;

 private:
  PairScorer scorer_;
  const double confident_weight_;
  LevelCounts counts_{};
};

// `base` fitted to a population of person records (each with its tokens sorted, as the
// linker's are): how common each token value is (term-frequency adjustment), and u from random
// pairs, and the link and merge weights raised for a population larger than the calibration's
// (FitOptions::calibration_population). What a full
// relink does before it links; the linker's Build then estimates m from the
// candidate pairs it finds (LinkerOptions::m_estimation). Deterministic: the same population
// gives the same model.
struct FitOptions {
  // Random pairs that estimate u. A million shows a level as rare as one pair in 2,000 (the same
  // date of birth) about 500 times.
  size_t u_sample_pairs = 1000000;
  double u_prior_pairs = 10000;  // weight of the prior u, in pairs
  // The population the base model's link weight suits. Each record has about one match among
  // the n records held, so the prior odds that two records are one person fall as 1/n, and the
  // evidence a link needs grows with log2 of the population: a population larger than this
  // raises the link weight, and the mean weight two clusters need to merge, by
  // weight_per_doubling x log2(n / calibration_population); a smaller one leaves them. The default
  // link weight was tuned on the accuracy data sets, of 1,000 to 50,578 records. At a million
  // benchmark records with names as common as real ones, it linked 43,000 pairs of namesakes
  // (12% of links) into components of up to 7,000 records (BENCHMARKS.md).
  double calibration_population = 50000;
  // Bits the link weight and merge_mean_weight rise by for each doubling of the population past
  // calibration_population. One bit would suit weights that were log2 likelihood ratios, but
  // the summed weights are not: measured against the truth at a million and ten million
  // benchmark records, a record's log2 odds of belonging to its entity rose by only 0.52-0.63
  // for each bit its strongest link cleared the link weight by (BENCHMARKS.md), so the prior
  // odds' fall of one bit a doubling needs about 1 / 0.57 bits of weight. At a million records
  // (4.3 doublings) one bit a doubling gave pair precision / recall 0.925 / 0.994, 1.5 bits
  // 0.974 / 0.989, 1.75 bits 0.985 / 0.985 and 2 bits 0.993 / 0.980; at ten million, 1.75 bits
  // gave 0.997 / 0.959 (0.734 / 0.985 at one). The accuracy data sets, of at most 50,578 records
  // (0.017 doublings), barely move: historical_50k's F1 went from 0.9333 to 0.9332.
  double weight_per_doubling = 1.75;
  int threads = 0;  // threads that compare the random pairs; 0: one per core
};
MatchModel FitModel(const std::vector<const PersonRecord*>& persons, MatchModel base,
                    const FitOptions& options = FitOptions());

absl::string_view ComparisonName(Comparison c);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_MATCH_MODEL_H_
