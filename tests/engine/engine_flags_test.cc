// Flags through the engine: raised as records are linked, pushed to the alert feed, cleared when
// the evidence goes, and durable with their decisions and entity ids across a restart.
#include <map>

#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::SampleOrder;
using ::crossforce::testing::StatusIs;
using ::crossforce::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

EngineOptions Options(const TempDir& dir) {
  EngineOptions options;
  options.data_dir = dir.Sub("db");
  options.today = [] { return Date{2026, 11, 28}; };
  return options;
}

std::unique_ptr<Engine> OpenEngine(const TempDir& dir, EngineOptions options) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  EXPECT_THAT(engine, IsOk());
  return engine.ok() ? std::move(*engine) : nullptr;
}

std::unique_ptr<Engine> OpenEngine(const TempDir& dir) { return OpenEngine(dir, Options(dir)); }

void Ingest(Engine& engine, std::vector<Record> records) {
  absl::StatusOr<std::vector<WriteResult>> results = engine.Ingest(std::move(records));
  ASSERT_THAT(results, IsOk());
  for (const WriteResult& r : results.value()) ASSERT_EQ(r.outcome, WriteOutcome::kCreated);
}

// The same suspect (seed 7) harassing the same victim, recorded by two forces.
std::vector<Record> TwoForceCase() {
  Incident a = SampleIncident("AAA", "AAA/1", 1, 7);
  Incident b = SampleIncident("BBB", "BBB/9", 1, 7);
  b.offence_date = {2025, 6, 1};
  b.reported_date = {2025, 6, 1};
  return {a, b};
}

std::map<Pattern, Flag> FlagsByPattern(Engine& engine) {
  std::map<Pattern, Flag> out;
  absl::StatusOr<FlagPage> page = engine.ListFlags(FlagQuery());
  EXPECT_THAT(page, IsOk());
  if (!page.ok()) return out;
  for (Flag& f : page->flags) out[f.subject.pattern] = std::move(f);
  return out;
}

TEST(EngineFlagsTest, LinkedRecordsRaiseFlagsAndAlerts) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  const uint64_t before = engine->alerts().latest();
  Ingest(*engine, TwoForceCase());
  std::map<Pattern, Flag> flags = FlagsByPattern(*engine);
  ASSERT_TRUE(flags.contains(Pattern::kCrossForceRepeat));
  ASSERT_TRUE(flags.contains(Pattern::kVictimPursuit));
  const Flag& cross = flags[Pattern::kCrossForceRepeat];
  EXPECT_THAT(cross.forces, ElementsAre("AAA", "BBB"));
  ASSERT_THAT(cross.evidence, SizeIs(2));
  EXPECT_EQ(cross.evidence[0].key.record_id, "AAA/1");  // 2024-03-14: the timeline is in date order
  EXPECT_EQ(cross.evidence[0].suspect_ref, "NOM-S7");
  EXPECT_EQ(cross.evidence[0].victim_ref, "NOM-V7");
  EXPECT_GT(cross.evidence[1].link_confidence, 0.99);
  EXPECT_EQ(flags[Pattern::kVictimPursuit].subject.entity, cross.subject.entity);

  AlertFeed::Batch batch = engine->alerts().WaitAfter(before, absl::Seconds(5));
  EXPECT_FALSE(batch.alerts.empty());

  // The entity profile shows both incidents and the flags.
  absl::StatusOr<EntityProfile> profile = engine->GetEntityProfile(cross.subject.entity);
  ASSERT_THAT(profile, IsOk());
  EXPECT_THAT(profile->incidents, SizeIs(2));
  EXPECT_GE(profile->flags.size(), 2u);
  EXPECT_THAT(engine->GetEntityProfile(999999).status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST(EngineFlagsTest, DeletingTheEvidenceClearsTheFlag) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  Ingest(*engine, TwoForceCase());
  const std::string id = FlagsByPattern(*engine)[Pattern::kCrossForceRepeat].flag_id;
  ASSERT_THAT(engine->Delete(RecordId{RecordKind::kIncident, {"BBB", "BBB/9"}}, 2), IsOk());
  engine->WaitForLinking();
  absl::StatusOr<Flag> flag = engine->GetFlag(id);
  ASSERT_THAT(flag, IsOk());
  EXPECT_EQ(flag->state, FlagState::kCleared);
  EXPECT_THAT(FlagsByPattern(*engine), IsEmpty());  // cleared flags are listed only on request
}

TEST(EngineFlagsTest, FlagsDecisionsAndEntityIdsSurviveARestart) {
  TempDir dir;
  std::map<std::string, Flag> before;
  std::map<PersonKey, EntityId> ids_before;
  {
    std::unique_ptr<Engine> engine = OpenEngine(dir);
    // Arrival order differs from key order, so ids would differ if they were re-derived.
    Ingest(*engine, {SampleIncident("ZZZ", "ZZZ/1", 1, 3)});
    Ingest(*engine, TwoForceCase());
    const std::string id = FlagsByPattern(*engine)[Pattern::kCrossForceRepeat].flag_id;
    Decision decision{DecisionOutcome::kAccepted, "analyst.one", "same man, two forces", 0};
    ASSERT_THAT(engine->RecordDecision(id, decision), IsOk());
    EXPECT_THAT(engine->RecordDecision(id, Decision{}),
                StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(engine->RecordDecision("F404", decision), StatusIs(absl::StatusCode::kNotFound));
    absl::StatusOr<FlagPage> page = engine->ListFlags(FlagQuery());
    ASSERT_THAT(page, IsOk());
    for (Flag& f : page->flags) before[f.flag_id] = std::move(f);
    for (const Entity& e : engine->Entities()) {
      for (const PersonKey& k : e.members) ids_before[k] = e.id;
    }
  }
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  std::map<PersonKey, EntityId> ids_after;
  for (const Entity& e : engine->Entities()) {
    for (const PersonKey& k : e.members) ids_after[k] = e.id;
  }
  EXPECT_EQ(ids_after, ids_before);
  absl::StatusOr<FlagPage> page = engine->ListFlags(FlagQuery());
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->flags.size(), before.size());
  for (const Flag& f : page->flags) {
    ASSERT_TRUE(before.contains(f.flag_id));
    const Flag& b = before[f.flag_id];
    EXPECT_EQ(f.subject, b.subject);
    EXPECT_EQ(f.state, b.state) << f.flag_id << " changed state on restart";
    EXPECT_EQ(f.sequence, b.sequence) << f.flag_id << " was rewritten on restart";
    EXPECT_EQ(f.decision.has_value(), b.decision.has_value());
  }
  const Flag cross = FlagsByPattern(*engine)[Pattern::kCrossForceRepeat];
  ASSERT_TRUE(cross.decision.has_value());
  EXPECT_EQ(cross.decision->user, "analyst.one");
  EXPECT_EQ(cross.decision->outcome, DecisionOutcome::kAccepted);
}

TEST(EngineFlagsTest, IncidentInsideAnOrderIsABreachAlertingTheIssuingForce) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  ProtectiveOrder order = SampleOrder("CCC", "CCC/SPO/1", 1, 7);   // 2024-01-01 to 2026-01-01
  Ingest(*engine, {order, SampleIncident("AAA", "AAA/1", 1, 7)});  // 2024-03-14
  std::map<Pattern, Flag> flags = FlagsByPattern(*engine);
  ASSERT_TRUE(flags.contains(Pattern::kOrderBreach));
  EXPECT_THAT(flags[Pattern::kOrderBreach].alert_forces, ElementsAre("AAA", "CCC"));
  EXPECT_FALSE(flags.contains(Pattern::kCrossForceRepeat));  // an order is not an incident
}

}  // namespace
}  // namespace crossforce

namespace crossforce {
namespace {

TEST(EngineFlagsTest, ThresholdsAreConfigurable) {
  TempDir dir;
  EngineOptions options = Options(dir);
  options.patterns.cross_force_min_forces = 3;
  std::unique_ptr<Engine> engine = OpenEngine(dir, options);
  Ingest(*engine, TwoForceCase());
  std::map<Pattern, Flag> flags = FlagsByPattern(*engine);
  EXPECT_FALSE(flags.contains(Pattern::kCrossForceRepeat)) << "two forces, three needed";
  EXPECT_TRUE(flags.contains(Pattern::kVictimPursuit));
  engine.reset();

  options.patterns.serial_min_victims = 0;
  EXPECT_THAT(Engine::Open(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace crossforce
