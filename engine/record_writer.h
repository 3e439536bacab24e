// Applies upserts and deletions to the store with the hub's version rules, durably and in groups.
//
// Version rules per key: the same version again is a no-op; an older one is stale; a newer one
// replaces; a deletion leaves a tombstone at its version so a late older version cannot resurrect
// the record. The first identity ever accepted pins the federation's key fingerprint; records made
// with another key are rejected from then on.
//
// Group commit (as LevelDB's writer queue): concurrent callers queue their batches; the caller at
// the head becomes the leader, decides the outcome of every operation of every queued batch in
// order, and commits them all with one synced write. Only the leader touches the store's records,
// so deciding and writing need no per-key locks; callers wait on their own condition without
// holding the queue lock across I/O. Thread-safe.
#ifndef CROSSFORCE_ENGINE_RECORD_WRITER_H_
#define CROSSFORCE_ENGINE_RECORD_WRITER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/record_codec.h"
#include "engine/record_validator.h"
#include "engine/records.h"
#include "engine/storage.h"

namespace crossforce {

enum class WriteOutcome {
  kCreated,         // upsert: no live record was held
  kReplaced,        // upsert: a newer version replaced the live record
  kUnchanged,       // upsert: the same version with the same content is held
  kStale,           // upsert or deletion older than what is held: ignored
  kRejected,        // upsert: see violations (version reused, wrong federation key)
  kDeleted,         // deletion: a live record became a tombstone
  kAlreadyDeleted,  // deletion: a tombstone was already held
  kTombstoned,      // deletion: nothing was held; a tombstone now guards the key
};

struct WriteOp {
  // An upsert carries the record; a deletion carries only the id and version (0: the held version).
  std::optional<Record> record;
  RecordId id;
  uint64_t version = 0;
  // The upsert's stored form, encoded by the caller so that encoding runs in parallel outside the
  // group leader.
  std::string encoded;

  static WriteOp Upsert(Record record);
  static WriteOp Delete(RecordId id, uint64_t version);
};

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kRejected;
  uint64_t stored_version = 0;  // the version held after the operation (0: none)
  std::vector<FieldViolation> violations;
};

// Live records and tombstones of one force.
struct ForceCounts {
  uint64_t incidents = 0;
  uint64_t orders = 0;
  uint64_t tombstones = 0;

  friend bool operator==(const ForceCounts&, const ForceCounts&) = default;
};

// A change that reached the store, for observers that keep derived state (the linker, the graph).
struct CommittedChange {
  RecordId id;
  // The record now held (null: deleted). Valid during the call, and the observer may move from
  // it: the writer is done with the caller's records by then.
  Record* record = nullptr;
};

class RecordWriter {
 public:
  // Loads counters and the pinned key fingerprint from `storage`. `configured_fingerprint`, when
  // not empty, must match a pinned one (FailedPrecondition otherwise) and is pinned if none is.
  static absl::StatusOr<std::unique_ptr<RecordWriter>> Open(Storage* storage,
                                                            std::string configured_fingerprint);

  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Applies `ops` in order, durably: when this returns OK every result is final and every stored
  // change is on stable storage. On error nothing of this call was acknowledged; some of it may
  // still be stored (a retry is harmless, as operations are idempotent).
  absl::StatusOr<std::vector<WriteResult>> Apply(std::vector<WriteOp> ops);

  // Called by the leader after each durable group commit, with the group's changes in order, before
  // the group's callers are released. Set once, before the first Apply.
  void SetCommitObserver(absl::AnyInvocable<void(const std::vector<CommittedChange>&)> observer);

  std::map<std::string, ForceCounts> Counts() const ABSL_LOCKS_EXCLUDED(state_mu_);
  std::string KeyFingerprint() const ABSL_LOCKS_EXCLUDED(state_mu_);

 private:
  struct Batch;
  struct KeyState;
  class GroupPlan;

  explicit RecordWriter(Storage* storage) : storage_(storage) {}

  // Leader only: decides and commits `group`.
  absl::Status ApplyGroup(const std::vector<Batch*>& group);

  Storage* const storage_;
  absl::AnyInvocable<void(const std::vector<CommittedChange>&)> observer_;

  absl::Mutex queue_mu_;
  std::deque<Batch*> queue_ ABSL_GUARDED_BY(queue_mu_);

  // Read by any thread, replaced by the leader after a successful commit.
  mutable absl::Mutex state_mu_;
  std::map<std::string, ForceCounts> counts_ ABSL_GUARDED_BY(state_mu_);
  std::string key_fingerprint_ ABSL_GUARDED_BY(state_mu_);
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_RECORD_WRITER_H_
