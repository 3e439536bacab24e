#include "engine/entity_id_store.h"

#include "gtest/gtest.h"
#include "tests/testing/rocksdb_at.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::OpenRocksDbAt;
using ::crossforce::testing::TempDir;

PersonKey Key(const std::string& ref) {
  return PersonKey{RecordKind::kIncident, "WYP", "I" + ref, ref, PartyRole::kSuspect};
}

// The writes from one saved assignment to another, applied to a store that holds the first,
// leave exactly the second: people gone are deleted, new and moved ones written, redirects and
// the next id kept up.
TEST(EntityIdStoreTest, WritesTurnOneSavedAssignmentIntoAnother) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<RocksDbStorage>> storage = OpenRocksDbAt(dir.Sub("db"));
  ASSERT_THAT(storage, IsOk());

  Linker::SavedAssignment before;
  before.entity_of = {{Key("A"), 1}, {Key("B"), 2}, {Key("C"), 3}, {Key("E"), 3}};
  before.redirects = {{7, 2}};
  before.next_entity = 8;
  ASSERT_THAT((*storage)->Commit(EntityAssignmentWrites(Linker::SavedAssignment(), before), true),
              IsOk());
  absl::StatusOr<Linker::SavedAssignment> loaded = LoadEntityAssignment(**storage);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->entity_of, before.entity_of);

  Linker::SavedAssignment after;
  // A and E gone (first and between), B kept, C moved, D and F new (between and last).
  after.entity_of = {{Key("B"), 2}, {Key("C"), 9}, {Key("D"), 9}, {Key("F"), 10}};
  after.redirects = {{7, 2}, {3, 9}};
  after.next_entity = 11;
  const std::vector<StorageWrite> writes = EntityAssignmentWrites(before, after);
  // Nothing is written for what did not change (B, the redirect of 7).
  EXPECT_EQ(writes.size(), 7u);  // delete A, E; write C, D, F; redirect 3; next id
  ASSERT_THAT((*storage)->Commit(writes, true), IsOk());
  loaded = LoadEntityAssignment(**storage);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->entity_of, after.entity_of);
  EXPECT_EQ(loaded->redirects, after.redirects);
  EXPECT_EQ(loaded->next_entity, 11u);
}

}  // namespace
}  // namespace crossforce
