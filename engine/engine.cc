#include "engine/engine.h"

#include "absl/strings/str_cat.h"
#include "engine/linkage/person_record.h"
#include "engine/rocksdb_storage.h"
#include "engine/status_macros.h"

namespace crossforce {
namespace {

absl::Status ValidateOptions(const EngineOptions& options) {
  if (FindEncodingSchema(options.schema_id) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown encoding schema '", options.schema_id, "'"));
  }
  if (!options.key_fingerprint.empty() && options.key_fingerprint.size() != kKeyFingerprintBytes) {
    return absl::InvalidArgumentError(absl::StrCat("key fingerprint must be ", kKeyFingerprintBytes,
                                                   " bytes, not ", options.key_fingerprint.size()));
  }
  if (options.max_parties == 0) return absl::InvalidArgumentError("max_parties must be positive");
  if (!options.today) return absl::InvalidArgumentError("a clock (today) is required");
  return absl::OkStatus();
}

// InvalidArgument naming the first problem with a key given to Delete or Get.
absl::Status CheckRecordId(const RecordId& id) {
  const std::vector<FieldViolation> violations = ValidateRecordKey(id.key, FieldPrefix(id.kind));
  if (violations.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(violations.front().field, ": ", violations.front().reason));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  CF_RETURN_IF_ERROR(ValidateOptions(options));
  RocksDbStorageOptions storage_options;
  storage_options.path = options.data_dir;
  storage_options.compression = options.compression;
  storage_options.block_cache_bytes = options.block_cache_bytes;
  CF_ASSIGN_OR_RETURN(std::unique_ptr<RocksDbStorage> storage,
                      RocksDbStorage::Open(storage_options));
  return OpenOnStorage(std::move(storage), options);
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::OpenOnStorage(std::unique_ptr<Storage> storage,
                                                              const EngineOptions& options) {
  CF_RETURN_IF_ERROR(ValidateOptions(options));
  CF_ASSIGN_OR_RETURN(std::unique_ptr<RecordWriter> writer,
                      RecordWriter::Open(storage.get(), options.key_fingerprint));
  std::unique_ptr<Engine> engine(new Engine(options, std::move(storage), std::move(writer)));
  CF_RETURN_IF_ERROR(engine->Relink().status());
  Engine* raw = engine.get();
  engine->writer_->SetCommitObserver(
      [raw](const std::vector<CommittedChange>& changes) { raw->OnCommitted(changes); });
  engine->linking_thread_ = std::thread([raw] { raw->LinkingLoop(); });
  return engine;
}

absl::StatusOr<Engine::RelinkSummary> Engine::Relink() {
  // Changes queued before the scan are in the store and so in the rebuilt linker; applying them
  // again afterwards is harmless (an update replaces a record's persons).
  absl::MutexLock lock(&linker_mu_);
  std::vector<std::pair<RecordId, std::vector<PersonRecord>>> records;
  absl::Status decode_status;
  CF_RETURN_IF_ERROR(
      storage_->Scan(Table::kRecords, "", [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<RecordId> id = DecodeRecordId(key);
        absl::StatusOr<StoredRecord> stored = DecodeStoredRecord(value);
        if (!id.ok() || !stored.ok()) {
          decode_status = !id.ok() ? id.status() : stored.status();
          return false;
        }
        if (stored->record.has_value()) {
          records.emplace_back(*std::move(id), ExtractPersons(*stored->record));
        }
        return true;
      }));
  CF_RETURN_IF_ERROR(decode_status);
  std::vector<const PersonRecord*> population;
  for (const auto& [id, persons] : records) {
    for (const PersonRecord& p : persons) population.push_back(&p);
  }
  LinkerOptions options = options_.linker;
  options.model = FitModel(population, options_.linker.model);
  auto linker = std::make_unique<Linker>(std::move(options));
  for (auto& [id, persons] : records) linker->Update(id, std::move(persons));
  // Entities that survive the relink keep their ids.
  if (linker_ != nullptr) linker->AdoptEntityIds(*linker_);
  linker_ = std::move(linker);
  return RelinkSummary{linker_->person_count(), linker_->Entities().size(), linker_->link_count()};
}

void Engine::OnCommitted(const std::vector<CommittedChange>& changes) {
  std::vector<PendingLink> pending;
  pending.reserve(changes.size());
  for (const CommittedChange& change : changes) {
    pending.push_back({change.id, change.record != nullptr ? ExtractPersons(*change.record)
                                                           : std::vector<PersonRecord>()});
  }
  absl::MutexLock lock(&queue_mu_);
  for (PendingLink& p : pending) queue_.push_back(std::move(p));
  queued_ += pending.size();
}

void Engine::LinkingLoop() {
  while (true) {
    std::deque<PendingLink> batch;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](Engine* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->queue_mu_) {
            return e->stopping_ || !e->queue_.empty();
          },
          this));
      // On shutdown the backlog is dropped, not drained: the next Open relinks from the store.
      if (stopping_) return;
      // Small batches, so that shutdown and relink never wait long behind the linker.
      for (int n = 0; n < 64 && !queue_.empty(); ++n) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    {
      absl::MutexLock lock(&linker_mu_);
      for (PendingLink& p : batch) linker_->Update(p.id, std::move(p.persons));
    }
    absl::MutexLock lock(&queue_mu_);
    linked_ += batch.size();
  }
}

void Engine::WaitForLinking() {
  absl::MutexLock lock(&queue_mu_);
  const uint64_t target = queued_;
  struct Arg {
    Engine* engine;
    uint64_t target;
  } arg{this, target};
  queue_mu_.Await(absl::Condition(
      +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS { return a->engine->linked_ >= a->target; },
      &arg));
}

size_t Engine::LinkingBacklog() {
  absl::MutexLock lock(&queue_mu_);
  return static_cast<size_t>(queued_ - linked_);
}

std::vector<Entity> Engine::Entities() {
  WaitForLinking();  // reads see every record committed before them
  absl::MutexLock lock(&linker_mu_);
  return linker_->Entities();
}

absl::StatusOr<std::pair<Entity, std::vector<Link>>> Engine::GetEntity(EntityId id) {
  WaitForLinking();
  absl::MutexLock lock(&linker_mu_);
  return linker_->EntityDetail(id);
}

absl::StatusOr<Engine::Explanation> Engine::ExplainPair(const PersonKey& a, const PersonKey& b) {
  WaitForLinking();
  absl::MutexLock lock(&linker_mu_);
  CF_ASSIGN_OR_RETURN(PersonKey full_a, linker_->Find(a));
  CF_ASSIGN_OR_RETURN(PersonKey full_b, linker_->Find(b));
  CF_ASSIGN_OR_RETURN(PairScore score, linker_->Explain(full_a, full_b));
  Explanation out;
  out.score = score;
  out.a = full_a;
  out.b = full_b;
  out.entity_a = linker_->EntityOf(full_a).value_or(0);
  out.entity_b = linker_->EntityOf(full_b).value_or(0);
  const MatchModel& model = linker_->model();
  out.link_weight = model.link_weight;
  out.cannot_link_weight = model.cannot_link_weight;
  for (int c = 0; c < kComparisonCount; ++c) {
    out.comparison_names[c] = model.comparisons[c].name;
    for (const ComparisonLevel& level : model.comparisons[c].levels) {
      out.level_names[c].push_back(level.name);
    }
  }
  return out;
}

Engine::Engine(EngineOptions options, std::unique_ptr<Storage> storage,
               std::unique_ptr<RecordWriter> writer)
    : options_(std::move(options)),
      storage_(std::move(storage)),
      writer_(std::move(writer)),
      linker_(std::make_unique<Linker>(options_.linker)) {}

Engine::~Engine() {
  if (linking_thread_.joinable()) {
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
    }
    linking_thread_.join();
  }
}

ValidationRules Engine::Rules() const {
  ValidationRules rules;
  rules.schema_id = options_.schema_id;
  rules.today = options_.today();
  rules.max_parties = options_.max_parties;
  return rules;
}

absl::StatusOr<std::vector<WriteResult>> Engine::Ingest(std::vector<Record> records) {
  const ValidationRules rules = Rules();
  std::vector<WriteResult> results(records.size());
  std::vector<WriteOp> ops;
  std::vector<size_t> op_index;  // position in `records` of each op
  ops.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    std::vector<FieldViolation> violations = ValidateRecord(records[i], rules);
    if (!violations.empty()) {
      results[i].outcome = WriteOutcome::kRejected;
      results[i].violations = std::move(violations);
      continue;
    }
    ops.push_back(WriteOp::Upsert(std::move(records[i])));
    op_index.push_back(i);
  }
  if (ops.empty()) return results;
  CF_ASSIGN_OR_RETURN(std::vector<WriteResult> applied, writer_->Apply(std::move(ops)));
  for (size_t j = 0; j < applied.size(); ++j) results[op_index[j]] = std::move(applied[j]);
  return results;
}

absl::StatusOr<WriteResult> Engine::Delete(const RecordId& id, uint64_t version) {
  CF_RETURN_IF_ERROR(CheckRecordId(id));
  if (version == 0) {
    CF_ASSIGN_OR_RETURN(std::optional<std::string> held,
                        storage_->Get(Table::kRecords, EncodeRecordId(id)));
    if (!held.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no ", Name(id.kind), " ", id.key.force_code, "/", id.key.record_id,
                       " is held; give the deletion's version to leave a tombstone for it"));
    }
  }
  CF_ASSIGN_OR_RETURN(std::vector<WriteResult> results,
                      writer_->Apply({WriteOp::Delete(id, version)}));
  return std::move(results.front());
}

absl::StatusOr<StoredRecord> Engine::Get(const RecordId& id) {
  CF_RETURN_IF_ERROR(CheckRecordId(id));
  CF_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      storage_->Get(Table::kRecords, EncodeRecordId(id)));
  if (!bytes.has_value()) {
    return absl::NotFoundError(absl::StrCat("no ", Name(id.kind), " ", id.key.force_code, "/",
                                            id.key.record_id, " is held"));
  }
  return DecodeStoredRecord(*bytes);
}

HubStats Engine::Stats() {
  HubStats stats;
  stats.forces = writer_->Counts();
  for (const auto& [force, counts] : stats.forces) {
    stats.totals.incidents += counts.incidents;
    stats.totals.orders += counts.orders;
    stats.totals.tombstones += counts.tombstones;
  }
  stats.schema_id = options_.schema_id;
  stats.key_fingerprint = writer_->KeyFingerprint();
  stats.disk_bytes = storage_->ApproximateDiskBytes();
  stats.linking_backlog = LinkingBacklog();
  return stats;
}

}  // namespace crossforce
