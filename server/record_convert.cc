#include "server/record_convert.h"

#include <limits>

namespace crossforce {
namespace {

// Proto3 enums are open: another language's client may send any number. Numbers that do not fit the
// engine's one-byte enums become 255, which the validator reports as unknown.
template <typename Enum>
Enum EnumFromWire(int value) {
  if (value < 0 || value > std::numeric_limits<uint8_t>::max()) return static_cast<Enum>(255);
  return static_cast<Enum>(value);
}

Date FromProto(const v1::Date& d) { return Date{d.year(), d.month(), d.day()}; }

Date OptionalDate(bool present, const v1::Date& d) { return present ? FromProto(d) : Date{}; }

void ToProto(const Date& d, v1::Date* out) {
  out->set_year(d.year);
  out->set_month(d.month);
  out->set_day(d.day);
}

// The conversions below consume the message: bytes fields are moved, not copied, as ingest converts
// hundreds of thousands of identities a second.
AnonymisedIdentity TakeFromProto(v1::AnonymisedIdentity& p) {
  AnonymisedIdentity id;
  id.schema_id = std::move(*p.mutable_schema_id());
  id.key_fingerprint = std::move(*p.mutable_key_fingerprint());
  id.tokens.reserve(p.tokens_size());
  for (v1::IdentifierToken& t : *p.mutable_tokens()) {
    id.tokens.push_back({EnumFromWire<TokenKind>(t.kind()), std::move(*t.mutable_token())});
  }
  id.encodings.reserve(p.encodings_size());
  for (v1::FieldEncoding& e : *p.mutable_encodings()) {
    id.encodings.push_back(
        {EnumFromWire<EncodedField>(e.field()), std::move(*e.mutable_bloom_filter())});
  }
  id.sex = EnumFromWire<Sex>(p.sex());
  return id;
}

void ToProto(const AnonymisedIdentity& id, v1::AnonymisedIdentity* out) {
  out->set_schema_id(id.schema_id);
  out->set_key_fingerprint(id.key_fingerprint);
  for (const IdentifierToken& t : id.tokens) {
    v1::IdentifierToken* token = out->add_tokens();
    token->set_kind(static_cast<v1::TokenKind>(t.kind));
    token->set_token(t.token);
  }
  for (const FieldEncoding& e : id.encodings) {
    v1::FieldEncoding* encoding = out->add_encodings();
    encoding->set_field(static_cast<v1::EncodedField>(e.field));
    encoding->set_bloom_filter(e.bloom_filter);
  }
  out->set_sex(static_cast<v1::Sex>(id.sex));
}

Party TakeFromProto(v1::Party& p) {
  Party party;
  party.role = EnumFromWire<PartyRole>(p.role());
  party.nominal_ref = std::move(*p.mutable_nominal_ref());
  if (p.has_identity()) party.identity = TakeFromProto(*p.mutable_identity());
  return party;
}

void ToProto(const Party& party, v1::Party* out) {
  out->set_role(static_cast<v1::PartyRole>(party.role));
  out->set_nominal_ref(party.nominal_ref);
  if (party.identity.has_value()) ToProto(*party.identity, out->mutable_identity());
}

template <typename Enum, typename Repeated>
std::vector<Enum> EnumsFromWire(const Repeated& values) {
  std::vector<Enum> out;
  out.reserve(values.size());
  for (int v : values) out.push_back(EnumFromWire<Enum>(v));
  return out;
}

Incident TakeFromProto(v1::IncidentRecord& p) {
  Incident x;
  x.key = crossforce::FromProto(p.key());
  x.version = p.version();
  x.offence_date = OptionalDate(p.has_offence_date(), p.offence_date());
  x.reported_date = OptionalDate(p.has_reported_date(), p.reported_date());
  if (p.main_offence() != v1::OFFENCE_CODE_UNSPECIFIED) {
    x.main_offence = EnumFromWire<OffenceCode>(p.main_offence());
  }
  x.included_offences = EnumsFromWire<OffenceCode>(p.included_offences());
  x.domestic_abuse = p.domestic_abuse();
  x.behaviours = EnumsFromWire<Behaviour>(p.behaviours());
  x.location_district = std::move(*p.mutable_location_district());
  x.outcome = EnumFromWire<Outcome>(p.outcome());
  x.handling_code = EnumFromWire<HandlingCode>(p.handling_code());
  x.review_date = OptionalDate(p.has_review_date(), p.review_date());
  x.parties.reserve(p.parties_size());
  for (v1::Party& party : *p.mutable_parties()) x.parties.push_back(TakeFromProto(party));
  return x;
}

ProtectiveOrder TakeFromProto(v1::ProtectiveOrder& p) {
  ProtectiveOrder x;
  x.key = crossforce::FromProto(p.key());
  x.version = p.version();
  if (p.order_type() != v1::ORDER_TYPE_UNSPECIFIED) {
    x.order_type = EnumFromWire<OrderType>(p.order_type());
  }
  x.start_date = OptionalDate(p.has_start_date(), p.start_date());
  x.end_date = OptionalDate(p.has_end_date(), p.end_date());
  if (p.has_subject()) x.subject = TakeFromProto(*p.mutable_subject());
  if (p.has_protected_person()) x.protected_person = TakeFromProto(*p.mutable_protected_person());
  x.review_date = OptionalDate(p.has_review_date(), p.review_date());
  return x;
}

}  // namespace

RecordKey FromProto(const v1::RecordKey& proto) {
  return RecordKey{proto.force_code(), proto.record_id()};
}

std::optional<RecordKind> FromProto(v1::RecordKind kind) {
  switch (kind) {
    case v1::RECORD_KIND_INCIDENT:
      return RecordKind::kIncident;
    case v1::RECORD_KIND_ORDER:
      return RecordKind::kOrder;
    default:
      return std::nullopt;
  }
}

std::optional<Record> TakeFromProto(v1::Record& proto, std::vector<FieldViolation>* violations) {
  switch (proto.kind_case()) {
    case v1::Record::kIncident:
      return Record(TakeFromProto(*proto.mutable_incident()));
    case v1::Record::kOrder:
      return Record(TakeFromProto(*proto.mutable_order()));
    case v1::Record::KIND_NOT_SET:
      break;
  }
  violations->push_back({"record", "neither incident nor order is set"});
  return std::nullopt;
}

std::optional<Record> FromProto(const v1::Record& proto, std::vector<FieldViolation>* violations) {
  v1::Record copy = proto;
  return TakeFromProto(copy, violations);
}

v1::RecordKey ToProto(const RecordKey& key) {
  v1::RecordKey out;
  out.set_force_code(key.force_code);
  out.set_record_id(key.record_id);
  return out;
}

v1::RecordKind ToProto(RecordKind kind) {
  return kind == RecordKind::kIncident ? v1::RECORD_KIND_INCIDENT : v1::RECORD_KIND_ORDER;
}

v1::Record ToProto(const Record& record) {
  v1::Record out;
  if (const auto* x = std::get_if<Incident>(&record)) {
    v1::IncidentRecord* p = out.mutable_incident();
    *p->mutable_key() = ToProto(x->key);
    p->set_version(x->version);
    if (x->offence_date.known()) ToProto(x->offence_date, p->mutable_offence_date());
    if (x->reported_date.known()) ToProto(x->reported_date, p->mutable_reported_date());
    if (x->main_offence.has_value()) {
      p->set_main_offence(static_cast<v1::OffenceCode>(*x->main_offence));
    }
    for (OffenceCode c : x->included_offences) {
      p->add_included_offences(static_cast<v1::OffenceCode>(c));
    }
    p->set_domestic_abuse(x->domestic_abuse);
    for (Behaviour b : x->behaviours) p->add_behaviours(static_cast<v1::Behaviour>(b));
    p->set_location_district(x->location_district);
    p->set_outcome(static_cast<v1::Outcome>(x->outcome));
    p->set_handling_code(static_cast<v1::HandlingCode>(x->handling_code));
    if (x->review_date.known()) ToProto(x->review_date, p->mutable_review_date());
    for (const Party& party : x->parties) ToProto(party, p->add_parties());
  } else {
    const auto& o = std::get<ProtectiveOrder>(record);
    v1::ProtectiveOrder* p = out.mutable_order();
    *p->mutable_key() = ToProto(o.key);
    p->set_version(o.version);
    if (o.order_type.has_value()) p->set_order_type(static_cast<v1::OrderType>(*o.order_type));
    if (o.start_date.known()) ToProto(o.start_date, p->mutable_start_date());
    if (o.end_date.known()) ToProto(o.end_date, p->mutable_end_date());
    if (o.subject.has_value()) ToProto(*o.subject, p->mutable_subject());
    if (o.protected_person.has_value()) {
      ToProto(*o.protected_person, p->mutable_protected_person());
    }
    if (o.review_date.known()) ToProto(o.review_date, p->mutable_review_date());
  }
  return out;
}

v1::IngestOutcome ToIngestOutcome(WriteOutcome outcome) {
  switch (outcome) {
    case WriteOutcome::kCreated:
      return v1::INGEST_OUTCOME_CREATED;
    case WriteOutcome::kReplaced:
      return v1::INGEST_OUTCOME_REPLACED;
    case WriteOutcome::kUnchanged:
      return v1::INGEST_OUTCOME_UNCHANGED;
    case WriteOutcome::kStale:
      return v1::INGEST_OUTCOME_STALE;
    case WriteOutcome::kRejected:
      return v1::INGEST_OUTCOME_REJECTED;
    case WriteOutcome::kDeleted:
    case WriteOutcome::kAlreadyDeleted:
    case WriteOutcome::kTombstoned:
      break;
  }
  return v1::INGEST_OUTCOME_UNSPECIFIED;
}

v1::DeleteOutcome ToDeleteOutcome(WriteOutcome outcome) {
  switch (outcome) {
    case WriteOutcome::kDeleted:
      return v1::DELETE_OUTCOME_DELETED;
    case WriteOutcome::kAlreadyDeleted:
      return v1::DELETE_OUTCOME_ALREADY_DELETED;
    case WriteOutcome::kTombstoned:
      return v1::DELETE_OUTCOME_TOMBSTONED;
    case WriteOutcome::kStale:
      return v1::DELETE_OUTCOME_STALE;
    default:
      return v1::DELETE_OUTCOME_UNSPECIFIED;
  }
}

void ToProto(const FieldViolation& violation, v1::FieldViolation* out) {
  out->set_field(violation.field);
  out->set_reason(violation.reason);
}

v1::Date DateToProto(const Date& date) {
  v1::Date out;
  ToProto(date, &out);
  return out;
}

}  // namespace crossforce
