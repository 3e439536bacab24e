#include "engine/linkage/dice_kernel.h"

#include <algorithm>
#include <random>

#include "engine/linkage/dice.h"
#include "gtest/gtest.h"

namespace crossforce {
namespace {

struct Filters {
  std::vector<uint64_t> words;
  std::vector<uint32_t> popcounts;
  FilterBlock block() const { return {words.data(), popcounts.data(), popcounts.size()}; }
  absl::string_view bytes(size_t i) const {
    return absl::string_view(reinterpret_cast<const char*>(words.data() + i * kFilterWords), 128);
  }
};

// Random filters, with some near-copies of others so that matches exist around the threshold.
Filters Make(size_t n, uint64_t seed, const Filters* base = nullptr) {
  std::mt19937_64 rng(seed);
  Filters f;
  f.words.resize(n * kFilterWords);
  for (size_t i = 0; i < n; ++i) {
    for (size_t w = 0; w < kFilterWords; ++w) {
      uint64_t v = rng() & rng();
      if (base != nullptr && i % 3 == 0) {
        v = base->words[(i % base->popcounts.size()) * kFilterWords + w] ^
            (uint64_t{1} << (rng() % 64) & (rng() % 4 == 0 ? ~uint64_t{0} : 0));
      }
      f.words[i * kFilterWords + w] = v;
    }
    f.popcounts.push_back(
        PopCount(reinterpret_cast<const uint8_t*>(&f.words[i * kFilterWords]), 128));
  }
  return f;
}

std::vector<DiceKernel> SupportedKernels() {
  std::vector<DiceKernel> kernels = {DiceKernel::kPortable};
  const DiceKernel best = BestDiceKernel();
  if (best == DiceKernel::kAvx2 || best == DiceKernel::kAvx512)
    kernels.push_back(DiceKernel::kAvx2);
  if (best == DiceKernel::kAvx512) kernels.push_back(DiceKernel::kAvx512);
  return kernels;
}

TEST(DiceKernelTest, EveryKernelFindsExactlyThePairsAtOrAboveTheThreshold) {
  const Filters a = Make(37, 1);  // sizes not multiples of the 8-wide or tile blocks
  const Filters b = Make(203, 2, &a);
  // The last one's products need more than 32 bits.
  for (const DiceThreshold t : {DiceThreshold{4, 5}, DiceThreshold{1, 2}, DiceThreshold{9, 10},
                                DiceThreshold{3000000000u, 3750000000u}}) {
    std::vector<std::pair<uint32_t, uint32_t>> expected;
    for (uint32_t i = 0; i < a.popcounts.size(); ++i) {
      for (uint32_t j = 0; j < b.popcounts.size(); ++j) {
        // Exact: 2|A&B| / (|A|+|B|) >= num/den, in integers.
        int both = 0;
        for (size_t w = 0; w < kFilterWords; ++w) {
          both +=
              __builtin_popcountll(a.words[i * kFilterWords + w] & b.words[j * kFilterWords + w]);
        }
        if (2ull * both * t.denominator >= 1ull * t.numerator * (a.popcounts[i] + b.popcounts[j])) {
          expected.emplace_back(i, j);
        }
        EXPECT_NEAR(Dice(a.bytes(i), b.bytes(j)), 2.0 * both / (a.popcounts[i] + b.popcounts[j]),
                    1e-12);
      }
    }
    ASSERT_FALSE(expected.empty())
        << "the data must hold matches at " << t.numerator << "/" << t.denominator;
    for (DiceKernel kernel : SupportedKernels()) {
      std::vector<std::pair<uint32_t, uint32_t>> got;
      EXPECT_EQ(DiceAllPairs(a.block(), b.block(), t, &got, kernel), 37u * 203u);
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, expected) << DiceKernelName(kernel) << " at " << t.numerator << "/"
                               << t.denominator;
      EXPECT_EQ(AndPopCount(&a.words[0], &b.words[0], kernel),
                AndPopCount(&a.words[0], &b.words[0], DiceKernel::kPortable));
      uint32_t screen_count = 0;
      for (size_t w = 0; w < kScreenFilterWords; ++w) {
        screen_count += __builtin_popcountll(a.words[w] & b.words[w]);
      }
      EXPECT_EQ(ScreenAndPopCount(&a.words[0], &b.words[0], kernel), screen_count)
          << DiceKernelName(kernel);
    }
  }
}

// An empty filter against an empty one meets any threshold (0 >= 0), as the generic test of a
// pair computes it; the lanes past a block's last candidate are empty too, and must not count.
TEST(DiceKernelTest, AnEmptyQueryMatchesOnlyTheEmptyCandidatesThatExist) {
  Filters empty_query;
  empty_query.words.assign(kFilterWords, 0);
  empty_query.popcounts.push_back(0);
  Filters candidates = Make(11, 3);  // one group of eight and three of the next
  std::fill_n(candidates.words.begin() + 4 * kFilterWords, kFilterWords, 0);
  candidates.popcounts[4] = 0;
  const std::vector<std::pair<uint32_t, uint32_t>> expected = {{0, 4}};
  for (DiceKernel kernel : SupportedKernels()) {
    std::vector<std::pair<uint32_t, uint32_t>> got;
    DiceAllPairs(empty_query.block(), candidates.block(), DiceThreshold{4, 5}, &got, kernel);
    EXPECT_EQ(got, expected) << DiceKernelName(kernel);
  }
}

}  // namespace
}  // namespace crossforce
