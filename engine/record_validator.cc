#include "engine/record_validator.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/encoding_schema.h"

namespace crossforce {
namespace {

// A field's wire path, built on the stack as the checks descend and turned into text only when a
// violation names it: valid records, the common case, cost no string building.
class FieldPath {
 public:
  explicit FieldPath(absl::string_view root) : parent_(nullptr), name_(root) {}
  FieldPath(const FieldPath* parent, absl::string_view name, int index = -1)
      : parent_(parent), name_(name), index_(index) {}

  FieldPath Child(absl::string_view name) const { return FieldPath(this, name); }
  FieldPath Element(absl::string_view name, size_t index) const {
    return FieldPath(this, name, static_cast<int>(index));
  }

  std::string Str() const {
    std::string out = parent_ != nullptr ? parent_->Str() + "." : std::string();
    absl::StrAppend(&out, name_);
    if (index_ >= 0) absl::StrAppend(&out, "[", index_, "]");
    return out;
  }

 private:
  const FieldPath* parent_;
  absl::string_view name_;
  int index_ = -1;
};

// Collects violations.
class Violations {
 public:
  explicit Violations(std::vector<FieldViolation>* out) : out_(out) {}

  void Add(const FieldPath& field, std::string reason) {
    out_->push_back({field.Str(), std::move(reason)});
  }

 private:
  std::vector<FieldViolation>* const out_;
};

template <typename Enum>
bool InRange(Enum value, int max) {
  const int v = static_cast<int>(value);
  return v >= 1 && v <= max;
}

void CheckDate(const Date& date, bool required, const FieldPath& field,
               const ValidationRules& rules, Violations& v) {
  if (!date.known()) {
    if (required) v.Add(field, "is required");
    return;
  }
  if (!IsValidDate(date)) {
    v.Add(field,
          absl::StrCat("is not a calendar date (", date.year, "-", date.month, "-", date.day, ")"));
    return;
  }
  if (date < rules.earliest_date) {
    v.Add(field,
          absl::StrCat(FormatIsoDate(date), " is before ", FormatIsoDate(rules.earliest_date)));
  }
}

// Offence, reported and order dates must not lie in the future (one day of slack for time zones).
void CheckNotFuture(const Date& date, const FieldPath& field, const ValidationRules& rules,
                    Violations& v) {
  if (!date.known() || !IsValidDate(date) || !IsValidDate(rules.today)) return;
  if (DaysSinceEpoch(date) > DaysSinceEpoch(rules.today) + 1) {
    v.Add(field, absl::StrCat(FormatIsoDate(date), " is in the future"));
  }
}

void CheckNotBefore(const Date& later, const Date& earlier, const FieldPath& later_field,
                    absl::string_view earlier_field, Violations& v) {
  if (!later.known() || !earlier.known() || !IsValidDate(later) || !IsValidDate(earlier)) return;
  if (later < earlier) {
    v.Add(later_field, absl::StrCat(FormatIsoDate(later), " is before ", earlier_field, " ",
                                    FormatIsoDate(earlier)));
  }
}

void CheckNotAfter(const Date& date, const Date& latest, const FieldPath& field, Violations& v) {
  if (date.known() && date > latest) {
    v.Add(field, absl::StrCat(FormatIsoDate(date), " is after ", FormatIsoDate(latest)));
  }
}

void CheckKey(const RecordKey& key, const FieldPath& record, Violations& v) {
  const FieldPath key_path = record.Child("key");
  if (key.force_code.empty()) {
    v.Add(key_path.Child("force_code"), "is required");
  } else if (!IsValidForceCode(key.force_code)) {
    v.Add(key_path.Child("force_code"),
          absl::StrCat("'", absl::CHexEscape(key.force_code),
                       "' is not a force code (2-16 of A-Z, 0-9, '_')"));
  }
  if (key.record_id.empty()) {
    v.Add(key_path.Child("record_id"), "is required");
  } else if (!IsValidReference(key.record_id)) {
    v.Add(key_path.Child("record_id"),
          "must be 1-64 printable ASCII characters without spaces at the ends");
  }
}

void CheckIdentity(const AnonymisedIdentity& identity, const FieldPath& path,
                   const ValidationRules& rules, Violations& v) {
  const EncodingSchema* schema = nullptr;
  if (identity.schema_id.empty()) {
    v.Add(path.Child("schema_id"), "is required");
  } else if (identity.schema_id != rules.schema_id) {
    v.Add(path.Child("schema_id"),
          absl::StrCat("'", absl::CHexEscape(identity.schema_id),
                       "' is not the federation's schema '", rules.schema_id, "'"));
  } else {
    schema = FindEncodingSchema(identity.schema_id);
    if (schema == nullptr) {
      v.Add(path.Child("schema_id"),
            absl::StrCat("the hub does not know schema '", identity.schema_id,
                         "' (known: ", absl::StrJoin(KnownEncodingSchemaIds(), ", "), ")"));
    }
  }
  if (identity.key_fingerprint.size() != kKeyFingerprintBytes) {
    v.Add(path.Child("key_fingerprint"),
          absl::StrCat("must be ", kKeyFingerprintBytes, " bytes, not ",
                       identity.key_fingerprint.size()));
  }
  if (identity.tokens.size() > rules.max_tokens) {
    v.Add(path.Child("tokens"), absl::StrCat(identity.tokens.size(),
                                             " tokens, more than the limit of ", rules.max_tokens));
  } else {
    for (size_t i = 0; i < identity.tokens.size(); ++i) {
      const IdentifierToken& token = identity.tokens[i];
      const FieldPath token_path = path.Element("tokens", i);
      if (!InRange(token.kind, kMaxTokenKind)) {
        v.Add(token_path.Child("kind"),
              absl::StrCat("unknown token kind ", static_cast<int>(token.kind)));
      }
      if (token.token.size() != kTokenBytes) {
        v.Add(token_path.Child("token"),
              absl::StrCat("must be ", kTokenBytes, " bytes (HMAC-SHA256), not ",
                           token.token.size()));
      }
    }
  }
  uint32_t seen = 0;  // bit per EncodedField
  for (size_t i = 0; i < identity.encodings.size(); ++i) {
    const FieldEncoding& encoding = identity.encodings[i];
    const FieldPath enc_path = path.Element("encodings", i);
    if (!InRange(encoding.field, kMaxEncodedField)) {
      v.Add(enc_path.Child("field"),
            absl::StrCat("unknown encoded field ", static_cast<int>(encoding.field)));
      continue;
    }
    const uint32_t bit = 1u << static_cast<int>(encoding.field);
    if (seen & bit) {
      v.Add(enc_path.Child("field"), absl::StrCat(Name(encoding.field), " is encoded twice"));
    }
    seen |= bit;
    if (schema == nullptr) continue;
    const uint32_t bits = schema->BitsFor(encoding.field);
    if (bits == 0) {
      v.Add(enc_path.Child("field"),
            absl::StrCat("schema '", schema->id, "' does not encode ", Name(encoding.field)));
    } else if (encoding.bloom_filter.size() * 8 != bits) {
      v.Add(enc_path.Child("bloom_filter"),
            absl::StrCat(Name(encoding.field), " filter must be ", bits, " bits (", bits / 8,
                         " bytes) under schema '", schema->id, "', not ",
                         encoding.bloom_filter.size(), " bytes"));
    }
  }
  if (!InRange(identity.sex, kMaxSex) && identity.sex != Sex::kUnknown) {
    v.Add(path.Child("sex"), absl::StrCat("unknown sex code ", static_cast<int>(identity.sex)));
  }
}

void CheckParty(const Party& party, const FieldPath& path, const ValidationRules& rules,
                Violations& v) {
  if (!InRange(party.role, kMaxPartyRole)) {
    v.Add(path.Child("role"), static_cast<int>(party.role) == 0
                                  ? std::string("is required")
                                  : absl::StrCat("unknown role ", static_cast<int>(party.role)));
    return;
  }
  const bool unknown_suspect = party.role == PartyRole::kUnknownSuspect;
  if (party.nominal_ref.empty()) {
    if (!unknown_suspect) v.Add(path.Child("nominal_ref"), "is required for a suspect or victim");
  } else if (!IsValidReference(party.nominal_ref)) {
    v.Add(path.Child("nominal_ref"),
          "must be 1-64 printable ASCII characters without spaces at the ends");
  }
  if (unknown_suspect) {
    if (party.identity.has_value()) {
      v.Add(path.Child("identity"), "must be absent for an unknown suspect");
    }
    return;
  }
  if (!party.identity.has_value()) {
    v.Add(path.Child("identity"), "is required for a suspect or victim");
    return;
  }
  CheckIdentity(*party.identity, path.Child("identity"), rules, v);
}

template <typename Enum>
void CheckCodes(const std::vector<Enum>& codes, int max, const FieldPath& parent,
                absl::string_view name, absl::string_view what, const ValidationRules& rules,
                Violations& v) {
  if (codes.size() > rules.max_codes) {
    v.Add(parent.Child(name),
          absl::StrCat(codes.size(), " entries, more than the limit of ", rules.max_codes));
    return;
  }
  uint64_t seen = 0;  // bit per code; codes are at most 255 but only those <= max are checked
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!InRange(codes[i], max)) {
      v.Add(parent.Element(name, i),
            absl::StrCat("unknown ", what, " ", static_cast<int>(codes[i])));
      continue;
    }
    const uint64_t bit = uint64_t{1} << static_cast<int>(codes[i]);
    if (seen & bit) {
      v.Add(parent.Element(name, i), absl::StrCat(Name(codes[i]), " is listed twice"));
    }
    seen |= bit;
  }
}

void CheckIncident(const Incident& incident, const ValidationRules& rules, Violations& v) {
  const FieldPath p("incident");
  CheckKey(incident.key, p, v);
  if (incident.version == 0) v.Add(p.Child("version"), "must be at least 1");
  CheckDate(incident.offence_date, true, p.Child("offence_date"), rules, v);
  CheckNotFuture(incident.offence_date, p.Child("offence_date"), rules, v);
  CheckDate(incident.reported_date, false, p.Child("reported_date"), rules, v);
  CheckNotFuture(incident.reported_date, p.Child("reported_date"), rules, v);
  CheckNotBefore(incident.reported_date, incident.offence_date, p.Child("reported_date"),
                 "offence_date", v);
  if (!incident.main_offence.has_value()) {
    v.Add(p.Child("main_offence"), "is required");
  } else if (!InRange(*incident.main_offence, kMaxOffenceCode)) {
    v.Add(p.Child("main_offence"),
          absl::StrCat("unknown offence code ", static_cast<int>(*incident.main_offence)));
  }
  CheckCodes(incident.included_offences, kMaxOffenceCode, p, "included_offences", "offence code",
             rules, v);
  CheckCodes(incident.behaviours, kMaxBehaviour, p, "behaviours", "behaviour", rules, v);
  if (!incident.location_district.empty() && !IsValidPostcodeDistrict(incident.location_district)) {
    v.Add(p.Child("location_district"),
          absl::StrCat("'", absl::CHexEscape(incident.location_district),
                       "' is not a postcode district (outward code such as LS6 or SW1A)"));
  }
  if (static_cast<int>(incident.outcome) > kMaxOutcome) {
    v.Add(p.Child("outcome"), absl::StrCat("unknown outcome ", static_cast<int>(incident.outcome)));
  }
  if (static_cast<int>(incident.handling_code) > kMaxHandlingCode) {
    v.Add(p.Child("handling_code"),
          absl::StrCat("unknown handling code ", static_cast<int>(incident.handling_code)));
  }
  CheckDate(incident.review_date, true, p.Child("review_date"), rules, v);
  CheckNotBefore(incident.review_date, incident.offence_date, p.Child("review_date"),
                 "offence_date", v);
  CheckNotAfter(incident.review_date, rules.latest_review_date, p.Child("review_date"), v);
  if (incident.parties.empty()) {
    v.Add(p.Child("parties"), "at least one party is required");
  } else if (incident.parties.size() > rules.max_parties) {
    v.Add(p.Child("parties"), absl::StrCat(incident.parties.size(),
                                           " parties, more than the limit of ", rules.max_parties));
  } else {
    for (size_t i = 0; i < incident.parties.size(); ++i) {
      CheckParty(incident.parties[i], p.Element("parties", i), rules, v);
    }
  }
}

void CheckOrder(const ProtectiveOrder& order, const ValidationRules& rules, Violations& v) {
  const FieldPath p("order");
  CheckKey(order.key, p, v);
  if (order.version == 0) v.Add(p.Child("version"), "must be at least 1");
  if (!order.order_type.has_value()) {
    v.Add(p.Child("order_type"), "is required");
  } else if (!InRange(*order.order_type, kMaxOrderType)) {
    v.Add(p.Child("order_type"),
          absl::StrCat("unknown order type ", static_cast<int>(*order.order_type)));
  }
  CheckDate(order.start_date, true, p.Child("start_date"), rules, v);
  CheckNotFuture(order.start_date, p.Child("start_date"), rules, v);
  CheckDate(order.end_date, false, p.Child("end_date"), rules, v);
  CheckNotBefore(order.end_date, order.start_date, p.Child("end_date"), "start_date", v);
  const FieldPath subject = p.Child("subject");
  if (!order.subject.has_value()) {
    v.Add(subject, "is required");
  } else if (order.subject->role != PartyRole::kSuspect) {
    v.Add(subject.Child("role"), "must be suspect (the person the order restrains)");
  } else {
    CheckParty(*order.subject, subject, rules, v);
  }
  const FieldPath protected_person = p.Child("protected_person");
  if (order.protected_person.has_value()) {
    if (order.protected_person->role != PartyRole::kVictim) {
      v.Add(protected_person.Child("role"), "must be victim");
    } else {
      CheckParty(*order.protected_person, protected_person, rules, v);
    }
  }
  CheckDate(order.review_date, true, p.Child("review_date"), rules, v);
  CheckNotAfter(order.review_date, rules.latest_review_date, p.Child("review_date"), v);
}

}  // namespace

absl::string_view FieldPrefix(RecordKind kind) {
  return kind == RecordKind::kIncident ? "incident" : "order";
}

bool IsValidForceCode(absl::string_view code) {
  if (code.size() < 2 || code.size() > 16) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsValidReference(absl::string_view ref) {
  if (ref.empty() || ref.size() > 64 || ref.front() == ' ' || ref.back() == ' ') return false;
  return std::all_of(ref.begin(), ref.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool IsValidPostcodeDistrict(absl::string_view d) {
  // UK outward codes: A9, A99, AA9, AA99, A9A, AA9A.
  auto alpha = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (d.size() < 2 || d.size() > 4 || !alpha(d[0])) return false;
  size_t i = 1;
  if (alpha(d[i])) ++i;
  if (i >= d.size() || !digit(d[i])) return false;
  ++i;
  if (i == d.size()) return true;
  if (!(digit(d[i]) || alpha(d[i]))) return false;
  return i + 1 == d.size();
}

std::vector<FieldViolation> ValidateRecord(const Record& record, const ValidationRules& rules) {
  std::vector<FieldViolation> out;
  Violations v(&out);
  if (const auto* incident = std::get_if<Incident>(&record)) {
    CheckIncident(*incident, rules, v);
  } else {
    CheckOrder(std::get<ProtectiveOrder>(record), rules, v);
  }
  return out;
}

std::vector<FieldViolation> ValidateRecordKey(const RecordKey& key, absl::string_view prefix) {
  std::vector<FieldViolation> out;
  Violations v(&out);
  CheckKey(key, FieldPath(prefix), v);
  return out;
}

}  // namespace crossforce
