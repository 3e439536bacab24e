#include "tests/testing/linkage_harness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "absl/strings/str_cat.h"
#include "client/normalise.h"

namespace crossforce::testing {

PersonRecord EncodePerson(client::Anonymiser& anonymiser, const RawPerson& raw) {
  client::PersonIdentifiers p;
  p.given_name = client::NormaliseName(raw.given);
  p.family_name = client::NormaliseName(raw.family);
  if (auto d = client::ParseDate(raw.dob); d.ok()) p.date_of_birth = *d;
  if (!raw.postcode.empty()) {
    if (auto pc = client::NormalisePostcode(raw.postcode); pc.ok()) {
      p.postcode = *pc;
    } else {
      // Non-UK postcodes (FEBRL's Australian ones) are encoded as written.
      p.postcode = client::Postcode{raw.postcode, raw.postcode};
    }
  }
  p.address = client::NormaliseAddress(raw.address);
  p.birth_place = client::NormalisePlaceName(raw.birth_place);
  p.occupation = client::NormaliseOccupation(raw.occupation);
  if (auto phone = client::NormalisePhone(raw.phone); phone.ok()) p.phones.push_back(*phone);
  if (auto email = client::NormaliseEmail(raw.email); email.ok()) p.emails.push_back(*email);
  if (raw.sex == "m" || raw.sex == "M" || raw.sex == "male") p.sex = v1::SEX_MALE;
  if (raw.sex == "f" || raw.sex == "F" || raw.sex == "female") p.sex = v1::SEX_FEMALE;
  const v1::AnonymisedIdentity identity = anonymiser.Anonymise(p);

  PersonRecord person;
  person.key = PersonKey{RecordKind::kIncident, raw.source, raw.id, raw.id, PartyRole::kSuspect};
  for (const v1::IdentifierToken& t : identity.tokens()) {
    AddToken(person, static_cast<TokenKind>(t.kind()), t.token());
  }
  for (const v1::FieldEncoding& e : identity.encodings()) {
    person.SetFilter(static_cast<EncodedField>(e.field()), e.bloom_filter());
  }
  person.sex = static_cast<Sex>(identity.sex());
  SortTokens(person);  // as the engine's records are: comparisons find tokens by kind
  return person;
}

double PairwiseMetrics::precision() const {
  const int64_t predicted = true_positives + false_positives;
  return predicted == 0 ? 1.0 : static_cast<double>(true_positives) / predicted;
}
double PairwiseMetrics::recall() const {
  const int64_t actual = true_positives + false_negatives;
  return actual == 0 ? 1.0 : static_cast<double>(true_positives) / actual;
}
double PairwiseMetrics::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

PairwiseMetrics Evaluate(const std::vector<std::vector<std::string>>& entities,
                         const std::map<std::string, std::string>& truth,
                         const std::map<std::string, std::string>& source, bool cross_source_only) {
  PairwiseMetrics m;
  for (const auto& e : entities) {
    for (size_t i = 0; i < e.size(); ++i) {
      for (size_t j = i + 1; j < e.size(); ++j) {
        if (cross_source_only && source.at(e[i]) == source.at(e[j])) continue;
        if (truth.at(e[i]) == truth.at(e[j])) {
          ++m.true_positives;
        } else {
          ++m.false_positives;
        }
      }
    }
  }
  // All true pairs: group by identity.
  std::map<std::string, std::map<std::string, int64_t>> by_identity;  // identity -> source -> n
  for (const auto& [record, identity] : truth) ++by_identity[identity][source.at(record)];
  int64_t true_pairs = 0;
  for (const auto& [identity, sources] : by_identity) {
    int64_t total = 0, same_source = 0;
    for (const auto& [s, n] : sources) {
      total += n;
      same_source += n * (n - 1) / 2;
    }
    true_pairs += total * (total - 1) / 2 - (cross_source_only ? same_source : 0);
  }
  m.false_negatives = true_pairs - m.true_positives;
  return m;
}

std::vector<Linker::RecordPersons> AsRecords(const std::vector<PersonRecord>& people) {
  std::vector<Linker::RecordPersons> records;
  records.reserve(people.size());
  for (const PersonRecord& p : people) {
    records.push_back({RecordId{p.key.kind, {p.key.force_code, p.key.record_id}}, {p}});
  }
  return records;
}

std::unique_ptr<Linker> BuildLinker(const std::vector<PersonRecord>& people,
                                    const LinkerOptions& options) {
  // As a full relink does: the model is fitted to the whole population first.
  std::vector<const PersonRecord*> all;
  for (const PersonRecord& p : people) all.push_back(&p);
  LinkerOptions fitted = options;
  fitted.model = FitModel(all, options.model);
  // Threshold sweeps for BENCHMARKS.md: CROSSFORCE_LINK_WEIGHT, CROSSFORCE_MERGE_MEAN and
  // CROSSFORCE_CANNOT_LINK override.
  if (const char* w = std::getenv("CROSSFORCE_LINK_WEIGHT"))
    fitted.model.link_weight = std::atof(w);
  if (const char* w = std::getenv("CROSSFORCE_MERGE_MEAN")) {
    fitted.model.merge_mean_weight = std::atof(w);
  }
  if (const char* w = std::getenv("CROSSFORCE_CANNOT_LINK")) {
    fitted.model.cannot_link_weight = std::atof(w);
  }
  auto linker = std::make_unique<Linker>(fitted);
  linker->Build(AsRecords(people));
  return linker;
}

std::vector<std::vector<std::string>> EntityIds(const Linker& linker) {
  std::vector<std::vector<std::string>> out;
  for (const Entity& e : linker.Entities()) {
    std::vector<std::string> ids;
    for (const PersonKey& k : e.members)
      ids.push_back(absl::StrCat(k.force_code, "/", k.record_id));
    out.push_back(std::move(ids));
  }
  return out;
}

std::vector<std::vector<std::string>> LinkAll(const std::vector<PersonRecord>& people,
                                              const LinkerOptions& options) {
  return EntityIds(*BuildLinker(people, options));
}

std::vector<ConfidenceSample> ConfidenceSamples(
    const Linker& linker, const std::vector<Entity>& entities,
    const std::function<std::string(const PersonKey&)>& identity) {
  std::vector<ConfidenceSample> out;
  const double link_weight = linker.model().link_weight;
  for (const Entity& e : entities) {
    if (e.members.size() < 2) continue;
    absl::StatusOr<std::pair<Entity, std::vector<Link>>> detail = linker.EntityDetail(e.id);
    if (!detail.ok()) continue;
    std::map<std::string, int> records_of;
    for (const PersonKey& k : e.members) ++records_of[identity(k)];
    const std::string majority =
        std::max_element(records_of.begin(), records_of.end(), [](const auto& x, const auto& y) {
          return x.second < y.second;
        })->first;
    std::map<PersonKey, double> strongest;
    for (const Link& l : detail->second) {
      for (const PersonKey* k : {&l.a, &l.b}) {
        auto [it, inserted] = strongest.try_emplace(*k, l.weight);
        if (!inserted) it->second = std::max(it->second, l.weight);
      }
    }
    for (const auto& [key, weight] : strongest) {
      out.push_back({weight - link_weight, identity(key) == majority, linker.LinkConfidence(key)});
    }
  }
  return out;
}

MarginBin BinByMargin(const std::vector<ConfidenceSample>& samples, double low, double high) {
  MarginBin bin{low, high, 0, 0, 0, 0};
  for (const ConfidenceSample& s : samples) {
    if (s.margin < low || s.margin >= high) continue;
    ++bin.members;
    bin.margin += s.margin;
    bin.belong += s.belongs ? 1 : 0;
    bin.confidence += s.confidence;
  }
  if (bin.members > 0) {
    bin.margin /= static_cast<double>(bin.members);
    bin.belong /= static_cast<double>(bin.members);
    bin.confidence /= static_cast<double>(bin.members);
  }
  return bin;
}

std::vector<MarginBin> CalibrationBins(const std::vector<ConfidenceSample>& samples) {
  const double edges[] = {0, 1, 2, 3, 4, 6, 8, 12, 16, 24, std::numeric_limits<double>::infinity()};
  std::vector<MarginBin> out;
  for (size_t b = 0; b + 1 < std::size(edges); ++b) {
    MarginBin bin = BinByMargin(samples, edges[b], edges[b + 1]);
    if (bin.members > 0) out.push_back(bin);
  }
  return out;
}

CalibrationGaps WorstCalibrationGaps(const std::vector<ConfidenceSample>& samples,
                                     int64_t min_members) {
  CalibrationGaps gaps;
  for (const MarginBin& bin : CalibrationBins(samples)) {
    if (bin.members < min_members) continue;
    gaps.over = std::max(gaps.over, bin.confidence - bin.belong);
    gaps.under = std::max(gaps.under, bin.belong - bin.confidence);
  }
  return gaps;
}

std::optional<MarginFit> FitBelongingToMargin(const std::vector<ConfidenceSample>& samples,
                                              double below_margin) {
  int64_t belong = 0, apart = 0;
  for (const ConfidenceSample& s : samples) {
    if (s.margin >= below_margin) continue;
    ++(s.belongs ? belong : apart);
  }
  if (belong == 0 || apart == 0) return std::nullopt;
  // Newton's method on the log-likelihood, in natural log odds a + k x margin.
  double a = 0, k = 0;
  for (int step = 0; step < 100; ++step) {
    double ga = 0, gk = 0, haa = 0, hak = 0, hkk = 0;
    for (const ConfidenceSample& s : samples) {
      if (s.margin >= below_margin) continue;
      const double x = s.margin;
      const double p = 1 / (1 + std::exp(-(a + k * x)));
      const double r = (s.belongs ? 1 : 0) - p, w = p * (1 - p);
      ga += r;
      gk += r * x;
      haa += w;
      hak += w * x;
      hkk += w * x * x;
    }
    const double det = haa * hkk - hak * hak;
    if (!(det > 0)) break;  // every sample alike: no curve to fit
    const double da = (hkk * ga - hak * gk) / det, dk = (haa * gk - hak * ga) / det;
    a += da;
    k += dk;
    if (std::abs(da) + std::abs(dk) < 1e-9) break;
  }
  if (!std::isfinite(a) || !std::isfinite(k)) return std::nullopt;  // the steps diverged
  return MarginFit{a / std::log(2.0), k / std::log(2.0)};
}

void PrintCalibration(const char* name, const std::vector<ConfidenceSample>& samples) {
  for (const MarginBin& bin : CalibrationBins(samples)) {
    std::printf(
        "%s calibration: margin [%g, %g) members %lld mean margin %.3f belong %.4f confidence "
        "%.4f\n",
        name, bin.low, bin.high, static_cast<long long>(bin.members), bin.margin, bin.belong,
        bin.confidence);
  }
  if (const std::optional<MarginFit> fit = FitBelongingToMargin(samples, 8)) {
    std::printf("%s calibration: below 8 bits, log2 odds of belonging %.3f + %.3f x margin\n", name,
                fit->intercept, fit->per_bit);
  } else {
    std::printf("%s calibration: below 8 bits, every record belongs (or none does)\n", name);
  }
}

double BlockingMetrics::pair_completeness() const {
  return true_pairs == 0 ? 1.0 : static_cast<double>(true_pairs_found) / true_pairs;
}
double BlockingMetrics::reduction_ratio() const {
  return possible_pairs == 0 ? 0.0 : 1.0 - static_cast<double>(candidate_pairs) / possible_pairs;
}

BlockingMetrics EvaluateBlocking(const std::vector<PersonRecord>& people,
                                 const std::map<std::string, std::string>& truth,
                                 const std::map<std::string, std::string>& source,
                                 bool cross_source_only, const LinkerOptions& options) {
  LinkerOptions index_options = options;
  index_options.index_only = true;
  Linker index(index_options);
  index.Build(AsRecords(people));
  const auto name = [](const PersonKey& k) { return absl::StrCat(k.force_code, "/", k.record_id); };
  BlockingMetrics m;
  index.ForEachCandidatePair([&](const PersonKey& a, const PersonKey& b) {
    const std::string na = name(a), nb = name(b);
    if (cross_source_only && source.at(na) == source.at(nb)) return;
    ++m.candidate_pairs;
    if (truth.at(na) == truth.at(nb)) ++m.true_pairs_found;
  });
  // True and possible pairs, by identity and source.
  std::map<std::string, std::map<std::string, int64_t>> by_identity;
  std::map<std::string, int64_t> per_source;
  for (const auto& [record, identity] : truth) {
    ++by_identity[identity][source.at(record)];
    ++per_source[source.at(record)];
  }
  for (const auto& [identity, sources] : by_identity) {
    int64_t total = 0, same = 0;
    for (const auto& [s, n] : sources) {
      total += n;
      same += n * (n - 1) / 2;
    }
    m.true_pairs += total * (total - 1) / 2 - (cross_source_only ? same : 0);
  }
  int64_t all = 0, same_source = 0;
  for (const auto& [s, n] : per_source) {
    all += n;
    same_source += n * (n - 1) / 2;
  }
  m.possible_pairs = all * (all - 1) / 2 - (cross_source_only ? same_source : 0);
  return m;
}

std::string SharedDataDir() {
  if (const char* env = std::getenv("CROSSFORCE_SHARED_DATA")) return env;
  const std::string dir = std::string(CROSSFORCE_SOURCE_DIR) + "/../shared/data";
  return std::filesystem::exists(dir + "/SOURCES.md") ? dir : "";
}

}  // namespace crossforce::testing
