#include "engine/record_codec.h"

#include "absl/strings/str_cat.h"
#include "engine/byte_codec.h"
#include "engine/status_macros.h"

namespace crossforce {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr char kIncidentKeyTag = 'I';
constexpr char kOrderKeyTag = 'O';

void PutKey(ByteWriter& w, const RecordKey& key) {
  w.PutString(key.force_code);
  w.PutString(key.record_id);
}

absl::StatusOr<RecordKey> GetKey(ByteReader& r) {
  RecordKey key;
  CF_ASSIGN_OR_RETURN(absl::string_view force, r.String());
  CF_ASSIGN_OR_RETURN(absl::string_view id, r.String());
  key.force_code = std::string(force);
  key.record_id = std::string(id);
  return key;
}

template <typename Enum>
void PutEnums(ByteWriter& w, const std::vector<Enum>& values) {
  w.PutVarint(values.size());
  for (Enum e : values) w.PutByte(static_cast<uint8_t>(e));
}

template <typename Enum>
absl::StatusOr<std::vector<Enum>> GetEnums(ByteReader& r) {
  CF_ASSIGN_OR_RETURN(size_t n, r.Count());
  std::vector<Enum> values;
  values.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    CF_ASSIGN_OR_RETURN(uint8_t b, r.Byte());
    values.push_back(static_cast<Enum>(b));
  }
  return values;
}

void PutIdentity(ByteWriter& w, const AnonymisedIdentity& id) {
  w.PutString(id.schema_id);
  w.PutString(id.key_fingerprint);
  w.PutVarint(id.tokens.size());
  for (const IdentifierToken& t : id.tokens) {
    w.PutByte(static_cast<uint8_t>(t.kind));
    w.PutString(t.token);
  }
  w.PutVarint(id.encodings.size());
  for (const FieldEncoding& e : id.encodings) {
    w.PutByte(static_cast<uint8_t>(e.field));
    w.PutString(e.bloom_filter);
  }
  w.PutByte(static_cast<uint8_t>(id.sex));
}

absl::StatusOr<AnonymisedIdentity> GetIdentity(ByteReader& r) {
  AnonymisedIdentity id;
  CF_ASSIGN_OR_RETURN(absl::string_view schema, r.String());
  CF_ASSIGN_OR_RETURN(absl::string_view fingerprint, r.String());
  id.schema_id = std::string(schema);
  id.key_fingerprint = std::string(fingerprint);
  CF_ASSIGN_OR_RETURN(size_t tokens, r.Count());
  id.tokens.reserve(tokens);
  for (size_t i = 0; i < tokens; ++i) {
    CF_ASSIGN_OR_RETURN(uint8_t kind, r.Byte());
    CF_ASSIGN_OR_RETURN(absl::string_view token, r.String());
    id.tokens.push_back({static_cast<TokenKind>(kind), std::string(token)});
  }
  CF_ASSIGN_OR_RETURN(size_t encodings, r.Count());
  id.encodings.reserve(encodings);
  for (size_t i = 0; i < encodings; ++i) {
    CF_ASSIGN_OR_RETURN(uint8_t field, r.Byte());
    CF_ASSIGN_OR_RETURN(absl::string_view bits, r.String());
    id.encodings.push_back({static_cast<EncodedField>(field), std::string(bits)});
  }
  CF_ASSIGN_OR_RETURN(uint8_t sex, r.Byte());
  id.sex = static_cast<Sex>(sex);
  return id;
}

void PutParty(ByteWriter& w, const Party& p) {
  w.PutByte(static_cast<uint8_t>(p.role));
  w.PutString(p.nominal_ref);
  w.PutByte(p.identity.has_value() ? 1 : 0);
  if (p.identity.has_value()) PutIdentity(w, *p.identity);
}

absl::StatusOr<Party> GetParty(ByteReader& r) {
  Party p;
  CF_ASSIGN_OR_RETURN(uint8_t role, r.Byte());
  CF_ASSIGN_OR_RETURN(absl::string_view ref, r.String());
  CF_ASSIGN_OR_RETURN(uint8_t has_identity, r.Byte());
  p.role = static_cast<PartyRole>(role);
  p.nominal_ref = std::string(ref);
  if (has_identity) {
    CF_ASSIGN_OR_RETURN(p.identity, GetIdentity(r));
  }
  return p;
}

void PutOptionalParty(ByteWriter& w, const std::optional<Party>& p) {
  w.PutByte(p.has_value() ? 1 : 0);
  if (p.has_value()) PutParty(w, *p);
}

absl::StatusOr<std::optional<Party>> GetOptionalParty(ByteReader& r) {
  CF_ASSIGN_OR_RETURN(uint8_t present, r.Byte());
  if (!present) return std::optional<Party>();
  CF_ASSIGN_OR_RETURN(Party p, GetParty(r));
  return std::optional<Party>(std::move(p));
}

void PutIncident(ByteWriter& w, const Incident& x) {
  PutKey(w, x.key);
  w.PutVarint(x.version);
  PutDate(w, x.offence_date);
  PutDate(w, x.reported_date);
  w.PutByte(x.main_offence.has_value() ? static_cast<uint8_t>(*x.main_offence) : 0);
  PutEnums(w, x.included_offences);
  w.PutByte(x.domestic_abuse ? 1 : 0);
  PutEnums(w, x.behaviours);
  w.PutString(x.location_district);
  w.PutByte(static_cast<uint8_t>(x.outcome));
  w.PutByte(static_cast<uint8_t>(x.handling_code));
  PutDate(w, x.review_date);
  w.PutVarint(x.parties.size());
  for (const Party& p : x.parties) PutParty(w, p);
}

absl::StatusOr<Incident> GetIncident(ByteReader& r) {
  Incident x;
  CF_ASSIGN_OR_RETURN(x.key, GetKey(r));
  CF_ASSIGN_OR_RETURN(x.version, r.Varint());
  CF_ASSIGN_OR_RETURN(x.offence_date, GetDate(r));
  CF_ASSIGN_OR_RETURN(x.reported_date, GetDate(r));
  CF_ASSIGN_OR_RETURN(uint8_t main, r.Byte());
  if (main != 0) x.main_offence = static_cast<OffenceCode>(main);
  CF_ASSIGN_OR_RETURN(x.included_offences, GetEnums<OffenceCode>(r));
  CF_ASSIGN_OR_RETURN(uint8_t domestic, r.Byte());
  x.domestic_abuse = domestic != 0;
  CF_ASSIGN_OR_RETURN(x.behaviours, GetEnums<Behaviour>(r));
  CF_ASSIGN_OR_RETURN(absl::string_view district, r.String());
  x.location_district = std::string(district);
  CF_ASSIGN_OR_RETURN(uint8_t outcome, r.Byte());
  x.outcome = static_cast<Outcome>(outcome);
  CF_ASSIGN_OR_RETURN(uint8_t handling, r.Byte());
  x.handling_code = static_cast<HandlingCode>(handling);
  CF_ASSIGN_OR_RETURN(x.review_date, GetDate(r));
  CF_ASSIGN_OR_RETURN(size_t parties, r.Count());
  x.parties.reserve(parties);
  for (size_t i = 0; i < parties; ++i) {
    CF_ASSIGN_OR_RETURN(Party p, GetParty(r));
    x.parties.push_back(std::move(p));
  }
  return x;
}

void PutOrder(ByteWriter& w, const ProtectiveOrder& x) {
  PutKey(w, x.key);
  w.PutVarint(x.version);
  w.PutByte(x.order_type.has_value() ? static_cast<uint8_t>(*x.order_type) : 0);
  PutDate(w, x.start_date);
  PutDate(w, x.end_date);
  PutOptionalParty(w, x.subject);
  PutOptionalParty(w, x.protected_person);
  PutDate(w, x.review_date);
}

absl::StatusOr<ProtectiveOrder> GetOrder(ByteReader& r) {
  ProtectiveOrder x;
  CF_ASSIGN_OR_RETURN(x.key, GetKey(r));
  CF_ASSIGN_OR_RETURN(x.version, r.Varint());
  CF_ASSIGN_OR_RETURN(uint8_t type, r.Byte());
  if (type != 0) x.order_type = static_cast<OrderType>(type);
  CF_ASSIGN_OR_RETURN(x.start_date, GetDate(r));
  CF_ASSIGN_OR_RETURN(x.end_date, GetDate(r));
  CF_ASSIGN_OR_RETURN(x.subject, GetOptionalParty(r));
  CF_ASSIGN_OR_RETURN(x.protected_person, GetOptionalParty(r));
  CF_ASSIGN_OR_RETURN(x.review_date, GetDate(r));
  return x;
}

}  // namespace

std::string EncodeRecordId(const RecordId& id) {
  return absl::StrCat(
      absl::string_view(id.kind == RecordKind::kIncident ? &kIncidentKeyTag : &kOrderKeyTag, 1),
      id.key.force_code, absl::string_view("\0", 1), id.key.record_id);
}

std::string RecordIdPrefix(RecordKind kind, absl::string_view force_code) {
  std::string prefix(1, kind == RecordKind::kIncident ? kIncidentKeyTag : kOrderKeyTag);
  if (!force_code.empty()) {
    prefix.append(force_code.data(), force_code.size());
    prefix.push_back('\0');
  }
  return prefix;
}

absl::StatusOr<RecordId> DecodeRecordId(absl::string_view key) {
  if (key.size() < 3 || (key[0] != kIncidentKeyTag && key[0] != kOrderKeyTag)) {
    return absl::DataLossError("not a record key");
  }
  const size_t nul = key.find('\0', 1);
  if (nul == absl::string_view::npos) return absl::DataLossError("record key without separator");
  RecordId id;
  id.kind = key[0] == kIncidentKeyTag ? RecordKind::kIncident : RecordKind::kOrder;
  id.key.force_code = std::string(key.substr(1, nul - 1));
  id.key.record_id = std::string(key.substr(nul + 1));
  return id;
}

std::string EncodeStoredRecord(const StoredRecord& stored) {
  return EncodeStoredRecord(
      stored.version, stored.stored_unix_micros,
      stored.deleted || !stored.record.has_value() ? nullptr : &*stored.record);
}

std::string EncodeStoredRecord(uint64_t version, int64_t stored_unix_micros, const Record* record) {
  std::string out;
  ByteWriter w(&out);
  w.PutByte(kFormatVersion);
  w.PutVarint(version);
  w.PutSignedVarint(stored_unix_micros);
  if (record == nullptr) {
    w.PutByte(0);
  } else if (const auto* incident = std::get_if<Incident>(record)) {
    w.PutByte(static_cast<uint8_t>(RecordKind::kIncident));
    PutIncident(w, *incident);
  } else {
    w.PutByte(static_cast<uint8_t>(RecordKind::kOrder));
    PutOrder(w, std::get<ProtectiveOrder>(*record));
  }
  return out;
}

namespace {

absl::StatusOr<uint8_t> ReadHeader(ByteReader& r, StoredRecord& stored) {
  CF_ASSIGN_OR_RETURN(uint8_t format, r.Byte());
  if (format != kFormatVersion) {
    return absl::DataLossError(absl::StrCat("unknown stored record format ", format));
  }
  CF_ASSIGN_OR_RETURN(stored.version, r.Varint());
  CF_ASSIGN_OR_RETURN(stored.stored_unix_micros, r.SignedVarint());
  CF_ASSIGN_OR_RETURN(uint8_t kind, r.Byte());
  stored.deleted = kind == 0;
  return kind;
}

}  // namespace

absl::StatusOr<StoredRecord> DecodeStoredRecordHeader(absl::string_view bytes) {
  ByteReader r(bytes);
  StoredRecord stored;
  CF_RETURN_IF_ERROR(ReadHeader(r, stored).status());
  return stored;
}

absl::StatusOr<StoredRecord> DecodeStoredRecord(absl::string_view bytes) {
  ByteReader r(bytes);
  StoredRecord stored;
  CF_ASSIGN_OR_RETURN(uint8_t kind, ReadHeader(r, stored));
  if (kind == 0) {
    stored.deleted = true;
  } else if (kind == static_cast<uint8_t>(RecordKind::kIncident)) {
    CF_ASSIGN_OR_RETURN(Incident incident, GetIncident(r));
    stored.record = std::move(incident);
  } else if (kind == static_cast<uint8_t>(RecordKind::kOrder)) {
    CF_ASSIGN_OR_RETURN(ProtectiveOrder order, GetOrder(r));
    stored.record = std::move(order);
  } else {
    return absl::DataLossError(absl::StrCat("unknown stored record kind ", kind));
  }
  if (!r.done()) return absl::DataLossError("trailing bytes after stored record");
  return stored;
}

}  // namespace crossforce
