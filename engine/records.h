// The engine's own record types: incidents with their parties, and protective orders, holding only
// anonymised identities (keyed tokens and Bloom-filter encodings). Value types; thread-compatible.
#ifndef CROSSFORCE_ENGINE_RECORDS_H_
#define CROSSFORCE_ENGINE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/date.h"
#include "engine/vocabulary.h"

namespace crossforce {

struct RecordKey {
  std::string force_code;
  std::string record_id;

  friend auto operator<=>(const RecordKey&, const RecordKey&) = default;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
};

struct IdentifierToken {
  TokenKind kind = TokenKind::kPncId;
  std::string token;  // 32 bytes of HMAC-SHA256

  friend bool operator==(const IdentifierToken&, const IdentifierToken&) = default;
};

struct FieldEncoding {
  EncodedField field = EncodedField::kRecord;
  std::string bloom_filter;  // the filter's bits, length fixed by the encoding schema

  friend bool operator==(const FieldEncoding&, const FieldEncoding&) = default;
};

struct AnonymisedIdentity {
  std::string schema_id;
  std::string key_fingerprint;  // 16 bytes
  std::vector<IdentifierToken> tokens;
  std::vector<FieldEncoding> encodings;
  Sex sex = Sex::kUnknown;

  friend bool operator==(const AnonymisedIdentity&, const AnonymisedIdentity&) = default;
};

struct Party {
  PartyRole role = PartyRole::kSuspect;
  std::string nominal_ref;
  std::optional<AnonymisedIdentity> identity;  // absent only for an unknown suspect

  friend bool operator==(const Party&, const Party&) = default;
};

struct Incident {
  RecordKey key;
  uint64_t version = 0;
  Date offence_date;
  Date reported_date;
  std::optional<OffenceCode> main_offence;
  std::vector<OffenceCode> included_offences;
  bool domestic_abuse = false;
  std::vector<Behaviour> behaviours;
  std::string location_district;
  Outcome outcome = Outcome::kUnknown;
  HandlingCode handling_code = HandlingCode::kUnknown;
  Date review_date;
  std::vector<Party> parties;

  friend bool operator==(const Incident&, const Incident&) = default;
};

struct ProtectiveOrder {
  RecordKey key;  // key.force_code is the issuing force
  uint64_t version = 0;
  std::optional<OrderType> order_type;
  Date start_date;
  Date end_date;  // unknown: open-ended
  std::optional<Party> subject;
  std::optional<Party> protected_person;
  Date review_date;

  friend bool operator==(const ProtectiveOrder&, const ProtectiveOrder&) = default;
};

// A record of either kind.
using Record = std::variant<Incident, ProtectiveOrder>;

RecordKind KindOf(const Record& record);
const RecordKey& KeyOf(const Record& record);
uint64_t VersionOf(const Record& record);

// Incidents and orders have separate key spaces.
struct RecordId {
  RecordKind kind = RecordKind::kIncident;
  RecordKey key;

  friend auto operator<=>(const RecordId&, const RecordId&) = default;
  friend bool operator==(const RecordId&, const RecordId&) = default;
};

inline RecordId IdOf(const Record& record) { return RecordId{KindOf(record), KeyOf(record)}; }

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_RECORDS_H_
