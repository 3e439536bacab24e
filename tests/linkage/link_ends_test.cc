#include "engine/linkage/link_ends.h"

#include <cfloat>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace crossforce {
namespace {

std::vector<std::pair<uint32_t, float>> Contents(const LinkEnds& ends) {
  std::vector<std::pair<uint32_t, float>> out;
  for (const LinkEnd& e : ends) out.emplace_back(e.other, e.weight);
  return out;
}

// Ends are held in place up to two and in a heap block beyond, and read back in the order they
// were pushed whichever form holds them, including the weights whose bits are closest to the
// heap form's tag (negative, zero, the largest floats).
TEST(LinkEndsTest, HoldsEndsInPlaceAndOnTheHeapAlike) {
  const std::vector<float> weights = {-1e9f, 0.0f, -0.0f, FLT_MAX, -FLT_MAX, 3.5f, 1e-30f, 42.0f};
  LinkEnds ends;
  EXPECT_TRUE(ends.empty());
  std::vector<std::pair<uint32_t, float>> expected;
  for (size_t k = 0; k < weights.size(); ++k) {
    const uint32_t other = k == 0 ? LinkEnds::kNoOther - 1 : static_cast<uint32_t>(k * 1000);
    ends.push_back({other, static_cast<uint32_t>(k % 2), weights[k]});
    expected.emplace_back(other, weights[k]);
    EXPECT_EQ(Contents(ends), expected) << k;
    EXPECT_EQ(ends.heap_bytes() > 0, expected.size() > 2) << k;
  }
  EXPECT_EQ(ends.begin()[1].merged, 1u);
  ends.begin()[2].merged = 1;  // ends are written in place
  EXPECT_EQ(ends.begin()[2].merged, 1u);
  EXPECT_EQ(ends.begin()[2].weight, -0.0f);
}

// A weight that is not a finite float is held as the nearest finite one: read as the tag, it
// would make the ends in place look like a heap block.
TEST(LinkEndsTest, HoldsNonFiniteWeightsAsTheLargestFinite) {
  LinkEnds ends;
  ends.push_back({1, 0, 2.0f});
  ends.push_back({2, 0, INFINITY});
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends.heap_bytes(), 0u);
  EXPECT_EQ(ends.begin()[1].weight, FLT_MAX);
  ends.push_back({3, 0, -INFINITY});
  EXPECT_EQ(ends.begin()[2].weight, -FLT_MAX);
}

// Erasing keeps the others in order, and ends few enough to hold in place go back there; moves
// carry the heap block with them.
TEST(LinkEndsTest, EraseKeepsOrderAndMovesCarryTheBlock) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    LinkEnds ends;
    std::vector<std::pair<uint32_t, float>> expected;
    const int n = static_cast<int>(rng() % 9);
    for (int k = 0; k < n; ++k) {
      const uint32_t other = static_cast<uint32_t>(rng() % 4);  // repeats, as erase must handle
      const float weight = static_cast<float>(k) - 3.0f;
      ends.push_back({other, 0, weight});
      expected.emplace_back(other, weight);
    }
    const uint32_t gone = static_cast<uint32_t>(rng() % 4);
    ends.EraseOther(gone);
    std::erase_if(expected, [gone](const auto& e) { return e.first == gone; });
    ASSERT_EQ(Contents(ends), expected) << trial;
    EXPECT_EQ(ends.heap_bytes() > 0, expected.size() > 2) << trial;
    LinkEnds moved(std::move(ends));
    EXPECT_EQ(Contents(moved), expected);
    EXPECT_TRUE(ends.empty());  // NOLINT(bugprone-use-after-move): a moved-from one is empty
    LinkEnds assigned;
    assigned.push_back({9, 0, 1.0f});
    assigned.push_back({9, 0, 1.0f});
    assigned.push_back({9, 0, 1.0f});
    assigned = std::move(moved);
    EXPECT_EQ(Contents(assigned), expected);
    assigned.push_back({7, 1, 0.5f});
    expected.emplace_back(7, 0.5f);
    EXPECT_EQ(Contents(assigned), expected);
    assigned.clear();
    EXPECT_TRUE(assigned.empty());
    EXPECT_EQ(assigned.heap_bytes(), 0u);
  }
}

}  // namespace
}  // namespace crossforce
