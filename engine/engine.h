// The hub's core: validates, versions and durably stores anonymised records, and answers reads and
// statistics. The server translates the wire contract to these calls; nothing here knows gRPC or
// protobuf. Thread-safe: any number of callers may ingest, delete and read at once.
#ifndef CROSSFORCE_ENGINE_ENGINE_H_
#define CROSSFORCE_ENGINE_ENGINE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/date.h"
#include "engine/encoding_schema.h"
#include "engine/linkage/linker.h"
#include "engine/patterns/alert_feed.h"
#include "engine/patterns/case_graph.h"
#include "engine/patterns/flag_book.h"
#include "engine/patterns/pattern_detector.h"
#include "engine/record_codec.h"
#include "engine/record_validator.h"
#include "engine/record_writer.h"
#include "engine/records.h"
#include "engine/storage.h"

namespace crossforce {

struct EngineOptions {
  std::string data_dir;                                   // RocksDB directory; created when missing
  bool compression = true;                                // block compression of the store
  size_t block_cache_bytes = 256u << 20;                  // read cache of the store
  std::string schema_id = std::string(kDefaultSchemaId);  // the federation's encoding schema
  // The federation's key fingerprint (16 raw bytes). Empty: the first accepted record pins it.
  std::string key_fingerprint;
  size_t max_parties = 64;  // per incident
  // Linkage model and blocking. An empty record_file_directory becomes data_dir in Open.
  LinkerOptions linker;
  PatternOptions patterns;                 // thresholds of the repeat-perpetrator rules
  size_t alert_backlog = 10000;            // alerts kept for watchers that fall behind
  std::function<Date()> today = TodayUtc;  // the clock for "not in the future" checks
};

// What the linker holds, as of the last change it applied when measured.
struct LinkerStats {
  size_t person_records = 0;
  size_t entities = 0;
  size_t links = 0;
  LinkerMemory memory;
  absl::Time measured_at = absl::InfinitePast();  // never, until the first relink ends
};

struct HubStats {
  std::map<std::string, ForceCounts> forces;  // by force code
  ForceCounts totals;
  std::string schema_id;
  std::string key_fingerprint;  // empty until pinned
  uint64_t disk_bytes = 0;
  uint64_t linking_backlog = 0;  // committed changes the linker has not applied yet
  uint64_t flags = 0;            // flags held, cleared ones included
  LinkerStats linker;
};

// Everything the hub knows about one person entity.
struct EntityProfile {
  Entity entity;
  std::vector<Link> links;              // what holds it together
  std::vector<CaseIncident> incidents;  // in date order, any role
  std::vector<CaseOrder> orders;
  std::vector<Flag> flags;  // not cleared, on it as suspect, victim or holder
};

class Engine {
 public:
  // Opens the store under options.data_dir. InvalidArgument for bad options; Unavailable when
  // another process holds the store; FailedPrecondition when the configured key differs from the
  // store's.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  // As Open, on storage the caller provides (tests inject faults this way).
  static absl::StatusOr<std::unique_ptr<Engine>> OpenOnStorage(std::unique_ptr<Storage> storage,
                                                               const EngineOptions& options);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();

  // Validates and stores `records`, one result per record in order. Invalid records are rejected
  // with their violations; the others are applied. OK means every stored change is durable; an
  // error (storage failure) means none of the results may be acknowledged.
  absl::StatusOr<std::vector<WriteResult>> Ingest(std::vector<Record> records);

  // Tombstones a record at `version` (0: the held version). NotFound when version is 0 and nothing
  // is held; InvalidArgument for a malformed key.
  absl::StatusOr<WriteResult> Delete(const RecordId& id, uint64_t version);

  // What is held under `id`, tombstones included. NotFound when nothing was ever held.
  absl::StatusOr<StoredRecord> Get(const RecordId& id);

  // Does not wait for linking. The linker is measured now, unless a relink is under way (it
  // holds the linker for minutes at millions of records): then the measure taken when the last
  // relink ended, or later, is given. Measuring counts through every person's links and every
  // entity, so it holds the linker for some tens of milliseconds at ten million records.
  HubStats Stats();

  // Linkage: every committed record is queued for the linker as it commits and linked by a
  // background thread, normally within milliseconds. These reads first wait until everything
  // committed before them is linked.
  std::vector<Entity> Entities();
  // For each key, the chance its person record belongs to its entity (Linker::LinkConfidence):
  // 1 alone in an entity, 0 for a key the hub does not hold.
  std::vector<double> LinkConfidences(const std::vector<PersonKey>& keys);
  // Members, with their link confidences, and links of an entity (merged ids resolve). NotFound
  // for an unknown id.
  absl::StatusOr<std::pair<Entity, std::vector<Link>>> GetEntity(EntityId id);
  // The comparison of two person records, with their entities. A key whose role is unset matches
  // the record's party with that reference in any role. NotFound when either is unknown.
  struct Explanation {
    PairScore score;
    PersonKey a, b;
    EntityId entity_a = 0, entity_b = 0;
    double link_weight = 0, cannot_link_weight = 0;
    // At or above the link weight, the measured chance that records linked at this weight are
    // one person (MatchModel::LinkConfidence); 0 below it, where the two are not linked.
    double confidence = 0;
    std::array<std::string, kComparisonCount> comparison_names;
    std::array<std::vector<std::string>, kComparisonCount> level_names;
  };
  absl::StatusOr<Explanation> ExplainPair(const PersonKey& a, const PersonKey& b);

  // The nightly batch job: refits the match model (value frequencies) to every person record held
  // and relinks everything from scratch. Ingest waits while it runs. Also done at Open.
  struct RelinkSummary {
    size_t persons = 0;
    size_t entities = 0;
    size_t links = 0;
  };
  absl::StatusOr<RelinkSummary> Relink();

  // Flags (decision support for analysts). Reads first wait for linking, as entity reads do.
  absl::StatusOr<FlagPage> ListFlags(const FlagQuery& query);
  absl::StatusOr<Flag> GetFlag(const std::string& flag_id);
  // Records an analyst's decision durably. NotFound for an unknown flag; InvalidArgument without
  // a user.
  absl::StatusOr<Flag> RecordDecision(const std::string& flag_id, Decision decision);
  // NotFound for an unknown entity (an absorbed id resolves to its survivor).
  absl::StatusOr<EntityProfile> GetEntityProfile(EntityId id);
  // New and escalated flags as they are raised (see AlertFeed).
  AlertFeed& alerts() { return alerts_; }

  // Blocks until every record committed before the call has been linked.
  void WaitForLinking();
  // Committed changes not yet linked.
  size_t LinkingBacklog();

  const EngineOptions& options() const { return options_; }

 private:
  Engine(EngineOptions options, std::unique_ptr<Storage> storage,
         std::unique_ptr<RecordWriter> writer);

  ValidationRules Rules() const;

  void OnCommitted(const std::vector<CommittedChange>& changes);
  void LinkingLoop();

  // Links a batch of changed records as they are now stored, updates the case graph and re-runs
  // the rules on what it touched.
  void ApplyBatch(const std::vector<RecordId>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(linker_mu_);
  // Runs the rules over `scope` (everything: a full pass), reconciles the flags, publishes the
  // alerts and notes the changed flags as unsaved.
  void Detect(const DetectionScope& scope) ABSL_EXCLUSIVE_LOCKS_REQUIRED(linker_mu_);
  // Writes the unsaved entity-id changes and flags.
  absl::Status SaveDerived(bool sync) ABSL_EXCLUSIVE_LOCKS_REQUIRED(linker_mu_);
  absl::Status LoadFlags();
  // Measures the linker and keeps the measure for Stats.
  LinkerStats MeasureLinker() ABSL_EXCLUSIVE_LOCKS_REQUIRED(linker_mu_);

  const EngineOptions options_;
  const std::unique_ptr<Storage> storage_;
  const std::unique_ptr<RecordWriter> writer_;

  absl::Mutex linker_mu_;
  std::unique_ptr<Linker> linker_ ABSL_GUARDED_BY(linker_mu_);
  std::unique_ptr<CaseGraph> graph_ ABSL_GUARDED_BY(linker_mu_);
  const PatternDetector detector_;
  // Derived state not yet in the store (see SaveDerived).
  std::vector<StorageWrite> unsaved_entity_writes_ ABSL_GUARDED_BY(linker_mu_);
  std::set<std::string> unsaved_flags_ ABSL_GUARDED_BY(linker_mu_);
  std::chrono::steady_clock::time_point last_save_ ABSL_GUARDED_BY(linker_mu_);
  std::atomic<int> relinks_under_way_{0};  // Stats does not wait for them
  absl::Mutex linker_stats_mu_;            // after linker_mu_ when both are held
  LinkerStats last_linker_stats_ ABSL_GUARDED_BY(linker_stats_mu_);

  absl::Mutex flags_mu_;  // after linker_mu_ when both are held
  FlagBook flags_ ABSL_GUARDED_BY(flags_mu_);
  AlertFeed alerts_;

  // Commits hand changes to the linking thread here, so that a durable acknowledgement never
  // waits for linking.
  absl::Mutex queue_mu_;
  // Ids of committed changes the linker has not applied yet. Only ids: the linking thread reads
  // each record back from the store, so a burst the linker lags behind costs the queue a few
  // dozen bytes per record rather than the parsed record (whose growth and cross-thread freeing
  // cost the ingest threads 40% of their rate).
  std::deque<RecordId> queue_ ABSL_GUARDED_BY(queue_mu_);
  uint64_t queued_ ABSL_GUARDED_BY(queue_mu_) = 0;  // changes ever queued
  uint64_t linked_ ABSL_GUARDED_BY(queue_mu_) = 0;  // changes ever applied
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::chrono::steady_clock::time_point last_commit_ ABSL_GUARDED_BY(queue_mu_);
  std::thread linking_thread_;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_ENGINE_H_
