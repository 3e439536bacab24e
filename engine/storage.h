// The engine's view of durable storage: a few named tables of ordered keys, read one key at a time
// or by prefix, written in atomic batches that are durable once Commit returns with sync. The
// RocksDB implementation is the real one; tests wrap it to inject I/O faults. Implementations are
// thread-safe.
#ifndef CROSSFORCE_ENGINE_STORAGE_H_
#define CROSSFORCE_ENGINE_STORAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crossforce {

enum class Table {
  kRecords,   // RecordId -> StoredRecord
  kMeta,      // hub configuration and counters
  kEntities,  // person -> entity id, absorbed id -> surviving id: entity ids survive restarts
  kFlags,     // flag id -> Flag
};
inline constexpr int kTableCount = 4;

struct StorageWrite {
  Table table = Table::kRecords;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The value under `key`, nullopt when absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(Table table, absl::string_view key) = 0;

  // Applies all writes atomically. With `sync`, returns only once the batch is on stable storage
  // (the write-ahead log is fsynced), so a crash after return cannot lose it.
  virtual absl::Status Commit(const std::vector<StorageWrite>& writes, bool sync) = 0;

  // Calls `visit` for each key starting with `prefix`, in key order, until it returns false.
  virtual absl::Status Scan(
      Table table, absl::string_view prefix,
      absl::FunctionRef<bool(absl::string_view key, absl::string_view value)> visit) = 0;

  // Bytes the store occupies on disk (tables and log), approximately.
  virtual uint64_t ApproximateDiskBytes() = 0;
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_STORAGE_H_
