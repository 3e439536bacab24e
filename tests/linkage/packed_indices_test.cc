#include "engine/linkage/packed_indices.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace crossforce {
namespace {

using Index = PackedIndices::Index;

std::vector<Index> Read(const PackedIndices& packed) {
  std::vector<Index> out;
  for (size_t k = 0; k < packed.size(); ++k) out.push_back(packed[k]);
  return out;
}

TEST(PackedIndicesTest, TakesTheFewestBitsThatHoldTheLargestBelowAllOnes) {
  EXPECT_EQ(PackedIndices(std::vector<Index>{}).width(), 1);
  EXPECT_EQ(PackedIndices({0, 0}).width(), 1);
  EXPECT_EQ(PackedIndices({1}).width(), 2) << "1 is all ones at one bit, the mark of removal";
  EXPECT_EQ(PackedIndices({2, PackedIndices::kNoIndex}).width(), 2);
  EXPECT_EQ(PackedIndices({3}).width(), 3);
  EXPECT_EQ(PackedIndices({9'999'999}).width(), 24);
  EXPECT_EQ(PackedIndices({(Index{1} << 24) - 1}).width(), 25);
  EXPECT_EQ(PackedIndices({PackedIndices::kNoIndex - 1}).width(), 32);
}

TEST(PackedIndicesTest, ReadsBackWhatItWasGivenAtEveryWidth) {
  std::mt19937 rng(11);
  for (int width = 1; width <= 32; ++width) {
    SCOPED_TRACE(width);
    const uint64_t largest = (uint64_t{1} << width) - 2;  // the largest the width holds
    std::vector<Index> indices;
    for (int k = 0; k < 300; ++k) {
      const uint64_t draw = rng() % 10;
      indices.push_back(draw == 0   ? PackedIndices::kNoIndex
                        : draw == 1 ? static_cast<Index>(largest)
                                    : static_cast<Index>(rng() % (largest + 1)));
    }
    indices.push_back(static_cast<Index>(largest));
    const PackedIndices packed(indices);
    ASSERT_EQ(packed.width(), width);
    ASSERT_EQ(packed.size(), indices.size());
    EXPECT_EQ(Read(packed), indices);
  }
}

TEST(PackedIndicesTest, BlankingOneLeavesItsNeighboursAlone) {
  std::vector<Index> indices;
  for (Index i = 0; i < 100; ++i) indices.push_back(i * 37 % 101);
  PackedIndices packed(indices);
  ASSERT_EQ(packed.width(), 7);
  for (size_t k : {0, 1, 50, 98, 99}) {
    packed.Blank(k);
    indices[k] = PackedIndices::kNoIndex;
    ASSERT_EQ(Read(packed), indices) << k;
  }
}

TEST(PackedIndicesTest, TheSpanToFetchCoversTheMembers) {
  const PackedIndices packed(std::vector<Index>(40, 1000));  // 10 bits each
  ASSERT_EQ(packed.width(), 10);
  EXPECT_EQ(packed.span_bytes(5, 5), 0u);
  // Members 3..6 are bits 30..69: bytes 3..8.
  EXPECT_EQ(static_cast<const uint8_t*>(packed.address(3)) -
                static_cast<const uint8_t*>(packed.address(0)),
            3);
  EXPECT_EQ(packed.span_bytes(3, 7), 6u);
  // A byte for every member a byte wide, and the padding for the last one's 8-byte load.
  EXPECT_EQ(packed.memory_bytes(), 50u + 7u);
}

}  // namespace
}  // namespace crossforce
