#include "engine/patterns/flag_book.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

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

Flag* FlagBook::FindBySubject(const FlagSubject& subject) {
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
    Flag* flag = FindBySubject(finding.subject);
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

const Flag* FlagBook::Find(const std::string& flag_id) const {
  auto it = flags_.find(flag_id);
  return it == flags_.end() ? nullptr : &it->second;
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
    if (!query.force_code.empty() && !flag.Concerns(query.force_code)) continue;
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

}  // namespace crossforce
