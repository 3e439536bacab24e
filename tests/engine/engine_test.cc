#include "engine/engine.h"

#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "engine/rocksdb_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/faulty_storage.h"
#include "tests/testing/rocksdb_at.h"
#include "tests/testing/sample_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::FaultyStorage;
using ::crossforce::testing::IsOk;
using ::crossforce::testing::OpenRocksDbAt;
using ::crossforce::testing::OtherFingerprint;
using ::crossforce::testing::SampleFingerprint;
using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::SampleOrder;
using ::crossforce::testing::StatusIs;
using ::crossforce::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

EngineOptions Options(const TempDir& dir) {
  EngineOptions options;
  options.data_dir = dir.Sub("db");
  options.today = [] { return Date{2026, 11, 28}; };
  return options;
}

std::unique_ptr<Engine> OpenEngine(const TempDir& dir) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(Options(dir));
  EXPECT_THAT(engine, IsOk());
  return engine.ok() ? std::move(*engine) : nullptr;
}

// An engine opened on a FaultyStorage over the store in `dir`, and in `storage` that storage,
// which the engine owns. Null, the test failed, when either cannot be opened.
std::unique_ptr<Engine> OpenOnFaultyStorage(const TempDir& dir, FaultyStorage** storage) {
  absl::StatusOr<std::unique_ptr<RocksDbStorage>> base = OpenRocksDbAt(dir.Sub("db"));
  EXPECT_THAT(base, IsOk());
  if (!base.ok()) return nullptr;
  auto faulty = std::make_unique<FaultyStorage>(std::move(*base));
  *storage = faulty.get();
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::OpenOnStorage(std::move(faulty), Options(dir));
  EXPECT_THAT(engine, IsOk());
  return engine.ok() ? std::move(*engine) : nullptr;
}

WriteOutcome IngestOne(Engine& engine, Record record) {
  std::vector<Record> records;
  records.push_back(std::move(record));
  absl::StatusOr<std::vector<WriteResult>> results = engine.Ingest(std::move(records));
  EXPECT_THAT(results, IsOk());
  return results.ok() ? results->front().outcome : WriteOutcome::kRejected;
}

TEST(EngineTest, VersionRulesAreIdempotent) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 2)), WriteOutcome::kCreated);
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 2)), WriteOutcome::kUnchanged);
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 1)), WriteOutcome::kStale);
  Incident newer = SampleIncident("WYP", "I1", 3);
  newer.behaviours.push_back(Behaviour::kThreats);
  EXPECT_EQ(IngestOne(*engine, newer), WriteOutcome::kReplaced);
  absl::StatusOr<StoredRecord> held = engine->Get({RecordKind::kIncident, {"WYP", "I1"}});
  ASSERT_THAT(held, IsOk());
  EXPECT_EQ(held->version, 3u);
  EXPECT_EQ(std::get<Incident>(*held->record), newer);
  EXPECT_GT(held->stored_unix_micros, 0);
}

TEST(EngineTest, CommittedRecordsAreLinkedInTheBackground) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  ASSERT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 1, 7)), WriteOutcome::kCreated);
  ASSERT_EQ(IngestOne(*engine, SampleIncident("MET", "I2", 1, 7)), WriteOutcome::kCreated);
  engine->WaitForLinking();
  EXPECT_EQ(engine->LinkingBacklog(), 0u);
  EXPECT_EQ(engine->Stats().linking_backlog, 0u);
  // The same two people (identical identities) in two forces: two entities of two records each.
  const std::vector<Entity> entities = engine->Entities();
  ASSERT_EQ(entities.size(), 2u);
  EXPECT_EQ(entities[0].members.size(), 2u);
  EXPECT_EQ(entities[1].members.size(), 2u);
  // A deletion unlinks once linked.
  ASSERT_THAT(engine->Delete({RecordKind::kIncident, {"MET", "I2"}}, 0), IsOk());
  EXPECT_EQ(engine->Entities()[0].members.size(), 1u);
}

// Mappings of this process of files under `directory` that have no name there (unlinked, or
// made unnamed), as /proc/self/maps shows them.
std::vector<std::string> UnnamedFilesMappedFrom(const std::string& directory) {
  std::vector<std::string> out;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const size_t path = line.find(directory + "/");
    if (path != std::string::npos && absl::EndsWith(line, "(deleted)")) {
      out.push_back(line.substr(path));
    }
  }
  return out;
}

TEST(EngineTest, TheLinkersRecordsArePagedToAFileWithNoNameInTheStoresDirectory) {
  TempDir dir;
  const std::string data_dir = Options(dir).data_dir;
  {
    std::unique_ptr<Engine> engine = OpenEngine(dir);
    ASSERT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 1, 7)), WriteOutcome::kCreated);
    engine->WaitForLinking();
    EXPECT_THAT(UnnamedFilesMappedFrom(data_dir), Not(IsEmpty()))
        << "the linker maps its record file from the data directory";
  }
  EXPECT_THAT(UnnamedFilesMappedFrom(data_dir), IsEmpty()) << "closing the engine unmaps it";
}

TEST(EngineTest, SameVersionWithDifferentContentIsRejected) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  ASSERT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 1)), WriteOutcome::kCreated);
  Incident changed = SampleIncident("WYP", "I1", 1);
  changed.location_district = "LS1";
  absl::StatusOr<std::vector<WriteResult>> results = engine->Ingest({changed});
  ASSERT_THAT(results, IsOk());
  EXPECT_EQ(results->front().outcome, WriteOutcome::kRejected);
  ASSERT_EQ(results->front().violations.size(), 1u);
  EXPECT_EQ(results->front().violations[0].field, "incident.version");
  EXPECT_THAT(results->front().violations[0].reason, HasSubstr("different content"));
}

TEST(EngineTest, InvalidRecordsAreRejectedAndValidNeighboursKept) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  Incident bad = SampleIncident("WYP", "I2");
  bad.offence_date = {};
  absl::StatusOr<std::vector<WriteResult>> results =
      engine->Ingest({SampleIncident("WYP", "I1"), bad, SampleOrder("WYP", "O1")});
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].outcome, WriteOutcome::kCreated);
  EXPECT_EQ((*results)[1].outcome, WriteOutcome::kRejected);
  EXPECT_EQ((*results)[1].violations[0].field, "incident.offence_date");
  EXPECT_EQ((*results)[2].outcome, WriteOutcome::kCreated);
  EXPECT_THAT(engine->Get({RecordKind::kIncident, {"WYP", "I2"}}),
              StatusIs(absl::StatusCode::kNotFound));
  const HubStats stats = engine->Stats();
  EXPECT_EQ(stats.totals.incidents, 1u);
  EXPECT_EQ(stats.totals.orders, 1u);
}

TEST(EngineTest, TombstonesStopLateOlderVersions) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  const RecordId id{RecordKind::kIncident, {"WYP", "I1"}};
  ASSERT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 2)), WriteOutcome::kCreated);
  EXPECT_THAT(engine->Delete(id, 1), IsOk());
  EXPECT_EQ(engine->Delete(id, 1)->outcome, WriteOutcome::kStale);
  absl::StatusOr<WriteResult> deleted = engine->Delete(id, 0);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_EQ(deleted->outcome, WriteOutcome::kDeleted);
  EXPECT_EQ(deleted->stored_version, 2u);
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 2)), WriteOutcome::kStale);
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 1)), WriteOutcome::kStale);
  EXPECT_EQ(engine->Delete(id, 2)->outcome, WriteOutcome::kAlreadyDeleted);
  absl::StatusOr<StoredRecord> held = engine->Get(id);
  ASSERT_THAT(held, IsOk());
  EXPECT_TRUE(held->deleted);
  EXPECT_FALSE(held->record.has_value());
  EXPECT_EQ(engine->Stats().totals.incidents, 0u);
  EXPECT_EQ(engine->Stats().totals.tombstones, 1u);
  // A genuinely newer version re-creates the record.
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1", 3)), WriteOutcome::kCreated);
  EXPECT_EQ(engine->Stats().totals.incidents, 1u);
  EXPECT_EQ(engine->Stats().totals.tombstones, 0u);
}

TEST(EngineTest, DeletingAnUnknownRecordNeedsAVersion) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  const RecordId id{RecordKind::kOrder, {"WYP", "O9"}};
  EXPECT_THAT(engine->Delete(id, 0), StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<WriteResult> tombstoned = engine->Delete(id, 4);
  ASSERT_THAT(tombstoned, IsOk());
  EXPECT_EQ(tombstoned->outcome, WriteOutcome::kTombstoned);
  EXPECT_EQ(IngestOne(*engine, SampleOrder("WYP", "O9", 3)), WriteOutcome::kStale);
  EXPECT_THAT(engine->Delete({RecordKind::kOrder, {"bad code", "x"}}, 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EngineTest, FirstRecordPinsTheFederationKey) {
  TempDir dir;
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  EXPECT_THAT(engine->Stats().key_fingerprint, IsEmpty());
  ASSERT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1")), WriteOutcome::kCreated);
  EXPECT_EQ(engine->Stats().key_fingerprint, SampleFingerprint());
  Incident other = SampleIncident("NYP", "I1");
  other.parties[1].identity->key_fingerprint = OtherFingerprint();
  absl::StatusOr<std::vector<WriteResult>> results = engine->Ingest({other});
  ASSERT_THAT(results, IsOk());
  EXPECT_EQ(results->front().outcome, WriteOutcome::kRejected);
  ASSERT_FALSE(results->front().violations.empty());
  EXPECT_EQ(results->front().violations[0].field, "incident.parties[1].identity.key_fingerprint");
  EXPECT_THAT(results->front().violations[0].reason, HasSubstr("different secret key"));
  // The pin survives a restart, and a configured key that differs is refused.
  engine.reset();
  engine = OpenEngine(dir);
  EXPECT_EQ(engine->Stats().key_fingerprint, SampleFingerprint());
  engine.reset();
  EngineOptions options = Options(dir);
  options.key_fingerprint = OtherFingerprint();
  EXPECT_THAT(Engine::Open(options), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(EngineTest, ConfiguredKeyRefusesOthersFromTheStart) {
  TempDir dir;
  EngineOptions options = Options(dir);
  options.key_fingerprint = OtherFingerprint();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_THAT(engine, IsOk());
  EXPECT_EQ(IngestOne(**engine, SampleIncident("WYP", "I1")), WriteOutcome::kRejected);
  options.key_fingerprint = "short";
  EXPECT_THAT(Engine::Open(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EngineTest, EverythingAcknowledgedSurvivesReopen) {
  TempDir dir;
  {
    std::unique_ptr<Engine> engine = OpenEngine(dir);
    std::vector<Record> records;
    for (int i = 0; i < 200; ++i) {
      records.push_back(SampleIncident(i % 2 ? "WYP" : "MET", "I" + std::to_string(i), 1, i));
    }
    records.push_back(SampleOrder("GMP", "O1"));
    ASSERT_THAT(engine->Ingest(records), IsOk());
    ASSERT_THAT(engine->Delete({RecordKind::kIncident, {"MET", "I0"}}, 0), IsOk());
  }
  std::unique_ptr<Engine> engine = OpenEngine(dir);
  const HubStats stats = engine->Stats();
  EXPECT_EQ(stats.forces.at("WYP").incidents, 100u);
  EXPECT_EQ(stats.forces.at("MET").incidents, 99u);
  EXPECT_EQ(stats.forces.at("MET").tombstones, 1u);
  EXPECT_EQ(stats.forces.at("GMP").orders, 1u);
  EXPECT_GT(stats.disk_bytes, 0u);
  absl::StatusOr<StoredRecord> held = engine->Get({RecordKind::kIncident, {"WYP", "I7"}});
  ASSERT_THAT(held, IsOk());
  EXPECT_EQ(std::get<Incident>(*held->record), SampleIncident("WYP", "I7", 1, 7));
}

TEST(EngineTest, StorageFailureAcknowledgesNothingAndRetrySucceeds) {
  TempDir dir;
  FaultyStorage* fault = nullptr;
  std::unique_ptr<Engine> engine = OpenOnFaultyStorage(dir, &fault);
  ASSERT_NE(engine, nullptr);
  fault->FailCommits(true);
  EXPECT_THAT(engine->Ingest({SampleIncident("WYP", "I1")}),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(engine->Stats().totals.incidents, 0u) << "counters moved without a commit";
  EXPECT_THAT(engine->Stats().key_fingerprint, IsEmpty()) << "key pinned without a commit";
  fault->FailCommits(false);
  EXPECT_EQ(IngestOne(*engine, SampleIncident("WYP", "I1")), WriteOutcome::kCreated);
  fault->FailReads(true);
  EXPECT_THAT(engine->Ingest({SampleIncident("WYP", "I2")}),
              StatusIs(absl::StatusCode::kUnavailable));
}

// A relink holds the linker for minutes at millions of records; a health check must not wait
// for it, so Stats gives the linker's last measure meanwhile.
TEST(EngineTest, StatsDoNotWaitForARelink) {
  TempDir dir;
  FaultyStorage* storage = nullptr;
  std::unique_ptr<Engine> opened = OpenOnFaultyStorage(dir, &storage);
  ASSERT_NE(opened, nullptr);
  Engine& engine = *opened;
  ASSERT_THAT(engine.Ingest({SampleIncident("WYP", "I1", 1, 1), SampleIncident("MET", "I2", 1, 2)}),
              IsOk());
  engine.WaitForLinking();
  const HubStats before = engine.Stats();
  EXPECT_EQ(before.linker.person_records, 4u) << "two incidents of a suspect and a victim";
  EXPECT_GT(before.linker.memory.anonymous(), 0u);

  storage->HoldRecordScans(true);
  std::thread relink([&] { EXPECT_THAT(engine.Relink(), IsOk()); });
  storage->AwaitHeldScan();  // the relink holds the linker, waiting in its scan
  std::future<HubStats> during = std::async(std::launch::async, [&] { return engine.Stats(); });
  const bool returned = during.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  storage->HoldRecordScans(false);
  relink.join();
  ASSERT_TRUE(returned) << "Stats waited for the relink";
  const HubStats measured_during = during.get();
  EXPECT_EQ(measured_during.linker.measured_at, before.linker.measured_at);
  EXPECT_EQ(measured_during.linker.person_records, 4u);
  EXPECT_EQ(measured_during.linker.memory.anonymous(), before.linker.memory.anonymous());

  const HubStats after = engine.Stats();
  EXPECT_GT(after.linker.measured_at, before.linker.measured_at);
  EXPECT_EQ(after.linker.person_records, 4u);
}

TEST(EngineTest, ConcurrentBatchesShareSyncsAndLoseNothing) {
  TempDir dir;
  FaultyStorage* storage = nullptr;
  std::unique_ptr<Engine> engine = OpenOnFaultyStorage(dir, &storage);
  ASSERT_NE(engine, nullptr);
  constexpr int kThreads = 8;
  constexpr int kBatches = 25;
  constexpr int kPerBatch = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Record> records;
        for (int r = 0; r < kPerBatch; ++r) {
          // Every thread also rewrites one shared key, so outcomes depend on commit order.
          records.push_back(SampleIncident("WYP", absl::StrCat("T", t, "-", b, "-", r), 1, r));
        }
        records.push_back(SampleIncident("MET", "SHARED", 1 + t * kBatches + b, 5));
        absl::StatusOr<std::vector<WriteResult>> results = engine->Ingest(std::move(records));
        ASSERT_THAT(results, IsOk());
        for (int r = 0; r < kPerBatch; ++r) {
          EXPECT_EQ((*results)[r].outcome, WriteOutcome::kCreated);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const HubStats stats = engine->Stats();
  EXPECT_EQ(stats.forces.at("WYP").incidents,
            static_cast<uint64_t>(kThreads * kBatches * kPerBatch));
  EXPECT_EQ(stats.forces.at("MET").incidents, 1u);
  EXPECT_LE(storage->synced_commits(), kThreads * kBatches);
  absl::StatusOr<StoredRecord> shared = engine->Get({RecordKind::kIncident, {"MET", "SHARED"}});
  ASSERT_THAT(shared, IsOk());
  EXPECT_EQ(shared->version, static_cast<uint64_t>(kThreads * kBatches));
}

}  // namespace
}  // namespace crossforce
