#include "engine/patterns/flag.h"

#include <algorithm>

namespace crossforce {

const char* PatternName(Pattern pattern) {
  switch (pattern) {
    case Pattern::kCrossForceRepeat:
      return "CROSS_FORCE_REPEAT";
    case Pattern::kSerialPerpetrator:
      return "SERIAL_PERPETRATOR";
    case Pattern::kVictimPursuit:
      return "VICTIM_PURSUIT";
    case Pattern::kHiddenCourseOfConduct:
      return "HIDDEN_COURSE_OF_CONDUCT";
    case Pattern::kEscalation:
      return "ESCALATION";
    case Pattern::kOrderBreach:
      return "ORDER_BREACH";
    case Pattern::kSharedIdentifier:
      return "SHARED_IDENTIFIER";
  }
  return "UNKNOWN";
}

std::optional<Pattern> ParsePattern(absl::string_view name) {
  for (int p = 1; p <= kMaxPattern; ++p) {
    if (name == PatternName(static_cast<Pattern>(p))) return static_cast<Pattern>(p);
  }
  return std::nullopt;
}

bool Flag::Concerns(absl::string_view force_code) const {
  return std::find(forces.begin(), forces.end(), force_code) != forces.end() ||
         std::find(alert_forces.begin(), alert_forces.end(), force_code) != alert_forces.end();
}

const char* FlagStateName(FlagState state) {
  switch (state) {
    case FlagState::kNew:
      return "new";
    case FlagState::kUpdated:
      return "updated";
    case FlagState::kEscalated:
      return "escalated";
    case FlagState::kCleared:
      return "cleared";
  }
  return "unknown";
}

const char* DecisionOutcomeName(DecisionOutcome outcome) {
  switch (outcome) {
    case DecisionOutcome::kAccepted:
      return "accepted";
    case DecisionOutcome::kRejected:
      return "rejected";
    case DecisionOutcome::kNeedsInformation:
      return "needs_information";
  }
  return "unknown";
}

}  // namespace crossforce
