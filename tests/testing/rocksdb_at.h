// A RocksDB store with default options at `path`, for tests that work on the store directly or
// wrap it (fault injection) before handing it to an engine.
#ifndef CROSSFORCE_TESTS_TESTING_ROCKSDB_AT_H_
#define CROSSFORCE_TESTS_TESTING_ROCKSDB_AT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/rocksdb_storage.h"

namespace crossforce::testing {

inline absl::StatusOr<std::unique_ptr<RocksDbStorage>> OpenRocksDbAt(const std::string& path) {
  RocksDbStorageOptions options;
  options.path = path;
  return RocksDbStorage::Open(options);
}

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_ROCKSDB_AT_H_
