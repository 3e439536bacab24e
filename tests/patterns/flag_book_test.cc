// Flag identity and state across detection passes, decisions, listing, and the storage format.
#include "engine/patterns/flag_book.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crossforce {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

EntityId Same(EntityId id) { return id; }

Finding MakeFinding(Pattern pattern, EntityId entity, int score, std::string record = "1") {
  Finding f;
  f.subject.pattern = pattern;
  f.subject.entity = entity;
  f.score = score;
  f.factors = {{"pattern", score, PatternName(pattern)}};
  f.forces = {"AAA", "BBB"};
  f.alert_forces = f.forces;
  f.entities = {entity};
  Evidence e;
  e.key = {"AAA", std::move(record)};
  e.suspect_ref = "S";
  e.suspect_entity = entity;
  e.date = {2025, 1, 1};
  f.evidence = {e};
  f.explanation = {"because"};
  return f;
}

// Reconcile, with copies of what changed and of the alerts.
std::vector<Flag> Apply(FlagBook& book, const DetectionScope& scope, std::vector<Finding> findings,
                        int64_t now, const std::function<EntityId(EntityId)>& resolve,
                        std::vector<Flag>& alerts) {
  const FlagBook::Changes changes = book.Reconcile(scope, std::move(findings), now, resolve);
  std::vector<Flag> changed;
  for (const Flag* f : changes.changed) changed.push_back(*f);
  for (const Flag* f : changes.alerts) alerts.push_back(*f);
  return changed;
}

DetectionScope ScopeOf(std::set<EntityId> suspects) {
  DetectionScope scope;
  scope.suspects = std::move(suspects);
  return scope;
}

TEST(FlagBookTest, NewUpdatedEscalatedClearedAndRaisedAgain) {
  FlagBook book(10);
  std::vector<Flag> alerts;
  std::vector<Flag> changed = Apply(
      book, ScopeOf({7}), {MakeFinding(Pattern::kCrossForceRepeat, 7, 40)}, 100, Same, alerts);
  ASSERT_THAT(changed, SizeIs(1));
  const std::string id = changed[0].flag_id;
  EXPECT_EQ(id, "F0000001");
  EXPECT_EQ(changed[0].state, FlagState::kNew);
  EXPECT_THAT(alerts, SizeIs(1));

  // The same finding again changes nothing.
  alerts.clear();
  EXPECT_THAT(Apply(book, ScopeOf({7}), {MakeFinding(Pattern::kCrossForceRepeat, 7, 40)}, 200, Same,
                    alerts),
              IsEmpty());
  EXPECT_THAT(alerts, IsEmpty());

  // More evidence, small rise: updated, no alert.
  changed = Apply(book, ScopeOf({7}), {MakeFinding(Pattern::kCrossForceRepeat, 7, 45, "2")}, 300,
                  Same, alerts);
  ASSERT_THAT(changed, SizeIs(1));
  EXPECT_EQ(changed[0].flag_id, id);
  EXPECT_EQ(changed[0].state, FlagState::kUpdated);
  EXPECT_THAT(alerts, IsEmpty());

  // A rise of the escalation step: escalated, alert.
  changed = Apply(book, ScopeOf({7}), {MakeFinding(Pattern::kCrossForceRepeat, 7, 55)}, 400, Same,
                  alerts);
  EXPECT_EQ(changed[0].state, FlagState::kEscalated);
  EXPECT_THAT(alerts, SizeIs(1));

  // Nothing found for the entity any more: cleared, kept.
  changed = Apply(book, ScopeOf({7}), {}, 500, Same, alerts);
  ASSERT_THAT(changed, SizeIs(1));
  EXPECT_EQ(changed[0].state, FlagState::kCleared);
  EXPECT_EQ(book.Get(id)->changed_at_micros, 500);

  // Found again: the same flag, new again.
  alerts.clear();
  changed = Apply(book, ScopeOf({7}), {MakeFinding(Pattern::kCrossForceRepeat, 7, 40)}, 600, Same,
                  alerts);
  EXPECT_EQ(changed[0].flag_id, id);
  EXPECT_EQ(changed[0].state, FlagState::kNew);
  EXPECT_EQ(changed[0].raised_at_micros, 100);
  EXPECT_THAT(alerts, SizeIs(1));
}

TEST(FlagBookTest, FlagsOutsideTheScopeAreLeftAlone) {
  FlagBook book(10);
  std::vector<Flag> alerts;
  Apply(book, ScopeOf({1, 2}),
        {MakeFinding(Pattern::kSerialPerpetrator, 1, 30),
         MakeFinding(Pattern::kSerialPerpetrator, 2, 30)},
        1, Same, alerts);
  EXPECT_THAT(
      Apply(book, ScopeOf({2}), {MakeFinding(Pattern::kSerialPerpetrator, 2, 30)}, 2, Same, alerts),
      IsEmpty());
  EXPECT_EQ(book.Get("F0000001")->state, FlagState::kNew);
}

TEST(FlagBookTest, AMergedEntityKeepsTheAbsorbedEntitysFlagAndDecision) {
  FlagBook book(10);
  std::vector<Flag> alerts;
  Apply(book, ScopeOf({5}), {MakeFinding(Pattern::kEscalation, 5, 30)}, 1, Same, alerts);
  ASSERT_TRUE(book.Decide("F0000001", {DecisionOutcome::kAccepted, "analyst", "seen", 0}, 2).ok());
  // Entity 5 is absorbed into 3; the pass covers both.
  const auto resolve = [](EntityId id) { return id == 5 ? EntityId{3} : id; };
  std::vector<Flag> changed =
      Apply(book, ScopeOf({3, 5}), {MakeFinding(Pattern::kEscalation, 3, 30)}, 3, resolve, alerts);
  ASSERT_THAT(changed, SizeIs(1));
  EXPECT_EQ(changed[0].flag_id, "F0000001");
  EXPECT_EQ(changed[0].subject.entity, 3u);
  ASSERT_TRUE(changed[0].decision.has_value());
  EXPECT_EQ(changed[0].decision->user, "analyst");
  EXPECT_EQ(book.size(), 1u);
}

TEST(FlagBookTest, ListsByScoreWithFiltersAndPages) {
  FlagBook book(10);
  std::vector<Flag> alerts;
  std::vector<Finding> findings;
  for (EntityId e = 1; e <= 5; ++e) {
    findings.push_back(MakeFinding(Pattern::kCrossForceRepeat, e, static_cast<int>(10 * e)));
  }
  findings.push_back(MakeFinding(Pattern::kOrderBreach, 1, 35));
  findings.back().alert_forces = {"AAA", "BBB", "ZZZ"};
  Apply(book, ScopeOf({1, 2, 3, 4, 5}), std::move(findings), 1, Same, alerts);

  FlagQuery query;
  query.page_size = 4;
  absl::StatusOr<FlagPage> page = book.List(query);
  ASSERT_TRUE(page.ok());
  std::vector<int> scores;
  for (const Flag& f : page->flags) scores.push_back(f.score);
  EXPECT_THAT(scores, ElementsAre(50, 40, 35, 30));
  query.page_token = page->next_page_token;
  page = book.List(query);
  ASSERT_TRUE(page.ok());
  scores.clear();
  for (const Flag& f : page->flags) scores.push_back(f.score);
  EXPECT_THAT(scores, ElementsAre(20, 10));
  EXPECT_TRUE(page->next_page_token.empty());

  FlagQuery filtered;
  filtered.pattern = Pattern::kOrderBreach;
  EXPECT_THAT(book.List(filtered)->flags, SizeIs(1));
  filtered = FlagQuery();
  filtered.force_code = "ZZZ";  // only as the force to alert
  EXPECT_THAT(book.List(filtered)->flags, SizeIs(1));
  filtered = FlagQuery();
  filtered.min_score = 40;
  EXPECT_THAT(book.List(filtered)->flags, SizeIs(2));
  filtered = FlagQuery();
  filtered.page_token = "garbage";
  EXPECT_EQ(book.List(filtered).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FlagBookTest, DecideNeedsAKnownFlag) {
  FlagBook book(10);
  EXPECT_EQ(book.Decide("F9", {}, 1).status().code(), absl::StatusCode::kNotFound);
}

TEST(FlagCodecTest, RoundTripsEveryField) {
  FlagBook book(10);
  std::vector<Flag> alerts;
  Finding f = MakeFinding(Pattern::kSharedIdentifier, 0, 33);
  f.subject.identifier_kind = TokenKind::kEmail;
  f.subject.identifier = std::string("\x01\x02\x00\xff", 4);
  f.evidence[0].main_offence = OffenceCode::kStalking;
  f.evidence[0].included_offences = {OffenceCode::kHarassment};
  f.evidence[0].behaviours = {Behaviour::kThreats};
  f.evidence[0].order_type = OrderType::kRestrainingOrder;
  f.evidence[0].end_date = {2027, 2, 3};
  f.evidence[0].link_confidence = 0.987654;
  f.factors.push_back({"link_confidence", -4, "weakest link 0.870"});
  DetectionScope scope;
  scope.tokens = {{TokenKind::kEmail, f.subject.identifier}};
  Apply(book, scope, {f}, 9, Same, alerts);
  ASSERT_TRUE(book.Decide("F0000001",
                          {DecisionOutcome::kNeedsInformation, "a.user", "ask force BBB", 0}, 10)
                  .ok());
  const Flag flag = *book.Get("F0000001");
  const absl::StatusOr<Flag> decoded = DecodeFlag(EncodeFlag(flag));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeFlag(*decoded), EncodeFlag(flag));
  EXPECT_EQ(decoded->subject, flag.subject);
  EXPECT_EQ(decoded->evidence, flag.evidence);
  EXPECT_EQ(decoded->factors, flag.factors);
  EXPECT_EQ(decoded->decision->reason, "ask force BBB");
  EXPECT_EQ(decoded->sequence, flag.sequence);
}

TEST(FlagCodecTest, DamagedBytesAreDataLoss) {
  FlagBook book(10);
  std::vector<Flag> alerts;
  Apply(book, ScopeOf({1}), {MakeFinding(Pattern::kEscalation, 1, 20)}, 1, Same, alerts);
  const std::string bytes = EncodeFlag(*book.Get("F0000001"));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(DecodeFlag(bytes.substr(0, cut)).status().code(), absl::StatusCode::kDataLoss)
        << "cut at " << cut;
  }
  EXPECT_EQ(DecodeFlag(bytes + "x").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace crossforce
