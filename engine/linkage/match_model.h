// Fellegi-Sunter scoring of a pair of person records from their anonymised identities. Each
// comparison (given name, family name, date of birth, postcode, PNC id, phone, email, vehicle, sex,
// address, place of birth)
// falls into one level, from agreement to disagreement; a level contributes log2(m / u), where m is
// the chance of that level for a true match and u for a non-match, and a comparison with a value
// missing on either side contributes nothing. Agreement on a frequent value says less than on a
// rare one: where the agreeing value is a token, u is its frequency among all records (term
// frequency adjustment). m and u start from sane priors and can be estimated from the data by EM.
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
};
inline constexpr int kComparisonCount = 11;

struct ComparisonLevel {
  std::string name;  // e.g. "dice>=0.90", "day/month swapped"
  double m = 0.5;
  double u = 0.5;
};

struct ComparisonSpec {
  std::string name;                     // e.g. "given_name"
  std::vector<ComparisonLevel> levels;  // from strongest agreement to disagreement
};

struct MatchModel {
  std::array<ComparisonSpec, kComparisonCount> comparisons;
  double link_weight = 10.0;  // pairs at or above this total weight are linked
  // Pairs below this are never put in one entity: evidence of 4,096 to 1 that they are two people
  // (different dates of birth, names and postcodes together). It is a veto for clear
  // contradictions only; chaining is held back by merge_mean_weight. At -4 one corrupted date
  // and a nickname were enough to veto, and on historical_50k (clusters of up to 21 noisy
  // records) that split true entities: F1 0.874 at -4, 0.903 at -12 (BENCHMARKS.md).
  double cannot_link_weight = -12.0;
  // Two clusters merge only if the mean weight of all pairs across them reaches this: a record
  // must agree with the entity as a whole, not just with the one record it links to.
  double merge_mean_weight = 5.0;
  double u_floor = 1e-7;  // smallest u used in term-frequency adjustment
  // Relative frequency of token values (kind byte + token) among person records, for term
  // frequency adjustment; tokens absent from the table use the level's u.
  absl::flat_hash_map<uint64_t, double> token_frequency;  // by LinkToken::packed

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

// The level of each comparison for a pair (-1 where a value is missing), with the similarities.
PairScore ComparePair(const MatchModel& model, const PersonRecord& a, const PersonRecord& b);

// Re-estimates every level's m and u from the levels of candidate pairs by expectation
// maximisation (as Splink does), starting from the model's values; `iterations` rounds.
void EstimateWithEm(const std::vector<PairScore>& pairs, int iterations, MatchModel* model);

// Fills model->token_frequency from `persons`: each term-frequency token's share of records.
void CountTokenFrequencies(const std::vector<const PersonRecord*>& persons, MatchModel* model);

// `base` fitted to a population of person records: value frequencies counted, then m and u
// re-estimated by EM over `candidate_pairs` (the blocking's pairs) when there are at least
// `min_pairs_for_em` of them. What a full relink uses.
struct FitOptions {
  int em_iterations = 10;
  size_t min_pairs_for_em = 1000;  // below this, the priors are kept
};
MatchModel FitModel(const std::vector<const PersonRecord*>& persons, MatchModel base);
MatchModel FitModelWithEm(
    const std::vector<const PersonRecord*>& persons,
    const std::vector<std::pair<const PersonRecord*, const PersonRecord*>>& candidate_pairs,
    MatchModel base, const FitOptions& options = FitOptions());

absl::string_view ComparisonName(Comparison c);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_MATCH_MODEL_H_
