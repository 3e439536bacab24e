#include "tests/testing/linkage_harness.h"

#include <cstdlib>
#include <filesystem>

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

std::vector<std::vector<std::string>> LinkAll(const std::vector<PersonRecord>& people,
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
  Linker linker(fitted);
  linker.Build(AsRecords(people));
  std::vector<std::vector<std::string>> out;
  for (const Entity& e : linker.Entities()) {
    std::vector<std::string> ids;
    for (const PersonKey& k : e.members)
      ids.push_back(absl::StrCat(k.force_code, "/", k.record_id));
    out.push_back(std::move(ids));
  }
  return out;
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
