#include "engine/workers.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crossforce {
namespace {

TEST(ForEachOnWorkersTest, CallsEveryIndexOnceWhateverTheChunk) {
  for (size_t workers : {1, 2, 3}) {
    for (size_t chunk : {0, 1, 7, 1000}) {
      std::vector<std::atomic<int>> calls(500);
      std::vector<std::atomic<int>> by_worker(workers);
      ForEachOnWorkers(workers, calls.size(), chunk, [&](size_t worker, size_t k) {
        ++calls[k];
        ++by_worker[worker];
      });
      for (size_t k = 0; k < calls.size(); ++k) {
        EXPECT_EQ(calls[k], 1) << "k " << k << ", workers " << workers << ", chunk " << chunk;
      }
      int total = 0;
      for (const auto& n : by_worker) total += n;
      EXPECT_EQ(total, 500);
    }
  }
}

TEST(SortOnWorkersTest, ReturnsEveryElementOfEveryPartSortedAndEmptiesTheParts) {
  std::mt19937_64 random(7);
  // Parts of different sizes, one empty, with values repeated within and across parts: a
  // relink's parts are one per worker and hold whatever each worker found.
  std::vector<std::vector<uint64_t>> parts(4);
  std::vector<uint64_t> all;
  const size_t sizes[] = {1000, 0, 37, 2500};
  for (size_t p = 0; p < parts.size(); ++p) {
    for (size_t k = 0; k < sizes[p]; ++k) {
      parts[p].push_back(random() % 300);
      all.push_back(parts[p].back());
    }
  }
  std::sort(all.begin(), all.end());

  EXPECT_EQ(SortOnWorkers(parts), all);
  for (const auto& part : parts) EXPECT_THAT(part, testing::IsEmpty());
}

TEST(SortOnWorkersTest, OnePartIsSortedInPlace) {
  std::vector<std::vector<int>> parts = {{5, 3, 9, 3, 1}};
  EXPECT_THAT(SortOnWorkers(parts), testing::ElementsAre(1, 3, 3, 5, 9));
}

TEST(SortOnWorkersTest, SortsMovableElementsByTheGivenOrder) {
  // As a relink sorts its clusters: vectors, moved rather than copied, by their first element.
  std::vector<std::vector<std::vector<int>>> parts = {{{7, 1}, {2}, {9, 9, 9}}, {{4}, {1, 8}}};
  const std::vector<std::vector<int>> sorted = SortOnWorkers(
      parts, [](const std::vector<int>& x, const std::vector<int>& y) { return x[0] < y[0]; });
  EXPECT_THAT(sorted, testing::ElementsAre(testing::ElementsAre(1, 8), testing::ElementsAre(2),
                                           testing::ElementsAre(4), testing::ElementsAre(7, 1),
                                           testing::ElementsAre(9, 9, 9)));
  for (const auto& part : parts) EXPECT_THAT(part, testing::IsEmpty());
}

}  // namespace
}  // namespace crossforce
