// The hub's flags: turns the detector's findings into flags with stable ids and states, keeps the
// analysts' decisions, and answers filtered, paginated listings. In memory; the engine persists
// every flag this class reports as changed. Thread-compatible.
//
// Identity: a flag is one subject (pattern, suspect entity, victim entity or identifier). When the
// linker merges entities, a finding on the surviving entity takes over the flag of an absorbed
// entity with the same pattern (its id, history and decision) rather than raising a new one.
#ifndef CROSSFORCE_ENGINE_PATTERNS_FLAG_BOOK_H_
#define CROSSFORCE_ENGINE_PATTERNS_FLAG_BOOK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/patterns/flag.h"
#include "engine/patterns/flag_codec.h"
#include "engine/patterns/pattern_detector.h"

namespace crossforce {

// Which flags a detection pass looked at: flags in scope that no finding renews are cleared.
struct DetectionScope {
  bool everything = false;  // a full pass
  std::set<EntityId> suspects;
  std::set<std::pair<TokenKind, std::string>> tokens;
};

struct FlagQuery {
  std::optional<Pattern> pattern;
  std::string force_code;  // evidence from, or alert to, this force; empty: any
  int min_score = 0;
  int64_t changed_since_micros = 0;  // 0: any time
  bool include_cleared = false;
  size_t page_size = 100;
  std::string page_token;  // from the previous page; empty: the first
};

struct FlagPage {
  std::vector<Flag> flags;      // highest score first, then by id
  std::string next_page_token;  // empty on the last page
};

class FlagBook {
 public:
  explicit FlagBook(int escalated_score_step);

  // Takes back a flag read from the store.
  void Restore(Flag flag);

  // Applies one detection pass: the flags that changed (to persist), each with its new state, and
  // those of them that are new or escalated (to push to watchers). The pointers are valid until
  // the book next changes. `resolve` maps an entity id that may have been absorbed to the
  // current one.
  struct Changes {
    std::vector<const Flag*> changed;
    std::vector<const Flag*> alerts;
  };
  Changes Reconcile(const DetectionScope& scope, std::vector<Finding> findings, int64_t now_micros,
                    const std::function<EntityId(EntityId)>& resolve);

  // Records an analyst's decision. NotFound for an unknown id.
  absl::StatusOr<Flag> Decide(const std::string& flag_id, Decision decision, int64_t now_micros);

  absl::StatusOr<Flag> Get(const std::string& flag_id) const;
  // The flag itself, valid until the book next changes; nullptr for an unknown id.
  const Flag* Find(const std::string& flag_id) const;
  // InvalidArgument for a malformed page token.
  absl::StatusOr<FlagPage> List(const FlagQuery& query) const;
  // Flags (not cleared) whose subject or evidence involves `entity`.
  std::vector<Flag> OfEntity(EntityId entity) const;

  size_t size() const { return flags_.size(); }
  uint64_t sequence() const { return sequence_; }

 private:
  Flag* FindBySubject(const FlagSubject& subject);
  void Touch(Flag& flag, int64_t now_micros);

  const int escalated_score_step_;
  std::map<std::string, Flag> flags_;  // by id
  std::map<FlagSubject, std::string> by_subject_;
  uint64_t next_number_ = 1;
  uint64_t sequence_ = 0;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_PATTERNS_FLAG_BOOK_H_
