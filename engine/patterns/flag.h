// A flag: a repeat-perpetrator pattern the rules found, with the evidence behind it, a risk score
// that decomposes into named factors, and the analyst's decision. Flags are decision support for
// an analyst, never automated decisions. Value types; thread-compatible.
#ifndef CROSSFORCE_ENGINE_PATTERNS_FLAG_H_
#define CROSSFORCE_ENGINE_PATTERNS_FLAG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/date.h"
#include "engine/linkage/linker.h"
#include "engine/records.h"

namespace crossforce {

enum class Pattern : uint8_t {
  kCrossForceRepeat = 1,
  kSerialPerpetrator = 2,
  kVictimPursuit = 3,
  kHiddenCourseOfConduct = 4,
  kEscalation = 5,
  kOrderBreach = 6,
  kSharedIdentifier = 7,
};
inline constexpr int kMaxPattern = 7;

// "CROSS_FORCE_REPEAT", ...: the names the API and CLI use.
const char* PatternName(Pattern pattern);
std::optional<Pattern> ParsePattern(absl::string_view name);

enum class FlagState : uint8_t {
  kNew = 1,        // first raised, or raised again after being cleared
  kUpdated = 2,    // evidence changed
  kEscalated = 3,  // the score rose by the escalation step or more
  kCleared = 4,    // the pattern no longer holds (a record deleted, or people unlinked)
};
const char* FlagStateName(FlagState state);

enum class DecisionOutcome : uint8_t { kAccepted = 1, kRejected = 2, kNeedsInformation = 3 };
const char* DecisionOutcomeName(DecisionOutcome outcome);

struct Decision {
  DecisionOutcome outcome = DecisionOutcome::kNeedsInformation;
  std::string user;
  std::string reason;
  int64_t decided_at_micros = 0;  // Unix time
};

// What a flag is about: one per pattern and suspect entity; per suspect-victim pair for
// VICTIM_PURSUIT and HIDDEN_COURSE_OF_CONDUCT; per identifier token for SHARED_IDENTIFIER.
struct FlagSubject {
  Pattern pattern = Pattern::kCrossForceRepeat;
  EntityId entity = 0;                            // the suspect entity (SHARED_IDENTIFIER: 0)
  EntityId victim_entity = 0;                     // pair patterns only
  TokenKind identifier_kind = TokenKind::kPhone;  // SHARED_IDENTIFIER only
  std::string identifier;                         // the keyed token (SHARED_IDENTIFIER only)

  friend auto operator<=>(const FlagSubject&, const FlagSubject&) = default;
  friend bool operator==(const FlagSubject&, const FlagSubject&) = default;
};

// One term of the risk score: a name from the documented list, the points it adds (negative for
// the link-confidence discount) and why.
struct ScoreFactor {
  std::string name;
  int points = 0;
  std::string detail;

  friend bool operator==(const ScoreFactor&, const ScoreFactor&) = default;
};

// One record behind a flag.
struct Evidence {
  RecordKind kind = RecordKind::kIncident;
  RecordKey key;  // force code and incident (or order) id
  std::string suspect_ref;
  std::string victim_ref;
  EntityId suspect_entity = 0;
  EntityId victim_entity = 0;
  Date date;      // offence date; an order's start date
  Date end_date;  // orders only
  std::optional<OffenceCode> main_offence;
  std::vector<OffenceCode> included_offences;
  std::vector<Behaviour> behaviours;
  std::optional<OrderType> order_type;
  // The probability that the suspect record belongs to the entity the flag is about: 1 for the
  // record the entity is anchored on, otherwise from the strongest link that tied it in.
  double link_confidence = 1;

  friend bool operator==(const Evidence&, const Evidence&) = default;
};

struct Flag {
  std::string flag_id;  // stable: "F" and a number, never reused
  FlagSubject subject;
  int score = 0;  // 0-100, the sum of the factors, clamped
  std::vector<ScoreFactor> factors;
  std::vector<std::string> forces;        // forces whose records are evidence, sorted
  std::vector<std::string> alert_forces;  // forces to alert (ORDER_BREACH: the issuing force too)
  std::vector<EntityId> entities;         // suspect entities involved (SHARED_IDENTIFIER: several)
  std::vector<Evidence> evidence;         // in date order: the flag's timeline
  std::vector<std::string> explanation;   // why the rule fired, in words
  FlagState state = FlagState::kNew;
  std::optional<Decision> decision;
  int64_t raised_at_micros = 0;
  int64_t changed_at_micros = 0;
  uint64_t sequence = 0;  // hub-wide change counter at the last change: "changed since"

  // Whether `force_code` recorded evidence of the flag or is to be alerted by it.
  bool Concerns(absl::string_view force_code) const;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_FLAG_H_
