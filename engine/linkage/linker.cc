#include "engine/linkage/linker.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>
#include <random>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "engine/linkage/container_bytes.h"
#include "engine/linkage/dice.h"
#include "engine/linkage/prefetch.h"
#include "engine/workers.h"

namespace crossforce {
namespace {

// A pair of indices as one key, the lower first.
uint64_t PairKey(uint32_t x, uint32_t y) {
  return (static_cast<uint64_t>(std::min(x, y)) << 32) | std::max(x, y);
}

// A match weight in fixed point, 2^-20 of a bit a unit, so that sums of them are exact in any
// order.
int64_t FixedPointWeight(double weight) { return std::llround(weight * 1048576.0); }

// How the pairs of a token block are compared.
enum class BlockPairs {
  kCompared,  // always: the block's value is selective enough
  // Only when the two record filters are similar (lsh_min_dice), as pairs that share only an
  // LSH band are. For blocks whose values come from a fixed vocabulary (a name's Soundex with a
  // birth year, a place of birth with a name): their members grow with the index, so every new
  // record meets more of them, and the filter screen costs a fraction of scoring the pair.
  kScreened,
};

// Token kinds that make a block alone.
struct SingleBlock {
  TokenKind kind;
  BlockPairs pairs;
};
constexpr SingleBlock kBlockingKinds[] = {
    {TokenKind::kPncId, BlockPairs::kCompared},
    {TokenKind::kPhone, BlockPairs::kCompared},
    {TokenKind::kEmail, BlockPairs::kCompared},
    {TokenKind::kVehicle, BlockPairs::kCompared},
    {TokenKind::kFamilyNamePhoneticBirthYear, BlockPairs::kScreened},
    {TokenKind::kNamesSorted, BlockPairs::kCompared},
    {TokenKind::kEmailUser, BlockPairs::kCompared},
};

// The splitmix64 finaliser: a fixed, well-mixed hash of a 64-bit word.
uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15u;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

// Sorts `entries`, which are in ascending order of person, by signature and then person: a
// least-significant-digit radix sort on the signature's `signature_bits`, 11 bits a pass, each
// pass stable, so that the persons' order survives within a signature. At a million records a
// comparison sort took about 90 ms a band (2.1 s of each worker's share of the 48 bands).
void SortBySignature(std::vector<LshIndex::Entry>& entries, int signature_bits,
                     std::vector<LshIndex::Entry>& scratch) {
  constexpr int kDigitBits = 11;
  constexpr size_t kDigits = size_t{1} << kDigitBits;
  scratch.resize(entries.size());
  for (int shift = 0; shift < signature_bits; shift += kDigitBits) {
    std::array<size_t, kDigits + 1> start{};
    for (const LshIndex::Entry& e : entries) ++start[((e.first >> shift) & (kDigits - 1)) + 1];
    for (size_t d = 1; d <= kDigits; ++d) start[d] += start[d - 1];
    for (const LshIndex::Entry& e : entries) {
      scratch[start[(e.first >> shift) & (kDigits - 1)]++] = e;
    }
    entries.swap(scratch);
  }
}

// Packs every band of `index` (empty) for `persons` (sorted indices), band by band on `workers`
// threads, with the signature signature_of(k, band) gives persons[k] (none: not filed), dropping
// buckets of at least `drop_members` (0: none; LshIndex::PackBand), and returns the pairs sharing
// a bucket, or with `radius` 1 in buckets one bit apart, that keep(x, y, band) accepts, as
// (x << 32) | y with x < y, sorted and without repeats. Sorting a band's signatures puts each
// bucket's members side by side, so a bucket's pairs are screened with its members in cache, where
// walking a chain per record would miss the cache at every step. Every band is packed before any
// band's pairs are found: keep may ask whether a pair shares a bucket in an earlier band, and a
// dropped one does not count.
template <typename SignatureOf, typename Keep>
std::vector<uint64_t> PackBandsAndFindPairs(LshIndex& index,
                                            const std::vector<LshIndex::Index>& persons,
                                            size_t workers, size_t drop_members, int radius,
                                            SignatureOf signature_of, Keep keep) {
  std::atomic<size_t> next_band{0};
  RunOnWorkers(workers, [&](size_t) {
    std::vector<LshIndex::Entry> bucketed, scratch;
    for (size_t band = next_band++; band < index.bands(); band = next_band++) {
      bucketed.clear();
      for (size_t k = 0; k < persons.size(); ++k) {
        if (const std::optional<uint32_t> signature = signature_of(k, band)) {
          bucketed.emplace_back(*signature, persons[k]);
        }
      }
      SortBySignature(bucketed, index.signature_bits(), scratch);     // persons are sorted
      index.PackBand(band, bucketed, [&](uint32_t, size_t members) {  // each worker its own
        return drop_members > 0 && members >= drop_members;
      });
    }
  });
  std::vector<std::vector<uint64_t>> found(workers);
  next_band = 0;
  RunOnWorkers(workers, [&](size_t worker) {
    for (size_t band = next_band++; band < index.bands(); band = next_band++) {
      index.ForEachPackedBucket(band, [&](const LshIndex::Index* members, size_t size) {
        for (size_t a = 0; a < size; ++a) {
          for (size_t b = a + 1; b < size; ++b) {
            const LshIndex::Index x = members[a], y = members[b];  // x < y
            if (keep(x, y, band)) found[worker].push_back((static_cast<uint64_t>(x) << 32) | y);
          }
        }
      });
      if (radius == 0) continue;
      index.ForEachPackedBucketPairOneBitApart(band, [&](const LshIndex::Index* a, size_t a_size,
                                                         const LshIndex::Index* b, size_t b_size) {
        for (size_t k = 0; k < a_size; ++k) {
          for (size_t l = 0; l < b_size; ++l) {
            const LshIndex::Index x = std::min(a[k], b[l]), y = std::max(a[k], b[l]);
            if (keep(x, y, band)) {
              found[worker].push_back((static_cast<uint64_t>(x) << 32) | y);
            }
          }
        }
      });
    }
  });
  std::vector<uint64_t> pairs = SortOnWorkers(found);
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

// least[k] = min(least[k], ranks[k]) for k < n: the MinHash inner loop, which the compiler
// vectorises once told the two arrays do not overlap.
void LowerEach(int16_t* __restrict least, const int16_t* __restrict ranks, size_t n) {
  for (size_t k = 0; k < n; ++k) least[k] = ranks[k] < least[k] ? ranks[k] : least[k];
}

// The distinct person indices met while gathering one record's candidates. Members of LSH
// bands and screened blocks repeat (a near namesake shares many bands), and sorting them to drop
// the repeats was most of the gathering: at 10,000,000 records the slowest links gathered some
// ten thousand members. A probe each instead, into a table kept between calls (thread_local
// where it is used), cleared in proportion to the gathering that uses it.
class DistinctIndices {
 public:
  // Empties the set and sizes it for at most `n` insertions (the table at most half full).
  void Reset(size_t n) {
    shift_ = 64 - 4;
    while ((size_t{1} << (64 - shift_)) < 2 * n) --shift_;
    const size_t capacity = size_t{1} << (64 - shift_);
    if (slots_.size() < capacity) slots_.resize(capacity);
    std::fill(slots_.begin(), slots_.begin() + capacity, kEmpty);
  }
  // Adds j; whether it was not already in the set.
  bool Insert(uint32_t j) {
    const size_t mask = (size_t{1} << (64 - shift_)) - 1;
    for (size_t s = (j * 0x9e3779b97f4a7c15ull) >> shift_;; s = (s + 1) & mask) {
      if (slots_[s] == j) return false;
      if (slots_[s] == kEmpty) {
        slots_[s] = j;
        return true;
      }
    }
  }

 private:
  static constexpr uint32_t kEmpty = LshIndex::kNoIndex;  // never a person's index
  std::vector<uint32_t> slots_;
  int shift_ = 64 - 4;
};

// Before comparing with candidates[n]: fetches the candidates a few places on, which are
// scattered through memory (see kPrefetchRecordAhead). Always inlined: GCC finds that a function
// doing nothing but prefetch has no side effects and drops the calls (a 1M relink's scoring took
// 29 s instead of 21 s that way).
[[gnu::always_inline]] inline void PrefetchAhead(const std::vector<PackedPerson>& persons,
                                                 const std::vector<uint32_t>& candidates,
                                                 size_t n) {
  if (n + kPrefetchRecordAhead < candidates.size()) {
    __builtin_prefetch(&persons[candidates[n + kPrefetchRecordAhead]]);
  }
  if (n + kPrefetchFieldsAhead < candidates.size()) {
    PrefetchPackedPerson(persons[candidates[n + kPrefetchFieldsAhead]]);
  }
}

// Doublings of the model's population past the one at which the screen reaches its ceiling
// (LinkerOptions::lsh_bits_per_doubling).
double DoublingsPastTheScreensCeiling(const LinkerOptions& o) {
  const double doublings = std::max(0.0, o.model.population_doublings);
  if (o.lsh_min_dice_per_doubling <= 0) return doublings;  // the screen never rises
  const double to_ceiling =
      std::max(0.0, (o.lsh_max_min_dice - o.lsh_min_dice) / o.lsh_min_dice_per_doubling);
  return std::max(0.0, doublings - to_ceiling);
}

int WidenedLshBits(const LinkerOptions& o) {
  const double more = std::max(0.0, o.lsh_bits_per_doubling) * DoublingsPastTheScreensCeiling(o);
  return static_cast<int>(
      std::min<double>(LshIndex::kMaxSignatureBits, o.lsh_bits_per_band + std::floor(more)));
}

int WidenedAddressHashes(const LinkerOptions& o, int max_hashes) {
  if (o.address_hashes_per_band <= 0) return 0;
  const double more =
      std::max(0.0, o.address_hashes_per_doubling) * DoublingsPastTheScreensCeiling(o);
  return static_cast<int>(
      std::min<double>(max_hashes, o.address_hashes_per_band + std::floor(more)));
}

int AddressSignatureBits(const LinkerOptions& o) {
  const double bits =
      o.address_signature_bits + std::floor(std::max(0.0, o.model.population_doublings));
  return static_cast<int>(std::clamp<double>(bits, 1, LshIndex::kMaxSignatureBits));
}

}  // namespace

Linker::Linker(LinkerOptions options)
    : options_(std::move(options)),
      scorer_(options_.model),
      screen_min_dice_(
          std::min(std::max(options_.lsh_max_min_dice, options_.lsh_min_dice),
                   options_.lsh_min_dice + options_.lsh_min_dice_per_doubling *
                                               std::max(0.0, options_.model.population_doublings))),
      common_screen_min_dice_(std::max(options_.common_name_min_dice, screen_min_dice_)),
      screen_birth_years_(options_.birth_year_screen &&
                          DoublingsPastTheScreensCeiling(options_) > 0),
      lsh_(std::max(options_.lsh_bands, 0), WidenedLshBits(options_)),
      address_lsh_(std::clamp(options_.address_bands, 0,
                              static_cast<int>(kMaxAddressRow) /
                                  std::max(WidenedAddressHashes(options_, kMaxAddressHashes), 1)),
                   AddressSignatureBits(options_)),
      arena_(options_.record_file_directory) {
  // The index looks up buckets at most one bit away, and the relink's rule for the band a pair
  // is kept from must use the same radius.
  options_.lsh_probe_radius = std::clamp(options_.lsh_probe_radius, 0, 1);
  std::mt19937_64 rng(options_.lsh_seed);
  lsh_positions_.resize(lsh_.bands());
  // Distinct within a band, so that two filters' signatures differ in as many bits as the
  // filters differ in sampled positions (a probe one bit away is one position away).
  for (auto& band : lsh_positions_) {
    while (band.size() < static_cast<size_t>(lsh_.signature_bits())) {
      const uint16_t position = rng() % kScreenBits;
      if (std::find(band.begin(), band.end(), position) == band.end()) band.push_back(position);
    }
  }
  std::mt19937_64 address_rng(options_.address_seed);
  // A random permutation of the positions per hash function, as each one's ranks.
  const size_t row =
      address_lsh_.bands() * static_cast<size_t>(WidenedAddressHashes(options_, kMaxAddressHashes));
  address_ranks_.resize(kRankedPositions * row);  // the constructor keeps row <= kMaxAddressRow
  std::vector<int16_t> permutation(kRankedPositions);
  for (size_t f = 0; f < row; ++f) {
    std::iota(permutation.begin(), permutation.end(), 0);
    for (size_t k = kRankedPositions - 1; k > 0; --k) {
      std::swap(permutation[k], permutation[address_rng() % (k + 1)]);
    }
    for (size_t position = 0; position < kRankedPositions; ++position) {
      address_ranks_[position * row + f] = permutation[position];
    }
  }
  band_masks_.assign(lsh_positions_.size() * kScreenFilterWords, 0);
  for (size_t band = 0; band < lsh_positions_.size(); ++band) {
    // The sampled bits laid out as the filter's bytes are (bit i at byte i / 8, bit 7 - i % 8),
    // then read as words, as clk_words_ holds the filters.
    uint8_t bytes[kScreenBytes] = {};
    for (uint16_t position : lsh_positions_[band]) {
      bytes[position / 8] |= static_cast<uint8_t>(0x80 >> (position % 8));
    }
    std::memcpy(&band_masks_[band * kScreenFilterWords], bytes, sizeof(bytes));
  }
}

namespace {

// Pairs of token kinds whose values together make a block: each alone is too common to block on
// (a name, a district), together they are selective and tolerate errors in the other fields.
// The date of birth is among them, not a block alone: there are about 30,000 dates in use, so
// a block of one grows with the index (at 3,000,000 of the benchmark's records, 160 records a
// date, and scoring their pairs was three quarters of the relink). Paired with a district, a
// name's Soundex, a street, a place of birth or an email user name, it still finds a person
// whose names were both mistyped, changed or swapped (BENCHMARKS.md).
struct CompositeBlock {
  TokenKind first;
  TokenKind second;
  BlockPairs pairs;
};
constexpr CompositeBlock kCompositeBlocks[] = {
    {TokenKind::kGivenNameCanonical, TokenKind::kFamilyNamePhonetic, BlockPairs::kCompared},
    {TokenKind::kGivenNamePhonetic, TokenKind::kBirthYear, BlockPairs::kScreened},
    {TokenKind::kFamilyNamePhonetic, TokenKind::kPostcodeOutward, BlockPairs::kCompared},
    {TokenKind::kGivenNameCanonical, TokenKind::kPostcodeOutward, BlockPairs::kCompared},
    {TokenKind::kPostcodeOutward, TokenKind::kAddressStreetPhonetic, BlockPairs::kCompared},
    {TokenKind::kAddressStreetPhonetic, TokenKind::kFamilyNamePhonetic, BlockPairs::kCompared},
    {TokenKind::kAddressStreetPhonetic, TokenKind::kGivenNameCanonical, BlockPairs::kCompared},
    {TokenKind::kBirthPlace, TokenKind::kFamilyNamePhonetic, BlockPairs::kScreened},
    {TokenKind::kBirthPlace, TokenKind::kGivenNameCanonical, BlockPairs::kScreened},
    {TokenKind::kBirthPlace, TokenKind::kBirthYear, BlockPairs::kScreened},
    {TokenKind::kDateOfBirth, TokenKind::kPostcodeOutward, BlockPairs::kCompared},
    {TokenKind::kDateOfBirth, TokenKind::kGivenNamePhonetic, BlockPairs::kCompared},
    {TokenKind::kDateOfBirth, TokenKind::kFamilyNamePhonetic, BlockPairs::kCompared},
    {TokenKind::kDateOfBirthDayMonthSorted, TokenKind::kGivenNamePhonetic, BlockPairs::kCompared},
    {TokenKind::kDateOfBirthDayMonthSorted, TokenKind::kFamilyNamePhonetic, BlockPairs::kCompared},
    {TokenKind::kDateOfBirth, TokenKind::kAddressStreetPhonetic, BlockPairs::kCompared},
    {TokenKind::kDateOfBirth, TokenKind::kBirthPlace, BlockPairs::kCompared},
    {TokenKind::kDateOfBirth, TokenKind::kEmailUser, BlockPairs::kCompared},
};

// Block keys are 31-bit hashes of the kinds and tokens rather than the 33-65 bytes themselves,
// with the top bit of 32 set for a screened block: a collision only merges two blocks of one
// kind of pairs, which adds candidates to compare or screen, never loses one, and a pair is
// compared or screened whichever of its two records looks the other up. (At a million records,
// about 15 million keys: by the birthday bound some tens of thousands of pairs of blocks merge.)
// The hash is a fixed function (Mix64), not absl::Hash, whose seed changes from one process to
// the next: with it, which blocks merged, and so which pairs a relink compared, differed from
// run to run, and a relink must be reproducible.
constexpr uint64_t kScreenedBlockBit = uint64_t{1} << 31;

uint64_t BlockKey(uint64_t hash, BlockPairs pairs) {
  return (hash >> 33) | (pairs == BlockPairs::kScreened ? kScreenedBlockBit : 0);
}

// The token as it takes part in blocks of `kind`: itself, or, for a lone given name's Soundex
// in a family name's blocks, the family name Soundex token of the same value (the two kinds share
// a key, so the value is the fingerprint); nullopt when it takes no part.
std::optional<uint64_t> AsBlockToken(const LinkToken& t, TokenKind kind) {
  if (t.kind() == kind) return t.packed;
  if (kind == TokenKind::kFamilyNamePhonetic && t.kind() == TokenKind::kSoleNamePhonetic) {
    return LinkToken::Of(TokenKind::kFamilyNamePhonetic, t.fingerprint()).packed;
  }
  return std::nullopt;
}

// Whether two record filters with `both` bits in common and `total` bits between them reach
// Dice `min_dice`: the one test of the screen, whichever way a pair was found.
bool ReachesDice(uint32_t both, uint32_t total, double min_dice) {
  return total > 0 && 2.0 * both >= min_dice * total;
}

}  // namespace

std::vector<uint64_t> Linker::TokenBlockKeys(const PersonView& p) const {
  const LinkToken* const begin = p.tokens_begin();
  const LinkToken* const end = p.tokens_end();
  std::vector<uint64_t> keys;
  for (const CompositeBlock& block : kCompositeBlocks) {
    for (const LinkToken* a = begin; a != end; ++a) {
      const std::optional<uint64_t> first = AsBlockToken(*a, block.first);
      if (!first.has_value()) continue;
      for (const LinkToken* b = begin; b != end; ++b) {
        const std::optional<uint64_t> second = AsBlockToken(*b, block.second);
        if (!second.has_value()) continue;
        keys.push_back(BlockKey(Mix64(Mix64(*first) + *second), block.pairs));
      }
    }
  }
  for (const LinkToken* t = begin; t != end; ++t) {
    const auto* kind = std::find_if(std::begin(kBlockingKinds), std::end(kBlockingKinds),
                                    [&](const SingleBlock& b) { return b.kind == t->kind(); });
    if (kind == std::end(kBlockingKinds)) continue;
    keys.push_back(BlockKey(Mix64(t->packed), kind->pairs));
  }
  return keys;
}

bool Linker::ShareAnEarlierBand(Index a, Index b, size_t band) const {
  // Two filters meet in a band when their signatures there are within the probe radius, and
  // neither's bucket was dropped.
  const int radius = options_.lsh_probe_radius;
  const auto filed = [&](size_t earlier, Index i) {
    return !lsh_.Dropped(earlier, LshSignature(RecordFilter(i), earlier));
  };
  if (screen_facts_[a].has_record_filter() && screen_facts_[b].has_record_filter()) {
    // A band's positions are distinct, so its signatures differ in as many bits as the filters
    // differ in its sampled positions.
    uint64_t differ[kScreenFilterWords];
    for (size_t w = 0; w < kScreenFilterWords; ++w) {
      differ[w] = clk_words_[a * kScreenFilterWords + w] ^ clk_words_[b * kScreenFilterWords + w];
    }
    for (size_t earlier = 0; earlier < band; ++earlier) {
      int sampled = 0;  // up to 2
      for (size_t w = 0; w < kScreenFilterWords && sampled <= radius; ++w) {
        sampled += LshIndex::BitsUpToTwo(differ[w] & band_masks_[earlier * kScreenFilterWords + w]);
      }
      if (sampled <= radius && filed(earlier, a) && filed(earlier, b)) return true;
    }
    return false;
  }
  const absl::string_view fa = RecordFilter(a), fb = RecordFilter(b);
  for (size_t earlier = 0; earlier < band; ++earlier) {
    if (LshIndex::BitsUpToTwo(LshSignature(fa, earlier) ^ LshSignature(fb, earlier)) <= radius &&
        filed(earlier, a) && filed(earlier, b)) {
      return true;
    }
  }
  return false;
}

absl::string_view Linker::RecordFilter(Index i) const {
  if (screen_facts_[i].has_record_filter()) {
    return absl::string_view(reinterpret_cast<const char*>(&clk_words_[i * kScreenFilterWords]),
                             kScreenBytes);
  }
  return persons_[i].view().filter(EncodedField::kRecord);
}

double Linker::ScreenMinDice(Index a, Index b) const {
  return screen_facts_[a].common_given_name() && screen_facts_[b].common_given_name()
             ? common_screen_min_dice_
             : screen_min_dice_;
}

bool Linker::DifferentBirthYears(Index a, Index b) const {
  return screen_birth_years_ && screen_facts_[a].BirthYearsDiffer(screen_facts_[b]);
}

bool Linker::SimilarQuarters(Index a, Index b, const uint64_t* quarter_a,
                             const uint64_t* quarter_b) const {
  static const DiceKernel kernel = BestDiceKernel();
  return !DifferentBirthYears(a, b) &&
         ReachesDice(ScreenAndPopCount(quarter_a, quarter_b, kernel),
                     screen_facts_[a].record_filter_bits() + screen_facts_[b].record_filter_bits(),
                     ScreenMinDice(a, b));
}

bool Linker::SimilarRecordFilters(Index a, Index b) const {
  const ScreenFacts facts_a = screen_facts_[a], facts_b = screen_facts_[b];
  if (!facts_a.has_record_filter() || !facts_b.has_record_filter()) {
    if (DifferentBirthYears(a, b)) return false;
    const absl::string_view fa = RecordFilter(a), fb = RecordFilter(b);
    // A record without a record filter (a client that sends none) is in no LSH band, so this is
    // a pair from a screened block, which without filters cannot be screened: it is compared, as
    // any pair sharing a block is. (A filter in clk_words_ is never empty as a view. Its quarter
    // may have no bits set, every bit of the filter falling in the other three: (3/4)^k for k
    // bits set, about 0.3% for twenty and never in practice for the usual 370. Such a record
    // never passes the screen, and is found through its token blocks and address bands only.)
    if (fa.empty() || fb.empty()) return true;
    // A 1024-bit filter's quarter and a filter of another length hash to other positions, however
    // long the views are: they are as unlike as filters of two lengths (Dice 0).
    if (facts_a.has_record_filter() != facts_b.has_record_filter()) return false;
    return Dice(fa, fb) >= ScreenMinDice(a, b);
  }
  return SimilarQuarters(a, b, &clk_words_[a * kScreenFilterWords],
                         &clk_words_[b * kScreenFilterWords]);
}

uint64_t Linker::LshSignature(absl::string_view filter, size_t band) const {
  const size_t bits = filter.size() * 8;
  // Positions are drawn below kScreenBits, so for the screen quarters of the hub's 1024-bit
  // filters no reduction is needed; a division per sampled bit was most of the cost (a record's
  // signatures are taken three times per update).
  const bool reduce = bits < kScreenBits;
  uint64_t signature = 0;
  for (uint16_t position : lsh_positions_[band]) {
    const size_t bit = reduce ? position % bits : position;
    signature =
        (signature << 1) | ((static_cast<unsigned char>(filter[bit / 8]) >> (7 - bit % 8)) & 1);
  }
  return signature;
}

std::vector<uint64_t> Linker::LshSignatures(Index i) const {
  std::vector<uint64_t> signatures;
  const absl::string_view filter = RecordFilter(i);
  if (filter.empty()) return signatures;
  for (size_t band = 0; band < lsh_positions_.size(); ++band) {
    signatures.push_back(LshSignature(filter, band));
  }
  return signatures;
}

std::vector<uint64_t> Linker::AddressSignatures(const PersonView& p) const {
  std::vector<uint64_t> signatures;
  const absl::string_view address = p.filter(EncodedField::kAddress);
  if (address.empty() || address_lsh_.bands() == 0) return signatures;
  // MinHash: per hash function, the least rank of a set bit's position. Two filters give the same
  // least rank with probability the Jaccard similarity of their set bits, however sparse they
  // are. (Sampling bits, as the record filter's bands do, made two short addresses agree on most
  // sampled bits by both having them unset.) All bands' minima in one pass over the set bits.
  const size_t row = address_ranks_.size() / kRankedPositions;  // bands x hashes
  int16_t least[kMaxAddressRow];
  std::fill(least, least + row, std::numeric_limits<int16_t>::max());
  for (size_t byte = 0; byte < address.size(); ++byte) {
    for (unsigned bits = static_cast<unsigned char>(address[byte]); bits != 0; bits &= bits - 1) {
      // Positions past the ranked ones (filters longer than any schema's) share their ranks.
      const size_t position = (byte * 8 + (7 - std::countr_zero(bits))) % kRankedPositions;
      LowerEach(least, address_ranks_.data() + position * row, row);  // row may be 0
    }
  }
  const size_t hashes = row / address_lsh_.bands();
  for (size_t band = 0; band < address_lsh_.bands(); ++band) {
    uint64_t signature = 0;
    for (size_t h = 0; h < hashes; ++h) {
      signature = Mix64(signature ^ static_cast<uint64_t>(least[band * hashes + h]));
    }
    signatures.push_back(signature >> (64 - address_lsh_.signature_bits()));
  }
  return signatures;
}

bool Linker::SimilarAddresses(Index a, Index b) const {
  return persons_[a].view().FilterDice(persons_[b].view(), EncodedField::kAddress) >=
         options_.address_min_dice;
}

Linker::BlockKeys Linker::KeysOf(Index i) const {
  const PersonView p = persons_[i].view();
  return BlockKeys{TokenBlockKeys(p), LshSignatures(i), AddressSignatures(p)};
}

void Linker::TokenCandidates(Index i, const std::vector<uint64_t>& token_keys, bool only_higher,
                             std::vector<Index>* compared, std::vector<Index>* screened) const {
  for (const uint64_t key : token_keys) {
    if (token_blocks_.Dropped(0, key)) continue;
    std::vector<Index>* out =
        (key & kScreenedBlockBit) != 0 ||
                (!crowded_blocks_.empty() && crowded_blocks_.contains(static_cast<uint32_t>(key)))
            ? screened
            : compared;
    if (out == nullptr) continue;
    token_blocks_.ForEachMember(0, key, [&](Index j) {
      if (!only_higher || j > i) out->push_back(j);
    });
  }
  std::sort(compared->begin(), compared->end());
  compared->erase(std::unique(compared->begin(), compared->end()), compared->end());
}

Linker::CandidateSources Linker::GatherCandidateSources(Index i, const BlockKeys& keys) const {
  CandidateSources s;
  TokenCandidates(i, keys.tokens, /*only_higher=*/false, &s.compared, &s.fuzzy);
  // i itself is in its blocks when it is already indexed (ForEachCandidatePair).
  if (const auto it = std::lower_bound(s.compared.begin(), s.compared.end(), i);
      it != s.compared.end() && *it == i) {
    s.compared.erase(it);
  }
  lsh_.ForEachMemberWithin(keys.bands, options_.lsh_probe_radius,
                           [&](Index j) { s.fuzzy.push_back(j); });
  address_lsh_.ForEachMemberWithin(keys.address_bands, /*radius=*/0,
                                   [&](Index j) { s.address.push_back(j); });
  std::sort(s.address.begin(), s.address.end());
  s.address.erase(std::unique(s.address.begin(), s.address.end()), s.address.end());
  // Each fuzzy member once, and none already compared (nor i itself).
  thread_local DistinctIndices seen;
  seen.Reset(s.compared.size() + s.fuzzy.size() + s.address.size() + 1);
  seen.Insert(i);
  for (const Index j : s.compared) seen.Insert(j);
  size_t distinct = 0;
  for (const Index j : s.fuzzy) {
    if (seen.Insert(j)) s.fuzzy[distinct++] = j;
  }
  s.fuzzy.resize(distinct);
  // An address-band member that is also fuzzy is a candidate through either screen; one that is
  // compared already is one. The rest are checked on their addresses alone.
  size_t address_only = 0;
  for (const Index j : s.address) {
    if (seen.Insert(j)) {
      s.address[address_only++] = j;
    } else if (j != i && !std::binary_search(s.compared.begin(), s.compared.end(), j)) {
      s.fuzzy_at_address.push_back(j);
    }
  }
  s.address.resize(address_only);
  return s;
}

void Linker::SelectCandidates(Index i, const CandidateSources& s, size_t begin, size_t end,
                              std::vector<Index>& out) const {
  // Pairs from a compared token block are compared whatever their filters say; pairs sharing
  // only a screened block or an LSH band must also be similar as wholes, and address-band pairs
  // in their addresses. Either way the rule is symmetric, so which of the two arrived first does
  // not matter.
  const size_t fuzzy_begin = s.compared.size();
  const size_t address_begin = fuzzy_begin + s.fuzzy.size();
  // [begin, end) within one list, numbered from its start.
  const auto within = [&](size_t first, size_t last) {
    return std::pair<size_t, size_t>(std::clamp(begin, first, last) - first,
                                     std::clamp(end, first, last) - first);
  };
  const auto [compared_begin, compared_end] = within(0, fuzzy_begin);
  out.insert(out.end(), s.compared.begin() + compared_begin, s.compared.begin() + compared_end);
  const auto [fuzzy_first, fuzzy_last] = within(fuzzy_begin, address_begin);
  constexpr size_t kPrefetchAhead = 8;  // candidates' filters are scattered: fetch ahead
  for (size_t k = fuzzy_first; k < fuzzy_last; ++k) {
    if (k + kPrefetchAhead < s.fuzzy.size()) {
      // The screen reads two arrays by the member's index: its filter's quarter and its
      // ScreenFacts.
      const Index ahead = s.fuzzy[k + kPrefetchAhead];
      PrefetchLines(&clk_words_[ahead * kScreenFilterWords], kScreenBytes);
      __builtin_prefetch(&screen_facts_[ahead]);
    }
    const Index j = s.fuzzy[k];
    if (SimilarRecordFilters(i, j) ||
        (!s.fuzzy_at_address.empty() &&
         std::binary_search(s.fuzzy_at_address.begin(), s.fuzzy_at_address.end(), j) &&
         SimilarAddresses(i, j))) {
      out.push_back(j);
    }
  }
  const auto [address_first, address_last] = within(address_begin, s.size());
  for (size_t k = address_first; k < address_last; ++k) {
    PrefetchAhead(persons_, s.address, k);  // an address lies in the member's packed record
    const Index j = s.address[k];
    if (SimilarAddresses(i, j)) out.push_back(j);
  }
}

std::vector<Linker::Index> Linker::Candidates(Index i, const BlockKeys& keys) const {
  const CandidateSources sources = GatherCandidateSources(i, keys);
  std::vector<Index> out;
  out.reserve(sources.compared.size());
  SelectCandidates(i, sources, 0, sources.size(), out);
  const auto screened = out.begin() + static_cast<std::ptrdiff_t>(sources.compared.size());
  std::sort(screened, out.end());
  std::inplace_merge(out.begin(), screened, out.end());
  return out;
}

std::vector<uint64_t> Linker::PackTokenBlocksAndFindScreenedPairs(const std::vector<Index>& persons,
                                                                  size_t workers) {
  // Each worker sorts the keys of its share of the persons; merged, they are the band.
  std::vector<std::vector<LshIndex::Entry>> parts(workers);
  ForEachOnWorkers(workers, persons.size(), /*chunk=*/1024, [&](size_t worker, size_t k) {
    for (const uint64_t key : TokenBlockKeys(persons_[persons[k]].view())) {
      parts[worker].emplace_back(static_cast<uint32_t>(key), persons[k]);
    }
  });
  const std::vector<LshIndex::Entry> entries = SortOnWorkers(parts);
  const size_t crowded = options_.crowded_block_members;
  const size_t dropped = options_.dropped_block_members;
  // The blocks to screen: the crowded compared ones, and the screened ones, whose keys have the
  // top bit set. Of those, the oversized are dropped.
  const auto screened_or_crowded = [&](uint32_t key, size_t size) {
    return (key & kScreenedBlockBit) != 0 || (crowded > 0 && size >= crowded);
  };
  token_blocks_.PackBand(0, entries, [&](uint32_t key, size_t size) {
    return dropped > 0 && size >= dropped && screened_or_crowded(key, size);
  });
  // Each block's members lie side by side in `entries`, in index order.
  struct Block {
    size_t begin, size;
  };
  std::vector<Block> to_screen;
  for (size_t begin = 0, end; begin < entries.size(); begin = end) {
    for (end = begin + 1; end < entries.size() && entries[end].first == entries[begin].first;
         ++end) {
    }
    const uint32_t key = entries[begin].first;
    const size_t size = end - begin;
    if (!screened_or_crowded(key, size) || token_blocks_.Dropped(0, key)) continue;
    if ((key & kScreenedBlockBit) == 0) crowded_blocks_.insert(key);
    to_screen.push_back({begin, size});
  }
  std::vector<std::vector<uint64_t>> found(workers);
  std::vector<std::vector<uint64_t>> block_words(workers);
  ForEachOnWorkers(workers, to_screen.size(), /*chunk=*/64, [&](size_t worker, size_t k) {
    ScreenBlock(&entries[to_screen[k].begin], to_screen[k].size, block_words[worker],
                found[worker]);
  });
  std::vector<uint64_t> pairs = SortOnWorkers(found);
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

void Linker::ScreenBlock(const LshIndex::Entry* members, size_t size, std::vector<uint64_t>& words,
                         std::vector<uint64_t>& pairs) const {
  if (size < 2) return;
  // The members' filters copied side by side: each is read once from wherever it lies, then
  // compared with every other in cache (the block's pairs are its size squared).
  words.resize(size * kScreenFilterWords);
  for (size_t k = 0; k < size; ++k) {
    const Index i = members[k].second;
    if (screen_facts_[i].has_record_filter()) {
      std::memcpy(&words[k * kScreenFilterWords], &clk_words_[i * kScreenFilterWords],
                  kScreenBytes);
    }
  }
  for (size_t a = 0; a < size; ++a) {
    const Index x = members[a].second;
    for (size_t b = a + 1; b < size; ++b) {
      const Index y = members[b].second;  // x <= y: members are in index order
      if (x == y) continue;               // a person whose tokens gave one key twice
      const bool similar =
          screen_facts_[x].has_record_filter() && screen_facts_[y].has_record_filter()
              ? SimilarQuarters(x, y, &words[a * kScreenFilterWords],
                                &words[b * kScreenFilterWords])
              : SimilarRecordFilters(x, y);
      if (similar) pairs.push_back((static_cast<uint64_t>(x) << 32) | y);
    }
  }
}

std::vector<uint64_t> Linker::IndexLshBandsAndFindSimilarPairs(const std::vector<Index>& persons,
                                                               size_t workers) {
  return PackBandsAndFindPairs(
      lsh_, persons, workers, options_.dropped_band_members, options_.lsh_probe_radius,
      [&](size_t k, size_t band) -> std::optional<uint32_t> {
        const absl::string_view filter = RecordFilter(persons[k]);
        if (filter.empty()) return std::nullopt;
        return static_cast<uint32_t>(LshSignature(filter, band));
      },
      [&](Index x, Index y, size_t band) {
        // A pair is kept from the first band it meets in only: near-duplicates meet in most
        // bands, and keeping every sighting tripled the pairs to sort.
        return SimilarRecordFilters(x, y) && !ShareAnEarlierBand(x, y, band);
      });
}

std::vector<uint64_t> Linker::IndexAddressBandsAndFindSimilarPairs(
    const std::vector<Index>& persons, size_t workers) {
  // Every person's signatures first (all bands come from one pass over its address filter),
  // in chunks on the workers.
  const size_t bands = address_lsh_.bands();
  std::vector<uint32_t> signatures(persons.size() * bands);
  std::vector<uint8_t> has_address(persons.size());
  ForEachOnWorkers(workers, persons.size(), /*chunk=*/1024, [&](size_t, size_t k) {
    const std::vector<uint64_t> own = AddressSignatures(persons_[persons[k]].view());
    has_address[k] = !own.empty();
    for (size_t band = 0; band < own.size(); ++band) {
      signatures[k * bands + band] = static_cast<uint32_t>(own[band]);
    }
  });
  // A pair seen in several bands is kept once, at the end: few pairs share an address.
  return PackBandsAndFindPairs(
      address_lsh_, persons, workers, options_.dropped_address_band_members, /*radius=*/0,
      [&](size_t k, size_t band) -> std::optional<uint32_t> {
        if (!has_address[k]) return std::nullopt;
        return signatures[k * bands + band];
      },
      [&](Index x, Index y, size_t) { return SimilarAddresses(x, y); });
}

void Linker::ScoreCandidates(Index i, const std::vector<Index>& candidates,
                             absl::FunctionRef<void(Index, double)> link) const {
  const PersonView person = persons_[i].view();
  for (size_t n = 0; n < candidates.size(); ++n) {
    PrefetchAhead(persons_, candidates, n);
    const Index c = candidates[n];
    const double weight = scorer_.Compare(person, persons_[c].view()).weight;
    if (weight >= options_.model.link_weight) link(c, weight);
  }
}

std::vector<std::pair<Linker::Index, double>> Linker::LinksOf(Index i, const BlockKeys& keys) {
  const CandidateSources sources = GatherCandidateSources(i, keys);
  std::vector<std::pair<Index, double>> found[2];
  // Screens and scores the members numbered [begin, end) (CandidateSources::size).
  const auto link_among = [&](size_t worker, size_t begin, size_t end,
                              std::vector<Index>& scratch) {
    scratch.clear();
    SelectCandidates(i, sources, begin, end, scratch);
    ScoreCandidates(i, scratch, [&](Index c, double weight) {
      found[worker].push_back({c, weight});
    });
  };
  if (sources.size() < options_.helper_min_members) {
    std::vector<Index> candidates;
    link_among(0, 0, sources.size(), candidates);
  } else {
    if (helper_ == nullptr) helper_ = std::make_unique<HelperThread>();
    const size_t run = std::max<size_t>(1, options_.helper_run_members);
    std::atomic<size_t> next{0};
    helper_->Share([&](size_t worker) {
      std::vector<Index> scratch;
      for (size_t begin = next.fetch_add(run, std::memory_order_relaxed); begin < sources.size();
           begin = next.fetch_add(run, std::memory_order_relaxed)) {
        link_among(worker, begin, std::min(begin + run, sources.size()), scratch);
      }
    });
    found[0].insert(found[0].end(), found[1].begin(), found[1].end());
  }
  // In index order, as one thread scoring Candidates' list finds them: how the members were
  // shared out changes nothing held.
  std::sort(found[0].begin(), found[0].end());
  return std::move(found[0]);
}

void Linker::Add(Index i) {
  const BlockKeys keys = KeysOf(i);
  if (!options_.index_only) {
    for (const auto& [c, weight] : LinksOf(i, keys)) {
      links_[i].push_back({c, false, static_cast<float>(weight)});
      links_[c].push_back({i, false, static_cast<float>(weight)});
    }
  }
  IndexBlocks(i, keys);
}

void Linker::IndexBlocks(Index i, const BlockKeys& keys) {
  for (const uint64_t key : keys.tokens) token_blocks_.AddToBand(0, i, key);
  lsh_.Add(i, keys.bands);
  address_lsh_.Add(i, keys.address_bands);
}

void Linker::Remove(Index i) {
  const BlockKeys keys = KeysOf(i);
  for (const uint64_t key : keys.tokens) token_blocks_.RemoveFromBand(0, i, key);
  lsh_.Remove(i, keys.bands);
  address_lsh_.Remove(i, keys.address_bands);
  for (const LinkEnd& l : links_[i]) links_[l.other].EraseOther(i);
  links_[i].clear();
  if (const EntityId e = entity_of_[i]; e != 0) {
    auto it = members_.find(e);
    if (it != members_.end()) {
      it->second.Erase(i);
      if (it->second.empty()) members_.erase(it);
    }
  }
  SetEntity(i, 0);
  persons_[i] = PackedPerson();
  alive_[i] = false;
  free_.push_back(i);
}

Linker::PreparedPerson Linker::Prepare(const RecordId& id, PersonRecord& person) const {
  // A person is filed under the record it arrived with (by_record_ finds a record through the
  // key of its first person).
  person.key.kind = id.kind;
  person.key.force_code = id.key.force_code;
  person.key.record_id = id.key.record_id;
  SortTokens(person);
  PreparedPerson prepared;
  const auto [begin, end] = PersonView(person).TokensOf(TokenKind::kGivenNameCanonical);
  for (const LinkToken* t = begin; t != end; ++t) {
    const auto it = options_.model.token_frequency.find(t->packed);
    if (it != options_.model.token_frequency.end() &&
        it->second >= options_.common_name_frequency) {
      prepared.common_given_name = true;
    }
  }
  prepared.packed = PackedPerson::Pack(
      person, /*with_record_filter=*/person.filter(EncodedField::kRecord).size() != kClkBytes);
  return prepared;
}

Linker::Index Linker::Insert(PreparedPerson prepared, const PersonRecord& source,
                             const std::vector<Index>& record) {
  // A key names its record, whose earlier persons are all that may hold it (an update takes a
  // record's persons out before it puts them back).
  for (const Index j : record) {
    if (persons_[j].key() == prepared.packed.key()) return kNoIndex;
  }
  Index i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    // A link end holds an index in 31 bits: as a vector past its max_size, no more can be held.
    if (persons_.size() >= kMaxPersons) throw std::length_error("Linker: 2^31 - 1 persons held");
    i = static_cast<Index>(persons_.size());
    persons_.emplace_back();
    alive_.push_back(false);
    links_.emplace_back();
    entity_of_.push_back(0);
    next_in_record_.push_back(kNoIndex);
  }
  clk_words_.resize(persons_.size() * kScreenFilterWords);
  screen_facts_.resize(persons_.size());
  const absl::string_view record_filter = source.filter(EncodedField::kRecord);
  std::optional<int> filter_bits;
  if (record_filter.size() == kClkBytes) {
    std::memcpy(&clk_words_[i * kScreenFilterWords], record_filter.data(), kScreenBytes);
    filter_bits = static_cast<int>(
        PopCount(reinterpret_cast<const uint8_t*>(record_filter.data()), kScreenBytes));
  }
  const auto [birth_years_begin, birth_years_end] =
      PersonView(source).TokensOf(TokenKind::kBirthYear);
  screen_facts_[i] =
      ScreenFacts::Of(filter_bits, prepared.common_given_name, birth_years_begin, birth_years_end);
  persons_[i] = prepared.packed.CopyInto(arena_);
  alive_[i] = true;
  return i;
}

bool Linker::HeldAsIs(Index first, const std::vector<PreparedPerson>& prepared,
                      const std::vector<PersonRecord>& sources) const {
  Index i = first;
  for (size_t k = 0; k < prepared.size(); ++k, i = next_in_record_[i]) {
    if (i == kNoIndex) return false;
    const PackedPerson& held = persons_[i];
    const PackedPerson& fresh = prepared[k].packed;
    if (held.size() != fresh.size() || std::memcmp(held.data(), fresh.data(), held.size()) != 0 ||
        screen_facts_[i].common_given_name() != prepared[k].common_given_name) {
      return false;
    }
    // Of a 1024-bit record filter the linker holds (and reads) the first quarter, in clk_words_:
    // a change in the rest changes nothing it links. Any other is in the packed record.
    const absl::string_view filter = sources[k].filter(EncodedField::kRecord);
    const bool in_clk_words = filter.size() == kClkBytes;
    if (in_clk_words != screen_facts_[i].has_record_filter() ||
        (in_clk_words && RecordFilter(i) != filter.substr(0, kScreenBytes))) {
      return false;
    }
  }
  return i == kNoIndex;
}

void Linker::Update(const RecordId& id, std::vector<PersonRecord> persons) {
  std::vector<PreparedPerson> prepared;
  prepared.reserve(persons.size());
  for (PersonRecord& person : persons) prepared.push_back(Prepare(id, person));
  std::vector<Index> seeds;
  const auto it = by_record_.find(id);
  const bool replaces = it != by_record_.end();
  // A record stored again with its persons as they were (an incident whose outcome or
  // behaviours changed) changes nothing linked: replacing it re-clustered the whole components
  // of its persons, which for a common name is thousands of records.
  if (replaces && HeldAsIs(*it, prepared, persons)) return;
  if (replaces) {
    Index i = *it;
    by_record_.erase(it);  // before its slots are freed: the set finds a record through them
    while (i != kNoIndex) {
      const Index next = next_in_record_[i];
      for (const LinkEnd& l : links_[i]) seeds.push_back(l.other);
      Remove(i);
      i = next;
    }
  }
  std::vector<Index> added;
  for (size_t k = 0; k < persons.size(); ++k) {
    const Index i = Insert(std::move(prepared[k]), persons[k], added);
    if (i == kNoIndex) continue;
    Add(i);
    added.push_back(i);
    seeds.push_back(i);
  }
  FileRecord(added);
  if (options_.index_only) return;
  // Removing a record can split a cluster anywhere in its component, so the components it leaves
  // are clustered whole; records only added are linked in by replaying the last clustering.
  if (replaces || !options_.replay_clustering) {
    Recluster(seeds);
  } else {
    ReclusterAdded(added);
  }
}

void Linker::FileRecord(const std::vector<Index>& persons) {
  if (persons.empty()) return;
  for (size_t k = 0; k + 1 < persons.size(); ++k) next_in_record_[persons[k]] = persons[k + 1];
  next_in_record_[persons.back()] = kNoIndex;
  by_record_.insert(persons.front());
}

void Linker::Reserve(const std::vector<RecordPersons>& records) {
  size_t persons = 0;
  for (const RecordPersons& record : records) persons += record.persons.size();
  // A quarter more than the relink needs: the records ingested until the next relink fit without
  // moving every array (at a million people the first record after an exact fit stalled 3.75 s).
  // Capacity never written is address space, not memory: the pages are not touched.
  persons += persons / 4;
  persons_.reserve(persons);
  alive_.reserve(persons);
  links_.reserve(persons);
  entity_of_.reserve(persons);
  next_in_record_.reserve(persons);
  clk_words_.reserve(persons * kScreenFilterWords);
  screen_facts_.reserve(persons);
  by_record_.reserve(records.size() + records.size() / 4);
}

void Linker::Build(std::vector<RecordPersons> records) {
  const bool fresh = persons_.empty();
  if (fresh) Reserve(records);
  // Into an empty linker the LSH buckets are laid band by band on the workers, with the search
  // for similar pairs (IndexLshBandsAndFindSimilarPairs), rather than record by record here.
  const bool bands_later = fresh && !options_.index_only;
  std::vector<RecordPersons> late;  // records Update must take: held already or named twice
  std::vector<Index> seeds;
  // The records are taken a batch at a time: the batch's persons are prepared on the workers,
  // then inserted in order here, each record's PersonRecords released once their packed forms
  // are held, so that only a batch is ever held in both forms.
  constexpr size_t kBatchPersons = size_t{1} << 16;
  struct Source {
    const RecordId* id;
    PersonRecord* person;
  };
  std::vector<Source> batch;
  std::vector<PreparedPerson> prepared;
  for (size_t begin = 0, end; begin < records.size(); begin = end) {
    batch.clear();
    for (end = begin; end < records.size() && batch.size() < kBatchPersons; ++end) {
      for (PersonRecord& person : records[end].persons)
        batch.push_back({&records[end].id, &person});
    }
    prepared.clear();
    prepared.resize(batch.size());
    ForEachOnWorkers(
        WorkerCount(options_.build_threads), batch.size(), /*chunk=*/256,
        [&](size_t, size_t k) { prepared[k] = Prepare(*batch[k].id, *batch[k].person); });
    size_t k = 0;
    for (size_t r = begin; r < end; ++r) {
      RecordPersons& record = records[r];
      if (by_record_.contains(record.id)) {
        k += record.persons.size();
        late.push_back(std::move(record));
        continue;
      }
      std::vector<Index> added;
      for (PersonRecord& person : record.persons) {
        const Index i = Insert(std::move(prepared[k++]), person, added);
        if (i == kNoIndex) continue;
        if (!bands_later) IndexBlocks(i, KeysOf(i));
        added.push_back(i);
        seeds.push_back(i);
      }
      record.persons = std::vector<PersonRecord>();  // freed (`= {}` would keep the buffer)
      FileRecord(added);
    }
  }
  records = std::vector<RecordPersons>();  // all inserted or moved to `late`
  if (!options_.index_only) {
    // Every pair sharing a block, scored once (from its lower index), on worker threads that only
    // read the index; the links are joined afterwards.
    struct Found {
      Index a, b;
      double weight;
    };
    const size_t workers = WorkerCount(options_.build_threads);
    std::sort(seeds.begin(), seeds.end());
    // Into an empty linker, slots are handed out in order and every token block lists its members
    // in index order, so each pair is found from its lower index alone, and the pairs that must
    // pass a screen (of screened and crowded blocks, and of both LSH indexes) are found in bulk,
    // block by block and band by band, into screened_pairs. Otherwise each record's candidates
    // come from Candidates, and a pair of two new records is kept from its lower index only.
    std::vector<uint64_t> screened_pairs;
    if (fresh) {
      // Merges sorted `more` into the sorted screened_pairs, without repeats, and frees it.
      const auto merge = [&](std::vector<uint64_t> more) {
        const size_t middle = screened_pairs.size();
        screened_pairs.insert(screened_pairs.end(), more.begin(), more.end());
        more = std::vector<uint64_t>();
        std::inplace_merge(screened_pairs.begin(), screened_pairs.begin() + middle,
                           screened_pairs.end());
        screened_pairs.erase(std::unique(screened_pairs.begin(), screened_pairs.end()),
                             screened_pairs.end());
      };
      screened_pairs = PackTokenBlocksAndFindScreenedPairs(seeds, workers);
      merge(IndexLshBandsAndFindSimilarPairs(seeds, workers));
      merge(IndexAddressBandsAndFindSimilarPairs(seeds, workers));
    }
    // Where each seed's screened pairs begin in screened_pairs (both are sorted), found in one
    // sweep: a binary search per seed missed the cache at every step of a 10-million-entry array.
    std::vector<size_t> screened_begin(fresh ? seeds.size() + 1 : 0);
    for (size_t k = 0, p = 0; k < screened_begin.size(); ++k) {
      while (k < seeds.size() && p < screened_pairs.size() && (screened_pairs[p] >> 32) < seeds[k])
        ++p;
      screened_begin[k] = k < seeds.size() ? p : screened_pairs.size();
    }
    const auto candidates_of = [&](size_t k) {
      const Index i = seeds[k];
      if (!fresh) {
        std::vector<Index> out = Candidates(i, KeysOf(i));
        out.erase(std::remove_if(out.begin(), out.end(),
                                 [&](Index c) {
                                   return c < i &&
                                          std::binary_search(seeds.begin(), seeds.end(), c);
                                 }),
                  out.end());
        return out;
      }
      // The pairs of screened and crowded blocks are in screened_pairs.
      std::vector<Index> out;
      TokenCandidates(i, TokenBlockKeys(persons_[i].view()), /*only_higher=*/true, &out,
                      /*screened=*/nullptr);
      const size_t token_candidates = out.size();
      for (size_t p = screened_begin[k]; p < screened_begin[k + 1]; ++p) {
        const Index j = static_cast<Index>(screened_pairs[p] & 0xffffffffu);
        if (!std::binary_search(out.begin(), out.begin() + token_candidates, j)) out.push_back(j);
      }
      return out;
    };
    // Only into an empty linker: every link must be scored under one model, and the links of
    // records already held were scored under the one they arrived with.
    if (fresh && options_.m_estimation.enabled) EstimateM(seeds, candidates_of, workers);
    std::vector<std::vector<Found>> found(workers);
    ForEachOnWorkers(workers, seeds.size(), /*chunk=*/256, [&](size_t worker, size_t k) {
      const Index i = seeds[k];
      ScoreCandidates(i, candidates_of(k), [&](Index c, double weight) {
        found[worker].push_back({i, c, weight});
      });
    });
    for (const auto& part : found) {
      for (const Found& f : part) {
        links_[f.a].push_back({f.b, false, static_cast<float>(f.weight)});
        links_[f.b].push_back({f.a, false, static_cast<float>(f.weight)});
      }
    }
    Recluster(seeds, workers);
  }
  for (RecordPersons& record : late) Update(record.id, std::move(record.persons));
}

void Linker::EstimateM(const std::vector<Index>& seeds,
                       absl::FunctionRef<std::vector<Index>(size_t)> candidates_of,
                       size_t workers) {
  const MEstimation& estimation = options_.m_estimation;
  // Every stride-th seed: seeds are in index order, which is the order records arrived in.
  const size_t stride =
      std::max<size_t>(1, seeds.size() / std::max<size_t>(1, estimation.sample_records));
  // The sample's candidates, found once on the workers and scored in every round.
  std::vector<std::vector<Index>> sample((seeds.size() + stride - 1) / stride);
  ForEachOnWorkers(workers, sample.size(), /*chunk=*/1,
                   [&](size_t, size_t k) { sample[k] = candidates_of(k * stride); });
  const MatchModel prior = options_.model;
  for (int round = 0; round < estimation.rounds; ++round) {
    std::vector<ConfidentPairCounter> counters(
        workers, ConfidentPairCounter(options_.model, estimation.confident_weight));
    ForEachOnWorkers(workers, sample.size(), /*chunk=*/1, [&](size_t worker, size_t k) {
      const PersonView person = persons_[seeds[k * stride]].view();
      const std::vector<Index>& candidates = sample[k];
      for (size_t n = 0; n < candidates.size(); ++n) {
        PrefetchAhead(persons_, candidates, n);
        counters[worker].Add(person, persons_[candidates[n]].view());
      }
    });
    for (size_t w = 1; w < workers; ++w) counters[0].Merge(counters[w]);
    // Each round blends with the prior's m afresh (the rounds change nothing else in the model);
    // only the pairs' scores carry the last round over.
    MatchModel next_model = prior;
    counters[0].EstimateM(estimation.prior_pairs, &next_model);
    options_.model = std::move(next_model);
    scorer_ = PairScorer(options_.model);
  }
}

std::vector<Linker::Index> Linker::Component(Index start,
                                             absl::FunctionRef<bool(Index)> first_visit) const {
  std::vector<Index> component = {start};
  for (size_t k = 0; k < component.size(); ++k) {
    for (const LinkEnd& l : links_[component[k]]) {
      if (first_visit(l.other)) component.push_back(l.other);
    }
  }
  return component;
}

Linker::OrderedLink Linker::Ordered(Index a, Index b, double weight) const {
  return persons_[a].key() < persons_[b].key() ? OrderedLink{weight, a, b}
                                               : OrderedLink{weight, b, a};
}

bool Linker::Before(const OrderedLink& x, const OrderedLink& y) const {
  if (x.weight != y.weight) return x.weight > y.weight;
  if (x.lo != y.lo) return persons_[x.lo].key() < persons_[y.lo].key();
  if (x.hi != y.hi) return persons_[x.hi].key() < persons_[y.hi].key();
  return false;
}

bool Linker::MayMerge(const std::vector<Index>& a, const std::vector<Index>& b,
                      absl::FunctionRef<double(Index, Index)> weight_of) const {
  int64_t total = 0;
  for (Index x : a) {
    for (Index y : b) {
      const double w = weight_of(x, y);
      if (w < options_.model.cannot_link_weight) return false;
      total += FixedPointWeight(w);
    }
  }
  return total >= FixedPointWeight(options_.model.merge_mean_weight) *
                      static_cast<int64_t>(a.size() * b.size());
}

double Linker::PairWeight(Index x, Index y) const {
  // A linked pair carries its weight; the shorter adjacency is searched for it.
  const bool from_x = links_[x].size() <= links_[y].size();
  const Index other = from_x ? y : x;
  for (const LinkEnd& l : links_[from_x ? x : y]) {
    if (l.other == other) return l.weight;
  }
  return scorer_.Compare(persons_[x].view(), persons_[y].view()).weight;
}

bool Linker::Merged(Index a, Index b) const {
  for (const LinkEnd& l : links_[a]) {
    if (l.other == b) return l.merged;
  }
  return false;
}

void Linker::SetMerged(Index a, Index b, bool merged) {
  for (LinkEnd& l : links_[a]) {
    if (l.other == b) l.merged = merged;
  }
  for (LinkEnd& l : links_[b]) {
    if (l.other == a) l.merged = merged;
  }
}

std::vector<std::vector<Linker::Index>> Linker::ClusterComponent(
    const std::vector<Index>& component) {
  // Most components of a relink are one record, or two records and their link.
  if (component.size() == 1) return {component};
  // Pair weights for the cannot-link checks, each pair scored at most once. Linked pairs already
  // carry theirs: in an entity of many records most pairs are linked, and scoring them again made
  // re-clustering quadratic in full comparisons.
  absl::flat_hash_map<uint64_t, double> weights;
  for (Index i : component) {
    for (LinkEnd& l : links_[i]) {
      l.merged = false;  // decided afresh below
      if (i < l.other) weights.emplace(PairKey(i, l.other), l.weight);
    }
  }
  const auto weight_of = [&](Index x, Index y) {
    auto [it, inserted] = weights.try_emplace(PairKey(x, y), 0.0);
    if (inserted) it->second = scorer_.Compare(persons_[x].view(), persons_[y].view()).weight;
    return it->second;
  };
  // Links in clustering order (Before). Keys are compared once, to rank the component's records;
  // the edges then compare ranks (an entity of a hundred records has thousands of links, and
  // string comparisons were most of the sort).
  std::vector<Index> by_key = component;
  std::sort(by_key.begin(), by_key.end(),
            [&](Index x, Index y) { return persons_[x].key() < persons_[y].key(); });
  absl::flat_hash_map<Index, uint32_t> rank;
  for (uint32_t r = 0; r < by_key.size(); ++r) rank[by_key[r]] = r;
  struct Edge {
    double weight;
    uint32_t rank_a, rank_b;
    Index a, b;
  };
  std::vector<Edge> edges;
  for (Index i : component) {
    const uint32_t rank_i = rank[i];
    for (const LinkEnd& l : links_[i]) {
      const uint32_t rank_j = rank[l.other];
      if (rank_i < rank_j) edges.push_back({l.weight, rank_i, rank_j, i, l.other});
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.rank_a != y.rank_a) return x.rank_a < y.rank_a;
    return x.rank_b < y.rank_b;
  });
  absl::flat_hash_map<Index, std::vector<Index>> cluster;  // root -> members
  absl::flat_hash_map<Index, Index> root;
  for (Index i : component) {
    cluster[i] = {i};
    root[i] = i;
  }
  for (const Edge& e : edges) {
    const Index ra = root[e.a], rb = root[e.b];
    if (ra == rb || !MayMerge(cluster[ra], cluster[rb], weight_of)) continue;
    const Index keep = cluster[ra].size() >= cluster[rb].size() ? ra : rb;
    const Index gone = keep == ra ? rb : ra;
    for (Index m : cluster[gone]) {
      root[m] = keep;
      cluster[keep].push_back(m);
    }
    cluster.erase(gone);
    SetMerged(e.a, e.b, true);
  }
  std::vector<std::vector<Index>> clusters;
  for (auto& [r, members] : cluster) {
    std::sort(members.begin(), members.end(), [&](Index x, Index y) { return rank[x] < rank[y]; });
    clusters.push_back(std::move(members));
  }
  return clusters;
}

std::vector<Linker::Index> Linker::ClusterBefore(Index i, const OrderedLink& link) const {
  std::vector<Index> cluster = {i};
  absl::flat_hash_set<Index> met = {i};
  for (size_t k = 0; k < cluster.size(); ++k) {
    const Index x = cluster[k];
    for (const LinkEnd& l : links_[x]) {
      if (l.merged && !met.contains(l.other) && Before(Ordered(x, l.other, l.weight), link)) {
        met.insert(l.other);
        cluster.push_back(l.other);
      }
    }
  }
  return cluster;
}

// A component's clustering is a run over its links in order, each merging two clusters or not
// by what the two hold (ClusterComponent). Take the run over a component that records have just
// joined, and the last run over it, without them, whose merges the links record. Until the
// first link of a new record both runs hold the same clusters. After it, call a record dirty
// once its cluster may differ between the runs: a new record from the start, and every record of
// the clusters a link merges in either run when one of its two records is dirty. A link between
// two clean records then has the same clusters in both runs, so the same outcome, and leaves
// them clean; only links of dirty records need taking again, in order, and a clean record's
// cluster at any point is the last run's (ClusterBefore). A link of a dirty record that neither
// run merges changes nothing. At the end a clean record's cluster is its entity of the last run,
// whole (a cluster is all dirty or all clean: a clean cluster is taken whole when it turns), so
// only the dirty records' clusters replace entities. The work is the links of what changes,
// not of the component.
void Linker::ReclusterAdded(const std::vector<Index>& added) {
  absl::flat_hash_map<Index, uint32_t> dirty;  // dirty record -> its cluster in `clusters`
  std::vector<std::vector<Index>> clusters;
  const auto after = [this](const OrderedLink& x, const OrderedLink& y) { return Before(y, x); };
  std::priority_queue<OrderedLink, std::vector<OrderedLink>, decltype(after)> queue(after);
  absl::flat_hash_set<uint64_t> queued;
  std::optional<OrderedLink> now;  // the link being taken
  // Makes `members`, a cluster as it stands now, dirty; queues their links still to be taken.
  const auto make_dirty = [&](std::vector<Index> members) {
    const uint32_t c = static_cast<uint32_t>(clusters.size());
    for (Index m : members) {
      dirty[m] = c;
      for (const LinkEnd& l : links_[m]) {
        const OrderedLink link = Ordered(m, l.other, l.weight);
        if (now.has_value() && !Before(*now, link)) continue;
        if (queued.insert(PairKey(m, l.other)).second) queue.push(link);
      }
    }
    clusters.push_back(std::move(members));
    return c;
  };
  for (Index i : added) make_dirty({i});
  absl::flat_hash_map<uint64_t, double> weights;
  const auto weight_of = [&](Index x, Index y) {
    auto [it, inserted] = weights.try_emplace(PairKey(x, y), 0.0);
    if (inserted) it->second = PairWeight(x, y);
    return it->second;
  };
  while (!queue.empty()) {
    const OrderedLink link = queue.top();
    queue.pop();
    now = link;
    // At least one of the two is dirty: a link is queued only by a dirty record.
    constexpr uint32_t kClean = ~uint32_t{0};
    const auto da = dirty.find(link.lo), db = dirty.find(link.hi);
    uint32_t ca = da != dirty.end() ? da->second : kClean;
    uint32_t cb = db != dirty.end() ? db->second : kClean;
    std::vector<Index> clean_a, clean_b;
    if (ca == kClean) clean_a = ClusterBefore(link.lo, link);
    if (cb == kClean) clean_b = ClusterBefore(link.hi, link);
    const bool together = ca != kClean && ca == cb;
    const bool merge = !together && MayMerge(ca != kClean ? clusters[ca] : clean_a,
                                             cb != kClean ? clusters[cb] : clean_b, weight_of);
    const bool merged_before = Merged(link.lo, link.hi);
    if (!merge && !merged_before) continue;
    if (ca == kClean) ca = make_dirty(std::move(clean_a));
    if (cb == kClean) cb = make_dirty(std::move(clean_b));
    if (merge) {
      if (clusters[ca].size() < clusters[cb].size()) std::swap(ca, cb);
      for (Index m : clusters[cb]) dirty[m] = ca;
      clusters[ca].insert(clusters[ca].end(), clusters[cb].begin(), clusters[cb].end());
      clusters[cb] = std::vector<Index>();
    }
    SetMerged(link.lo, link.hi, merge);
  }
  std::vector<std::vector<Index>> changed;
  for (auto& c : clusters) {
    if (c.empty()) continue;
    std::sort(c.begin(), c.end(),
              [&](Index x, Index y) { return persons_[x].key() < persons_[y].key(); });
    changed.push_back(std::move(c));
  }
  ReplaceEntities(std::move(changed), /*workers=*/1);
}

void Linker::Recluster(const std::vector<Index>& seeds, size_t workers) {
  // What was seen is kept in a set sized by what is re-clustered, not by the index (an update
  // touches a few records of millions), unless the seeds are a good share of the index (a
  // relink), where a set's random probes cost more than one flag per record.
  std::vector<std::vector<Index>> components;
  {
    const bool dense = seeds.size() >= persons_.size() / 8;
    std::vector<bool> seen_flags(dense ? persons_.size() : 0);
    absl::flat_hash_set<Index> seen_set;
    const auto first_visit = [&](Index i) {
      if (!dense) return seen_set.insert(i).second;
      if (seen_flags[i]) return false;
      seen_flags[i] = true;
      return true;
    };
    for (Index s : seeds) {
      if (s < persons_.size() && alive_[s] && first_visit(s)) {
        components.push_back(Component(s, first_visit));
      }
    }
  }
  if (components.empty()) return;

  // A component's clustering reads and marks only its own links and records, so components are
  // clustered apart, on the workers when there are many.
  std::vector<std::vector<std::vector<Index>>> clustered(components.size());
  ForEachOnWorkers(components.size() >= kParallelComponents ? workers : 1, components.size(),
                   /*chunk=*/64,
                   [&](size_t, size_t k) { clustered[k] = ClusterComponent(components[k]); });
  components = std::vector<std::vector<Index>>();
  std::vector<std::vector<Index>> clusters;
  for (auto& parts : clustered) {
    for (auto& c : parts) clusters.push_back(std::move(c));
  }
  clustered = std::vector<std::vector<std::vector<Index>>>();
  ReplaceEntities(std::move(clusters), workers);
}

void Linker::ReplaceEntities(std::vector<std::vector<Index>> clusters, size_t workers) {
  if (clusters.empty()) return;
  // The entities these records belonged to are dissolved and rebuilt. entity_of_ keeps each
  // record's previous id until it is given its new one below.
  for (const auto& cluster : clusters) {
    for (Index i : cluster) {
      if (entity_of_[i] != 0) members_.erase(entity_of_[i]);
    }
  }

  // Deterministic order: by each cluster's smallest key (its first member).
  std::vector<std::vector<std::vector<Index>>> sort_parts(
      clusters.size() >= kParallelComponents ? workers : 1);
  for (size_t k = 0; k < clusters.size(); ++k) {
    sort_parts[k * sort_parts.size() / clusters.size()].push_back(std::move(clusters[k]));
  }
  clusters = SortOnWorkers(sort_parts, [&](const auto& x, const auto& y) {
    return persons_[x[0]].key() < persons_[y[0]].key();
  });

  // Ids: a cluster keeps the oldest id among its members' previous entities not already kept by
  // another cluster; ids no cluster keeps redirect to where their first member went. A new id
  // is never a previous one, so only previous ids need remembering as kept.
  absl::flat_hash_set<EntityId> kept;
  std::map<EntityId, EntityId> moved_to;  // previous id -> id of its first member's new entity
  std::vector<EntityId> candidates;
  for (auto& c : clusters) {
    candidates.clear();
    for (Index i : c) {
      if (entity_of_[i] != 0) candidates.push_back(entity_of_[i]);
    }
    std::sort(candidates.begin(), candidates.end());
    EntityId id = 0;
    for (EntityId candidate : candidates) {
      if (!kept.contains(candidate)) {
        id = candidate;
        kept.insert(id);
        break;
      }
    }
    if (id == 0) id = next_entity_++;
    for (Index i : c) {
      if (entity_of_[i] != 0) moved_to.try_emplace(entity_of_[i], id);
      SetEntity(i, id);
    }
    members_.insert_or_assign(members_.end(), id, EntityMembers(c));
  }
  for (const auto& [old_id, new_id] : moved_to) {
    if (!kept.contains(old_id)) AddRedirect(old_id, new_id);
  }
}

void Linker::SetEntity(Index i, EntityId id) {
  if (track_changes_ && entity_of_[i] != id) changes_.entity_of[persons_[i].key().ToKey()] = id;
  entity_of_[i] = id;
}

void Linker::AddRedirect(EntityId from, EntityId to) {
  redirect_[from] = to;
  if (track_changes_) changes_.redirects.emplace_back(from, to);
}

Linker::AssignmentChanges Linker::TakeChanges() {
  AssignmentChanges out = std::move(changes_);
  changes_ = AssignmentChanges();
  out.next_entity = next_entity_;
  return out;
}

Linker::Index Linker::IndexOf(const PersonKeyView& key) const {
  const auto it = by_record_.find(key);
  if (it == by_record_.end()) return kNoIndex;
  for (Index i = *it; i != kNoIndex; i = next_in_record_[i]) {
    if (persons_[i].key() == key) return i;
  }
  return kNoIndex;
}

double Linker::LinkConfidence(const PersonKey& key) const {
  const Index i = IndexOf(key);
  return i == kNoIndex ? 0 : LinkConfidenceOf(i);
}

double Linker::LinkConfidenceOf(Index i) const {
  bool linked = false;
  double strongest = 0;
  for (const LinkEnd& l : links_[i]) {
    if (entity_of_[l.other] != entity_of_[i]) continue;
    strongest = linked ? std::max<double>(strongest, l.weight) : l.weight;
    linked = true;
  }
  if (!linked) {
    // Alone in its entity, or held there by links through others: nothing ties it but itself.
    auto m = members_.find(entity_of_[i]);
    if (m == members_.end() || m->second.size() <= 1) return 1;
    return 0.5;
  }
  return options_.model.LinkConfidence(strongest);
}

std::vector<Entity> Linker::Entities() const {
  std::vector<Entity> out;
  out.reserve(members_.size());
  for (const auto& [id, members] : members_) {
    Entity e{id, {}, {}};
    for (Index i : members) e.members.push_back(persons_[i].key().ToKey());
    std::sort(e.members.begin(), e.members.end());
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<EntityId> Linker::EntityOf(const PersonKey& key) const {
  const Index i = IndexOf(key);
  if (i == kNoIndex) return std::nullopt;
  return entity_of_[i];
}

EntityId Linker::Resolve(EntityId id) const {
  for (int hops = 0; hops < 64; ++hops) {
    auto it = redirect_.find(id);
    if (it == redirect_.end()) return id;
    id = it->second;
  }
  return id;
}

absl::StatusOr<std::pair<Entity, std::vector<Link>>> Linker::EntityDetail(EntityId id) const {
  auto it = members_.find(Resolve(id));
  if (it == members_.end()) return absl::NotFoundError(absl::StrCat("no entity ", id));
  std::vector<std::pair<PersonKey, double>> members;  // with their confidences, to sort
  std::vector<Link> links;
  for (Index i : it->second) {
    members.emplace_back(persons_[i].key().ToKey(), LinkConfidenceOf(i));
    for (const LinkEnd& l : links_[i]) {
      if (entity_of_[l.other] == it->first && persons_[i].key() < persons_[l.other].key()) {
        links.push_back({persons_[i].key().ToKey(), persons_[l.other].key().ToKey(), l.weight,
                         options_.model.LinkConfidence(l.weight)});
      }
    }
  }
  std::sort(members.begin(), members.end());
  Entity entity{it->first, {}, {}};
  for (auto& [key, confidence] : members) {
    entity.members.push_back(std::move(key));
    entity.link_confidence.push_back(confidence);
  }
  std::sort(links.begin(), links.end(),
            [](const Link& x, const Link& y) { return x.weight > y.weight; });
  return std::make_pair(std::move(entity), std::move(links));
}

absl::StatusOr<PersonKey> Linker::Find(const PersonKey& key) const {
  if (static_cast<int>(key.role) != 0) {
    if (IndexOf(key) != kNoIndex) return key;
  } else {
    // No role given: the person under the first role held, as key order would give.
    PersonKey with_role = key;
    for (int role = 1; role <= kMaxPartyRole; ++role) {
      with_role.role = static_cast<PartyRole>(role);
      if (IndexOf(with_role) != kNoIndex) return with_role;
    }
  }
  return absl::NotFoundError(absl::StrCat("no person ", key.force_code, "/", key.record_id, "/",
                                          key.nominal_ref, " on the hub"));
}

absl::StatusOr<PairScore> Linker::Explain(const PersonKey& a, const PersonKey& b) const {
  const Index ia = IndexOf(a), ib = IndexOf(b);
  if (ia == kNoIndex || ib == kNoIndex) {
    return absl::NotFoundError("no such person record on the hub");
  }
  return scorer_.Compare(persons_[ia].view(), persons_[ib].view());
}

void Linker::AdoptEntityIds(const Linker& previous) {
  const std::map<EntityId, EntityId> redirects(previous.redirect_.begin(),
                                               previous.redirect_.end());
  AdoptEntityIds([&](const PersonKey& key) { return previous.EntityOf(key); }, redirects,
                 previous.next_entity_);
}

void Linker::AdoptEntityIds(const SavedAssignment& previous) {
  AdoptEntityIds(
      [&](const PersonKey& key) -> std::optional<EntityId> {
        auto it = previous.entity_of.find(key);
        if (it == previous.entity_of.end()) return std::nullopt;
        return it->second;
      },
      previous.redirects, previous.next_entity);
}

Linker::SavedAssignment Linker::Assignment() const {
  SavedAssignment out;
  // Sorted first, then appended at the map's end: inserting a million keys in hash order walked
  // the tree from the root each time (3.75 s at a million, most of a relink's id carry-over).
  std::vector<Index> by_key;
  by_key.reserve(person_count());
  for (Index i = 0; i < persons_.size(); ++i) {
    if (alive_[i]) by_key.push_back(i);
  }
  std::sort(by_key.begin(), by_key.end(),
            [&](Index x, Index y) { return persons_[x].key() < persons_[y].key(); });
  for (const Index i : by_key) {
    out.entity_of.emplace_hint(out.entity_of.end(), persons_[i].key().ToKey(), entity_of_[i]);
  }
  out.redirects.insert(redirect_.begin(), redirect_.end());
  out.next_entity = next_entity_;
  return out;
}

void Linker::AdoptEntityIds(
    absl::FunctionRef<std::optional<EntityId>(const PersonKey&)> previous_id,
    const std::map<EntityId, EntityId>& previous_redirects, EntityId previous_next) {
  std::vector<std::pair<PersonKeyView, EntityId>> order;  // entities by smallest member key
  for (const auto& [id, members] : members_) {
    PersonKeyView smallest = persons_[members[0]].key();
    for (Index i : members) smallest = std::min(smallest, persons_[i].key());
    order.emplace_back(smallest, id);
  }
  std::sort(order.begin(), order.end());
  absl::btree_map<EntityId, EntityMembers> renamed;
  absl::flat_hash_set<EntityId> taken;
  absl::flat_hash_map<EntityId, EntityId> moved_to;
  EntityId next = std::max(next_entity_, previous_next);
  std::vector<EntityId> candidates;  // the members' previous ids, ascending
  for (const auto& [smallest, id] : order) {
    candidates.clear();
    for (Index i : members_[id]) {
      if (auto old = previous_id(persons_[i].key().ToKey()); old.has_value() && *old != 0) {
        candidates.push_back(*old);
      }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    EntityId chosen = 0;
    for (EntityId c : candidates) {
      if (!taken.contains(c)) {
        chosen = c;
        break;
      }
    }
    if (chosen == 0) chosen = next++;
    taken.insert(chosen);
    for (EntityId c : candidates) moved_to.try_emplace(c, chosen);
    for (Index i : members_[id]) entity_of_[i] = chosen;
    renamed[chosen] = std::move(members_[id]);
  }
  members_ = std::move(renamed);
  redirect_.clear();
  redirect_.insert(previous_redirects.begin(), previous_redirects.end());
  for (const auto& [old_id, new_id] : moved_to) {
    if (!taken.contains(old_id)) redirect_[old_id] = new_id;
  }
  next_entity_ = next;
}

void Linker::ForEachCandidatePair(
    absl::FunctionRef<void(const PersonKey&, const PersonKey&)> visit) const {
  for (Index i = 0; i < persons_.size(); ++i) {
    if (!alive_[i]) continue;
    for (Index j : Candidates(i, KeysOf(i))) {
      if (j > i && alive_[j]) visit(persons_[i].key().ToKey(), persons_[j].key().ToKey());
    }
  }
}

size_t Linker::link_count() const {
  size_t n = 0;
  for (const auto& l : links_) n += l.size();
  return n / 2;
}

LinkerMemory Linker::Memory() const {
  // A B-tree's nodes are about three quarters full.
  constexpr double kBtreeFill = 0.75;
  LinkerMemory m;
  m.record_bands = lsh_.memory_bytes() + VectorBytes(lsh_positions_) + VectorBytes(band_masks_);
  for (const auto& positions : lsh_positions_) m.record_bands += VectorBytes(positions);
  m.address_bands = address_lsh_.memory_bytes() + VectorBytes(address_ranks_);
  m.token_blocks = token_blocks_.memory_bytes() + SwissTableBytes(crowded_blocks_);
  m.record_filters = VectorBytes(clk_words_) + VectorBytes(screen_facts_);
  m.person_slots = VectorBytes(persons_) + alive_.capacity() / 8 + VectorBytes(free_) +
                   VectorBytes(next_in_record_) + VectorBytes(entity_of_);
  m.key_maps = SwissTableBytes(by_record_);
  m.links = VectorBytes(links_);
  for (const LinkEnds& ends : links_) m.links += ends.heap_bytes();
  m.entities = SwissTableBytes(redirect_) +
               static_cast<size_t>(members_.size() * sizeof(*members_.begin()) / kBtreeFill);
  for (const auto& [id, members] : members_) m.entities += members.heap_bytes();
  m.records_anonymous = arena_.anonymous_bytes();
  m.records_in_file = arena_.file_bytes();
  return m;
}

}  // namespace crossforce
