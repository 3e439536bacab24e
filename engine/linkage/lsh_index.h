// The buckets of a banded LSH index: for each band, which persons' sampled bits give each
// signature. The Linker computes the signatures; this class only files and finds persons by them,
// by their own signature or (multi-probe) by any within one bit of it.
// The Linker also keeps its token blocks here, as one band keyed by the blocks' hashes.
//
// Each band has two parts:
// - packed: laid in bulk by a relink (PackBand). A bucket's members sit side by side in one array,
//   found through a table addressed directly by the signature's top bits (about one entry per
//   four members, at most 2^16 unless more lets the rest fit a byte), then a search of the
//   remaining bits. Looking a bucket up costs about three cache misses whatever its size. A
//   member costs its index, in as many bits as the band's largest needs (PackedIndices: 24 at
//   ten million records), and the remaining bits, in one byte when the table can take enough of
//   the signature for them to fit (PackBand chooses whichever costs less). A removed member is
//   blanked in place.
// - recent: persons added one at a time since (Add), as a chain per bucket through a pool of
//   nodes. Its tables are split into kShards per band by signature, so that a table doubling as
//   buckets arrive stalls an add for a fraction of the band.
// Before, every bucket was a chain through all its members (one dependent cache miss a member: at
// a million records an incremental link walked about 830), and every person carried a next link
// in every band whether or not it had a neighbour.
//
// Thread-compatible; PackBand calls for distinct bands may run concurrently.
#ifndef CROSSFORCE_ENGINE_LINKAGE_LSH_INDEX_H_
#define CROSSFORCE_ENGINE_LINKAGE_LSH_INDEX_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "engine/linkage/packed_indices.h"
#include "engine/linkage/prefetch.h"

namespace crossforce {

class LshIndex {
 public:
  // A packed band's members are PackedIndices, whose mark of a removed member is this one.
  using Index = PackedIndices::Index;
  static constexpr Index kNoIndex = PackedIndices::kNoIndex;
  // Bits set in `x`, counted up to 2 (2: two or more): whether two signatures are within the
  // probe radius. Not std::popcount, which without -mpopcnt is a library call, and this runs
  // for every member of a probed table entry and in the relink's rule for a pair's band.
  static constexpr int BitsUpToTwo(uint64_t x) { return x == 0 ? 0 : (x & (x - 1)) == 0 ? 1 : 2; }
  // The widest signature a band may have.
  static constexpr int kMaxSignatureBits = 32;
  // Suffixes of at most this many bits are held in a byte.
  static constexpr int kNarrowSuffixBits = 8;

  // `signature_bits`: the width of every band's signature, clamped to 0..kMaxSignatureBits.
  LshIndex(size_t bands, int signature_bits);

  size_t bands() const { return bands_.size(); }
  int signature_bits() const { return signature_bits_; }

  // (signature, person): a signature has at most kMaxSignatureBits bits, and a relink sorts
  // hundreds of millions of these at ten million records, so they are 8 bytes, not 16.
  using Entry = std::pair<uint32_t, Index>;
  // Replaces band `band`'s buckets by `entries`, sorted. The band's recent part must be empty (a
  // relink into an empty index). A bucket for which drop(signature, members) is true is
  // dropped: it holds no one, and persons added later under its signature are not filed (see
  // LinkerOptions::dropped_block_members and dropped_band_members).
  void PackBand(size_t band, const std::vector<Entry>& entries,
                absl::FunctionRef<bool(uint32_t, size_t)> drop = DropNone);
  static bool DropNone(uint32_t, size_t) { return false; }
  // Whether PackBand dropped band `band`'s bucket `signature`.
  bool Dropped(size_t band, uint64_t signature) const {
    const Band& b = bands_[band];
    return !b.dropped.empty() && b.dropped.contains(static_cast<uint32_t>(signature));
  }
  // Buckets dropped in all bands.
  size_t dropped_buckets() const;
  // Bytes the buckets take, reserved capacity included: for sizing a hub, not exact to the
  // allocator's rounding.
  size_t memory_bytes() const;
  // Calls visit(members, size) for each bucket of band `band`'s packed part, its members in the
  // order PackBand was given them; removed members are left in, as kNoIndex.
  template <typename Visit>
  void ForEachPackedBucket(size_t band, Visit visit) const;

  // Files person i, not held, under its signature in each band (one per band).
  void Add(Index i, const std::vector<uint64_t>& signatures);
  // Takes person i out of the buckets it was filed under with these signatures.
  void Remove(Index i, const std::vector<uint64_t>& signatures);
  // The same for one band, where a person may be filed under several signatures (the token
  // blocks are one band of keys).
  void AddToBand(size_t band, Index i, uint64_t signature);
  void RemoveFromBand(size_t band, Index i, uint64_t signature);

  // Calls visit(j) for every person in band `band`'s bucket `signature`, in no particular order.
  template <typename Visit>
  void ForEachMember(size_t band, uint64_t signature, Visit visit) const;
  // The members of every band's buckets whose signatures are within `radius` bits (0 or 1) of
  // signatures[b] in band b, each visited as visit(j), in no particular order. With radius 1 (a
  // multi-probe lookup) a band is skipped when signatures[b]'s own bucket was dropped: a person
  // whose bucket was dropped is filed nowhere in that band, so it must not find others there
  // either, or a pair would be found in one order of arrival and not the other (a relink finds
  // neither). A packed lookup is a chain of dependent cache misses (table entry, suffixes,
  // members), so the chains of all lookups are walked a step at a time, each step's lines
  // fetched for every lookup before any is read. Radius 1 looks up one table entry for the
  // signature (whose suffixes within one bit of its own are taken) and one for each bit of its
  // prefix flipped (the suffix equal to its own), not one per signature one bit away.
  template <typename Visit>
  void ForEachMemberWithin(const std::vector<uint64_t>& signatures, int radius, Visit visit) const;
  // Calls visit(a, a_size, b, b_size) for each two buckets of band `band`'s packed part whose
  // signatures differ in exactly one bit, with their members as ForEachPackedBucket gives them:
  // with ForEachPackedBucket, the pairs a relink finds that ForEachMemberWithin(.., 1, ..)
  // finds record by record. A linear walk per bit over the band's buckets in signature order.
  template <typename Visit>
  void ForEachPackedBucketPairOneBitApart(size_t band, Visit visit) const;

 private:
  static constexpr int kShardBits = 6;
  static constexpr size_t kShards = size_t{1} << kShardBits;
  static size_t ShardOf(uint64_t signature) {
    return (signature * 0x9e3779b97f4a7c15ull) >> (64 - kShardBits);
  }
  struct Node {
    Index person;
    uint32_t next;  // kNoNode ends a chain; in a free node, the next free one
  };
  static constexpr uint32_t kNoNode = ~uint32_t{0};

  // A band's chain nodes, in blocks of fixed size: the pool grows a block at a time and never
  // moves the nodes it holds. As one vector, every band's pool doubled in the same add (each add
  // takes one node in every band), and at a million records that add copied 48 pools.
  class NodePool {
   public:
    // A node for a new chain entry: a freed one, or a new one.
    uint32_t Take();
    // Returns node n to the pool.
    void Give(uint32_t n);
    Node& operator[](uint32_t n) { return blocks_[n >> kBlockBits][n & kBlockMask]; }
    const Node& operator[](uint32_t n) const { return blocks_[n >> kBlockBits][n & kBlockMask]; }
    size_t memory_bytes() const {
      return blocks_.capacity() * sizeof(blocks_[0]) +
             blocks_.size() * (kBlockMask + 1) * sizeof(Node);
    }

   private:
    static constexpr int kBlockBits = 12;  // 4,096 nodes, 32 KiB a block
    static constexpr uint32_t kBlockMask = (uint32_t{1} << kBlockBits) - 1;
    std::vector<std::unique_ptr<Node[]>> blocks_;
    uint32_t size_ = 0;  // nodes handed out from the blocks, freed or not
    uint32_t free_ = kNoNode;
  };

  struct Band {
    // Packed: members[offsets[p] .. offsets[p + 1]) have prefix p (the signature's top
    // prefix_bits bits), sorted by suffix (the other suffix_bits) and then by person. The
    // suffixes are in narrow_suffixes when suffix_bits is at most kNarrowSuffixBits, else in
    // wide_suffixes.
    int prefix_bits = 0;
    int suffix_bits = 0;
    std::vector<uint32_t> offsets;
    std::vector<uint8_t> narrow_suffixes;
    std::vector<uint16_t> wide_suffixes;
    PackedIndices members;
    absl::flat_hash_set<uint32_t> dropped;  // signatures of dropped buckets
    // Recent: bucket signature -> first node of its chain, split by ShardOf.
    std::vector<absl::flat_hash_map<uint64_t, uint32_t>> heads;
    NodePool nodes;
  };
  // f(b's suffixes), whichever width they are held in.
  template <typename F>
  static decltype(auto) WithSuffixes(const Band& b, F f) {
    return b.suffix_bits <= kNarrowSuffixBits ? f(b.narrow_suffixes) : f(b.wide_suffixes);
  }
  // The packed range of `signature`'s bucket in `b`, as [first, last).
  std::pair<size_t, size_t> PackedRange(const Band& b, uint64_t signature) const;
  // Where in `b` the suffixes of `signature`'s prefix lie (the table entry), and the part of
  // them equal to its suffix: the two steps of PackedRange. Not on a band never packed.
  static size_t TableEntry(const Band& b, uint64_t signature) {
    return (signature >> b.suffix_bits) & ((uint64_t{1} << b.prefix_bits) - 1);
  }
  static std::pair<size_t, size_t> SuffixRange(const Band& b, uint64_t signature, size_t first,
                                               size_t last) {
    const uint16_t suffix = static_cast<uint16_t>(signature & ((uint64_t{1} << b.suffix_bits) - 1));
    return WithSuffixes(b, [&](const auto& suffixes) {
      const auto [lo, hi] = std::equal_range(
          suffixes.begin() + first, suffixes.begin() + last,
          static_cast<typename std::decay_t<decltype(suffixes)>::value_type>(suffix));
      return std::pair<size_t, size_t>(lo - suffixes.begin(), hi - suffixes.begin());
    });
  }
  // Starts fetching a run of `bytes` at `begin`, at most its first kMaxBytesAhead: a longer
  // run's binary search touches only some of them. Always inlined (see PrefetchLines).
  static constexpr size_t kMaxBytesAhead = 8 * 64;
  [[gnu::always_inline]] static void Fetch(const void* begin, size_t bytes) {
    PrefetchLines(begin, std::min(bytes, kMaxBytesAhead));
  }
  // Calls visit(signature, begin, end) for each bucket of b's packed part in signature order,
  // its members being b.members[begin, end).
  template <typename Visit>
  static void ForEachPackedRun(const Band& b, Visit visit);
  // Sets `out` to members [begin, end) of `members`.
  static void Unpack(const PackedIndices& members, size_t begin, size_t end,
                     std::vector<Index>& out) {
    out.resize(end - begin);
    for (size_t k = begin; k < end; ++k) out[k - begin] = members[k];
  }
  // Calls visit(j) for the members of b's recent part filed under `signature`.
  template <typename Visit>
  static void ForEachRecentMember(const Band& b, uint64_t signature, Visit visit);

  const int signature_bits_;
  std::vector<Band> bands_;
};

template <typename Visit>
void LshIndex::ForEachRecentMember(const Band& b, uint64_t signature, Visit visit) {
  const auto& heads = b.heads[ShardOf(signature)];
  if (heads.empty()) return;
  auto it = heads.find(signature);
  if (it == heads.end()) return;
  for (uint32_t n = it->second; n != kNoNode; n = b.nodes[n].next) visit(b.nodes[n].person);
}

template <typename Visit>
void LshIndex::ForEachMember(size_t band, uint64_t signature, Visit visit) const {
  const Band& b = bands_[band];
  const auto [first, last] = PackedRange(b, signature);
  for (size_t k = first; k < last; ++k) {
    if (const Index j = b.members[k]; j != kNoIndex) visit(j);
  }
  ForEachRecentMember(b, signature, visit);
}

template <typename Visit>
void LshIndex::ForEachPackedRun(const Band& b, Visit visit) {
  WithSuffixes(b, [&](const auto& suffixes) {
    for (size_t entry = 0; entry + 1 < b.offsets.size(); ++entry) {
      for (size_t begin = b.offsets[entry], end; begin < b.offsets[entry + 1]; begin = end) {
        for (end = begin + 1; end < b.offsets[entry + 1] && suffixes[end] == suffixes[begin];
             ++end) {
        }
        visit((uint64_t{entry} << b.suffix_bits) | suffixes[begin], begin, end);
      }
    }
  });
}

template <typename Visit>
void LshIndex::ForEachPackedBucket(size_t band, Visit visit) const {
  const Band& b = bands_[band];
  std::vector<Index> members;
  ForEachPackedRun(b, [&](uint64_t, size_t begin, size_t end) {
    Unpack(b.members, begin, end, members);
    visit(members.data(), members.size());
  });
}

template <typename Visit>
void LshIndex::ForEachMemberWithin(const std::vector<uint64_t>& signatures, int radius,
                                   Visit visit) const {
  const size_t n = std::min(signatures.size(), bands_.size());
  radius = std::clamp(radius, 0, 1);
  // One table entry of a packed band, and the members there to visit: those whose suffix equals
  // the signature's, or (suffix_within_one_bit) is at most one bit from it.
  struct Lookup {
    uint32_t band;
    uint64_t signature;
    bool suffix_within_one_bit;
    size_t first = 0, last = 0;
  };
  thread_local std::vector<Lookup> lookups;  // kept between calls: hundreds at radius 1
  lookups.clear();
  for (size_t band = 0; band < n; ++band) {
    const Band& b = bands_[band];
    const uint64_t signature = signatures[band];
    if (b.offsets.empty() || (radius > 0 && Dropped(band, signature))) continue;
    lookups.push_back({static_cast<uint32_t>(band), signature, radius > 0});
    for (int bit = b.suffix_bits; radius > 0 && bit < signature_bits_; ++bit) {
      lookups.push_back({static_cast<uint32_t>(band), signature ^ (uint64_t{1} << bit), false});
    }
  }
  for (const Lookup& l : lookups) {
    const Band& b = bands_[l.band];
    Fetch(&b.offsets[TableEntry(b, l.signature)], 8);
  }
  for (Lookup& l : lookups) {
    const Band& b = bands_[l.band];
    const size_t entry = TableEntry(b, l.signature);
    l.first = b.offsets[entry];
    l.last = b.offsets[entry + 1];
    WithSuffixes(b, [&](const auto& suffixes) {
      Fetch(suffixes.data() + l.first, (l.last - l.first) * sizeof(suffixes[0]));
    });
  }
  for (Lookup& l : lookups) {
    const Band& b = bands_[l.band];
    if (!l.suffix_within_one_bit) {
      std::tie(l.first, l.last) = SuffixRange(b, l.signature, l.first, l.last);
    }
    Fetch(b.members.address(l.first), b.members.span_bytes(l.first, l.last));
  }
  for (const Lookup& l : lookups) {
    const Band& b = bands_[l.band];
    if (!l.suffix_within_one_bit) {
      for (size_t k = l.first; k < l.last; ++k) {
        if (const Index j = b.members[k]; j != kNoIndex) visit(j);
      }
      continue;
    }
    const uint64_t own = l.signature & ((uint64_t{1} << b.suffix_bits) - 1);
    WithSuffixes(b, [&](const auto& suffixes) {
      for (size_t k = l.first; k < l.last; ++k) {
        if (BitsUpToTwo(suffixes[k] ^ own) <= 1) {
          if (const Index j = b.members[k]; j != kNoIndex) visit(j);
        }
      }
    });
  }
  for (size_t band = 0; band < n; ++band) {
    const Band& b = bands_[band];
    const uint64_t signature = signatures[band];
    if (radius > 0 && Dropped(band, signature)) continue;
    ForEachRecentMember(b, signature, visit);
    for (int bit = 0; radius > 0 && bit < signature_bits_; ++bit) {
      ForEachRecentMember(b, signature ^ (uint64_t{1} << bit), visit);
    }
  }
}

template <typename Visit>
void LshIndex::ForEachPackedBucketPairOneBitApart(size_t band, Visit visit) const {
  const Band& b = bands_[band];
  // The band's buckets in signature order: signatures[k]'s members start at begins[k] and end
  // at begins[k + 1]. Apart, so that the walks read 4 bytes a bucket.
  std::vector<uint32_t> signatures, begins;
  ForEachPackedRun(b, [&](uint64_t signature, size_t begin, size_t) {
    signatures.push_back(static_cast<uint32_t>(signature));
    begins.push_back(static_cast<uint32_t>(begin));
  });
  begins.push_back(static_cast<uint32_t>(b.members.size()));
  // For bit `flip`, the buckets without it, in order, meet theirs with it in order too: one
  // pointer each.
  std::vector<Index> without, with;
  for (int bit = 0; bit < signature_bits_; ++bit) {
    const uint32_t flip = uint32_t{1} << bit;
    size_t j = 0;
    for (size_t k = 0; k < signatures.size(); ++k) {
      if ((signatures[k] & flip) != 0) continue;
      const uint32_t target = signatures[k] | flip;
      while (j < signatures.size() && signatures[j] < target) ++j;
      if (j == signatures.size()) break;
      if (signatures[j] == target) {
        Unpack(b.members, begins[k], begins[k + 1], without);
        Unpack(b.members, begins[j], begins[j + 1], with);
        visit(without.data(), without.size(), with.data(), with.size());
      }
    }
  }
}

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_LSH_INDEX_H_
