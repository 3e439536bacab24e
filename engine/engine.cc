#include "engine/engine.h"

#include "absl/strings/str_cat.h"
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
  return std::unique_ptr<Engine>(new Engine(options, std::move(storage), std::move(writer)));
}

Engine::Engine(EngineOptions options, std::unique_ptr<Storage> storage,
               std::unique_ptr<RecordWriter> writer)
    : options_(std::move(options)), storage_(std::move(storage)), writer_(std::move(writer)) {}

Engine::~Engine() = default;

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
  const std::vector<FieldViolation> violations = ValidateRecordKey(id.key, FieldPrefix(id.kind));
  if (!violations.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(violations.front().field, ": ", violations.front().reason));
  }
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
  const std::vector<FieldViolation> violations = ValidateRecordKey(id.key, FieldPrefix(id.kind));
  if (!violations.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(violations.front().field, ": ", violations.front().reason));
  }
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
  return stats;
}

}  // namespace crossforce
