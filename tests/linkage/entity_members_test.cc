#include "engine/linkage/entity_members.h"

#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "gtest/gtest.h"

namespace crossforce {
namespace {

std::vector<uint32_t> Contents(const EntityMembers& members) {
  return std::vector<uint32_t>(members.begin(), members.end());
}

// Members are held in place up to two and in a block beyond, and read back in their order
// whichever form holds them, including the indices whose bits are nearest the forms' tags (0, the
// largest index the linker may hold).
TEST(EntityMembersTest, HoldsMembersInPlaceAndInABlockAlike) {
  const uint32_t largest = EntityMembers::kMaxIndex - 1;
  for (const std::vector<uint32_t>& indices :
       std::vector<std::vector<uint32_t>>{{},
                                          {0},
                                          {largest},
                                          {largest, 0},
                                          {7, largest - 1},
                                          {5, 0, largest},
                                          {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}}) {
    const EntityMembers members(indices);
    EXPECT_EQ(Contents(members), indices);
    EXPECT_EQ(members.size(), indices.size());
    EXPECT_EQ(members.empty(), indices.empty());
    for (size_t k = 0; k < indices.size(); ++k) EXPECT_EQ(members[k], indices[k]);
    EXPECT_EQ(members.heap_bytes(), indices.size() > 2 ? (indices.size() + 1) * 4 : 0u);
  }
}

// Erasing keeps the order of the rest; a block shrunk to two members or fewer goes back in place,
// and an index that is no member changes nothing.
TEST(EntityMembersTest, ErasingKeepsTheOrderAndReturnsToPlace) {
  EntityMembers members(std::vector<uint32_t>{10, 20, 30, 40});
  members.Erase(99);
  EXPECT_EQ(Contents(members), (std::vector<uint32_t>{10, 20, 30, 40}));
  members.Erase(20);
  EXPECT_EQ(Contents(members), (std::vector<uint32_t>{10, 30, 40}));
  EXPECT_EQ(members.heap_bytes(), 16u);
  members.Erase(10);
  EXPECT_EQ(Contents(members), (std::vector<uint32_t>{30, 40}));
  EXPECT_EQ(members.heap_bytes(), 0u);
  members.Erase(40);
  EXPECT_EQ(Contents(members), (std::vector<uint32_t>{30}));
  members.Erase(30);
  EXPECT_TRUE(members.empty());
  members.Erase(30);
  EXPECT_TRUE(members.empty());
}

// Moving hands the block or the slots over and leaves the source empty, as the linker's renaming
// of entities moves members between maps; indices from kMaxIndex up are refused, not mistaken
// for a tag or an empty slot.
TEST(EntityMembersTest, MovesLeaveTheSourceEmptyAndLargeIndicesAreRefused) {
  absl::btree_map<uint64_t, EntityMembers> by_id;
  by_id[1] = EntityMembers(std::vector<uint32_t>{1, 2, 3});
  by_id[2] = EntityMembers(std::vector<uint32_t>{4});
  EntityMembers moved = std::move(by_id[1]);
  EXPECT_TRUE(by_id[1].empty());
  EXPECT_EQ(Contents(moved), (std::vector<uint32_t>{1, 2, 3}));
  moved = std::move(by_id[2]);
  EXPECT_EQ(Contents(moved), (std::vector<uint32_t>{4}));
  EXPECT_TRUE(by_id[2].empty());
  moved.clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_THROW(EntityMembers(std::vector<uint32_t>{1, EntityMembers::kMaxIndex}),
               std::out_of_range);
}

// Random sets erased member by member in random order match a vector doing the same.
TEST(EntityMembersTest, MatchesAVectorUnderRandomErasures) {
  std::mt19937 rng(5);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint32_t> expected(rng() % 8);
    for (uint32_t& index : expected) index = rng() % (EntityMembers::kMaxIndex);
    EntityMembers members(expected);
    while (!expected.empty()) {
      const uint32_t gone = expected[rng() % expected.size()];
      std::erase(expected, gone);
      members.Erase(gone);
      ASSERT_EQ(Contents(members), expected) << round;
      ASSERT_EQ(members.size(), expected.size()) << round;
    }
  }
}

}  // namespace
}  // namespace crossforce
