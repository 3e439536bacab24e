#include "engine/rocksdb_storage.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace crossforce {
namespace {

constexpr std::array<const char*, kTableCount> kColumnFamilyNames = {"records", "meta", "entities",
                                                                     "flags"};

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() && s.subcode() == rocksdb::Status::kNoSpace) {
    return absl::ResourceExhaustedError(message);
  }
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return absl::UnavailableError(
        absl::StrCat(message, " (is another crossforce-server using it?)"));
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

rocksdb::Slice ToSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbStorage>> RocksDbStorage::Open(
    const RocksDbStorageOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("storage path is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", options.path, ": ", ec.message()));
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // Keep at most a few log files around; a synced write is in the WAL before Commit returns.
  db_options.max_total_wal_size = 512u << 20;
  db_options.keep_log_file_num = 4;

  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  cf_options.write_buffer_size = options.write_buffer_bytes;
  // The memtable's arena grows in blocks of this size. RocksDB's default (an eighth of the write
  // buffer, 8 MiB) is large enough that the allocator maps each block fresh and the ingest threads
  // then page-fault it in (6% of their time); 1 MiB blocks are reused from memtables already flushed.
  cf_options.arena_block_size = 1u << 20;
  cf_options.compression = options.compression ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  cf_options.bottommost_compression =
      options.compression ? rocksdb::kZSTD : rocksdb::kNoCompression;

  // Records are keyed hashes and Bloom filters, bytes no block compressor shrinks: LZ4 and ZSTD
  // blocks of them measured 100.5% of the raw size, and compressing them in flushes and
  // compactions took a third of the server's CPU in a sustained ingest. The other tables (ids,
  // counters, flags with their evidence text) do compress.
  rocksdb::ColumnFamilyOptions records_options = cf_options;
  records_options.compression = rocksdb::kNoCompression;
  records_options.bottommost_compression = rocksdb::kNoCompression;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (int i = 0; i < kTableCount; ++i) {
    descriptors.emplace_back(kColumnFamilyNames[i], static_cast<Table>(i) == Table::kRecords
                                                        ? records_options
                                                        : cf_options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw_db);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening store ", options.path));

  std::unique_ptr<RocksDbStorage> storage(new RocksDbStorage());
  storage->db_.reset(raw_db);
  storage->default_handle_ = handles[0];
  for (int i = 0; i < kTableCount; ++i) storage->handles_[i] = handles[i + 1];
  return storage;
}

RocksDbStorage::~RocksDbStorage() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  if (default_handle_ != nullptr) db_->DestroyColumnFamilyHandle(default_handle_);
  db_->Close();
}

absl::StatusOr<std::optional<std::string>> RocksDbStorage::Get(Table table, absl::string_view key) {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(table), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading store");
  return std::optional<std::string>(std::move(value));
}

absl::Status RocksDbStorage::Commit(const std::vector<StorageWrite>& writes, bool sync) {
  // Sized up front: a group commit's batch is megabytes, and growing it by doubling copied it
  // several times over (a tenth of the ingest threads' time).
  size_t bytes = 64;
  for (const StorageWrite& w : writes) {
    bytes += w.key.size() + (w.value.has_value() ? w.value->size() : 0) + 16;
  }
  rocksdb::WriteBatch batch(bytes);
  for (const StorageWrite& w : writes) {
    rocksdb::Status s = w.value.has_value()
                            ? batch.Put(Handle(w.table), ToSlice(w.key), ToSlice(*w.value))
                            : batch.Delete(Handle(w.table), ToSlice(w.key));
    if (!s.ok()) return FromRocks(s, "building write batch");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocks(db_->Write(write_options, &batch), "writing store");
}

absl::Status RocksDbStorage::Scan(
    Table table, absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, Handle(table)));
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!key.starts_with(ToSlice(prefix))) break;
    const rocksdb::Slice value = it->value();
    if (!visit(absl::string_view(key.data(), key.size()),
               absl::string_view(value.data(), value.size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scanning store");
}

uint64_t RocksDbStorage::ApproximateDiskBytes() {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    uint64_t bytes = 0;
    if (db_->GetIntProperty(handle, rocksdb::DB::Properties::kTotalSstFilesSize, &bytes)) {
      total += bytes;
    }
  }
  rocksdb::VectorLogPtr logs;
  if (db_->GetSortedWalFiles(logs).ok()) {
    for (const auto& log : logs) total += log->SizeFileBytes();
  }
  return total;
}

}  // namespace crossforce
