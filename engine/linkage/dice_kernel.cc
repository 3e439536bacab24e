#include "engine/linkage/dice_kernel.h"

// GCC 12's _mm512_reduce_add_epi64 starts from _mm512_undefined and trips -Wuninitialized
// (a false positive inside the header).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <memory>

namespace crossforce {
namespace {

constexpr size_t kCandidateTile = 64;  // 64 filters x 128 bytes = 8 KiB: half of L1d
constexpr size_t kQueryTile = 16;

// Without -mpopcnt, __builtin_popcountll is a table-free bit trick; with the popcnt instruction
// (every x86-64 CPU since 2008) it is one instruction, so that is compiled separately. Each
// function counts over the first kWords words: a whole record filter, or the part of it the screen
// reads.
template <size_t kWords>
uint32_t AndPopCountGeneric(const uint64_t* a, const uint64_t* b) {
  uint32_t n = 0;
  for (size_t w = 0; w < kWords; ++w) n += __builtin_popcountll(a[w] & b[w]);
  return n;
}

template <size_t kWords>
__attribute__((target("popcnt"))) uint32_t AndPopCountPopcnt(const uint64_t* a, const uint64_t* b) {
  uint32_t n = 0;
  for (size_t w = 0; w < kWords; ++w) n += __builtin_popcountll(a[w] & b[w]);
  return n;
}

template <size_t kWords>
uint32_t AndPopCountPortable(const uint64_t* a, const uint64_t* b) {
  static const bool has_popcnt = __builtin_cpu_supports("popcnt");
  return has_popcnt ? AndPopCountPopcnt<kWords>(a, b) : AndPopCountGeneric<kWords>(a, b);
}

template <size_t kWords>
__attribute__((target("avx2"))) uint32_t AndPopCountAvx2(const uint64_t* a, const uint64_t* b) {
  static_assert(kWords % 4 == 0 && kWords <= 32);  // at most 32 per byte lane
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2,
                                       1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  __m256i bytes = _mm256_setzero_si256();
  for (size_t w = 0; w < kWords; w += 4) {
    const __m256i v = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + w)),
                                       _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + w)));
    const __m256i lo = _mm256_shuffle_epi8(lut, _mm256_and_si256(v, low));
    const __m256i hi = _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
    bytes = _mm256_add_epi8(bytes, _mm256_add_epi8(lo, hi));
  }
  const __m256i sums = _mm256_sad_epu8(bytes, _mm256_setzero_si256());
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
  return static_cast<uint32_t>(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
}

template <size_t kWords>
__attribute__((target("avx512f,avx512vpopcntdq"))) uint32_t AndPopCountAvx512(const uint64_t* a,
                                                                              const uint64_t* b) {
  __m512i counts = _mm512_setzero_si512();
  size_t w = 0;
  for (; w + 8 <= kWords; w += 8) {
    counts = _mm512_add_epi64(counts, _mm512_popcnt_epi64(_mm512_and_si512(
                                          _mm512_loadu_si512(a + w), _mm512_loadu_si512(b + w))));
  }
  if constexpr (kWords % 8 != 0) {
    // The screen's quarter filter is 4 words: a masked load reads only those, not the next
    // filter's (or past the end of the array).
    constexpr __mmask8 kTail = static_cast<__mmask8>((1u << (kWords % 8)) - 1);
    counts = _mm512_add_epi64(
        counts, _mm512_popcnt_epi64(_mm512_and_si512(_mm512_maskz_loadu_epi64(kTail, a + w),
                                                     _mm512_maskz_loadu_epi64(kTail, b + w))));
  }
  return static_cast<uint32_t>(_mm512_reduce_add_epi64(counts));
}

template <size_t kWords>
uint32_t AndPopCountWith(const uint64_t* a, const uint64_t* b, DiceKernel kernel) {
  switch (kernel) {
    case DiceKernel::kAvx512:
      return AndPopCountAvx512<kWords>(a, b);
    case DiceKernel::kAvx2:
      return AndPopCountAvx2<kWords>(a, b);
    case DiceKernel::kPortable:
      break;
  }
  return AndPopCountPortable<kWords>(a, b);
}

// AVX-512 works on a tile of candidates laid out word-major in groups of eight: group g's word w
// is the eight candidates' word w, one register. A query word broadcast against it counts that
// word for all eight at once, and each lane's running sum is its own candidate's count, so no
// reduction across lanes is needed and the threshold tests of the eight run as one compare. The
// layout before (candidate-major, the eight sums brought together by a transposing add tree) did
// 1,056 million comparisons/s on AMD EPYC but 552-571 million on an Intel Xeon whose 512-bit ALU
// work runs on two ports, where the tree's shuffles competed with the AND, POPCNT and ADD.
constexpr size_t kLanes = 8;
constexpr size_t kGroups = kCandidateTile / kLanes;

struct alignas(64) CandidateTile {
  uint64_t words[kGroups][kFilterWords][kLanes];
  uint64_t weighted_bits[kGroups][kLanes];  // the threshold's numerator times the popcount
  __mmask8 present[kGroups];  // lanes that hold a candidate (the last group's may not)
  size_t begin = 0;           // index in the block of the tile's first candidate
  size_t groups = 0;
};

void LoadCandidateTile(const FilterBlock& b, size_t begin, size_t end, DiceThreshold t,
                       CandidateTile* tile) {
  tile->begin = begin;
  tile->groups = (end - begin + kLanes - 1) / kLanes;
  for (size_t g = 0; g < tile->groups; ++g) {
    tile->present[g] = 0;
    for (size_t lane = 0; lane < kLanes; ++lane) {
      const size_t j = begin + g * kLanes + lane;
      const bool present = j < end;
      if (present) tile->present[g] = static_cast<__mmask8>(tile->present[g] | (1u << lane));
      for (size_t w = 0; w < kFilterWords; ++w) {
        tile->words[g][w][lane] = present ? b.words[j * kFilterWords + w] : 0;
      }
      tile->weighted_bits[g][lane] =
          present ? static_cast<uint64_t>(t.numerator) * b.popcounts[j] : 0;
    }
  }
}

__attribute__((target("avx512f,avx512dq,avx512vpopcntdq"))) void TileAvx512(
    const uint64_t* query, uint32_t query_count, uint32_t query_index, const CandidateTile& tile,
    DiceThreshold t, std::vector<std::pair<uint32_t, uint32_t>>* out) {
  __m512i q[kFilterWords];
  for (size_t w = 0; w < kFilterWords; ++w) {
    q[w] = _mm512_set1_epi64(static_cast<int64_t>(query[w]));
  }
  const __m512i scale = _mm512_set1_epi64(2 * static_cast<int64_t>(t.denominator));
  const __m512i query_weight =
      _mm512_set1_epi64(static_cast<int64_t>(static_cast<uint64_t>(t.numerator) * query_count));
  for (size_t g = 0; g < tile.groups; ++g) {
    __m512i both = _mm512_popcnt_epi64(_mm512_and_si512(q[0], _mm512_load_si512(tile.words[g][0])));
#pragma GCC unroll 16
    for (size_t w = 1; w < kFilterWords; ++w) {
      both = _mm512_add_epi64(
          both, _mm512_popcnt_epi64(_mm512_and_si512(q[w], _mm512_load_si512(tile.words[g][w]))));
    }
    // 2 * |A and B| * denominator >= numerator * (|A| + |B|), lane by lane.
    __mmask8 hits = _mm512_mask_cmpge_epu64_mask(
        tile.present[g], _mm512_mullo_epi64(both, scale),
        _mm512_add_epi64(query_weight, _mm512_load_si512(tile.weighted_bits[g])));
    while (hits != 0) {
      const int lane = __builtin_ctz(hits);
      out->emplace_back(query_index, static_cast<uint32_t>(tile.begin + g * kLanes + lane));
      hits = static_cast<__mmask8>(hits & (hits - 1));
    }
  }
}

template <uint32_t (*Count)(const uint64_t*, const uint64_t*)>
void TileGeneric(const uint64_t* query, uint32_t query_count, uint32_t query_index,
                 const FilterBlock& b, size_t begin, size_t end, DiceThreshold t,
                 std::vector<std::pair<uint32_t, uint32_t>>* out) {
  for (size_t j = begin; j < end; ++j) {
    const uint64_t both = Count(query, b.words + j * kFilterWords);
    if (2 * both * t.denominator >=
        static_cast<uint64_t>(t.numerator) * (query_count + b.popcounts[j])) {
      out->emplace_back(query_index, static_cast<uint32_t>(j));
    }
  }
}

}  // namespace

DiceKernel BestDiceKernel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vpopcntdq")) {
    return DiceKernel::kAvx512;
  }
  if (__builtin_cpu_supports("avx2")) return DiceKernel::kAvx2;
  return DiceKernel::kPortable;
}

const char* DiceKernelName(DiceKernel kernel) {
  switch (kernel) {
    case DiceKernel::kAvx512:
      return "avx512-vpopcntdq";
    case DiceKernel::kAvx2:
      return "avx2";
    case DiceKernel::kPortable:
      break;
  }
  return "portable";
}

uint32_t AndPopCount(const uint64_t* a, const uint64_t* b, DiceKernel kernel) {
  return AndPopCountWith<kFilterWords>(a, b, kernel);
}

uint32_t ScreenAndPopCount(const uint64_t* a, const uint64_t* b, DiceKernel kernel) {
  return AndPopCountWith<kScreenFilterWords>(a, b, kernel);
}

size_t DiceAllPairs(const FilterBlock& a, const FilterBlock& b, DiceThreshold threshold,
                    std::vector<std::pair<uint32_t, uint32_t>>* matches, DiceKernel kernel) {
  auto tile = kernel == DiceKernel::kAvx512 ? std::make_unique<CandidateTile>() : nullptr;
  for (size_t cb = 0; cb < b.size; cb += kCandidateTile) {
    const size_t ce = std::min(b.size, cb + kCandidateTile);
    if (tile != nullptr) LoadCandidateTile(b, cb, ce, threshold, tile.get());
    for (size_t qb = 0; qb < a.size; qb += kQueryTile) {
      const size_t qe = std::min(a.size, qb + kQueryTile);
      for (size_t i = qb; i < qe; ++i) {
        const uint64_t* q = a.words + i * kFilterWords;
        const uint32_t index = static_cast<uint32_t>(i);
        switch (kernel) {
          case DiceKernel::kAvx512:
            TileAvx512(q, a.popcounts[i], index, *tile, threshold, matches);
            break;
          case DiceKernel::kAvx2:
            TileGeneric<AndPopCountAvx2<kFilterWords>>(q, a.popcounts[i], index, b, cb, ce,
                                                       threshold, matches);
            break;
          case DiceKernel::kPortable:
            TileGeneric<AndPopCountPortable<kFilterWords>>(q, a.popcounts[i], index, b, cb, ce,
                                                           threshold, matches);
            break;
        }
      }
    }
  }
  return a.size * b.size;
}

}  // namespace crossforce
