// Per-rule accuracy of the flags on the generator's multi-force federation: every export goes
// through the real client path (normalise, anonymise) into an engine, which links and flags from
// encodings alone. The reference is the same rules applied to the true identities (the
// generator's ground truth as the entity of every record). A flag is right when the true identity
// behind its subject (the majority identity of its entities' members) has that pattern too.
// Also: how often different people who share a name end up in one entity.
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/csv.h"
#include "client/demo_data.h"
#include "client/force_export.h"
#include "engine/engine.h"
#include "engine/patterns/pattern_detector.h"
#include "gtest/gtest.h"
#include "server/record_convert.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::TempDir;

constexpr Date kToday{2026, 11, 28};

std::string PersonId(const std::string& force, const std::string& record, const std::string& ref) {
  return absl::StrCat(force, "\x1f", record, "\x1f", ref);
}

struct Federation {
  std::vector<Record> records;
  std::map<std::string, uint64_t> truth;  // PersonId -> true person
  // Normalised recorded name -> true persons recorded under it.
  std::map<std::string, std::set<uint64_t>> names;
};

Federation Generate(const TempDir& dir, const client::DemoDataOptions& options) {
  Federation out;
  absl::StatusOr<client::DemoDataSummary> summary =
      client::WriteDemoData(dir.Sub("exports"), options);
  EXPECT_THAT(summary, IsOk());
  if (!summary.ok()) return out;
  {
    auto reader = *client::CsvReader::Open(summary->ground_truth_file);
    std::vector<std::string> row;
    int64_t line;
    (void)*reader->Next(&row, &line);
    while (*reader->Next(&row, &line)) {
      uint64_t person = 0;
      EXPECT_TRUE(absl::SimpleAtoi(row[5], &person));
      out.truth[PersonId(row[1], row[2], row[4])] = person;
    }
  }
  client::Anonymiser anonymiser(*client::LinkageKey::FromSecret(std::string(32, '\x5a')));
  std::vector<std::string> files = summary->incident_files;
  files.insert(files.end(), summary->order_files.begin(), summary->order_files.end());
  for (size_t f = 0; f < files.size(); ++f) {
    client::ExportOptions export_options;
    export_options.force_code = summary->force_codes[f % summary->force_codes.size()];
    export_options.today = {kToday.year, kToday.month, kToday.day};
    absl::StatusOr<client::ParsedExport> parsed =
        client::ReadForceExport(files[f], export_options, anonymiser);
    EXPECT_THAT(parsed, IsOk());
    if (!parsed.ok()) continue;
    EXPECT_TRUE(parsed->rejects.empty()) << files[f];
    for (const v1::ExportEntry& entry : parsed->entries) {
      std::vector<FieldViolation> violations;
      std::optional<Record> record = FromProto(entry.record(), &violations);
      EXPECT_TRUE(record.has_value());
      if (record.has_value()) out.records.push_back(*std::move(record));
    }
    // Recorded names, for the namesake measure (raw values stay inside this test process).
    auto reader = *client::CsvReader::Open(files[f]);
    std::vector<std::string> header, row;
    int64_t line;
    (void)*reader->Next(&header, &line);
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
    const bool orders = col.contains("order_id");
    const std::string id_column = orders ? "order_id" : "incident_id";
    while (*reader->Next(&row, &line)) {
      for (const std::string& role : orders ? std::vector<std::string>{"subject_", "protected_"}
                                            : std::vector<std::string>{"suspect_", "victim_"}) {
        const std::string name = absl::AsciiStrToLower(
            absl::StrCat(row[col[role + "given_name"]], " ", row[col[role + "family_name"]]));
        auto it = out.truth.find(
            PersonId(row[col["force_code"]], row[col[id_column]], row[col[role + "ref"]]));
        if (it != out.truth.end()) out.names[name].insert(it->second);
      }
    }
  }
  return out;
}

// What a flag is about, in true identities: pattern and suspect (and victim, or the token).
using Subject = std::tuple<Pattern, uint64_t, uint64_t, std::string>;

std::set<Subject> TrueSubjects(const Federation& fed) {
  CaseGraph graph;
  const auto entity_of = [&](const PersonKey& k) -> EntityId {
    auto it = fed.truth.find(PersonId(k.force_code, k.record_id, k.nominal_ref));
    return it == fed.truth.end() ? 0 : it->second;
  };
  std::set<EntityId> touched;
  for (const Record& r : fed.records) {
    graph.Upsert(MakeCaseRecord(r), entity_of, touched);
  }
  PatternDetector detector(PatternOptions(), [](const PersonKey&) { return 1.0; });
  std::set<Subject> out;
  for (EntityId e : graph.SuspectEntities()) {
    for (const Finding& f : detector.ForSuspect(graph, e, kToday)) {
      out.insert({f.subject.pattern, f.subject.entity, f.subject.victim_entity, ""});
    }
  }
  for (const IdentifierToken& t : graph.SharedTokens()) {
    if (detector.ForIdentifier(graph, t, kToday).has_value()) {
      out.insert({Pattern::kSharedIdentifier, 0, 0, t.token});
    }
  }
  return out;
}

struct Measured {
  std::set<Subject> truth;
  std::vector<Subject> flagged;  // one per flag, mapped to true identities
  double namesakes_merged = 0;
  int namesake_pairs = 0;
};

Measured Evaluate(const client::DemoDataOptions& options) {
  TempDir dir;
  Federation fed = Generate(dir, options);
  Measured run;
  run.truth = TrueSubjects(fed);
  EngineOptions engine_options;
  engine_options.data_dir = dir.Sub("hub");
  engine_options.today = [] { return kToday; };
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(engine_options);
  EXPECT_THAT(engine, IsOk());
  if (!engine.ok()) return run;
  absl::StatusOr<std::vector<WriteResult>> results = (*engine)->Ingest(fed.records);
  EXPECT_THAT(results, IsOk());
  EXPECT_THAT((*engine)->Relink(), IsOk());  // the nightly job: refit and relink

  // Each entity's true identity: the majority among its members.
  std::map<EntityId, uint64_t> majority;
  std::map<uint64_t, std::set<EntityId>> entities_of_person;
  for (const Entity& e : (*engine)->Entities()) {
    std::map<uint64_t, int> votes;
    for (const PersonKey& k : e.members) {
      auto it = fed.truth.find(PersonId(k.force_code, k.record_id, k.nominal_ref));
      if (it == fed.truth.end()) continue;
      ++votes[it->second];
      entities_of_person[it->second].insert(e.id);
    }
    int best = 0;
    for (const auto& [person, n] : votes) {
      if (n > best) {
        best = n;
        majority[e.id] = person;
      }
    }
  }
  FlagQuery query;
  query.page_size = 1000;
  do {
    absl::StatusOr<FlagPage> page = (*engine)->ListFlags(query);
    EXPECT_THAT(page, IsOk());
    if (!page.ok()) break;
    for (const Flag& f : page->flags) {
      const FlagSubject& s = f.subject;
      run.flagged.push_back({s.pattern, s.entity == 0 ? 0 : majority[s.entity],
                             s.victim_entity == 0 ? 0 : majority[s.victim_entity],
                             s.pattern == Pattern::kSharedIdentifier ? s.identifier : ""});
    }
    query.page_token = page->next_page_token;
  } while (!query.page_token.empty());

  // Namesakes: pairs of different people recorded under the same name, and how many of those
  // pairs share an entity.
  int merged = 0;
  for (const auto& [name, people] : fed.names) {
    std::vector<uint64_t> p(people.begin(), people.end());
    for (size_t i = 0; i < p.size(); ++i) {
      for (size_t j = i + 1; j < p.size(); ++j) {
        ++run.namesake_pairs;
        const std::set<EntityId>& a = entities_of_person[p[i]];
        const std::set<EntityId>& b = entities_of_person[p[j]];
        bool shared = false;
        for (EntityId e : a) shared = shared || b.contains(e);
        merged += shared;
      }
    }
  }
  run.namesakes_merged =
      run.namesake_pairs == 0 ? 0 : static_cast<double>(merged) / run.namesake_pairs;
  return run;
}

struct RuleScore {
  double precision = 1, recall = 1;
  size_t flags = 0, truth = 0;
};

RuleScore Score(const Measured& run, Pattern pattern) {
  RuleScore out;
  size_t right = 0;
  std::set<Subject> found;
  for (const Subject& s : run.flagged) {
    if (std::get<0>(s) != pattern) continue;
    ++out.flags;
    if (run.truth.contains(s)) {
      ++right;
      found.insert(s);
    }
  }
  for (const Subject& s : run.truth) out.truth += std::get<0>(s) == pattern;
  if (out.flags > 0) out.precision = static_cast<double>(right) / out.flags;
  if (out.truth > 0) out.recall = static_cast<double>(found.size()) / out.truth;
  return out;
}

struct Level {
  double noise;
  double cross_force_precision, cross_force_recall;
  double pursuit_precision, pursuit_recall;
};

class PatternAccuracyTest : public ::testing::TestWithParam<Level> {};

TEST_P(PatternAccuracyTest, FlagsMatchTheRulesOnTrueIdentities) {
  client::DemoDataOptions options;
  options.noise = GetParam().noise;
  options.suspects = 500;
  const Measured run = Evaluate(options);
  std::printf("patterns, noise %.2f (%d namesake pairs, %.4f merged):\n", GetParam().noise,
              run.namesake_pairs, run.namesakes_merged);
  for (int p = 1; p <= kMaxPattern; ++p) {
    const RuleScore s = Score(run, static_cast<Pattern>(p));
    std::printf("  %-26s flags %4zu truth %4zu precision %.4f recall %.4f\n",
                PatternName(static_cast<Pattern>(p)), s.flags, s.truth, s.precision, s.recall);
  }
  const RuleScore cross = Score(run, Pattern::kCrossForceRepeat);
  const RuleScore pursuit = Score(run, Pattern::kVictimPursuit);
  EXPECT_GT(cross.truth, 50u);
  EXPECT_GT(pursuit.truth, 30u);
  EXPECT_GE(cross.precision, GetParam().cross_force_precision);
  EXPECT_GE(cross.recall, GetParam().cross_force_recall);
  EXPECT_GE(pursuit.precision, GetParam().pursuit_precision);
  EXPECT_GE(pursuit.recall, GetParam().pursuit_recall);
}

// Floors: the targets at low and default noise; at high noise a little under the figures
// measured when they were set (BENCHMARKS.md).
INSTANTIATE_TEST_SUITE_P(NoiseLevels, PatternAccuracyTest,
                         ::testing::Values(Level{0.05, 0.98, 0.95, 0.95, 0.90},
                                           Level{0.15, 0.98, 0.95, 0.95, 0.90},
                                           Level{0.30, 0.97, 0.95, 0.97, 0.92}));

// The flags the engine maintains incrementally (records linked batch by batch, entities merging
// and splitting as they arrive, the graph rewired) are the flags a full pass finds on the final
// partition.
TEST(IncrementalFlagsTest, AgreeWithAFullPassOverTheFinalEntities) {
  TempDir dir;
  client::DemoDataOptions options;
  options.suspects = 300;
  options.noise = 0.3;
  Federation fed = Generate(dir, options);
  EngineOptions engine_options;
  engine_options.data_dir = dir.Sub("hub");
  engine_options.today = [] { return kToday; };
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(engine_options);
  ASSERT_THAT(engine, IsOk());
  // In several commits, so that links and merges arrive across many linking batches.
  for (size_t begin = 0; begin < fed.records.size(); begin += 97) {
    std::vector<Record> part(fed.records.begin() + begin,
                             fed.records.begin() + std::min(begin + 97, fed.records.size()));
    ASSERT_THAT((*engine)->Ingest(std::move(part)), IsOk());
  }
  std::set<Subject> incremental;
  FlagQuery query;
  query.page_size = 1000;
  do {
    absl::StatusOr<FlagPage> page = (*engine)->ListFlags(query);
    ASSERT_THAT(page, IsOk());
    for (const Flag& f : page->flags) {
      incremental.insert(
          {f.subject.pattern, f.subject.entity, f.subject.victim_entity, f.subject.identifier});
    }
    query.page_token = page->next_page_token;
  } while (!query.page_token.empty());

  std::map<std::string, EntityId> entity_of;
  for (const Entity& e : (*engine)->Entities()) {
    for (const PersonKey& k : e.members) {
      entity_of[PersonId(k.force_code, k.record_id, k.nominal_ref)] = e.id;
    }
  }
  CaseGraph graph;
  std::set<EntityId> touched;
  const auto lookup = [&](const PersonKey& k) -> EntityId {
    auto it = entity_of.find(PersonId(k.force_code, k.record_id, k.nominal_ref));
    return it == entity_of.end() ? 0 : it->second;
  };
  for (const Record& r : fed.records) {
    graph.Upsert(MakeCaseRecord(r), lookup, touched);
  }
  PatternDetector detector(PatternOptions(), [](const PersonKey&) { return 1.0; });
  std::set<Subject> full;
  for (const Finding& f : detector.DetectAll(graph, kToday)) {
    full.insert(
        {f.subject.pattern, f.subject.entity, f.subject.victim_entity, f.subject.identifier});
  }
  EXPECT_GT(full.size(), 200u);
  EXPECT_EQ(incremental, full);
}

TEST(NamesakeTest, DifferentPeopleWhoShareANameAreRarelyMerged) {
  client::DemoDataOptions options;
  options.suspects = 800;
  options.namesake_rate = 0.3;
  const Measured run = Evaluate(options);
  std::printf("namesakes: %d pairs of different people under one name, %.4f merged\n",
              run.namesake_pairs, run.namesakes_merged);
  EXPECT_GT(run.namesake_pairs, 150);
  EXPECT_LE(run.namesakes_merged, 0.01);
}

}  // namespace
}  // namespace crossforce
