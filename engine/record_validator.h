// Checks a record against the wire contract's rules before the hub stores it: required fields,
// known codes, dates in range, well-formed keys and references, and anonymised identities that
// match the federation's encoding schema. Reports every problem, each naming the field by its wire
// path (e.g. "incident.parties[1].identity.tokens[0].token"). Thread-safe (pure).
#ifndef CROSSFORCE_ENGINE_RECORD_VALIDATOR_H_
#define CROSSFORCE_ENGINE_RECORD_VALIDATOR_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/date.h"
#include "engine/records.h"

namespace crossforce {

struct FieldViolation {
  std::string field;   // wire path of the field, from the record ("incident.key.force_code")
  std::string reason;  // what is wrong, in words a force's developer can act on

  friend bool operator==(const FieldViolation&, const FieldViolation&) = default;
};

struct ValidationRules {
  std::string schema_id = "crossforce-person-v1";  // the federation's encoding schema
  Date earliest_date{1900, 1, 1};                  // no offence, order or birth date before this
  Date latest_review_date{2199, 12, 31};
  Date today;               // dates after today + 1 day are refused; set by the caller
  size_t max_parties = 64;  // per incident
  size_t max_tokens = 64;   // per identity
  size_t max_codes = 32;    // included offences, behaviours
};

// The field path prefix of a record kind: "incident" or "order".
absl::string_view FieldPrefix(RecordKind kind);

// True for a force code: 2-16 of A-Z, 0-9, '_'.
bool IsValidForceCode(absl::string_view code);
// True for a record id or nominal reference: 1-64 printable ASCII characters, no spaces at the
// ends.
bool IsValidReference(absl::string_view ref);
// True for a postcode district (outward code) such as "LS6", "SW1A", "M1".
bool IsValidPostcodeDistrict(absl::string_view district);

// Every violation of `record`; empty when it may be stored.
std::vector<FieldViolation> ValidateRecord(const Record& record, const ValidationRules& rules);

// Violations of a key alone (for deletes and reads).
std::vector<FieldViolation> ValidateRecordKey(const RecordKey& key, absl::string_view prefix);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_RECORD_VALIDATOR_H_
