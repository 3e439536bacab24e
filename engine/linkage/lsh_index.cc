#include "engine/linkage/lsh_index.h"

#include "engine/linkage/container_bytes.h"

namespace crossforce {
namespace {

// The direct-addressed table has at most 2^16 + 1 entries a band (256 KiB) unless a larger one
// costs less than it saves (PrefixBitsAndNarrowSuffixes), and at most 2^24 + 1 (64 MiB). Suffixes
// are at most 16-bit, so a signature of more than 16 bits needs at least its excess as prefix.
constexpr int kMaxPrefixBits = 16;
constexpr int kMaxNarrowPrefixBits = 24;
constexpr int kMaxSuffixBits = 16;

// Prefix bits for `members` entries of `signature_bits`: about four members per table entry, so
// that the table costs about a byte a member (12 MB at 10,000 records with 16 bits throughout).
int PrefixBits(size_t members, int signature_bits) {
  int log2_members = 0;
  while ((size_t{1} << (log2_members + 1)) <= members) ++log2_members;
  const int wanted = std::max(log2_members - 2, 0);
  return std::clamp(wanted, std::max(signature_bits - kMaxSuffixBits, 0),
                    std::min(signature_bits, kMaxPrefixBits));
}

// The table's prefix bits for `members` entries, and whether suffixes are held in a byte: with
// the table PrefixBits gives, or with one just large enough for the suffixes to fit a byte,
// whichever costs fewer bytes (4 a table entry, 1 or 2 a member). At ten million records the
// record bands' 25-bit signatures fit a byte of suffix with a table of 2^17 entries (512 KiB
// against 10 MB saved); a hundred records' 22-bit ones would need 2^14 (64 KiB for 100 bytes).
std::pair<int, bool> PrefixBitsAndNarrowSuffixes(size_t members, int signature_bits) {
  const int wide = PrefixBits(members, signature_bits);
  if (signature_bits - wide <= LshIndex::kNarrowSuffixBits) return {wide, true};
  const int narrow = signature_bits - LshIndex::kNarrowSuffixBits;
  if (narrow > kMaxNarrowPrefixBits) return {wide, false};
  const auto cost = [&](int prefix_bits, size_t suffix_bytes) {
    return (size_t{4} << prefix_bits) + members * suffix_bytes;
  };
  return cost(narrow, 1) < cost(wide, 2) ? std::pair{narrow, true} : std::pair{wide, false};
}

}  // namespace

LshIndex::LshIndex(size_t bands, int signature_bits)
    : signature_bits_(std::clamp(signature_bits, 0, kMaxSignatureBits)), bands_(bands) {
  for (Band& b : bands_) b.heads.resize(kShards);
}

std::pair<size_t, size_t> LshIndex::PackedRange(const Band& b, uint64_t signature) const {
  if (b.offsets.empty()) return {0, 0};
  const size_t entry = TableEntry(b, signature);
  return SuffixRange(b, signature, b.offsets[entry], b.offsets[entry + 1]);
}

void LshIndex::PackBand(size_t band, const std::vector<Entry>& entries,
                        absl::FunctionRef<bool(uint32_t, size_t)> drop) {
  Band& b = bands_[band];
  // The buckets to drop, as runs [first, second) of `entries`, in order.
  b.dropped.clear();
  std::vector<std::pair<size_t, size_t>> dropped_runs;
  size_t kept = entries.size();
  for (size_t begin = 0, end; begin < entries.size(); begin = end) {
    for (end = begin + 1; end < entries.size() && entries[end].first == entries[begin].first;
         ++end) {
    }
    if (drop(entries[begin].first, end - begin)) {
      b.dropped.insert(entries[begin].first);
      dropped_runs.emplace_back(begin, end);
      kept -= end - begin;
    }
  }
  const auto [prefix_bits, narrow] = PrefixBitsAndNarrowSuffixes(kept, signature_bits_);
  b.prefix_bits = prefix_bits;
  b.suffix_bits = signature_bits_ - b.prefix_bits;
  const uint64_t suffix_mask = (uint64_t{1} << b.suffix_bits) - 1;
  const uint64_t prefix_mask = (uint64_t{1} << b.prefix_bits) - 1;
  std::vector<uint32_t> offsets((size_t{1} << b.prefix_bits) + 1, 0);
  std::vector<uint8_t> narrow_suffixes(narrow ? kept : 0);
  std::vector<uint16_t> wide_suffixes(narrow ? 0 : kept);
  std::vector<Index> members(kept);
  // Sorted by signature, so grouped by prefix and, within one, sorted by suffix.
  for (size_t k = 0, out = 0, run = 0; k < entries.size(); ++k) {
    if (run < dropped_runs.size() && k == dropped_runs[run].first) {
      k = dropped_runs[run++].second - 1;
      continue;
    }
    const auto& [signature, person] = entries[k];
    ++offsets[((signature >> b.suffix_bits) & prefix_mask) + 1];
    if (narrow) {
      narrow_suffixes[out] = static_cast<uint8_t>(signature & suffix_mask);
    } else {
      wide_suffixes[out] = static_cast<uint16_t>(signature & suffix_mask);
    }
    members[out++] = person;
  }
  for (size_t p = 1; p < offsets.size(); ++p) offsets[p] += offsets[p - 1];
  b.offsets = std::move(offsets);
  b.narrow_suffixes = std::move(narrow_suffixes);
  b.wide_suffixes = std::move(wide_suffixes);
  b.members = PackedIndices(members);
}

uint32_t LshIndex::NodePool::Take() {
  if (free_ != kNoNode) {
    const uint32_t n = free_;
    free_ = (*this)[n].next;
    return n;
  }
  if ((size_ & kBlockMask) == 0) blocks_.push_back(std::make_unique<Node[]>(kBlockMask + 1));
  return size_++;
}

void LshIndex::NodePool::Give(uint32_t n) {
  (*this)[n] = Node{kNoIndex, free_};
  free_ = n;
}

void LshIndex::Add(Index i, const std::vector<uint64_t>& signatures) {
  for (size_t band = 0; band < signatures.size() && band < bands_.size(); ++band) {
    AddToBand(band, i, signatures[band]);
  }
}

void LshIndex::Remove(Index i, const std::vector<uint64_t>& signatures) {
  for (size_t band = 0; band < signatures.size() && band < bands_.size(); ++band) {
    RemoveFromBand(band, i, signatures[band]);
  }
}

size_t LshIndex::dropped_buckets() const {
  size_t dropped = 0;
  for (const Band& b : bands_) dropped += b.dropped.size();
  return dropped;
}

size_t LshIndex::memory_bytes() const {
  size_t bytes = sizeof(*this) + VectorBytes(bands_);
  for (const Band& b : bands_) {
    bytes += VectorBytes(b.offsets) + VectorBytes(b.narrow_suffixes) +
             VectorBytes(b.wide_suffixes) + b.members.memory_bytes() + SwissTableBytes(b.dropped) +
             VectorBytes(b.heads) + b.nodes.memory_bytes();
    for (const auto& heads : b.heads) bytes += SwissTableBytes(heads);
  }
  return bytes;
}

void LshIndex::AddToBand(size_t band, Index i, uint64_t signature) {
  Band& b = bands_[band];
  if (!b.dropped.empty() && b.dropped.contains(static_cast<uint32_t>(signature))) return;
  const uint32_t node = b.nodes.Take();
  auto [it, inserted] = b.heads[ShardOf(signature)].try_emplace(signature, node);
  b.nodes[node] = Node{i, inserted ? kNoNode : it->second};
  it->second = node;
}

void LshIndex::RemoveFromBand(size_t band, Index i, uint64_t signature) {
  Band& b = bands_[band];
  auto& heads = b.heads[ShardOf(signature)];
  if (auto it = heads.find(signature); it != heads.end()) {
    uint32_t previous = kNoNode;
    uint32_t n = it->second;
    while (n != kNoNode && b.nodes[n].person != i) {
      previous = n;
      n = b.nodes[n].next;
    }
    if (n != kNoNode) {
      const uint32_t next = b.nodes[n].next;
      if (previous != kNoNode) {
        b.nodes[previous].next = next;
      } else if (next != kNoNode) {
        it->second = next;
      } else {
        heads.erase(it);
      }
      b.nodes.Give(n);
      return;
    }
  }
  const auto [first, last] = PackedRange(b, signature);
  for (size_t k = first; k < last; ++k) {
    if (b.members[k] == i) {
      b.members.Blank(k);
      return;
    }
  }
}

}  // namespace crossforce
