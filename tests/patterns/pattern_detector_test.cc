// The seven rules on hand-built case graphs: each fires when its pattern is present and not when
// it is absent, with the thresholds, windows and edge cases the rules document.
#include "engine/patterns/pattern_detector.h"

#include <string>

#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_records.h"

namespace crossforce {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr Date kToday{2026, 11, 28};

// Party refs name their entity: "S7" is suspect entity 7, "V107" victim entity 107.
EntityId EntityOfRef(const PersonKey& key) {
  EntityId id = 0;
  return absl::SimpleAtoi(key.nominal_ref.substr(1), &id) ? id : 0;
}

struct IncidentSpec {
  std::string force;
  std::string id;
  Date date;
  OffenceCode code = OffenceCode::kHarassment;
  std::vector<OffenceCode> included = {};
  std::vector<Behaviour> behaviours = {Behaviour::kUnwantedContact};
  EntityId suspect = 1;
  EntityId victim = 101;
  bool domestic_abuse = false;
  std::string suspect_phone_seed = "";  // a contact token shared by equal seeds
};

Incident MakeIncident(const IncidentSpec& s) {
  Incident x = testing::SampleIncident(s.force, s.id);
  x.offence_date = s.date;
  x.reported_date = s.date;
  x.main_offence = s.code;
  x.included_offences = s.included;
  x.behaviours = s.behaviours;
  x.domestic_abuse = s.domestic_abuse;
  x.parties[0].nominal_ref = "S" + std::to_string(s.suspect);
  x.parties[1].nominal_ref = "V" + std::to_string(s.victim);
  x.parties[0].identity->tokens = {{TokenKind::kPhone, "phone-of-" + std::to_string(s.suspect)}};
  if (!s.suspect_phone_seed.empty()) {
    x.parties[0].identity->tokens = {{TokenKind::kPhone, s.suspect_phone_seed}};
  }
  return x;
}

class PatternDetectorTest : public ::testing::Test {
 protected:
  PatternDetectorTest() : detector_(PatternOptions(), [](const PersonKey&) { return 1.0; }) {}

  void Add(const IncidentSpec& spec) {
    std::set<EntityId> touched;
    graph_.UpsertIncident(MakeCaseIncident(MakeIncident(spec)), EntityOfRef, touched);
  }
  void AddOrder(const std::string& force, const std::string& id, Date start, Date end,
                EntityId subject, EntityId protected_person) {
    ProtectiveOrder o = testing::SampleOrder(force, id);
    o.start_date = start;
    o.end_date = end;
    o.subject->nominal_ref = "S" + std::to_string(subject);
    o.protected_person->nominal_ref = "V" + std::to_string(protected_person);
    std::set<EntityId> touched;
    graph_.UpsertOrder(MakeCaseOrder(o), EntityOfRef, touched);
  }

  std::vector<Finding> Findings(EntityId suspect, Pattern pattern) const {
    std::vector<Finding> out;
    for (Finding& f : detector_.ForSuspect(graph_, suspect, kToday)) {
      if (f.subject.pattern == pattern) out.push_back(std::move(f));
    }
    return out;
  }

  CaseGraph graph_;
  PatternDetector detector_;
};

TEST(CaseRecordTest, StalkingTypeByCodeIncludedCodeOrDomesticAbuseBehaviour) {
  Incident x = MakeIncident({"AAA", "1", {2025, 1, 1}, OffenceCode::kCriminalDamage});
  x.behaviours = {Behaviour::kPropertyDamage};
  EXPECT_FALSE(MakeCaseIncident(x).stalking_type);
  x.included_offences = {OffenceCode::kStalking};
  EXPECT_TRUE(MakeCaseIncident(x).stalking_type);
  EXPECT_TRUE(MakeCaseIncident(x).coded_as_stalking);
  x.included_offences = {};
  x.domestic_abuse = true;
  EXPECT_FALSE(MakeCaseIncident(x).stalking_type);  // no stalking behaviour
  x.behaviours = {Behaviour::kTrackingDevice};
  EXPECT_TRUE(MakeCaseIncident(x).stalking_type);
  EXPECT_FALSE(MakeCaseIncident(x).coded_as_stalking);
  EXPECT_EQ(MakeCaseIncident(x).severity, Severity::kMonitoring);
}

TEST_F(PatternDetectorTest, CrossForceRepeatNeedsTwoForces) {
  Add({"AAA", "1", {2025, 1, 1}});
  Add({"AAA", "2", {2025, 2, 1}});
  EXPECT_THAT(Findings(1, Pattern::kCrossForceRepeat), IsEmpty());
  Add({"BBB", "3", {2025, 3, 1}});
  const std::vector<Finding> f = Findings(1, Pattern::kCrossForceRepeat);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].forces, ElementsAre("AAA", "BBB"));
  EXPECT_THAT(f[0].evidence, SizeIs(3));
  EXPECT_EQ(f[0].evidence.front().key.record_id, "1");  // date order: the timeline
  EXPECT_EQ(f[0].evidence.back().suspect_ref, "S1");
  EXPECT_EQ(f[0].evidence.back().victim_ref, "V101");
}

TEST_F(PatternDetectorTest, OnlyStalkingTypeIncidentsInsideTheLookBackCount) {
  Add({"AAA", "1", {2025, 1, 1}});
  Add({"BBB", "2", {2014, 1, 1}});  // older than ten years
  Add({"CCC", "3", {2025, 3, 1}, OffenceCode::kCriminalDamage, {}, {Behaviour::kPropertyDamage}});
  EXPECT_THAT(Findings(1, Pattern::kCrossForceRepeat), IsEmpty());
}

TEST_F(PatternDetectorTest, SerialPerpetratorCountsDistinctVictims) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kStalking, {}, {}, 1, 101});
  Add({"AAA", "2", {2025, 2, 1}, OffenceCode::kStalking, {}, {}, 1, 102});
  Add({"AAA", "3", {2025, 3, 1}, OffenceCode::kStalking, {}, {}, 1, 102});
  EXPECT_THAT(Findings(1, Pattern::kSerialPerpetrator), IsEmpty());
  Add({"AAA", "4", {2025, 4, 1}, OffenceCode::kStalking, {}, {}, 1, 103});
  const std::vector<Finding> f = Findings(1, Pattern::kSerialPerpetrator);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_EQ(f[0].factors[2].name, "victims");
  EXPECT_EQ(f[0].factors[2].points, 12);  // 6 per victim beyond the first
}

TEST_F(PatternDetectorTest, VictimPursuitIsPerSuspectVictimPairAcrossForces) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kStalking, {}, {}, 1, 101});
  Add({"BBB", "2", {2025, 6, 1}, OffenceCode::kStalking, {}, {}, 1, 101});
  Add({"CCC", "3", {2025, 7, 1}, OffenceCode::kStalking, {}, {}, 1, 102});
  const std::vector<Finding> f = Findings(1, Pattern::kVictimPursuit);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_EQ(f[0].subject.victim_entity, 101u);
  EXPECT_THAT(f[0].forces, ElementsAre("AAA", "BBB"));
  for (const Evidence& e : f[0].evidence) EXPECT_EQ(e.victim_ref, "V101");
}

TEST_F(PatternDetectorTest, HiddenCourseOfConductNeedsTwoUncodedIncidentsWithinAYear) {
  Add({"AAA", "1", {2024, 1, 1}, OffenceCode::kMaliciousCommunications});
  Add({"AAA", "2", {2025, 3, 1}, OffenceCode::kHarassment});  // 425 days later
  EXPECT_THAT(Findings(1, Pattern::kHiddenCourseOfConduct), IsEmpty());
  Add({"AAA", "3", {2025, 9, 1}, OffenceCode::kHarassment});
  const std::vector<Finding> f = Findings(1, Pattern::kHiddenCourseOfConduct);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].evidence, SizeIs(2));
  EXPECT_EQ(f[0].evidence[0].key.record_id, "2");
}

TEST_F(PatternDetectorTest, HiddenCourseOfConductIsNotRaisedOnceCodedAsStalking) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kHarassment});
  Add({"AAA", "2", {2025, 2, 1}, OffenceCode::kHarassment, {OffenceCode::kStalking}});
  EXPECT_THAT(Findings(1, Pattern::kHiddenCourseOfConduct), IsEmpty());
}

TEST_F(PatternDetectorTest, EscalationBySeverityRise) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kHarassment, {}, {Behaviour::kUnwantedContact}});
  Add({"AAA", "2", {2025, 2, 1}, OffenceCode::kHarassment, {}, {Behaviour::kLoitering}});
  const std::vector<Finding> f = Findings(1, Pattern::kEscalation);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].explanation[1], ::testing::HasSubstr("Severity rose to loitering"));
}

TEST_F(PatternDetectorTest, EscalationByFirstThreat) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kHarassment, {}, {Behaviour::kThreats}});
  Add({"AAA", "2", {2025, 2, 1}, OffenceCode::kHarassment, {}, {Behaviour::kUnwantedContact}});
  EXPECT_THAT(Findings(1, Pattern::kEscalation), IsEmpty());  // threats came first, then less
  Add({"AAA", "3", {2025, 3, 1}, OffenceCode::kHarassment, {}, {Behaviour::kViolence}});
  const std::vector<Finding> f = Findings(1, Pattern::kEscalation);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].explanation.back(), ::testing::HasSubstr("First appearance of violence"));
}

TEST_F(PatternDetectorTest, EscalationByRateNeedsAPreviousPeriod) {
  // Two incidents a week apart, nothing before: no previous period to compare with.
  Add({"AAA", "1", {2025, 5, 1}});
  Add({"AAA", "2", {2025, 5, 8}});
  EXPECT_THAT(Findings(1, Pattern::kEscalation), IsEmpty());
  // One incident in the 90 days before, three in the last 30: 3/30 >= 2 x 1/90.
  Add({"AAA", "0", {2025, 3, 20}});
  Add({"AAA", "3", {2025, 5, 15}});
  const std::vector<Finding> f = Findings(1, Pattern::kEscalation);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].explanation[1], ::testing::HasSubstr("Rate: 3 incidents in the last 30 days"));
}

TEST_F(PatternDetectorTest, EpisodesSplitAtGapsOverNinetyDays) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kHarassment, {}, {Behaviour::kUnwantedContact}});
  // 120 days later: a new episode of one incident, so no rise within an episode.
  Add({"AAA", "2", {2025, 5, 1}, OffenceCode::kHarassment, {}, {Behaviour::kLoitering}});
  EXPECT_THAT(Findings(1, Pattern::kEscalation), IsEmpty());
}

TEST_F(PatternDetectorTest, OrderBreachCountsIncidentsAfterTheStartAndAlertsTheIssuer) {
  AddOrder("AAA", "SPO/1", {2025, 1, 1}, {2026, 1, 1}, 1, 101);
  Add({"BBB", "1", {2025, 1, 1}});  // the day the order began: the reason for it
  EXPECT_THAT(Findings(1, Pattern::kOrderBreach), IsEmpty());
  Add({"BBB", "2", {2026, 2, 1}});  // after it ended
  EXPECT_THAT(Findings(1, Pattern::kOrderBreach), IsEmpty());
  Add({"BBB", "3", {2025, 6, 1}});
  const std::vector<Finding> f = Findings(1, Pattern::kOrderBreach);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].alert_forces, ElementsAre("AAA", "BBB"));
  ASSERT_THAT(f[0].evidence, SizeIs(2));  // the order and the breach
  EXPECT_EQ(f[0].evidence[0].kind, RecordKind::kOrder);
  EXPECT_EQ(f[0].factors[5].name, "order_status");
  EXPECT_EQ(f[0].factors[5].points, 15);
}

TEST_F(PatternDetectorTest, SharedIdentifierNeedsTwoEntitiesInTwoForces) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kStalking, {}, {}, 1, 101, false, "burner"});
  Add({"AAA", "2", {2025, 2, 1}, OffenceCode::kStalking, {}, {}, 2, 102, false, "burner"});
  const IdentifierToken burner{TokenKind::kPhone, "burner"};
  EXPECT_FALSE(detector_.ForIdentifier(graph_, burner, kToday).has_value());  // one force
  Add({"BBB", "3", {2025, 3, 1}, OffenceCode::kStalking, {}, {}, 3, 103, false, "burner"});
  const std::optional<Finding> f = detector_.ForIdentifier(graph_, burner, kToday);
  ASSERT_TRUE(f.has_value());
  EXPECT_THAT(f->entities, ElementsAre(1, 2, 3));
  EXPECT_THAT(f->forces, ElementsAre("AAA", "BBB"));
  EXPECT_EQ(f->subject.identifier, "burner");
  EXPECT_THAT(graph_.SharedTokens(), ElementsAre(burner));
}

TEST_F(PatternDetectorTest, ScoreIsTheClampedSumOfItsFactorsAndWeakLinksLowerIt) {
  PatternDetector doubtful(PatternOptions(),
                           [](const PersonKey& k) { return k.record_id == "2" ? 0.8 : 1.0; });
  Add({"AAA", "1", {2026, 11, 1}, OffenceCode::kStalking});
  Add({"BBB", "2", {2026, 11, 20}, OffenceCode::kStalking, {}, {Behaviour::kThreats}});
  std::vector<Finding> sure = Findings(1, Pattern::kCrossForceRepeat);
  std::vector<Finding> unsure;
  for (Finding& f : doubtful.ForSuspect(graph_, 1, kToday)) {
    if (f.subject.pattern == Pattern::kCrossForceRepeat) unsure.push_back(f);
  }
  ASSERT_THAT(sure, SizeIs(1));
  ASSERT_THAT(unsure, SizeIs(1));
  int sum = 0;
  for (const ScoreFactor& factor : sure[0].factors) sum += factor.points;
  EXPECT_EQ(sure[0].score, std::clamp(sum, 0, 100));
  // pattern 20 + forces 8 + recency 15 + severity (threats 10, rising 5) = 58
  EXPECT_EQ(sure[0].score, 58);
  EXPECT_EQ(unsure[0].score, 58 - 6);  // 30 x (1 - 0.8)
}

TEST_F(PatternDetectorTest, MovingAPersonRewiresTheGraph) {
  Add({"AAA", "1", {2025, 1, 1}, OffenceCode::kStalking, {}, {}, 1, 101});
  Add({"BBB", "2", {2025, 2, 1}, OffenceCode::kStalking, {}, {}, 2, 101});
  EXPECT_THAT(Findings(1, Pattern::kCrossForceRepeat), IsEmpty());
  // The linker merges suspect 2 into entity 1.
  const PersonKey moved{RecordKind::kIncident, "BBB", "2", "S2", PartyRole::kSuspect};
  EXPECT_EQ(graph_.MovePerson(moved, 1), 2u);
  EXPECT_THAT(Findings(1, Pattern::kCrossForceRepeat), SizeIs(1));
  EXPECT_THAT(graph_.IncidentsOfSuspect(2), IsEmpty());
  std::set<EntityId> touched;
  graph_.Remove(RecordId{RecordKind::kIncident, {"BBB", "2"}}, touched);
  EXPECT_THAT(touched, ElementsAre(1, 101));
  EXPECT_THAT(Findings(1, Pattern::kCrossForceRepeat), IsEmpty());
  EXPECT_EQ(graph_.incident_count(), 1u);
}

}  // namespace
}  // namespace crossforce
