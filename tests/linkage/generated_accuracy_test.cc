// Linkage accuracy on the synthetic multi-force generator (client/demo_data) at several noise
// levels: every party of every incident, encoded through the client path, against the generator's
// ground truth. Also the share of namesakes (different people with the same name) merged.
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/csv.h"
#include "client/demo_data.h"
#include "gtest/gtest.h"
#include "tests/testing/linkage_harness.h"
#include "tests/testing/temp_dir.h"

namespace crossforce::testing {
namespace {

struct Loaded {
  std::vector<RawPerson> people;
  std::map<std::string, std::string> truth, sources;
};

Loaded Load(const client::DemoDataSummary& summary) {
  Loaded out;
  std::map<std::string, std::string> identity;  // force/record/ref -> person id
  {
    auto reader = *client::CsvReader::Open(summary.ground_truth_file);
    std::vector<std::string> row;
    int64_t line;
    (void)*reader->Next(&row, &line);
    while (*reader->Next(&row, &line)) identity[row[1] + "/" + row[2] + "/" + row[4]] = row[5];
  }
  for (const std::string& file : summary.incident_files) {
    auto reader = *client::CsvReader::Open(file);
    std::vector<std::string> header, row;
    int64_t line;
    (void)*reader->Next(&header, &line);
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
    while (*reader->Next(&row, &line)) {
      for (const std::string role : {"suspect_", "victim_"}) {
        RawPerson p;
        p.source = row[col["force_code"]];
        p.id = row[col["incident_id"]] + "#" + row[col[role + "ref"]];
        p.given = row[col[role + "given_name"]];
        p.family = row[col[role + "family_name"]];
        p.dob = row[col[role + "dob"]];
        p.postcode = row[col[role + "postcode"]];
        p.phone = row[col[role + "phone"]];
        p.email = row[col[role + "email"]];
        if (col.contains(role + "sex")) p.sex = row[col[role + "sex"]];
        if (col.contains(role + "birth_place")) p.birth_place = row[col[role + "birth_place"]];
        if (col.contains(role + "occupation")) p.occupation = row[col[role + "occupation"]];
        const std::string key = p.source + "/" + p.id;
        p.truth = identity[p.source + "/" + row[col["incident_id"]] + "/" + row[col[role + "ref"]]];
        if (out.truth.contains(key)) continue;
        out.truth[key] = p.truth;
        out.sources[key] = p.source;
        out.people.push_back(std::move(p));
      }
    }
  }
  return out;
}

// Noise level, and floors a little under the figures measured when they were set (BENCHMARKS.md).
struct Level {
  double noise;
  double min_precision;
  double min_recall;
};

class GeneratedAccuracyTest : public ::testing::TestWithParam<Level> {};

TEST_P(GeneratedAccuracyTest, LinksTheGeneratedFederation) {
  TempDir dir;
  client::DemoDataOptions options;
  options.noise = GetParam().noise;
  options.suspects = 400;
  absl::StatusOr<client::DemoDataSummary> summary = client::WriteDemoData(dir.path(), options);
  ASSERT_TRUE(summary.ok());
  const Loaded data = Load(*summary);
  client::Anonymiser anonymiser(*client::LinkageKey::FromSecret(std::string(32, '\x31')));
  std::vector<PersonRecord> people;
  for (const RawPerson& r : data.people) people.push_back(EncodePerson(anonymiser, r));
  const std::unique_ptr<Linker> linker = BuildLinker(people, LinkerOptions());
  const auto entities = EntityIds(*linker);
  const PairwiseMetrics m = Evaluate(entities, data.truth, data.sources, false);
  const std::vector<ConfidenceSample> confidence = ConfidenceSamples(
      *linker, linker->Entities(),
      [&](const PersonKey& k) { return data.truth.at(k.force_code + "/" + k.record_id); });
  PrintCalibration(absl::StrFormat("generated, noise %.2f", GetParam().noise).c_str(), confidence);
  if (std::getenv("CROSSFORCE_DIAG") != nullptr) {
    std::map<std::string, const RawPerson*> raw;
    for (const RawPerson& r : data.people) raw[r.source + "/" + r.id] = &r;
    int shown = 0;
    for (const auto& e : entities) {
      for (size_t i = 0; i < e.size() && shown < 12; ++i) {
        for (size_t j = i + 1; j < e.size() && shown < 12; ++j) {
          if (data.truth.at(e[i]) == data.truth.at(e[j])) continue;
          const RawPerson& a = *raw[e[i]];
          const RawPerson& b = *raw[e[j]];
          std::printf("FP %s %s %s %s %s %s | %s %s %s %s %s %s\n", a.given.c_str(),
                      a.family.c_str(), a.dob.c_str(), a.postcode.c_str(), a.phone.c_str(),
                      a.email.c_str(), b.given.c_str(), b.family.c_str(), b.dob.c_str(),
                      b.postcode.c_str(), b.phone.c_str(), b.email.c_str());
          ++shown;
        }
      }
    }
  }
  std::printf("generated, noise %.2f: %zu person records, precision %.4f recall %.4f F1 %.4f\n",
              GetParam().noise, people.size(), m.precision(), m.recall(), m.f1());
  EXPECT_GE(m.precision(), GetParam().min_precision);
  EXPECT_GE(m.recall(), GetParam().min_recall);
  EXPECT_LE(WorstCalibrationGaps(confidence, 100).over, 0.05);
}

INSTANTIATE_TEST_SUITE_P(NoiseLevels, GeneratedAccuracyTest,
                         ::testing::Values(Level{0.05, 0.995, 0.995}, Level{0.15, 0.995, 0.995},
                                           Level{0.30, 0.985, 0.97}));

}  // namespace
}  // namespace crossforce::testing
