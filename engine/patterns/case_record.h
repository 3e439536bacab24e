// The facts of a stored record that the pattern rules look at: who was involved in which role,
// when, what it was recorded as, and (for suspects) the exact identifiers they were recorded with.
// Derived from an Incident or a ProtectiveOrder; value types, thread-compatible.
#ifndef CROSSFORCE_ENGINE_PATTERNS_CASE_RECORD_H_
#define CROSSFORCE_ENGINE_PATTERNS_CASE_RECORD_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/date.h"
#include "engine/linkage/person_record.h"
#include "engine/records.h"

namespace crossforce {

// Severity of what a suspect did, in the order stalking risk assessment ranks it:
// contact < monitoring < loitering/visits < property damage < threats < violence.
enum class Severity : uint8_t {
  kNone = 0,
  kContact = 1,
  kMonitoring = 2,
  kLoitering = 3,
  kPropertyDamage = 4,
  kThreats = 5,
  kViolence = 6,
};
const char* SeverityName(Severity severity);
Severity SeverityOf(Behaviour behaviour);

struct CaseParty {
  PersonKey person;
  // Phone, email and vehicle tokens of a suspect: what SHARED_IDENTIFIER compares.
  std::vector<IdentifierToken> contact_tokens;
};

struct CaseIncident {
  RecordKey key;
  Date offence_date;
  std::optional<OffenceCode> main_offence;
  std::vector<OffenceCode> included_offences;
  bool domestic_abuse = false;
  std::vector<Behaviour> behaviours;
  std::vector<CaseParty> suspects;  // identified suspects only
  std::vector<CaseParty> victims;

  // Main or included code in the stalking and harassment family, or domestic abuse showing a
  // stalking behaviour.
  bool stalking_type = false;
  // Coded as stalking proper (STALKING or STALKING_FEAR_OF_VIOLENCE, main or included).
  bool coded_as_stalking = false;
  Severity severity = Severity::kNone;  // the worst behaviour recorded
  // Behaviours that, appearing for the first time, mark escalation (threats, violence, property
  // damage, tracking device), as a bit set over Behaviour values.
  uint32_t escalation_markers = 0;
};

struct CaseOrder {
  RecordKey key;  // force_code is the issuing force
  std::optional<OrderType> order_type;
  Date start_date;
  Date end_date;  // unknown: open-ended
  std::optional<PersonKey> subject;
  std::optional<PersonKey> protected_person;
};

CaseIncident MakeCaseIncident(const Incident& incident);
CaseOrder MakeCaseOrder(const ProtectiveOrder& order);

// The case facts of a record of either kind.
using CaseRecord = std::variant<CaseIncident, CaseOrder>;
CaseRecord MakeCaseRecord(const Record& record);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_CASE_RECORD_H_
