#include "engine/patterns/flag_book.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/byte_codec.h"
#include "engine/status_macros.h"

namespace crossforce {
namespace {

bool SameContent(const Flag& flag, const Finding& f) {
  return flag.score == f.score && flag.factors == f.factors && flag.forces == f.forces &&
         flag.alert_forces == f.alert_forces && flag.entities == f.entities &&
         flag.evidence == f.evidence && flag.explanation == f.explanation;
}

void TakeContent(Flag& flag, Finding f) {
  flag.subject = std::move(f.subject);
  flag.score = f.score;
  flag.factors = std::move(f.factors);
  flag.forces = std::move(f.forces);
  flag.alert_forces = std::move(f.alert_forces);
  flag.entities = std::move(f.entities);
  flag.evidence = std::move(f.evidence);
  flag.explanation = std::move(f.explanation);
}

// Listing order: highest score first, then by id.
bool Before(int score_a, const std::string& id_a, int score_b, const std::string& id_b) {
  if (score_a != score_b) return score_a > score_b;
  return id_a < id_b;
}

}  // namespace

FlagBook::FlagBook(int escalated_score_step) : escalated_score_step_(escalated_score_step) {}

void FlagBook::Restore(Flag flag) {
  uint64_t number = 0;
  if (flag.flag_id.size() > 1 && absl::SimpleAtoi(flag.flag_id.substr(1), &number)) {
    next_number_ = std::max(next_number_, number + 1);
  }
  sequence_ = std::max(sequence_, flag.sequence);
  by_subject_[flag.subject] = flag.flag_id;
  std::string id = flag.flag_id;
  flags_[id] = std::move(flag);
}

Flag* FlagBook::Find(const FlagSubject& subject) {
  auto it = by_subject_.find(subject);
  return it == by_subject_.end() ? nullptr : &flags_.at(it->second);
}

void FlagBook::Touch(Flag& flag, int64_t now_micros) {
  flag.sequence = ++sequence_;
  flag.changed_at_micros = now_micros;
}

FlagBook::Changes FlagBook::Reconcile(const DetectionScope& scope, std::vector<Finding> findings,
                                      int64_t now_micros,
                                      const std::function<EntityId(EntityId)>& resolve) {
  // The flags this pass is responsible for.
  std::vector<std::string> in_scope;
  if (scope.everything) {
    for (const auto& [id, flag] : flags_) in_scope.push_back(id);
  } else {
    for (EntityId e : scope.suspects) {
      for (int p = 1; p < static_cast<int>(Pattern::kSharedIdentifier); ++p) {
        FlagSubject first;
        first.pattern = static_cast<Pattern>(p);
        first.entity = e;
        for (auto it = by_subject_.lower_bound(first);
             it != by_subject_.end() && static_cast<int>(it->first.pattern) == p &&
             it->first.entity == e;
             ++it) {
          in_scope.push_back(it->second);
        }
      }
    }
    for (const auto& [kind, token] : scope.tokens) {
      FlagSubject s;
      s.pattern = Pattern::kSharedIdentifier;
      s.identifier_kind = kind;
      s.identifier = token;
      if (auto it = by_subject_.find(s); it != by_subject_.end()) in_scope.push_back(it->second);
    }
    std::sort(in_scope.begin(), in_scope.end());
    in_scope.erase(std::unique(in_scope.begin(), in_scope.end()), in_scope.end());
  }
  // Flags whose entities were absorbed, under the subject they have now.
  std::map<FlagSubject, std::string> adoptable;
  for (const std::string& id : in_scope) {
    const FlagSubject& s = flags_.at(id).subject;
    if (s.pattern == Pattern::kSharedIdentifier) continue;
    FlagSubject now = s;
    now.entity = resolve(s.entity);
    if (s.victim_entity != 0) now.victim_entity = resolve(s.victim_entity);
    if (now != s) adoptable.try_emplace(now, id);  // ids ascend: the oldest flag wins
  }

  Changes out;
  std::set<std::string> renewed;
  for (Finding& finding : findings) {
    Flag* flag = Find(finding.subject);
    if (flag == nullptr) {
      auto adopt = adoptable.find(finding.subject);
      if (adopt != adoptable.end() && !renewed.contains(adopt->second)) {
        flag = &flags_.at(adopt->second);
        by_subject_.erase(flag->subject);
        flag->subject = finding.subject;
        by_subject_[flag->subject] = flag->flag_id;
      }
    }
    if (flag == nullptr) {
      const std::string id = absl::StrFormat("F%07d", next_number_++);
      Flag& created = flags_[id];
      created.flag_id = id;
      created.raised_at_micros = now_micros;
      created.state = FlagState::kNew;
      TakeContent(created, std::move(finding));
      Touch(created, now_micros);
      by_subject_[created.subject] = id;
      renewed.insert(id);
      out.alerts.push_back(&created);
      out.changed.push_back(&created);
      continue;
    }
    renewed.insert(flag->flag_id);
    const bool subject_moved = flag->subject != finding.subject;
    if (flag->state != FlagState::kCleared && !subject_moved && SameContent(*flag, finding)) {
      continue;
    }
    const int old_score = flag->score;
    const bool was_cleared = flag->state == FlagState::kCleared;
    TakeContent(*flag, std::move(finding));
    if (was_cleared) {
      flag->state = FlagState::kNew;
    } else if (flag->score >= old_score + escalated_score_step_) {
      flag->state = FlagState::kEscalated;
    } else {
      flag->state = FlagState::kUpdated;
    }
    Touch(*flag, now_micros);
    if (flag->state == FlagState::kNew || flag->state == FlagState::kEscalated) {
      out.alerts.push_back(flag);
    }
    out.changed.push_back(flag);
  }
  for (const std::string& id : in_scope) {
    Flag& flag = flags_.at(id);
    if (renewed.contains(id) || flag.state == FlagState::kCleared) continue;
    flag.state = FlagState::kCleared;
    Touch(flag, now_micros);
    out.changed.push_back(&flag);
  }
  return out;
}

absl::StatusOr<Flag> FlagBook::Decide(const std::string& flag_id, Decision decision,
                                      int64_t now_micros) {
  auto it = flags_.find(flag_id);
  if (it == flags_.end()) return absl::NotFoundError(absl::StrCat("no flag ", flag_id));
  decision.decided_at_micros = now_micros;
  it->second.decision = std::move(decision);
  Touch(it->second, now_micros);
  return it->second;
}

absl::StatusOr<Flag> FlagBook::Get(const std::string& flag_id) const {
  auto it = flags_.find(flag_id);
  if (it == flags_.end()) return absl::NotFoundError(absl::StrCat("no flag ", flag_id));
  return it->second;
}

absl::StatusOr<FlagPage> FlagBook::List(const FlagQuery& query) const {
  // A page token is the last flag of the previous page: "score.flag_id".
  std::optional<std::pair<int, std::string>> after;
  if (!query.page_token.empty()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(query.page_token, '.');
    int score = 0;
    if (!absl::SimpleAtoi(parts.first, &score) || parts.second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_token: '", query.page_token, "' is not a token this hub issued"));
    }
    after.emplace(score, parts.second);
  }
  const size_t page_size = query.page_size == 0 ? 100 : query.page_size;
  std::vector<const Flag*> matching;
  for (const auto& [id, flag] : flags_) {
    if (!query.include_cleared && flag.state == FlagState::kCleared) continue;
    if (query.pattern.has_value() && flag.subject.pattern != *query.pattern) continue;
    if (flag.score < query.min_score) continue;
    if (flag.changed_at_micros < query.changed_since_micros) continue;
    if (!query.force_code.empty() &&
        std::find(flag.forces.begin(), flag.forces.end(), query.force_code) == flag.forces.end() &&
        std::find(flag.alert_forces.begin(), flag.alert_forces.end(), query.force_code) ==
            flag.alert_forces.end()) {
      continue;
    }
    if (after.has_value() && !Before(after->first, after->second, flag.score, flag.flag_id)) {
      continue;
    }
    matching.push_back(&flag);
  }
  std::sort(matching.begin(), matching.end(), [](const Flag* a, const Flag* b) {
    return Before(a->score, a->flag_id, b->score, b->flag_id);
  });
  FlagPage page;
  for (size_t i = 0; i < matching.size() && i < page_size; ++i) page.flags.push_back(*matching[i]);
  if (matching.size() > page_size) {
    const Flag& last = page.flags.back();
    page.next_page_token = absl::StrCat(last.score, ".", last.flag_id);
  }
  return page;
}

std::vector<Flag> FlagBook::OfEntity(EntityId entity) const {
  std::vector<Flag> out;
  for (const auto& [id, flag] : flags_) {
    if (flag.state == FlagState::kCleared) continue;
    const FlagSubject& s = flag.subject;
    if (s.entity == entity || s.victim_entity == entity ||
        std::find(flag.entities.begin(), flag.entities.end(), entity) != flag.entities.end()) {
      out.push_back(flag);
    }
  }
  return out;
}

// Storage format, version 1: a version byte, then the fields in declaration order.
namespace {

constexpr uint8_t kFlagFormat = 1;

void PutDate(ByteWriter& w, const Date& d) {
  w.PutVarint(static_cast<uint64_t>(d.year));
  w.PutByte(static_cast<uint8_t>(d.month));
  w.PutByte(static_cast<uint8_t>(d.day));
}

absl::StatusOr<Date> GetDate(ByteReader& r) {
  Date d;
  CF_ASSIGN_OR_RETURN(uint64_t year, r.Varint());
  CF_ASSIGN_OR_RETURN(uint8_t month, r.Byte());
  CF_ASSIGN_OR_RETURN(uint8_t day, r.Byte());
  d.year = static_cast<int>(year);
  d.month = month;
  d.day = day;
  return d;
}

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
