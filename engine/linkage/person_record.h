// The unit of linkage: one party (suspect, victim, order subject or protected person) of one stored
// record, with the anonymised identity it was recorded under. Value types; thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_PERSON_RECORD_H_
#define CROSSFORCE_ENGINE_LINKAGE_PERSON_RECORD_H_

#include <array>
#include <compare>
#include <string>
#include <vector>

#include "engine/records.h"

namespace crossforce {

// Which party of which record: (kind, force, record id) and the force's nominal reference.
struct PersonKey {
  RecordKind kind = RecordKind::kIncident;
  std::string force_code;
  std::string record_id;
  std::string nominal_ref;
  PartyRole role = PartyRole::kSuspect;

  friend auto operator<=>(const PersonKey&, const PersonKey&) = default;
  friend bool operator==(const PersonKey&, const PersonKey&) = default;
};

struct PersonRecord {
  PersonKey key;
  std::vector<IdentifierToken> tokens;
  // The Bloom filter of each encoded field, indexed by EncodedField; empty when not recorded.
  std::array<std::string, kMaxEncodedField + 1> filters;
  Sex sex = Sex::kUnknown;

  const std::string& filter(EncodedField f) const { return filters[static_cast<int>(f)]; }
};

// The identified parties of `record` (unknown suspects have no identity and are left out). A
// party named twice with the same reference and role appears once.
std::vector<PersonRecord> ExtractPersons(const Record& record);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_PERSON_RECORD_H_
