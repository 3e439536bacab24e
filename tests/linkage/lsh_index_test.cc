#include "engine/linkage/lsh_index.h"

#include <algorithm>
#include <bit>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace crossforce {
namespace {

using Index = LshIndex::Index;

std::vector<Index> Members(const LshIndex& index, size_t band, uint64_t signature) {
  std::vector<Index> out;
  index.ForEachMember(band, signature, [&](Index j) { out.push_back(j); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LshIndexTest, FindsPackedMembersByTheirWholeSignature) {
  LshIndex index(/*bands=*/1, /*signature_bits=*/22);
  // Same 16-bit prefix, different suffixes; and a signature differing only in its top bit.
  const uint64_t a = 0x2abcd5, b = 0x2abcd6, c = 0x0abcd5;
  index.PackBand(0, {{c, 7}, {a, 1}, {a, 4}, {b, 2}});
  EXPECT_EQ(Members(index, 0, a), (std::vector<Index>{1, 4}));
  EXPECT_EQ(Members(index, 0, b), (std::vector<Index>{2}));
  EXPECT_EQ(Members(index, 0, c), (std::vector<Index>{7}));
  EXPECT_TRUE(Members(index, 0, 0x2abcd7).empty());
}

TEST(LshIndexTest, DropsOversizedBucketsNowAndForLaterAdds) {
  LshIndex index(/*bands=*/2, /*signature_bits=*/22);
  // Band 0: bucket 5 has three members, bucket 0x2abcd5 two, bucket 8 one.
  index.PackBand(0, {{5, 1}, {5, 2}, {5, 3}, {8, 4}, {0x2abcd5, 6}, {0x2abcd5, 7}},
                 [](uint32_t, size_t members) { return members >= 3; });
  index.PackBand(1, {{5, 1}, {5, 2}, {5, 3}});  // no dropping
  EXPECT_TRUE(index.Dropped(0, 5));
  EXPECT_FALSE(index.Dropped(0, 0x2abcd5));
  EXPECT_FALSE(index.Dropped(1, 5));
  EXPECT_EQ(index.dropped_buckets(), 1u);
  EXPECT_TRUE(Members(index, 0, 5).empty());
  EXPECT_EQ(Members(index, 0, 0x2abcd5), (std::vector<Index>{6, 7}));
  EXPECT_EQ(Members(index, 0, 8), (std::vector<Index>{4}));
  EXPECT_EQ(Members(index, 1, 5), (std::vector<Index>{1, 2, 3}));
  // A person added later under a dropped signature is not filed there, but is elsewhere.
  index.Add(9, {5, 5});
  EXPECT_TRUE(Members(index, 0, 5).empty());
  EXPECT_EQ(Members(index, 1, 5), (std::vector<Index>{1, 2, 3, 9}));
  size_t visited = 0;
  index.ForEachMemberWithin({5, 5}, /*radius=*/0, [&](Index) { ++visited; });
  EXPECT_EQ(visited, 4u) << "band 1's four, none of band 0's dropped bucket";
  // One bit away from the dropped bucket 5 lies bucket 4's member, but a person filed nowhere
  // in band 0 looks nothing up there; from bucket 4 the dropped bucket holds no one.
  index.Add(10, {4, 0});
  visited = 0;
  index.ForEachMemberWithin({5, 5}, /*radius=*/1, [&](Index) { ++visited; });
  EXPECT_EQ(visited, 4u) << "band 1's four, none of band 0";
  std::vector<Index> near_4;
  index.ForEachMemberWithin({4}, /*radius=*/1, [&](Index j) { near_4.push_back(j); });
  EXPECT_EQ(near_4, (std::vector<Index>{10}));
  index.Remove(10, {4, 0});
  index.Remove(9, {5, 5});
  EXPECT_EQ(Members(index, 1, 5), (std::vector<Index>{1, 2, 3}));
  // The packed buckets that remain, in the order given.
  std::vector<std::vector<Index>> buckets;
  index.ForEachPackedBucket(
      0, [&](const Index* members, size_t size) { buckets.emplace_back(members, members + size); });
  std::sort(buckets.begin(), buckets.end());
  EXPECT_EQ(buckets, (std::vector<std::vector<Index>>{{4}, {6, 7}}));
}

TEST(LshIndexTest, RemovesFromThePackedAndTheRecentParts) {
  LshIndex index(/*bands=*/2, /*signature_bits=*/22);
  index.PackBand(0, {{5, 1}, {5, 2}});
  index.PackBand(1, {{9, 1}, {9, 2}});
  index.Add(3, {5, 9});
  EXPECT_EQ(Members(index, 0, 5), (std::vector<Index>{1, 2, 3}));
  index.Remove(1, {5, 9});
  index.Remove(3, {5, 9});
  EXPECT_EQ(Members(index, 0, 5), (std::vector<Index>{2}));
  EXPECT_EQ(Members(index, 1, 9), (std::vector<Index>{2}));
  // A removed person's slot taken by a new person with other signatures.
  index.Add(1, {6, 9});
  EXPECT_EQ(Members(index, 0, 5), (std::vector<Index>{2}));
  EXPECT_EQ(Members(index, 0, 6), (std::vector<Index>{1}));
  EXPECT_EQ(Members(index, 1, 9), (std::vector<Index>{1, 2}));
}

// A band packed from many records uses the widest direct-addressed prefix (16 of 22 bits here,
// its 6-bit suffixes held in a byte); small ones a narrower table and 16-bit suffixes. Both find
// the same buckets.
TEST(LshIndexTest, FindsBucketsWhateverThePackedBandsSize) {
  for (const size_t records : {size_t{10}, size_t{1} << 18}) {
    SCOPED_TRACE(records);
    LshIndex index(/*bands=*/1, /*signature_bits=*/22);
    std::mt19937_64 rng(7);
    std::vector<LshIndex::Entry> entries;
    std::map<uint64_t, std::vector<Index>> expected;
    for (Index i = 0; i < records; ++i) {
      const uint64_t signature = rng() & ((uint64_t{1} << 22) - 1);
      entries.emplace_back(signature, i);
      expected[signature].push_back(i);
    }
    std::sort(entries.begin(), entries.end());
    index.PackBand(0, entries);
    for (const auto& [signature, members] : expected) {
      ASSERT_EQ(Members(index, 0, signature), members) << signature;
      ASSERT_TRUE(Members(index, 0, signature ^ 1).empty() || expected.contains(signature ^ 1));
    }
  }
}

// A member costs its index, in as many bits as the largest index needs (2^n members, indices
// 0..2^n - 1, take n + 1: all ones marks a removed member), and a byte of suffix where a table
// large enough for the suffixes to fit a byte costs less than their second bytes, else two: the
// table is 4 bytes an entry, and the rest of the index a few KiB.
TEST(LshIndexTest, HoldsSuffixesInAByteWhenTheTableForItCostsLess) {
  struct Case {
    int bits;
    size_t members;
    size_t table_entries;
    size_t suffix_bytes;
    size_t index_bits;
  };
  // 22 bits: the table PrefixBits gives (2^16 entries) leaves 6 bits. 25 bits over 2^20
  // members: one of 2^17 entries (512 KiB) saves 1 MiB. 25 bits over 2^12: it would save 4 KiB,
  // so one entry per four members (2^10) and 15-bit suffixes in two bytes. 32 bits: 2^24
  // entries would cost 64 MiB.
  for (const Case c : {Case{22, size_t{1} << 18, size_t{1} << 16, 1, 19},
                       Case{25, size_t{1} << 20, size_t{1} << 17, 1, 21},
                       Case{25, size_t{1} << 12, size_t{1} << 10, 2, 13},
                       Case{32, size_t{1} << 18, size_t{1} << 16, 2, 19}}) {
    SCOPED_TRACE(c.bits);
    SCOPED_TRACE(c.members);
    LshIndex index(/*bands=*/1, c.bits);
    const size_t empty = index.memory_bytes();
    std::mt19937_64 rng(c.bits);
    std::vector<LshIndex::Entry> entries;
    for (Index i = 0; i < c.members; ++i) {
      entries.emplace_back(static_cast<uint32_t>(rng() >> (64 - c.bits)), i);
    }
    std::sort(entries.begin(), entries.end());
    index.PackBand(0, entries);
    EXPECT_EQ(index.memory_bytes() - empty, (c.table_entries + 1) * sizeof(uint32_t) +
                                                c.members * c.suffix_bytes +
                                                c.members * c.index_bits / 8);
    for (size_t k = 0; k < entries.size(); k += 97) {
      const std::vector<Index> found = Members(index, 0, entries[k].first);
      ASSERT_TRUE(std::binary_search(found.begin(), found.end(), entries[k].second)) << k;
    }
  }
}

// Records linked one at a time since the last relink fill several of a band's node blocks; freed
// nodes are taken again before new ones.
TEST(LshIndexTest, RecentMembersSpanningManyNodeBlocksAreAllFound) {
  LshIndex index(/*bands=*/2, /*signature_bits=*/22);
  std::map<uint64_t, std::set<Index>> expected[2];  // by band, bucket
  const auto signatures = [](Index i) { return std::vector<uint64_t>{i % 97, i % 89}; };
  const auto add = [&](Index i) {
    index.Add(i, signatures(i));
    for (size_t band = 0; band < 2; ++band) expected[band][signatures(i)[band]].insert(i);
  };
  for (Index i = 0; i < 10000; ++i) add(i);
  for (Index i = 0; i < 10000; i += 3) {
    index.Remove(i, signatures(i));
    for (size_t band = 0; band < 2; ++band) expected[band][signatures(i)[band]].erase(i);
  }
  for (Index i = 10000; i < 12000; ++i) add(i);
  for (size_t band = 0; band < 2; ++band) {
    for (const auto& [signature, members] : expected[band]) {
      const std::vector<Index> found = Members(index, band, signature);
      ASSERT_EQ(std::vector<Index>(members.begin(), members.end()), found) << signature;
    }
  }
}

// Random packs, adds and removals against a plain map of buckets, at several signature widths
// (none, narrower than the direct-addressed prefix, the default, the widest).
TEST(LshIndexTest, AgreesWithAPlainMapOfBuckets) {
  for (const int bits : {0, 3, 22, 32}) {
    SCOPED_TRACE(bits);
    constexpr size_t kBands = 3;
    LshIndex index(kBands, bits);
    std::mt19937_64 rng(bits + 1);
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    // A few signatures per band, so buckets hold several members.
    const auto draw = [&] { return (rng() % 40) * 0x9e3779b97f4a7c15ull & mask; };
    std::map<Index, std::vector<uint64_t>> held;  // person -> signature per band
    for (Index i = 0; i < 300; ++i) {
      std::vector<uint64_t> s;
      for (size_t band = 0; band < kBands; ++band) s.push_back(draw());
      held[i] = s;
    }
    for (size_t band = 0; band < kBands; ++band) {
      std::vector<LshIndex::Entry> entries;
      for (const auto& [i, s] : held) entries.emplace_back(s[band], i);
      std::sort(entries.begin(), entries.end());
      index.PackBand(band, entries);
    }
    Index next = 300;
    for (int step = 0; step < 2000; ++step) {
      if (rng() % 2 == 0 && !held.empty()) {
        auto it = held.begin();
        std::advance(it, rng() % held.size());
        index.Remove(it->first, it->second);
        held.erase(it);
      } else {
        // New persons, and slots freed earlier taken again.
        Index i = next++;
        if (rng() % 3 == 0) {
          for (Index j = 0; j < next; ++j) {
            if (!held.contains(j)) {
              i = j;
              break;
            }
          }
        }
        std::vector<uint64_t> s;
        for (size_t band = 0; band < kBands; ++band) s.push_back(draw());
        index.Add(i, s);
        held[i] = s;
      }
    }
    std::map<std::pair<size_t, uint64_t>, std::vector<Index>> expected;
    for (const auto& [i, s] : held) {
      for (size_t band = 0; band < kBands; ++band) expected[{band, s[band]}].push_back(i);
    }
    for (auto& [bucket, members] : expected) {
      std::sort(members.begin(), members.end());
      EXPECT_EQ(Members(index, bucket.first, bucket.second), members)
          << "band " << bucket.first << " signature " << bucket.second;
    }
    // Every band looked up at once finds what the bands looked up one by one find, also when
    // fewer signatures than bands are given.
    int found_some = 0;
    for (int query = 0; query < 200; ++query) {
      std::vector<uint64_t> signatures;
      for (size_t band = 0; band < kBands - query % 2; ++band) signatures.push_back(draw());
      std::vector<Index> one_by_one, at_once;
      for (size_t band = 0; band < signatures.size(); ++band) {
        const std::vector<Index> members = Members(index, band, signatures[band]);
        one_by_one.insert(one_by_one.end(), members.begin(), members.end());
      }
      index.ForEachMemberWithin(signatures, /*radius=*/0, [&](Index j) { at_once.push_back(j); });
      std::sort(one_by_one.begin(), one_by_one.end());
      std::sort(at_once.begin(), at_once.end());
      EXPECT_EQ(at_once, one_by_one) << "query " << query;
      found_some += !at_once.empty();
    }
    EXPECT_GT(found_some, 100);
    for (uint64_t k = 0; k < 40; ++k) {
      const uint64_t signature = k * 0x9e3779b97f4a7c15ull & mask;
      for (size_t band = 0; band < kBands; ++band) {
        if (!expected.contains({band, signature})) {
          EXPECT_TRUE(Members(index, band, signature).empty());
        }
      }
    }
  }
}

// Persons whose signatures lie a bit or two apart, packed and added, against every held
// person's signatures compared one by one: a lookup within one bit (multi-probe) finds exactly
// the persons one bit away or none in each band whose own bucket was not dropped, and the
// packed pairs one bit apart are exactly the packed persons' pairs one bit apart.
TEST(LshIndexTest, FindsBucketsWithinOneBitAsComparingEverySignatureWould) {
  for (const int bits : {1, 3, 12, 22, 29, 32}) {
    SCOPED_TRACE(bits);
    constexpr size_t kBands = 2;
    LshIndex index(kBands, bits);
    std::mt19937_64 rng(bits + 7);
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    const uint64_t bases[] = {rng() & mask, rng() & mask, rng() & mask};
    const auto flip = [&] { return uint64_t{1} << (rng() % bits); };
    const auto draw = [&] {
      uint64_t s = bases[rng() % 3];
      if (rng() % 2 == 0) s ^= flip();
      if (rng() % 4 == 0) s ^= flip();
      return s & mask;
    };
    std::map<Index, std::vector<uint64_t>> held, packed;
    for (Index i = 0; i < 400; ++i) {
      for (size_t band = 0; band < kBands; ++band) packed[i].push_back(draw());
    }
    for (size_t band = 0; band < kBands; ++band) {
      std::vector<LshIndex::Entry> entries;
      for (const auto& [i, s] : packed) entries.emplace_back(s[band], i);
      std::sort(entries.begin(), entries.end());
      // Band 1 drops its buckets of 40 or more (the bases' own, at most widths).
      index.PackBand(band, entries,
                     [&](uint32_t, size_t members) { return band == 1 && members >= 40; });
    }
    held = packed;
    for (Index i = 400; i < 500; ++i) {
      std::vector<uint64_t> s;
      for (size_t band = 0; band < kBands; ++band) s.push_back(draw());
      index.Add(i, s);
      held[i] = s;
    }
    const auto filed = [&](size_t band, uint64_t s) { return !index.Dropped(band, s); };
    int found_some = 0;
    for (int query = 0; query < 100; ++query) {
      std::vector<uint64_t> signatures;
      for (size_t band = 0; band < kBands; ++band) signatures.push_back(draw());
      std::vector<Index> expected, found;
      for (const auto& [i, s] : held) {
        for (size_t band = 0; band < kBands; ++band) {
          if (filed(band, signatures[band]) && filed(band, s[band]) &&
              std::popcount(s[band] ^ signatures[band]) <= 1) {
            expected.push_back(i);
          }
        }
      }
      index.ForEachMemberWithin(signatures, /*radius=*/1, [&](Index j) { found.push_back(j); });
      std::sort(expected.begin(), expected.end());
      std::sort(found.begin(), found.end());
      EXPECT_EQ(found, expected) << "query " << query;
      found_some += !found.empty();
    }
    EXPECT_GT(found_some, 50);
    for (size_t band = 0; band < kBands; ++band) {
      std::set<std::pair<Index, Index>> expected, found;
      for (const auto& [i, s] : packed) {
        for (const auto& [j, t] : packed) {
          if (i < j && filed(band, s[band]) && filed(band, t[band]) &&
              std::popcount(s[band] ^ t[band]) == 1) {
            expected.emplace(i, j);
          }
        }
      }
      index.ForEachPackedBucketPairOneBitApart(
          band, [&](const Index* a, size_t a_size, const Index* b, size_t b_size) {
            for (size_t x = 0; x < a_size; ++x) {
              for (size_t y = 0; y < b_size; ++y) {
                EXPECT_TRUE(found.emplace(std::min(a[x], b[y]), std::max(a[x], b[y])).second);
              }
            }
          });
      EXPECT_EQ(found, expected) << "band " << band;
      if (band == 0) {
        EXPECT_FALSE(expected.empty()) << "band 0 drops nothing";
      }
    }
  }
}

}  // namespace
}  // namespace crossforce
