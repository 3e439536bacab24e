// Linkage accuracy on the external benchmark data sets with ground truth (../shared/data, see its
// SOURCES.md), each encoded through the client path and linked from encodings only. Skipped where
// the data are absent. Figures and anchors are in BENCHMARKS.md; the floors here sit just under
// the measured values, to catch regressions.
#include <cstdio>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/csv.h"
#include "gtest/gtest.h"
#include "tests/testing/linkage_harness.h"

namespace crossforce::testing {
namespace {

struct DataSet {
  std::vector<RawPerson> people;
  std::map<std::string, std::string> truth, sources;
};

// Reads a CSV with a header; `fill` maps a row (by column name) to a person, or false to skip.
void ReadCsv(
    const std::string& path, const std::string& source, DataSet& out,
    const std::function<bool(const std::map<std::string, std::string>&, RawPerson&)>& fill) {
  auto reader = client::CsvReader::Open(path);
  ASSERT_TRUE(reader.ok()) << path;
  std::vector<std::string> header, row;
  int64_t line = 0;
  ASSERT_TRUE(*(*reader)->Next(&header, &line));
  for (auto& h : header) h = std::string(absl::StripAsciiWhitespace(h));
  while (*(*reader)->Next(&row, &line)) {
    if (row.size() != header.size()) continue;
    std::map<std::string, std::string> named;
    for (size_t i = 0; i < header.size(); ++i) {
      named[header[i]] = std::string(absl::StripAsciiWhitespace(row[i]));
    }
    RawPerson p;
    p.source = source;
    if (!fill(named, p)) continue;
    const std::string key = p.source + "/" + p.id;
    out.truth[key] = p.truth;
    out.sources[key] = p.source;
    out.people.push_back(std::move(p));
  }
}

struct Linked {
  PairwiseMetrics pairs;
  // LinkConfidence against the truth.
  std::vector<ConfidenceSample> confidence;
};

Linked Link(const DataSet& data, bool cross_source_only, const char* name) {
  client::Anonymiser anonymiser(*client::LinkageKey::FromSecret(std::string(32, '\x51')));
  std::vector<PersonRecord> people;
  for (const RawPerson& r : data.people) people.push_back(EncodePerson(anonymiser, r));
  const std::unique_ptr<Linker> linker = BuildLinker(people, LinkerOptions());
  const PairwiseMetrics m =
      Evaluate(EntityIds(*linker), data.truth, data.sources, cross_source_only);
  std::vector<ConfidenceSample> confidence = ConfidenceSamples(
      *linker, linker->Entities(),
      [&](const PersonKey& k) { return data.truth.at(k.force_code + "/" + k.record_id); });
  PrintCalibration(name, confidence);
  const BlockingMetrics blocking =
      EvaluateBlocking(people, data.truth, data.sources, cross_source_only, LinkerOptions());
  std::printf("%s blocking: pair completeness %.4f, reduction ratio %.6f (%lld candidate pairs)\n",
              name, blocking.pair_completeness(), blocking.reduction_ratio(),
              static_cast<long long>(blocking.candidate_pairs));
  std::printf("%s: %zu records, precision %.4f recall %.4f F1 %.4f (tp %lld fp %lld fn %lld)\n",
              name, people.size(), m.precision(), m.recall(), m.f1(),
              static_cast<long long>(m.true_positives), static_cast<long long>(m.false_positives),
              static_cast<long long>(m.false_negatives));
  return {m, std::move(confidence)};
}

bool FebrlRow(const std::map<std::string, std::string>& r, RawPerson& p) {
  p.id = r.at("rec_id");
  p.given = r.at("given_name");
  p.family = r.at("surname");
  p.dob = r.at("date_of_birth");
  p.postcode = r.at("postcode");
  // street_number, address_1, address_2, suburb: one address line, as a force would hold it.
  p.address = absl::StrJoin(
      {r.at("street_number"), r.at("address_1"), r.at("address_2"), r.at("suburb")}, " ");
  const size_t dash = p.id.find('-');
  p.truth = p.id.substr(dash + 1, p.id.find('-', dash + 1) - dash - 1);
  return true;
}

TEST(DatasetAccuracyTest, Febrl3Deduplication) {
  const std::string dir = SharedDataDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data (FEBRL) is not on this machine";
  DataSet data;
  ReadCsv(dir + "/febrl/dataset3.csv", "F3", data, FebrlRow);
  ASSERT_EQ(data.people.size(), 5000u);
  const Linked linked = Link(data, false, "FEBRL3");
  // Measured 0.9982; the target is 0.995.
  EXPECT_GE(linked.pairs.f1(), 0.997);
  // Cleaner than the data the confidence was fitted to: it may understate, never overstate.
  EXPECT_LE(WorstCalibrationGaps(linked.confidence, 100).over, 0.05);
}

TEST(DatasetAccuracyTest, SplinkFake1000) {
  const std::string dir = SharedDataDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data (Splink) is not on this machine";
  DataSet data;
  ReadCsv(dir + "/splink/fake_1000.csv", "FK", data, [](const auto& r, RawPerson& p) {
    p.id = r.at("unique_id");
    p.given = r.at("first_name");
    p.family = r.at("surname");
    p.dob = r.at("dob");
    p.email = r.at("email");
    p.postcode = r.at("city");  // no postcode in this set: the city stands in as a location
    p.truth = r.at("cluster");
    return true;
  });
  ASSERT_EQ(data.people.size(), 1000u);
  const Linked linked = Link(data, false, "fake_1000");
  EXPECT_GE(linked.pairs.f1(), 0.895);  // measured 0.8974; target 0.88
  EXPECT_LE(WorstCalibrationGaps(linked.confidence, 100).over, 0.05);
}

TEST(DatasetAccuracyTest, SplinkHistorical50k) {
  const std::string dir = SharedDataDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data (Splink) is not on this machine";
  DataSet data;
  ReadCsv(dir + "/splink/historical_figures_with_errors_50k.csv", "HF", data,
          [](const auto& r, RawPerson& p) {
            p.id = r.at("unique_id");
            p.given = r.at("first_name");
            p.family = r.at("surname");
            p.dob = r.at("dob");
            p.postcode = r.at("postcode_fake");
            p.sex = r.at("gender");
            p.birth_place = r.at("birth_place");
            p.occupation = r.at("occupation");
            p.truth = r.at("cluster");
            return true;
          });
  ASSERT_GT(data.people.size(), 50000u);
  const Linked linked = Link(data, false, "historical_50k");
  // Measured 0.9332; the target is 0.93 (BENCHMARKS.md).
  EXPECT_GE(linked.pairs.f1(), 0.932);
  // The confidence a link gives is the share of such links that are right, within 0.05 in every
  // bin of margin (measured: at most 0.041 under and 0.025 over; before the fitted curve,
  // records a link held within a bit of the link weight belonged 0.60 of the time, at a
  // confidence of 0.9993).
  const CalibrationGaps gaps = WorstCalibrationGaps(linked.confidence, 100);
  EXPECT_LE(gaps.over, 0.05);
  EXPECT_LE(gaps.under, 0.05);
}

}  // namespace
}  // namespace crossforce::testing
