#include "engine/linkage/match_model.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/linkage/dice.h"
#include "engine/workers.h"

namespace crossforce {
namespace {

constexpr double kDiceSame = 0.90;
constexpr double kDiceClose = 0.75;
constexpr double kDiceSimilar = 0.55;
// Email addresses: one slip of the keyboard in about twenty characters.
constexpr double kDiceEmailClose = 0.92;

// Whether both records hold tokens of `kind`, and whether any of them agree.
struct Shared {
  bool both_present = false;
  bool agree = false;
  const LinkToken* agreeing = nullptr;
};

Shared SharedTokens(const PersonView& a, const PersonView& b, TokenKind kind) {
  Shared s;
  const auto [a_begin, a_end] = a.TokensOf(kind);
  const auto [b_begin, b_end] = b.TokensOf(kind);
  s.both_present = a_begin != a_end && b_begin != b_end;
  // Both runs are sorted: merge them.
  for (const LinkToken *x = a_begin, *y = b_begin; x != a_end && y != b_end;) {
    if (x->packed == y->packed) {
      s.agree = true;
      s.agreeing = x;
      ++x;
      ++y;
    } else if (x->packed < y->packed) {
      ++x;
    } else {
      ++y;
    }
  }
  return s;
}

// The level of a filter comparison in three Dice bands (same, close, similar) and below them; -1
// when either side is missing. Sets `similarity` when both are present.
int DiceLevel(const PersonView& a, const PersonView& b, EncodedField f, double* similarity) {
  if (a.filter(f).empty() || b.filter(f).empty()) return -1;
  *similarity = a.FilterDice(b, f);
  return *similarity >= kDiceSame      ? 0
         : *similarity >= kDiceClose   ? 1
         : *similarity >= kDiceSimilar ? 2
                                       : 3;
}

// The family name levels that are not Dice bands (see MatchModel::Default).
constexpr int kFamilySoleName = 3;
constexpr int kFamilyDifferent = 4;

// `sole`'s lone name (kSoleNamePhonetic, keyed as a family name's Soundex) agreeing with a family
// name Soundex of `other`: the agreeing family name token, or null. The two kinds share a key, so
// a token's value is its fingerprint.
const LinkToken* SoleNameSoundsLikeFamilyName(const PersonView& sole, const PersonView& other) {
  const auto [sole_begin, sole_end] = sole.TokensOf(TokenKind::kSoleNamePhonetic);
  const auto [family_begin, family_end] = other.TokensOf(TokenKind::kFamilyNamePhonetic);
  for (const LinkToken* s = sole_begin; s != sole_end; ++s) {
    for (const LinkToken* f = family_begin; f != family_end; ++f) {
      if (s->fingerprint() == f->fingerprint()) return f;
    }
  }
  return nullptr;
}

// Whether both filters are present and their Dice reaches `floor`; sets `similarity` when both are
// present. For levels below exact agreement, so it is called only once the tokens disagree.
bool FiltersAtLeast(const PersonView& a, const PersonView& b, EncodedField f, double floor,
                    double* similarity) {
  if (a.filter(f).empty() || b.filter(f).empty()) return false;
  *similarity = a.FilterDice(b, f);
  return *similarity >= floor;
}

// into += from, level by level (tallies kept per worker, joined afterwards).
void AddLevelCounts(const LevelCounts& from, LevelCounts& into) {
  for (int c = 0; c < kComparisonCount; ++c) {
    for (size_t l = 0; l < into[c].size(); ++l) into[c][l] += from[c][l];
  }
}

// Sets every level's `probability` (its m or its u) to the level's share of `counts`, with the
// model's value weighing as `prior_pairs` pairs. A comparison with nothing to go on keeps its
// values. Floored at u_floor: a level never observed must not weigh infinitely.
void BlendWithPrior(const LevelCounts& counts, double prior_pairs,
                    double ComparisonLevel::*probability, MatchModel* model) {
  for (int c = 0; c < kComparisonCount; ++c) {
    double observed = 0;
    for (double v : counts[c]) observed += v;
    if (observed + prior_pairs <= 0) continue;
    std::vector<ComparisonLevel>& levels = model->comparisons[c].levels;
    for (size_t l = 0; l < levels.size() && l < counts[c].size(); ++l) {
      double& p = levels[l].*probability;
      p = std::max((counts[c][l] + prior_pairs * p) / (observed + prior_pairs), model->u_floor);
    }
  }
}

}  // namespace

absl::string_view ComparisonName(Comparison c) {
  static constexpr absl::string_view kNames[] = {
      "given_name", "family_name", "date_of_birth", "postcode", "pnc_id",      "phone",
      "email",      "vehicle",     "sex",           "address",  "birth_place", "occupation"};
  return kNames[static_cast<int>(c)];
}

double MatchModel::LinkConfidence(double weight) const {
  const double log2_odds = confidence.at_link_weight +
                           confidence.per_doubling * std::max(0.0, population_doublings) +
                           confidence.per_bit * (weight - link_weight);
  return 1 / (1 + std::exp2(-log2_odds));
}

MatchModel MatchModel::Default() {
  MatchModel m;
  auto set = [&](Comparison c, std::vector<ComparisonLevel> levels) {
    m.comparisons[static_cast<int>(c)] = {std::string(ComparisonName(c)), std::move(levels)};
  };
  set(Comparison::kGivenName, {{"dice>=0.90 or swapped with family name", 0.72, 0.01},
                               {"same canonical name or dice>=0.75", 0.14, 0.006},
                               {"dice>=0.55", 0.07, 0.03},
                               {"different", 0.07, 0.954}});
  // A record with a given name and no family name may hold the family name in the wrong field:
  // its Soundex agreeing with the other record's family name is a level of its own, from the
  // data (historical_50k: a tenth of the records, half of them such).
  set(Comparison::kFamilyName, {{"dice>=0.90 or swapped with given name", 0.80, 0.004},
                                {"dice>=0.75", 0.11, 0.003},
                                {"dice>=0.55", 0.05, 0.02},
                                {"the other's sole name sounds the same", 0.02, 0.001},
                                {"different", 0.02, 0.972}});
  // A date typed with one wrong digit keeps most of its digit pairs (Dice of the date filters
  // about 0.7-0.9; two unrelated dates of one decade share about half).
  set(Comparison::kDateOfBirth, {{"same date", 0.86, 0.0005},
                                 {"day and month swapped", 0.03, 0.0001},
                                 {"one digit different (dice>=0.75)", 0.04, 0.002},
                                 {"same birth year", 0.04, 0.018},
                                 {"different", 0.03, 0.9794}});
  set(Comparison::kPostcode,
      {{"dice>=0.90", 0.45, 0.001}, {"same district", 0.15, 0.02}, {"different", 0.40, 0.979}});
  set(Comparison::kPncId, {{"same", 0.97, 1e-6}, {"different", 0.03, 0.999999}});
  set(Comparison::kPhone, {{"a number shared", 0.55, 1e-5}, {"none shared", 0.45, 0.99999}});
  // An email address typed with a slip keeps most of its character pairs, and two people's at one
  // provider share about half. But user names are often built from names, so namesakes'
  // addresses are close too (joseph.856@ and joseph.756@): the middle level is worth 3 bits,
  // support for a link and never one alone.
  set(Comparison::kEmail, {{"an address shared", 0.55, 1e-5},
                           {"same user name, or first addresses close (dice>=0.92)", 0.10, 0.0125},
                           {"none shared", 0.35, 0.98749}});
  set(Comparison::kVehicle, {{"a vehicle shared", 0.45, 1e-4}, {"none shared", 0.55, 0.9999}});
  set(Comparison::kSex, {{"same", 0.97, 0.5}, {"different", 0.03, 0.5}});
  // Addresses change (people move) and are written many ways: a close match is strong evidence,
  // a difference weak.
  set(Comparison::kAddress, {{"dice>=0.90", 0.55, 0.0005},
                             {"dice>=0.75", 0.15, 0.002},
                             {"dice>=0.55", 0.10, 0.02},
                             {"different", 0.20, 0.9775}});
  // Places of birth are recorded at different grains (a town, its borough, the county), so a
  // difference is weak evidence; agreement is adjusted by how common the place is.
  set(Comparison::kBirthPlace,
      {{"same place", 0.80, 0.01}, {"dice>=0.75", 0.05, 0.003}, {"different", 0.15, 0.987}});
  // People change jobs and records word them differently, so a difference is weak evidence;
  // agreement is adjusted by how common the occupation is.
  set(Comparison::kOccupation, {{"same occupation", 0.70, 0.05}, {"different", 0.30, 0.95}});
  return m;
}

PairScorer::PairScorer(const MatchModel& model) : model_(&model) {
  for (int c = 0; c < kComparisonCount; ++c) {
    const std::vector<ComparisonLevel>& levels = model.comparisons[c].levels;
    for (size_t l = 0; l < levels.size() && l < weight_[c].size(); ++l) {
      weight_[c][l] = std::log2(levels[l].m / levels[l].u);
    }
  }
}

void PairScorer::SetLevel(Comparison c, int level, const LinkToken* tf_token,
                          ComparisonOutcome& out) const {
  out.comparison = c;
  out.level = level;
  if (level < 0) return;
  out.weight = weight_[static_cast<int>(c)][level];
  if (tf_token != nullptr && !model_->token_frequency.empty()) {
    auto it = model_->token_frequency.find(tf_token->packed);
    if (it != model_->token_frequency.end()) {
      const double m = model_->comparisons[static_cast<int>(c)].levels[level].m;
      out.weight = std::log2(m / std::max(it->second, model_->u_floor));
      out.term_frequency_adjusted = true;
    }
  }
}

PairScore PairScorer::Compare(const PersonView& a, const PersonView& b) const {
  PairScore score;
  auto& out = score.comparisons;

  {  // given name: filter similarity, with the canonical (nickname-mapped) token
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kGivenName)];
    const Shared canonical = SharedTokens(a, b, TokenKind::kGivenNameCanonical);
    int level = -1;
    if (!a.filter(EncodedField::kGivenName).empty() &&
        !b.filter(EncodedField::kGivenName).empty()) {
      o.similarity = a.FilterDice(b, EncodedField::kGivenName);
      level = o.similarity >= kDiceSame                       ? 0
              : canonical.agree || o.similarity >= kDiceClose ? 1
              : o.similarity >= kDiceSimilar                  ? 2
                                                              : 3;
    }
    SetLevel(Comparison::kGivenName, level, level <= 1 ? canonical.agreeing : nullptr, o);
  }
  {  // family name
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kFamilyName)];
    const int dice_level = DiceLevel(a, b, EncodedField::kFamilyName, &o.similarity);
    int level = dice_level == 3 ? kFamilyDifferent : dice_level;
    const LinkToken* phonetic =
        level == 0 ? SharedTokens(a, b, TokenKind::kFamilyNamePhonetic).agreeing : nullptr;
    if (level < 0) {
      // One record's lone name against the other's family name, when it sounds the same. The
      // lone name then says nothing about the given name it was compared with above.
      phonetic = SoleNameSoundsLikeFamilyName(a, b);
      if (phonetic == nullptr) phonetic = SoleNameSoundsLikeFamilyName(b, a);
      if (phonetic != nullptr) {
        level = kFamilySoleName;
        ComparisonOutcome& given = out[static_cast<int>(Comparison::kGivenName)];
        if (given.level > 1) SetLevel(Comparison::kGivenName, -1, nullptr, given);
      }
    }
    SetLevel(Comparison::kFamilyName, level, phonetic, o);
  }
  {
    // Given and family name written the other way round: both agree, through the sorted token.
    ComparisonOutcome& given = out[static_cast<int>(Comparison::kGivenName)];
    ComparisonOutcome& family = out[static_cast<int>(Comparison::kFamilyName)];
    if (given.level > 0 && family.level > 0 && SharedTokens(a, b, TokenKind::kNamesSorted).agree) {
      SetLevel(Comparison::kGivenName, 0, nullptr, given);
      SetLevel(Comparison::kFamilyName, 0, nullptr, family);
    }
  }
  {  // date of birth: exact, day and month swapped, one digit out, same year, different
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kDateOfBirth)];
    const Shared exact = SharedTokens(a, b, TokenKind::kDateOfBirth);
    int level = -1;
    if (exact.both_present) {
      level = exact.agree                                                                   ? 0
              : SharedTokens(a, b, TokenKind::kDateOfBirthDayMonthSorted).agree             ? 1
              : FiltersAtLeast(a, b, EncodedField::kDateOfBirth, kDiceClose, &o.similarity) ? 2
              : SharedTokens(a, b, TokenKind::kBirthYear).agree                             ? 3
                                                                                            : 4;
    }
    SetLevel(Comparison::kDateOfBirth, level, level == 0 ? exact.agreeing : nullptr, o);
  }
  {  // postcode: close filter, same district, different
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kPostcode)];
    int level = -1;
    if (!a.filter(EncodedField::kPostcode).empty() && !b.filter(EncodedField::kPostcode).empty()) {
      o.similarity = a.FilterDice(b, EncodedField::kPostcode);
      level = o.similarity >= kDiceSame                               ? 0
              : SharedTokens(a, b, TokenKind::kPostcodeOutward).agree ? 1
                                                                      : 2;
    }
    SetLevel(Comparison::kPostcode, level, nullptr, o);
  }
  {  // email: an address shared, the first addresses close, none shared
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kEmail)];
    const Shared s = SharedTokens(a, b, TokenKind::kEmail);
    int level = -1;
    if (s.both_present) {
      level = s.agree ? 0
              : SharedTokens(a, b, TokenKind::kEmailUser).agree ||
                      FiltersAtLeast(a, b, EncodedField::kEmail, kDiceEmailClose, &o.similarity)
                  ? 1
                  : 2;
    }
    SetLevel(Comparison::kEmail, level, nullptr, o);
  }
  const std::pair<Comparison, TokenKind> exact_identifiers[] = {
      {Comparison::kPncId, TokenKind::kPncId},
      {Comparison::kPhone, TokenKind::kPhone},
      {Comparison::kVehicle, TokenKind::kVehicle}};
  for (const auto& [comparison, kind] : exact_identifiers) {
    const Shared s = SharedTokens(a, b, kind);
    SetLevel(comparison, s.both_present ? (s.agree ? 0 : 1) : -1, nullptr,
             out[static_cast<int>(comparison)]);
  }
  {  // address: filter similarity
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kAddress)];
    const int level = DiceLevel(a, b, EncodedField::kAddress, &o.similarity);
    SetLevel(Comparison::kAddress, level, nullptr, o);
  }
  {  // place of birth: the same (normalised) place, a spelling variant, different
    ComparisonOutcome& o = out[static_cast<int>(Comparison::kBirthPlace)];
    const Shared same = SharedTokens(a, b, TokenKind::kBirthPlace);
    int level = -1;
    if (same.both_present) {
      level = same.agree                                                                   ? 0
              : FiltersAtLeast(a, b, EncodedField::kBirthPlace, kDiceClose, &o.similarity) ? 1
                                                                                           : 2;
    }
    SetLevel(Comparison::kBirthPlace, level, level == 0 ? same.agreeing : nullptr, o);
  }
  {  // occupation: the same (normalised) words, or different
    const Shared same = SharedTokens(a, b, TokenKind::kOccupation);
    const int level = same.both_present ? (same.agree ? 0 : 1) : -1;
    SetLevel(Comparison::kOccupation, level, level == 0 ? same.agreeing : nullptr,
             out[static_cast<int>(Comparison::kOccupation)]);
  }
  {
    const bool known = a.sex() != Sex::kUnknown && b.sex() != Sex::kUnknown;
    SetLevel(Comparison::kSex, known ? (a.sex() == b.sex() ? 0 : 1) : -1, nullptr,
             out[static_cast<int>(Comparison::kSex)]);
  }
  for (const ComparisonOutcome& o : out) score.weight += o.weight;
  return score;
}

void EstimateUFromRandomPairs(const std::vector<const PersonRecord*>& persons, size_t sample_pairs,
                              double prior_pairs, MatchModel* model, size_t workers) {
  const size_t n = persons.size();
  if (n < 2) return;
  // The pairs are drawn first, then compared on the workers, each counting into its own tally:
  // the counts are whole numbers, so their sum does not depend on how the pairs were shared.
  std::vector<std::pair<size_t, size_t>> pairs;
  if (n * (n - 1) / 2 <= sample_pairs) {
    pairs.reserve(n * (n - 1) / 2);
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = a + 1; b < n; ++b) pairs.emplace_back(a, b);
    }
  } else {
    // A fixed seed: a relink must be reproducible. The engine is fully specified by the
    // standard; std::uniform_int_distribution is not (another standard library would draw other
    // pairs), and a modulus's bias at these sizes is far below the sampling error.
    std::mt19937_64 random(0x7a11d0u);
    pairs.reserve(sample_pairs);
    for (size_t s = 0; s < sample_pairs; ++s) {
      const size_t a = random() % n;
      const size_t b = random() % n;
      if (a != b) pairs.emplace_back(a, b);
    }
  }
  const PairScorer scorer(*model);
  const auto count_pairs = [&](size_t begin, size_t end, LevelCounts& counts) {
    for (size_t p = begin; p < end; ++p) {
      // Random pairs are scattered through memory: fetch both records ahead.
      if (p + kPrefetchRecordAhead < end) {
        const auto [a, b] = pairs[p + kPrefetchRecordAhead];
        PrefetchPersonRecord(*persons[a]);
        PrefetchPersonRecord(*persons[b]);
      }
      if (p + kPrefetchFieldsAhead < end) {
        const auto [a, b] = pairs[p + kPrefetchFieldsAhead];
        PrefetchPersonFields(*persons[a]);
        PrefetchPersonFields(*persons[b]);
      }
      const PairScore score = scorer.Compare(*persons[pairs[p].first], *persons[pairs[p].second]);
      for (int c = 0; c < kComparisonCount; ++c) {
        const int level = score.comparisons[c].level;
        if (level >= 0 && static_cast<size_t>(level) < counts[c].size()) counts[c][level] += 1;
      }
    }
  };
  constexpr size_t kChunk = 4096;
  std::vector<LevelCounts> tallies(std::max<size_t>(workers, 1), LevelCounts{});
  ForEachOnWorkers(tallies.size(), (pairs.size() + kChunk - 1) / kChunk, /*chunk=*/1,
                   [&](size_t worker, size_t chunk) {
                     count_pairs(chunk * kChunk, std::min(pairs.size(), (chunk + 1) * kChunk),
                                 tallies[worker]);
                   });
  LevelCounts counts{};
  for (const LevelCounts& tally : tallies) AddLevelCounts(tally, counts);
  BlendWithPrior(counts, prior_pairs, &ComparisonLevel::u, model);
}

void ConfidentPairCounter::Add(const PersonView& a, const PersonView& b) {
  const PairScore score = scorer_.Compare(a, b);
  for (int c = 0; c < kComparisonCount; ++c) {
    const ComparisonOutcome& o = score.comparisons[c];
    if (o.level >= 0 && static_cast<size_t>(o.level) < counts_[c].size() &&
        score.weight - o.weight >= confident_weight_) {
      counts_[c][o.level] += 1;
    }
  }
}

void ConfidentPairCounter::Merge(const ConfidentPairCounter& other) {
  AddLevelCounts(other.counts_, counts_);
}

double ConfidentPairCounter::counted(Comparison c) const {
  double n = 0;
  for (double v : counts_[static_cast<int>(c)]) n += v;
  return n;
}

void ConfidentPairCounter::EstimateM(double prior_pairs, MatchModel* model) const {
  BlendWithPrior(counts_, prior_pairs, &ComparisonLevel::m, model);
}

void CountTokenFrequencies(const std::vector<const PersonRecord*>& persons, MatchModel* model) {
  model->token_frequency.clear();
  if (persons.empty()) return;
  for (const PersonRecord* p : persons) {
    for (const LinkToken& t : p->tokens) {
      const TokenKind kind = t.kind();
      if (kind == TokenKind::kGivenNameCanonical || kind == TokenKind::kFamilyNamePhonetic ||
          kind == TokenKind::kDateOfBirth || kind == TokenKind::kBirthPlace ||
          kind == TokenKind::kOccupation) {
        model->token_frequency[t.packed] += 1.0;
      }
    }
  }
  for (auto& [token, count] : model->token_frequency) count /= persons.size();
}

MatchModel FitModel(const std::vector<const PersonRecord*>& persons, MatchModel base,
                    const FitOptions& options) {
  CountTokenFrequencies(persons, &base);
  EstimateUFromRandomPairs(persons, options.u_sample_pairs, options.u_prior_pairs, &base,
                           WorkerCount(options.threads));
  const double population = static_cast<double>(persons.size());
  if (options.calibration_population > 0 && population > options.calibration_population) {
    const double shift = std::log2(population / options.calibration_population);
    base.link_weight += options.weight_per_doubling * shift;
    base.merge_mean_weight += options.weight_per_doubling * shift;
    base.population_doublings = shift;
  }
  return base;
}

}  // namespace crossforce
