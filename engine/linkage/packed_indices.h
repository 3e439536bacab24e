// Person indices held in as few bits each as the largest of them needs, for the members of the
// LSH index's packed buckets: at ten million records an index needs 24 bits, not 32, and a person
// record is a member some forty times over (record bands, address bands, token blocks).
//
// Each index takes `width` bits, little-endian, side by side in a byte array with 7 bytes of
// padding after the last, so that any one is read with a single unaligned 8-byte load, a shift
// and a mask (width is at most 32 and the shift at most 7). The all-ones value of the width marks
// a removed member and reads as kNoIndex. Thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_PACKED_INDICES_H_
#define CROSSFORCE_ENGINE_LINKAGE_PACKED_INDICES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace crossforce {

class PackedIndices {
 public:
  using Index = uint32_t;
  static constexpr Index kNoIndex = ~Index{0};

  PackedIndices() = default;
  // `indices`, kNoIndex or not, in order; the width is the fewest bits that hold the largest
  // index other than kNoIndex below the all-ones value.
  explicit PackedIndices(const std::vector<Index>& indices) {
    Index largest = 0;
    for (Index i : indices) {
      if (i != kNoIndex && i > largest) largest = i;
    }
    width_ = 1;
    while (width_ < 32 && (uint64_t{largest} + 1) >> width_ != 0) ++width_;
    mask_ = (uint64_t{1} << width_) - 1;
    size_ = indices.size();
    bytes_.assign((size_ * width_ + 7) / 8 + kPadding, 0);
    for (size_t k = 0; k < size_; ++k) Put(k, indices[k] == kNoIndex ? mask_ : indices[k]);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int width() const { return width_; }

  Index operator[](size_t k) const {
    const size_t bit = k * width_;
    uint64_t word;
    std::memcpy(&word, bytes_.data() + bit / 8, sizeof(word));
    const uint64_t value = (word >> (bit % 8)) & mask_;
    return value == mask_ ? kNoIndex : static_cast<Index>(value);
  }
  // Marks member k removed: it reads as kNoIndex from then on.
  void Blank(size_t k) { Put(k, mask_); }

  // Where the bytes holding members [first, last) begin, and how many there are: for prefetching.
  const void* address(size_t first) const { return bytes_.data() + first * width_ / 8; }
  size_t span_bytes(size_t first, size_t last) const {
    return last <= first ? 0 : (last * width_ + 7) / 8 - first * width_ / 8;
  }
  size_t memory_bytes() const { return bytes_.capacity(); }

 private:
  static constexpr size_t kPadding = 7;

  // Sets member k's bits to `value` (at most mask_), leaving its neighbours' as they are.
  void Put(size_t k, uint64_t value) {
    const size_t bit = k * width_;
    uint64_t word;
    std::memcpy(&word, bytes_.data() + bit / 8, sizeof(word));
    word = (word & ~(mask_ << (bit % 8))) | (value << (bit % 8));
    std::memcpy(bytes_.data() + bit / 8, &word, sizeof(word));
  }

  int width_ = 1;
  uint64_t mask_ = 1;
  size_t size_ = 0;
  std::vector<uint8_t> bytes_ = std::vector<uint8_t>(kPadding, 0);
};

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_PACKED_INDICES_H_
