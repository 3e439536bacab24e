// The seven repeat-perpetrator rules over the case graph. Rules count only stalking-type incidents
// (see CaseIncident) with an offence date inside the look-back window. Each finding is what one
// flag should say now: its subject, evidence, score and explanation; FlagBook turns findings into
// durable flags with ids and states. Thread-compatible; the graph must not change during a call.
//
// Rule details the issue leaves open, decided here:
// - ORDER_BREACH counts an incident dated strictly after the order's start (the incident that led
//   to the order is usually dated on its first day) and on or before its end (open-ended: no end).
// - ESCALATION by rate needs the episode to have begun before the last 30 days, so that there is a
//   previous period to compare with; severity rise and first appearance compare an incident with
//   the incidents before it (in its episode for severity, in the suspect's history for markers).
// - SHARED_IDENTIFIER needs the token on suspect records of at least two different entities and
//   at least two forces.
#ifndef CROSSFORCE_ENGINE_PATTERNS_PATTERN_DETECTOR_H_
#define CROSSFORCE_ENGINE_PATTERNS_PATTERN_DETECTOR_H_

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/date.h"
#include "engine/patterns/case_graph.h"
#include "engine/patterns/flag.h"

namespace crossforce {

// Thresholds of the rules; the defaults are the issue's.
struct PatternOptions {
  int lookback_days = 3653;  // ten years
  int cross_force_min_forces = 2;
  int serial_min_victims = 3;
  int pursuit_min_forces = 2;
  int hidden_window_days = 365;
  int hidden_min_incidents = 2;
  int episode_gap_days = 90;
  int escalation_recent_days = 30;
  int escalation_previous_days = 90;
  double escalation_rate_ratio = 2.0;
  int shared_identifier_min_forces = 2;
  int escalated_score_step = 10;  // a flag whose score rises this much is "escalated"
  int detection_threads = 0;      // for a full pass; 0: one per core
};

// What one flag should say now.
struct Finding {
  FlagSubject subject;
  int score = 0;
  std::vector<ScoreFactor> factors;
  std::vector<std::string> forces;
  std::vector<std::string> alert_forces;
  std::vector<EntityId> entities;
  std::vector<Evidence> evidence;  // in date order
  std::vector<std::string> explanation;
};

class PatternDetector {
 public:
  // Probability that a person record belongs to the entity it is in.
  using LinkConfidence = std::function<double(const PersonKey&)>;

  PatternDetector(PatternOptions options, LinkConfidence link_confidence);

  // Findings of the six suspect rules (all but SHARED_IDENTIFIER) for one suspect entity.
  std::vector<Finding> ForSuspect(const CaseGraph& graph, EntityId entity, Date today) const;
  // The SHARED_IDENTIFIER finding for one token, if the rule holds.
  std::optional<Finding> ForIdentifier(const CaseGraph& graph, const IdentifierToken& token,
                                       Date today) const;

  // The findings for the given suspect entities and identifier tokens (an incremental pass).
  std::vector<Finding> DetectFor(const CaseGraph& graph, const std::set<EntityId>& suspects,
                                 const std::set<std::pair<TokenKind, std::string>>& tokens,
                                 Date today) const;
  // A full pass: every suspect entity and every shared token, the suspects split across
  // options().detection_threads threads (the graph and the link-confidence function are only
  // read). Findings in suspect order, then identifiers.
  std::vector<Finding> DetectAll(const CaseGraph& graph, Date today) const;

  const PatternOptions& options() const { return options_; }

 private:
  bool Counts(const CaseIncident& incident, Date today) const;

  const PatternOptions options_;
  const LinkConfidence link_confidence_;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_PATTERN_DETECTOR_H_
