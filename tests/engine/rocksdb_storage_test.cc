#include "engine/rocksdb_storage.h"

#include "gtest/gtest.h"
#include "tests/testing/rocksdb_at.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::StatusIs;
using ::crossforce::testing::TempDir;

std::unique_ptr<RocksDbStorage> OpenAt(const std::string& path) {
  absl::StatusOr<std::unique_ptr<RocksDbStorage>> storage =
      ::crossforce::testing::OpenRocksDbAt(path);
  EXPECT_THAT(storage, IsOk());
  return storage.ok() ? std::move(*storage) : nullptr;
}

TEST(RocksDbStorageTest, CommitsAreReadableAndDurableAcrossReopen) {
  TempDir dir;
  {
    std::unique_ptr<RocksDbStorage> storage = OpenAt(dir.Sub("db"));
    ASSERT_THAT(
        storage->Commit(
            {{Table::kRecords, "a", "1"}, {Table::kRecords, "b", "2"}, {Table::kMeta, "a", "meta"}},
            /*sync=*/true),
        IsOk());
    ASSERT_THAT(storage->Commit({{Table::kRecords, "b", std::nullopt}}, true), IsOk());
  }
  std::unique_ptr<RocksDbStorage> storage = OpenAt(dir.Sub("db"));
  EXPECT_EQ(*storage->Get(Table::kRecords, "a"), std::optional<std::string>("1"));
  EXPECT_EQ(*storage->Get(Table::kRecords, "b"), std::nullopt);
  EXPECT_EQ(*storage->Get(Table::kMeta, "a"), std::optional<std::string>("meta"));
}

TEST(RocksDbStorageTest, ScanVisitsOnlyThePrefixInOrderAndStopsOnRequest) {
  TempDir dir;
  std::unique_ptr<RocksDbStorage> storage = OpenAt(dir.Sub("db"));
  ASSERT_THAT(storage->Commit({{Table::kRecords, "p/2", "b"},
                               {Table::kRecords, "p/1", "a"},
                               {Table::kRecords, "p/3", "c"},
                               {Table::kRecords, "q/1", "x"},
                               {Table::kRecords, "o/9", "y"}},
                              false),
              IsOk());
  std::string seen;
  ASSERT_THAT(storage->Scan(Table::kRecords, "p/",
                            [&](absl::string_view key, absl::string_view value) {
                              seen += std::string(value);
                              return true;
                            }),
              IsOk());
  EXPECT_EQ(seen, "abc");
  int visits = 0;
  ASSERT_THAT(storage->Scan(Table::kRecords, "",
                            [&](absl::string_view, absl::string_view) { return ++visits < 2; }),
              IsOk());
  EXPECT_EQ(visits, 2);
}

TEST(RocksDbStorageTest, ASecondOpenOfTheSameDirectoryIsUnavailable) {
  TempDir dir;
  std::unique_ptr<RocksDbStorage> first = OpenAt(dir.Sub("db"));
  RocksDbStorageOptions options;
  options.path = dir.Sub("db");
  EXPECT_THAT(RocksDbStorage::Open(options), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(RocksDbStorageTest, EmptyPathIsInvalid) {
  EXPECT_THAT(RocksDbStorage::Open(RocksDbStorageOptions{}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace crossforce
