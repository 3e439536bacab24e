#include "engine/engine.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "engine/entity_id_store.h"
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
  const PatternOptions& p = options.patterns;
  for (const auto& [name, value] :
       {std::pair<const char*, int>{"lookback_days", p.lookback_days},
        {"cross_force_min_forces", p.cross_force_min_forces},
        {"serial_min_victims", p.serial_min_victims},
        {"pursuit_min_forces", p.pursuit_min_forces},
        {"hidden_window_days", p.hidden_window_days},
        {"hidden_min_incidents", p.hidden_min_incidents},
        {"episode_gap_days", p.episode_gap_days},
        {"escalation_recent_days", p.escalation_recent_days},
        {"escalation_previous_days", p.escalation_previous_days},
        {"shared_identifier_min_forces", p.shared_identifier_min_forces},
        {"escalated_score_step", p.escalated_score_step}}) {
    if (value < 1) return absl::InvalidArgumentError(absl::StrCat(name, " must be at least 1"));
  }
  if (!(p.escalation_rate_ratio > 0)) {
    return absl::InvalidArgumentError("escalation_rate_ratio must be positive");
  }
  return absl::OkStatus();
}

// InvalidArgument naming the first problem with a key given to Delete or Get.
absl::Status CheckRecordId(const RecordId& id) {
  const std::vector<FieldViolation> violations = ValidateRecordKey(id.key, FieldPrefix(id.kind));
  if (violations.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(violations.front().field, ": ", violations.front().reason));
}

// How much lower than the ingest threads the linking thread runs (see LinkingLoop).
constexpr int kLinkingNice = 10;

// Under an ingest burst (a commit within kBurstWindow and at least kBurstBacklog changes queued)
// the linking thread works at most kBurstLinkingPercent of the time and sleeps the rest. A lower
// priority alone did not keep it off the ingest path: even at SCHED_IDLE its store reads and cache
// traffic cost a million-record ingest a fifth of its rate (47,000-49,000 records/s against
// 59,000-60,000 with linking off; a 20% share gave 47,000, 10% 52,000). It cannot keep pace with
// a burst anyway, it runs flat out once the burst ends, and under load that never ends it still
// makes steady progress.
constexpr size_t kBurstBacklog = 2048;
constexpr auto kBurstWindow = std::chrono::milliseconds(200);
constexpr int kBurstLinkingPercent = 10;

// Record `id` as stored (a tombstone included); none when it was never stored. What Get answers
// and what the linking thread reads back.
absl::StatusOr<std::optional<StoredRecord>> ReadStored(Storage& storage, const RecordId& id) {
  CF_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      storage.Get(Table::kRecords, EncodeRecordId(id)));
  if (!bytes.has_value()) return std::optional<StoredRecord>();
  CF_ASSIGN_OR_RETURN(StoredRecord stored, DecodeStoredRecord(*bytes));
  return std::optional<StoredRecord>(std::move(stored));
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
  EngineOptions with_paging = options;
  // The linker's records are paged to the store's disk unless the caller chose elsewhere.
  if (with_paging.linker.record_file_directory.empty()) {
    with_paging.linker.record_file_directory = options.data_dir;
  }
  return OpenOnStorage(std::move(storage), with_paging);
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::OpenOnStorage(std::unique_ptr<Storage> storage,
                                                              const EngineOptions& options) {
  CF_RETURN_IF_ERROR(ValidateOptions(options));
  CF_ASSIGN_OR_RETURN(std::unique_ptr<RecordWriter> writer,
                      RecordWriter::Open(storage.get(), options.key_fingerprint));
  std::unique_ptr<Engine> engine(new Engine(options, std::move(storage), std::move(writer)));
  CF_RETURN_IF_ERROR(engine->LoadFlags());
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
  relinks_under_way_.fetch_add(1, std::memory_order_acq_rel);
  absl::Cleanup relinked = [this] { relinks_under_way_.fetch_sub(1, std::memory_order_acq_rel); };
  absl::MutexLock lock(&linker_mu_);
  struct Held {
    RecordId id;
    std::vector<PersonRecord> persons;
    CaseRecord facts;
  };
  std::vector<Held> records;
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
          records.push_back(Held{*std::move(id), ExtractPersons(*stored->record),
                                 MakeCaseRecord(*stored->record)});
        }
        return true;
      }));
  CF_RETURN_IF_ERROR(decode_status);
  std::vector<const PersonRecord*> population;
  for (const Held& held : records) {
    for (const PersonRecord& p : held.persons) population.push_back(&p);
  }
  LinkerOptions options = options_.linker;
  options.model = FitModel(population, options_.linker.model);
  auto linker = std::make_unique<Linker>(std::move(options));
  std::vector<Linker::RecordPersons> population_records;
  population_records.reserve(records.size());
  for (Held& held : records) population_records.push_back({held.id, std::move(held.persons)});
  linker->Build(std::move(population_records));
  // Entities that survive the relink keep their ids: from the running linker, or at Open from
  // the ids saved before the last shutdown.
  CF_ASSIGN_OR_RETURN(Linker::SavedAssignment saved, LoadEntityAssignment(*storage_));
  if (graph_ != nullptr) {
    linker->AdoptEntityIds(*linker_);
  } else {
    linker->AdoptEntityIds(saved);
  }
  // The difference from what the store holds supersedes any unsaved incremental changes.
  unsaved_entity_writes_ = EntityAssignmentWrites(saved, linker->Assignment());
  linker->TrackChanges(true);
  linker_ = std::move(linker);

  graph_ = std::make_unique<CaseGraph>();
  std::set<EntityId> touched;
  const auto entity_of = [&](const PersonKey& key) { return linker_->EntityOf(key).value_or(0); };
  for (Held& held : records) graph_->Upsert(std::move(held.facts), entity_of, touched);
  DetectionScope everything;
  everything.everything = true;
  Detect(everything);
  CF_RETURN_IF_ERROR(SaveDerived(/*sync=*/true));
  const LinkerStats measured = MeasureLinker();
  return RelinkSummary{measured.person_records, measured.entities, measured.links};
}

absl::Status Engine::LoadFlags() {
  absl::MutexLock lock(&flags_mu_);
  absl::Status status;
  CF_RETURN_IF_ERROR(
      storage_->Scan(Table::kFlags, "", [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<Flag> flag = DecodeFlag(value);
        if (!flag.ok()) {
          status = absl::DataLossError(absl::StrCat("flag ", key, ": ", flag.status().message()));
          return false;
        }
        flags_.Restore(*std::move(flag));
        return true;
      }));
  return status;
}

void Engine::Detect(const DetectionScope& scope) {
  const Date today = options_.today();
  std::vector<Finding> findings;
  if (scope.everything) {
    findings = detector_.DetectAll(*graph_, today);
  } else {
    findings = detector_.DetectFor(*graph_, scope.suspects, scope.tokens, today);
  }
  absl::MutexLock lock(&flags_mu_);
  const FlagBook::Changes changes = flags_.Reconcile(
      scope, std::move(findings), NowMicros(),
      [this](EntityId id) ABSL_NO_THREAD_SAFETY_ANALYSIS { return linker_->Resolve(id); });
  for (const Flag* f : changes.changed) unsaved_flags_.insert(f->flag_id);
  alerts_.Publish(changes.alerts);
}

absl::Status Engine::SaveDerived(bool sync) {
  std::vector<StorageWrite> writes = unsaved_entity_writes_;
  {
    absl::MutexLock lock(&flags_mu_);
    for (const std::string& id : unsaved_flags_) {
      if (const Flag* f = flags_.Find(id)) writes.push_back({Table::kFlags, id, EncodeFlag(*f)});
    }
  }
  if (writes.empty()) return absl::OkStatus();
  // Entity ids and flags are derived from the records: were they lost, the next Open derives them
  // again from the records, which are durable. So the incremental saves are not synced (they reach
  // the log at once, and the disk with the next synced record commit) and a failure is kept for
  // the next save rather than failing anything.
  CF_RETURN_IF_ERROR(storage_->Commit(writes, sync));
  unsaved_entity_writes_.clear();
  unsaved_flags_.clear();
  last_save_ = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

void Engine::ApplyBatch(const std::vector<RecordId>& batch) {
  // The latest stored version of each record (none: deleted). Two queued changes to one record
  // both apply its latest version, which is what the second alone would have done. A record that
  // cannot be read is left as the linker has it; the next relink reads it again.
  struct Current {
    RecordId id;
    std::optional<Record> record;
  };
  std::vector<Current> current;
  current.reserve(batch.size());
  for (const RecordId& id : batch) {
    absl::StatusOr<std::optional<StoredRecord>> stored = ReadStored(*storage_, id);
    if (!stored.ok()) {
      std::fprintf(stderr, "crossforce engine: linking %s/%s skipped, reading it failed: %s\n",
                   id.key.force_code.c_str(), id.key.record_id.c_str(),
                   std::string(stored.status().message()).c_str());
      continue;
    }
    // A tombstone, or a record never stored, holds no record: the linker drops its persons.
    current.push_back(
        {id, stored->has_value() ? std::move((*stored)->record) : std::optional<Record>()});
  }
  for (Current& p : current) {
    linker_->Update(p.id,
                    p.record.has_value() ? ExtractPersons(*p.record) : std::vector<PersonRecord>());
  }
  const Linker::AssignmentChanges changes = linker_->TakeChanges();
  DetectionScope scope;
  std::set<EntityId> touched;
  const auto entity_of = [&](const PersonKey& key) { return linker_->EntityOf(key).value_or(0); };
  for (Current& p : current) {
    graph_->Neighbourhood(p.id, scope.suspects, scope.tokens);  // what the record was
    if (p.record.has_value()) {
      graph_->Upsert(MakeCaseRecord(*p.record), entity_of, touched);
    } else {
      graph_->Remove(p.id, touched);
    }
    graph_->Neighbourhood(p.id, scope.suspects, scope.tokens);  // what it is now
  }
  for (const auto& [person, entity] : changes.entity_of) {
    if (entity == 0) continue;
    if (const EntityId left = graph_->MovePerson(person, entity); left != 0) touched.insert(left);
    touched.insert(entity);
    graph_->Neighbourhood(RecordId{person.kind, RecordKey{person.force_code, person.record_id}},
                          scope.suspects, scope.tokens);
  }
  scope.suspects.insert(touched.begin(), touched.end());
  scope.suspects.erase(0);
  std::vector<StorageWrite> entity_writes = EntityChangeWrites(changes);
  unsaved_entity_writes_.insert(unsaved_entity_writes_.end(),
                                std::make_move_iterator(entity_writes.begin()),
                                std::make_move_iterator(entity_writes.end()));
  Detect(scope);
}

void Engine::OnCommitted(const std::vector<CommittedChange>& changes) {
  // This runs in the group-commit leader, before the group's acknowledgements: it only queues
  // the ids; the linking thread reads the records back (see queue_).
  absl::MutexLock lock(&queue_mu_);
  for (const CommittedChange& change : changes) queue_.push_back(change.id);
  queued_ += changes.size();
  last_commit_ = std::chrono::steady_clock::now();
}

void Engine::LinkingLoop() {
  // Below the ingest threads in the scheduler: acknowledging records is the service the forces
  // wait for, while linking may lag under a burst and catch up after it. (Linux: a thread's nice
  // value is its own.)
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kLinkingNice);
  while (true) {
    std::vector<RecordId> batch;
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
    const auto batch_start = std::chrono::steady_clock::now();
    {
      absl::MutexLock lock(&linker_mu_);
      ApplyBatch(batch);
      // Flags and entity ids change with nearly every batch; saving them once the backlog is
      // empty, or each second under sustained load, writes a busy flag once, not per batch.
      bool idle;
      {
        absl::MutexLock queue_lock(&queue_mu_);
        idle = queue_.empty();
      }
      if (idle || std::chrono::steady_clock::now() - last_save_ >= std::chrono::seconds(1)) {
        if (absl::Status status = SaveDerived(/*sync=*/false); !status.ok()) {
          std::fprintf(stderr, "crossforce engine: saving entity ids and flags failed: %s\n",
                       std::string(status.message()).c_str());
        }
      }
    }
    absl::MutexLock lock(&queue_mu_);
    linked_ += batch.size();
    const auto now = std::chrono::steady_clock::now();
    if (queue_.size() >= kBurstBacklog && now - last_commit_ < kBurstWindow) {
      const auto rest = (now - batch_start) * (100 - kBurstLinkingPercent) / kBurstLinkingPercent;
      queue_mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(rest));
    }
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

std::vector<double> Engine::LinkConfidences(const std::vector<PersonKey>& keys) {
  WaitForLinking();
  absl::MutexLock lock(&linker_mu_);
  std::vector<double> out;
  out.reserve(keys.size());
  for (const PersonKey& key : keys) out.push_back(linker_->LinkConfidence(key));
  return out;
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
  out.confidence = score.weight >= model.link_weight ? model.LinkConfidence(score.weight) : 0;
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
      linker_(std::make_unique<Linker>(options_.linker)),
      detector_(options_.patterns,
                [this](const PersonKey& key) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                  // Called only by Detect, under linker_mu_.
                  return linker_->LinkConfidence(key);
                }),
      flags_(options_.patterns.escalated_score_step),
      alerts_(options_.alert_backlog) {}

Engine::~Engine() {
  alerts_.Close();
  if (linking_thread_.joinable()) {
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
    }
    linking_thread_.join();
  }
  // What the linking thread derived but had not saved yet.
  absl::MutexLock lock(&linker_mu_);
  if (absl::Status status = SaveDerived(/*sync=*/true); !status.ok()) {
    std::fprintf(stderr, "crossforce engine: saving entity ids and flags at shutdown failed: %s\n",
                 std::string(status.message()).c_str());
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
  CF_ASSIGN_OR_RETURN(std::optional<StoredRecord> stored, ReadStored(*storage_, id));
  if (!stored.has_value()) {
    return absl::NotFoundError(absl::StrCat("no ", Name(id.kind), " ", id.key.force_code, "/",
                                            id.key.record_id, " is held"));
  }
  return *std::move(stored);
}

LinkerStats Engine::MeasureLinker() {
  LinkerStats stats;
  stats.person_records = linker_->person_count();
  stats.entities = linker_->entity_count();
  stats.links = linker_->link_count();
  stats.memory = linker_->Memory();
  stats.measured_at = absl::Now();
  absl::MutexLock lock(&linker_stats_mu_);
  last_linker_stats_ = stats;
  return stats;
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
  if (relinks_under_way_.load(std::memory_order_acquire) > 0) {
    absl::MutexLock lock(&linker_stats_mu_);
    stats.linker = last_linker_stats_;
  } else {
    // A relink that starts between the check and the lock is waited for: a rare race, and
    // TryLock instead would fail whenever a batch was being linked.
    absl::MutexLock lock(&linker_mu_);
    stats.linker = MeasureLinker();
  }
  absl::MutexLock lock(&flags_mu_);
  stats.flags = flags_.size();
  return stats;
}

absl::StatusOr<FlagPage> Engine::ListFlags(const FlagQuery& query) {
  WaitForLinking();
  absl::MutexLock lock(&flags_mu_);
  return flags_.List(query);
}

absl::StatusOr<Flag> Engine::GetFlag(const std::string& flag_id) {
  WaitForLinking();
  absl::MutexLock lock(&flags_mu_);
  return flags_.Get(flag_id);
}

absl::StatusOr<Flag> Engine::RecordDecision(const std::string& flag_id, Decision decision) {
  if (decision.user.empty()) {
    return absl::InvalidArgumentError("decision.user: the analyst recording it is required");
  }
  WaitForLinking();
  absl::MutexLock lock(&flags_mu_);
  // Decided on a copy first: the decision counts only once it is durable.
  CF_ASSIGN_OR_RETURN(Flag before, flags_.Get(flag_id));
  CF_ASSIGN_OR_RETURN(Flag decided, flags_.Decide(flag_id, std::move(decision), NowMicros()));
  if (absl::Status status =
          storage_->Commit({{Table::kFlags, decided.flag_id, EncodeFlag(decided)}}, /*sync=*/true);
      !status.ok()) {
    flags_.Restore(std::move(before));
    return status;
  }
  return decided;
}

absl::StatusOr<EntityProfile> Engine::GetEntityProfile(EntityId id) {
  WaitForLinking();
  EntityProfile profile;
  {
    absl::MutexLock lock(&linker_mu_);
    CF_ASSIGN_OR_RETURN(auto detail, linker_->EntityDetail(id));
    profile.entity = std::move(detail.first);
    profile.links = std::move(detail.second);
    for (const CaseIncident* c : graph_->IncidentsOf(profile.entity.id)) {
      profile.incidents.push_back(*c);
    }
    for (const CaseOrder* o : graph_->OrdersOf(profile.entity.id)) profile.orders.push_back(*o);
  }
  absl::MutexLock lock(&flags_mu_);
  profile.flags = flags_.OfEntity(profile.entity.id);
  return profile;
}

}  // namespace crossforce
