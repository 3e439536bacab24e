#include "engine/record_writer.h"

#include <chrono>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/byte_codec.h"
#include "engine/status_macros.h"

namespace crossforce {
namespace {

// A group stops growing at this many operations so one leader's commit stays short.
constexpr size_t kMaxGroupOps = 8192;

constexpr absl::string_view kCountsPrefix("counts\0", 7);
constexpr absl::string_view kFingerprintKey = "federation/key_fingerprint";

std::string CountsKey(absl::string_view force) { return absl::StrCat(kCountsPrefix, force); }

std::string EncodeCounts(const ForceCounts& c) {
  std::string out;
  ByteWriter w(&out);
  w.PutVarint(c.incidents);
  w.PutVarint(c.orders);
  w.PutVarint(c.tombstones);
  return out;
}

absl::StatusOr<ForceCounts> DecodeCounts(absl::string_view bytes) {
  ByteReader r(bytes);
  ForceCounts c;
  CF_ASSIGN_OR_RETURN(c.incidents, r.Varint());
  CF_ASSIGN_OR_RETURN(c.orders, r.Varint());
  CF_ASSIGN_OR_RETURN(c.tombstones, r.Varint());
  return c;
}

int64_t NowUnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Calls `visit(identity, path)` for every identity in a record; `path()` builds the wire path of
// its key fingerprint, only when asked.
template <typename Visit>
void ForEachIdentity(const Record& record, Visit visit) {
  if (const auto* incident = std::get_if<Incident>(&record)) {
    for (size_t i = 0; i < incident->parties.size(); ++i) {
      if (!incident->parties[i].identity.has_value()) continue;
      visit(*incident->parties[i].identity,
            [i] { return absl::StrCat("incident.parties[", i, "].identity.key_fingerprint"); });
    }
    return;
  }
  const auto& order = std::get<ProtectiveOrder>(record);
  if (order.subject.has_value() && order.subject->identity.has_value()) {
    visit(*order.subject->identity,
          [] { return std::string("order.subject.identity.key_fingerprint"); });
  }
  if (order.protected_person.has_value() && order.protected_person->identity.has_value()) {
    visit(*order.protected_person->identity,
          [] { return std::string("order.protected_person.identity.key_fingerprint"); });
  }
}

uint64_t& LiveCounter(ForceCounts& counts, RecordKind kind) {
  return kind == RecordKind::kIncident ? counts.incidents : counts.orders;
}

}  // namespace

WriteOp WriteOp::Upsert(Record record) {
  WriteOp op;
  op.id = IdOf(record);
  op.version = VersionOf(record);
  op.record = std::move(record);
  op.encoded = EncodeStoredRecord(op.version, NowUnixMicros(), &*op.record);
  return op;
}

WriteOp WriteOp::Delete(RecordId id, uint64_t version) {
  WriteOp op;
  op.id = std::move(id);
  op.version = version;
  return op;
}

struct RecordWriter::Batch {
  std::vector<WriteOp>* ops = nullptr;
  std::vector<WriteResult> results;
  absl::Status status;
  bool done = false;
  absl::CondVar cv;
};

// What one key holds, as the leader currently sees it (the store plus this group's earlier ops).
struct RecordWriter::KeyState {
  bool exists = false;
  StoredRecord header;             // version and tombstone flag; header.record stays empty
  const Record* record = nullptr;  // content written by this group, if any
  std::string stored_bytes;        // the stored value read from the store, decoded only when needed
};

// The leader's working state for one group: per-key states, the writes to commit and the counters
// and fingerprint that will hold once the commit succeeds.
class RecordWriter::GroupPlan {
 public:
  GroupPlan(Storage* storage, std::map<std::string, ForceCounts> counts, std::string fingerprint)
      : storage_(storage), counts_(std::move(counts)), fingerprint_(std::move(fingerprint)) {
    original_fingerprint_ = fingerprint_;
  }

  absl::StatusOr<WriteResult> Decide(WriteOp& op) {
    std::string key = EncodeRecordId(op.id);
    CF_ASSIGN_OR_RETURN(KeyState * state, Lookup(key));
    return op.record.has_value() ? DecideUpsert(std::move(key), op, *state)
                                 : DecideDelete(std::move(key), op, *state);
  }

  // The writes of the group, with the counters of the forces it touched and a newly pinned key.
  std::vector<StorageWrite> TakeWrites() {
    for (const std::string& force : touched_forces_) {
      writes_.push_back({Table::kMeta, CountsKey(force), EncodeCounts(counts_[force])});
    }
    if (fingerprint_ != original_fingerprint_) {
      writes_.push_back({Table::kMeta, std::string(kFingerprintKey), fingerprint_});
    }
    return std::move(writes_);
  }

  std::vector<CommittedChange>& changes() { return changes_; }
  std::map<std::string, ForceCounts>& counts() { return counts_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  absl::StatusOr<KeyState*> Lookup(const std::string& key) {
    auto it = states_.find(key);
    if (it != states_.end()) return &it->second;
    KeyState state;
    CF_ASSIGN_OR_RETURN(std::optional<std::string> bytes, storage_->Get(Table::kRecords, key));
    if (bytes.has_value()) {
      CF_ASSIGN_OR_RETURN(state.header, DecodeStoredRecordHeader(*bytes));
      state.stored_bytes = std::move(*bytes);
      state.exists = true;
    }
    return &states_.emplace(key, std::move(state)).first->second;
  }

  // Whether the live record held under `state` equals `record`.
  absl::StatusOr<bool> HeldEquals(const KeyState& state, const Record& record) {
    if (state.record != nullptr) return *state.record == record;
    CF_ASSIGN_OR_RETURN(StoredRecord held, DecodeStoredRecord(state.stored_bytes));
    return held.record == record;
  }

  // Checks the record's identities against the federation key, pinning it on first use.
  std::vector<FieldViolation> CheckFingerprint(const Record& record) {
    std::vector<FieldViolation> violations;
    std::string candidate = fingerprint_;
    ForEachIdentity(record, [&](const AnonymisedIdentity& identity, auto path) {
      if (candidate.empty()) candidate = identity.key_fingerprint;
      if (identity.key_fingerprint != candidate) {
        violations.push_back(
            {path(),
             absl::StrCat("key fingerprint ", absl::BytesToHexString(identity.key_fingerprint),
                          " does not match the federation's linkage key (fingerprint ",
                          absl::BytesToHexString(candidate),
                          "): the record was anonymised with a different secret key")});
      }
    });
    if (violations.empty()) fingerprint_ = candidate;
    return violations;
  }

  absl::StatusOr<WriteResult> DecideUpsert(std::string key, WriteOp& op, KeyState& state) {
    const Record& record = *op.record;
    WriteResult result;
    result.stored_version = state.exists ? state.header.version : 0;
    // The key is checked first: a force using the wrong key must hear that, whatever the versions.
    result.violations = CheckFingerprint(record);
    if (!result.violations.empty()) {
      result.outcome = WriteOutcome::kRejected;
      return result;
    }
    if (state.exists && op.version < state.header.version) {
      result.outcome = WriteOutcome::kStale;
      return result;
    }
    if (state.exists && op.version == state.header.version) {
      if (state.header.deleted) {
        result.outcome = WriteOutcome::kStale;
        return result;
      }
      CF_ASSIGN_OR_RETURN(const bool same, HeldEquals(state, record));
      if (same) {
        result.outcome = WriteOutcome::kUnchanged;
      } else {
        result.outcome = WriteOutcome::kRejected;
        result.violations.push_back(
            {absl::StrCat(FieldPrefix(op.id.kind), ".version"),
             absl::StrCat("version ", op.version,
                          " is already held with different content; raise the version to change "
                          "the record")});
      }
      return result;
    }
    const bool was_live = state.exists && !state.header.deleted;
    result.outcome = was_live ? WriteOutcome::kReplaced : WriteOutcome::kCreated;
    result.stored_version = op.version;
    Store(std::move(key), op.id, state, /*deleted=*/false, op.version, std::move(op.encoded));
    state.record = &record;
    changes_.push_back({op.id, &*op.record});
    return result;
  }

  absl::StatusOr<WriteResult> DecideDelete(std::string key, const WriteOp& op, KeyState& state) {
    WriteResult result;
    result.stored_version = state.exists ? state.header.version : 0;
    const uint64_t version = op.version != 0 ? op.version : result.stored_version;
    if (state.exists && version < state.header.version) {
      result.outcome = state.header.deleted ? WriteOutcome::kAlreadyDeleted : WriteOutcome::kStale;
      return result;
    }
    if (state.exists && state.header.deleted && version == state.header.version) {
      result.outcome = WriteOutcome::kAlreadyDeleted;
      return result;
    }
    result.outcome = !state.exists          ? WriteOutcome::kTombstoned
                     : state.header.deleted ? WriteOutcome::kAlreadyDeleted
                                            : WriteOutcome::kDeleted;
    result.stored_version = version;
    Store(std::move(key), op.id, state, /*deleted=*/true, version,
          EncodeStoredRecord(version, NowUnixMicros(), nullptr));
    state.record = nullptr;
    if (result.outcome == WriteOutcome::kDeleted) changes_.push_back({op.id, nullptr});
    return result;
  }

  void Store(std::string key, const RecordId& id, KeyState& state, bool deleted, uint64_t version,
             std::string value) {
    ForceCounts& counts = counts_[id.key.force_code];
    if (state.exists) {
      if (state.header.deleted) {
        --counts.tombstones;
      } else {
        --LiveCounter(counts, id.kind);
      }
    }
    if (deleted) {
      ++counts.tombstones;
    } else {
      ++LiveCounter(counts, id.kind);
    }
    touched_forces_.insert(id.key.force_code);
    writes_.push_back({Table::kRecords, std::move(key), std::move(value)});
    state.exists = true;
    state.header.version = version;
    state.header.deleted = deleted;
    state.stored_bytes.clear();
  }

  Storage* const storage_;
  std::map<std::string, KeyState> states_;
  std::vector<StorageWrite> writes_;
  std::vector<CommittedChange> changes_;
  std::map<std::string, ForceCounts> counts_;
  std::set<std::string> touched_forces_;
  std::string fingerprint_;
  std::string original_fingerprint_;
};

absl::StatusOr<std::unique_ptr<RecordWriter>> RecordWriter::Open(
    Storage* storage, std::string configured_fingerprint) {
  std::unique_ptr<RecordWriter> writer(new RecordWriter(storage));
  std::map<std::string, ForceCounts> counts;
  absl::Status decode_status;
  CF_RETURN_IF_ERROR(storage->Scan(Table::kMeta, kCountsPrefix,
                                   [&](absl::string_view key, absl::string_view value) {
                                     absl::StatusOr<ForceCounts> c = DecodeCounts(value);
                                     if (!c.ok()) {
                                       decode_status = c.status();
                                       return false;
                                     }
                                     counts[std::string(key.substr(kCountsPrefix.size()))] = *c;
                                     return true;
                                   }));
  CF_RETURN_IF_ERROR(decode_status);
  CF_ASSIGN_OR_RETURN(std::optional<std::string> pinned,
                      storage->Get(Table::kMeta, kFingerprintKey));
  std::string fingerprint = pinned.value_or("");
  if (!configured_fingerprint.empty()) {
    if (!fingerprint.empty() && fingerprint != configured_fingerprint) {
      return absl::FailedPreconditionError(absl::StrCat(
          "configured key fingerprint ", absl::BytesToHexString(configured_fingerprint),
          " differs from the one this store was built with (", absl::BytesToHexString(fingerprint),
          ")"));
    }
    if (fingerprint.empty()) {
      CF_RETURN_IF_ERROR(storage->Commit(
          {{Table::kMeta, std::string(kFingerprintKey), configured_fingerprint}}, /*sync=*/true));
      fingerprint = configured_fingerprint;
    }
  }
  absl::MutexLock lock(&writer->state_mu_);
  writer->counts_ = std::move(counts);
  writer->key_fingerprint_ = std::move(fingerprint);
  return writer;
}

void RecordWriter::SetCommitObserver(
    absl::AnyInvocable<void(const std::vector<CommittedChange>&)> observer) {
  observer_ = std::move(observer);
}

std::map<std::string, ForceCounts> RecordWriter::Counts() const {
  absl::MutexLock lock(&state_mu_);
  return counts_;
}

std::string RecordWriter::KeyFingerprint() const {
  absl::MutexLock lock(&state_mu_);
  return key_fingerprint_;
}

absl::StatusOr<std::vector<WriteResult>> RecordWriter::Apply(std::vector<WriteOp> ops) {
  Batch batch;
  batch.ops = &ops;

  queue_mu_.Lock();
  queue_.push_back(&batch);
  while (!batch.done && &batch != queue_.front()) batch.cv.Wait(&queue_mu_);
  if (!batch.done) {
    // This caller leads: take as many queued batches as fit in one group.
    std::vector<Batch*> group;
    size_t group_ops = 0;
    for (Batch* b : queue_) {
      if (!group.empty() && group_ops + b->ops->size() > kMaxGroupOps) break;
      group.push_back(b);
      group_ops += b->ops->size();
    }
    queue_mu_.Unlock();
    const absl::Status status = ApplyGroup(group);
    queue_mu_.Lock();
    for (Batch* b : group) {
      queue_.pop_front();
      b->status = status;
      b->done = true;
      if (b != &batch) b->cv.Signal();
    }
    if (!queue_.empty()) queue_.front()->cv.Signal();
  }
  queue_mu_.Unlock();
  if (!batch.status.ok()) return batch.status;
  return std::move(batch.results);
}

absl::Status RecordWriter::ApplyGroup(const std::vector<Batch*>& group) {
  std::map<std::string, ForceCounts> counts;
  std::string fingerprint;
  {
    absl::MutexLock lock(&state_mu_);
    counts = counts_;
    fingerprint = key_fingerprint_;
  }
  GroupPlan plan(storage_, std::move(counts), std::move(fingerprint));
  for (Batch* b : group) {
    b->results.clear();
    b->results.reserve(b->ops->size());
    for (WriteOp& op : *b->ops) {
      CF_ASSIGN_OR_RETURN(WriteResult result, plan.Decide(op));
      b->results.push_back(std::move(result));
    }
  }
  const std::vector<StorageWrite> writes = plan.TakeWrites();
  if (!writes.empty()) CF_RETURN_IF_ERROR(storage_->Commit(writes, /*sync=*/true));
  {
    absl::MutexLock lock(&state_mu_);
    counts_ = std::move(plan.counts());
    key_fingerprint_ = plan.fingerprint();
  }
  if (observer_ && !plan.changes().empty()) observer_(plan.changes());
  return absl::OkStatus();
}

}  // namespace crossforce
