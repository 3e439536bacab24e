#include "engine/patterns/flag_codec.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/byte_codec.h"
#include "engine/status_macros.h"

namespace crossforce {

// Storage format, version 1: a version byte, then the fields in declaration order.
namespace {

constexpr uint8_t kFlagFormat = 1;

void PutStrings(ByteWriter& w, const std::vector<std::string>& v) {
  w.PutVarint(v.size());
  for (const std::string& s : v) w.PutString(s);
}

absl::Status GetStrings(ByteReader& r, std::vector<std::string>& v) {
  CF_ASSIGN_OR_RETURN(size_t n, r.Count());
  for (size_t i = 0; i < n; ++i) {
    CF_ASSIGN_OR_RETURN(absl::string_view s, r.String());
    v.emplace_back(s);
  }
  return absl::OkStatus();
}

template <typename Enum>
absl::StatusOr<Enum> GetEnum(ByteReader& r, int max, const char* what) {
  CF_ASSIGN_OR_RETURN(uint8_t b, r.Byte());
  if (b > max) return absl::DataLossError(absl::StrCat("stored flag: bad ", what, " ", b));
  return static_cast<Enum>(b);
}

}  // namespace

std::string EncodeFlag(const Flag& f) {
  std::string out;
  ByteWriter w(&out);
  w.PutByte(kFlagFormat);
  w.PutString(f.flag_id);
  w.PutByte(static_cast<uint8_t>(f.subject.pattern));
  w.PutVarint(f.subject.entity);
  w.PutVarint(f.subject.victim_entity);
  w.PutByte(static_cast<uint8_t>(f.subject.identifier_kind));
  w.PutString(f.subject.identifier);
  w.PutVarint(static_cast<uint64_t>(f.score));
  w.PutVarint(f.factors.size());
  for (const ScoreFactor& sf : f.factors) {
    w.PutString(sf.name);
    w.PutSignedVarint(sf.points);
    w.PutString(sf.detail);
  }
  PutStrings(w, f.forces);
  PutStrings(w, f.alert_forces);
  w.PutVarint(f.entities.size());
  for (EntityId e : f.entities) w.PutVarint(e);
  w.PutVarint(f.evidence.size());
  for (const Evidence& e : f.evidence) {
    w.PutByte(static_cast<uint8_t>(e.kind));
    w.PutString(e.key.force_code);
    w.PutString(e.key.record_id);
    w.PutString(e.suspect_ref);
    w.PutString(e.victim_ref);
    w.PutVarint(e.suspect_entity);
    w.PutVarint(e.victim_entity);
    PutDate(w, e.date);
    PutDate(w, e.end_date);
    w.PutByte(e.main_offence.has_value() ? static_cast<uint8_t>(*e.main_offence) : 0);
    w.PutVarint(e.included_offences.size());
    for (OffenceCode c : e.included_offences) w.PutByte(static_cast<uint8_t>(c));
    w.PutVarint(e.behaviours.size());
    for (Behaviour b : e.behaviours) w.PutByte(static_cast<uint8_t>(b));
    w.PutByte(e.order_type.has_value() ? static_cast<uint8_t>(*e.order_type) : 0);
    // Confidence in parts per million: exact enough, and integral.
    w.PutVarint(static_cast<uint64_t>(std::llround(std::clamp(e.link_confidence, 0.0, 1.0) * 1e6)));
  }
  PutStrings(w, f.explanation);
  w.PutByte(static_cast<uint8_t>(f.state));
  w.PutByte(f.decision.has_value() ? 1 : 0);
  if (f.decision.has_value()) {
    w.PutByte(static_cast<uint8_t>(f.decision->outcome));
    w.PutString(f.decision->user);
    w.PutString(f.decision->reason);
    w.PutSignedVarint(f.decision->decided_at_micros);
  }
  w.PutSignedVarint(f.raised_at_micros);
  w.PutSignedVarint(f.changed_at_micros);
  w.PutVarint(f.sequence);
  return out;
}

absl::StatusOr<Flag> DecodeFlag(absl::string_view bytes) {
  ByteReader r(bytes);
  Flag f;
  CF_ASSIGN_OR_RETURN(uint8_t format, r.Byte());
  if (format != kFlagFormat) {
    return absl::DataLossError(absl::StrCat("stored flag: unknown format ", format));
  }
  CF_ASSIGN_OR_RETURN(absl::string_view id, r.String());
  f.flag_id = std::string(id);
  CF_ASSIGN_OR_RETURN(f.subject.pattern, GetEnum<Pattern>(r, kMaxPattern, "pattern"));
  CF_ASSIGN_OR_RETURN(f.subject.entity, r.Varint());
  CF_ASSIGN_OR_RETURN(f.subject.victim_entity, r.Varint());
  CF_ASSIGN_OR_RETURN(f.subject.identifier_kind,
                      GetEnum<TokenKind>(r, kMaxTokenKind, "identifier kind"));
  CF_ASSIGN_OR_RETURN(absl::string_view identifier, r.String());
  f.subject.identifier = std::string(identifier);
  CF_ASSIGN_OR_RETURN(uint64_t score, r.Varint());
  f.score = static_cast<int>(std::min<uint64_t>(score, 100));
  CF_ASSIGN_OR_RETURN(size_t factors, r.Count());
  for (size_t i = 0; i < factors; ++i) {
    ScoreFactor sf;
    CF_ASSIGN_OR_RETURN(absl::string_view name, r.String());
    CF_ASSIGN_OR_RETURN(int64_t points, r.SignedVarint());
    CF_ASSIGN_OR_RETURN(absl::string_view detail, r.String());
    sf.name = std::string(name);
    sf.points = static_cast<int>(points);
    sf.detail = std::string(detail);
    f.factors.push_back(std::move(sf));
  }
  CF_RETURN_IF_ERROR(GetStrings(r, f.forces));
  CF_RETURN_IF_ERROR(GetStrings(r, f.alert_forces));
  CF_ASSIGN_OR_RETURN(size_t entities, r.Count());
  for (size_t i = 0; i < entities; ++i) {
    CF_ASSIGN_OR_RETURN(uint64_t e, r.Varint());
    f.entities.push_back(e);
  }
  CF_ASSIGN_OR_RETURN(size_t evidence, r.Count());
  for (size_t i = 0; i < evidence; ++i) {
    Evidence e;
    CF_ASSIGN_OR_RETURN(e.kind, GetEnum<RecordKind>(r, 2, "record kind"));
    CF_ASSIGN_OR_RETURN(absl::string_view force, r.String());
    CF_ASSIGN_OR_RETURN(absl::string_view record, r.String());
    CF_ASSIGN_OR_RETURN(absl::string_view suspect_ref, r.String());
    CF_ASSIGN_OR_RETURN(absl::string_view victim_ref, r.String());
    e.key = RecordKey{std::string(force), std::string(record)};
    e.suspect_ref = std::string(suspect_ref);
    e.victim_ref = std::string(victim_ref);
    CF_ASSIGN_OR_RETURN(e.suspect_entity, r.Varint());
    CF_ASSIGN_OR_RETURN(e.victim_entity, r.Varint());
    CF_ASSIGN_OR_RETURN(e.date, GetDate(r));
    CF_ASSIGN_OR_RETURN(e.end_date, GetDate(r));
    CF_ASSIGN_OR_RETURN(uint8_t main, r.Byte());
    if (main > kMaxOffenceCode) return absl::DataLossError("stored flag: bad offence code");
    if (main != 0) e.main_offence = static_cast<OffenceCode>(main);
    CF_ASSIGN_OR_RETURN(size_t included, r.Count());
    for (size_t k = 0; k < included; ++k) {
      CF_ASSIGN_OR_RETURN(OffenceCode c, GetEnum<OffenceCode>(r, kMaxOffenceCode, "offence"));
      e.included_offences.push_back(c);
    }
    CF_ASSIGN_OR_RETURN(size_t behaviours, r.Count());
    for (size_t k = 0; k < behaviours; ++k) {
      CF_ASSIGN_OR_RETURN(Behaviour b, GetEnum<Behaviour>(r, kMaxBehaviour, "behaviour"));
      e.behaviours.push_back(b);
    }
    CF_ASSIGN_OR_RETURN(uint8_t order_type, r.Byte());
    if (order_type > kMaxOrderType) return absl::DataLossError("stored flag: bad order type");
    if (order_type != 0) e.order_type = static_cast<OrderType>(order_type);
    CF_ASSIGN_OR_RETURN(uint64_t confidence, r.Varint());
    e.link_confidence = static_cast<double>(confidence) / 1e6;
    f.evidence.push_back(std::move(e));
  }
  CF_RETURN_IF_ERROR(GetStrings(r, f.explanation));
  CF_ASSIGN_OR_RETURN(f.state, GetEnum<FlagState>(r, 4, "state"));
  CF_ASSIGN_OR_RETURN(uint8_t has_decision, r.Byte());
  if (has_decision != 0) {
    Decision d;
    CF_ASSIGN_OR_RETURN(d.outcome, GetEnum<DecisionOutcome>(r, 3, "decision"));
    CF_ASSIGN_OR_RETURN(absl::string_view user, r.String());
    CF_ASSIGN_OR_RETURN(absl::string_view reason, r.String());
    d.user = std::string(user);
    d.reason = std::string(reason);
    CF_ASSIGN_OR_RETURN(d.decided_at_micros, r.SignedVarint());
    f.decision = std::move(d);
  }
  CF_ASSIGN_OR_RETURN(f.raised_at_micros, r.SignedVarint());
  CF_ASSIGN_OR_RETURN(f.changed_at_micros, r.SignedVarint());
  CF_ASSIGN_OR_RETURN(f.sequence, r.Varint());
  if (!r.done()) return absl::DataLossError("stored flag: trailing bytes");
  return f;
}

}  // namespace crossforce
