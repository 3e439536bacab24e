// The storage format of records: how a RecordId becomes a store key and a stored record (current
// version, tombstone flag, store time and the record itself) becomes bytes. The format is the
// engine's own, versioned by a leading byte, so the wire contract can evolve without a data
// migration. Thread-safe (pure).
#ifndef CROSSFORCE_ENGINE_RECORD_CODEC_H_
#define CROSSFORCE_ENGINE_RECORD_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/records.h"

namespace crossforce {

// What the hub holds under one key.
struct StoredRecord {
  uint64_t version = 0;
  bool deleted = false;            // a tombstone: `record` is empty
  int64_t stored_unix_micros = 0;  // when this version was stored
  std::optional<Record> record;

  friend bool operator==(const StoredRecord&, const StoredRecord&) = default;
};

// Store key of a record: one kind byte, the force code, a NUL, the record id. Records of one force
// and kind are contiguous, so per-force scans are prefix scans.
std::string EncodeRecordId(const RecordId& id);
absl::StatusOr<RecordId> DecodeRecordId(absl::string_view key);
// The key prefix of all records of `kind` from `force_code` (all forces when empty).
std::string RecordIdPrefix(RecordKind kind, absl::string_view force_code);

std::string EncodeStoredRecord(const StoredRecord& stored);
// The same bytes as EncodeStoredRecord of {version, record == nullptr, stored_unix_micros,
// *record}, without copying the record.
std::string EncodeStoredRecord(uint64_t version, int64_t stored_unix_micros, const Record* record);
// DataLoss when `bytes` is not a stored record of a known format version.
absl::StatusOr<StoredRecord> DecodeStoredRecord(absl::string_view bytes);
// Only the version, tombstone flag and store time (`record` stays empty): cheap, for version
// checks.
absl::StatusOr<StoredRecord> DecodeStoredRecordHeader(absl::string_view bytes);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_RECORD_CODEC_H_
