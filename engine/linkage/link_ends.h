// The ends of one person's links, as the linker's adjacency holds them: in 16 bytes a person,
// the first two in place and more in a heap block of their own.
//
// Most linked records have one or two links (a person recorded twice or three times), so the
// adjacency of ten million records is mostly handles. An absl::InlinedVector of two ends took 24
// bytes (its size and a union of the two ends with a heap pointer and capacity); this one takes
// 16 by telling its two forms apart by the bits of the second end's weight. In a heap block, the
// 16 bytes hold the block's address, its size and its capacity, the capacity with every exponent
// bit of a float set: read as the second end's weight it is a NaN, which a held end's weight never
// is (push_back holds weights as finite floats). An end slot in place that holds nothing has
// kNoOther as its other. Move-only; thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_LINK_ENDS_H_
#define CROSSFORCE_ENGINE_LINKAGE_LINK_ENDS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace crossforce {

// One end of a link, in the adjacency of the other: the other's index in 31 bits, a flag the
// linker's clustering sets (`merged`), and the link's weight as a float, which holds a log2
// likelihood ratio to seven digits.
struct LinkEnd {
  uint32_t other : 31;
  uint32_t merged : 1;
  float weight;
};
static_assert(sizeof(LinkEnd) == 8);

class LinkEnds {
 public:
  // The largest index an end may name, plus one: marks an empty slot in place.
  static constexpr uint32_t kNoOther = (uint32_t{1} << 31) - 1;

  LinkEnds() { SetEmptyInPlace(); }
  LinkEnds(const LinkEnds&) = delete;
  LinkEnds& operator=(const LinkEnds&) = delete;
  LinkEnds(LinkEnds&& other) noexcept {
    std::memcpy(static_cast<void*>(ends_), other.ends_, sizeof(ends_));
    other.SetEmptyInPlace();
  }
  LinkEnds& operator=(LinkEnds&& other) noexcept;
  ~LinkEnds() { clear(); }

  LinkEnd* begin() { return on_heap() ? heap_block() : ends_; }
  LinkEnd* end() { return begin() + size(); }
  const LinkEnd* begin() const { return on_heap() ? heap_block() : ends_; }
  const LinkEnd* end() const { return begin() + size(); }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Appends `end`; its weight is held as the nearest finite float.
  void push_back(LinkEnd end);
  // Removes the ends whose other is `other`, keeping the order of the rest.
  void EraseOther(uint32_t other);
  // Removes every end and frees the heap block.
  void clear();
  // Bytes of the heap block (0 when the ends are in place), for memory accounting.
  size_t heap_bytes() const;

 private:
  static constexpr uint32_t kExponentBits = 0x7f800000;
  static constexpr size_t kInPlace = 2;
  static constexpr size_t kSizeOffset = 8;
  static constexpr size_t kCapacityOffset = 12;

  uint32_t Word(size_t offset) const {
    uint32_t w;
    std::memcpy(&w, reinterpret_cast<const char*>(ends_) + offset, sizeof(w));
    return w;
  }
  void SetWord(size_t offset, uint32_t w) {
    std::memcpy(reinterpret_cast<char*>(ends_) + offset, &w, sizeof(w));
  }
  bool on_heap() const { return (Word(kCapacityOffset) & kExponentBits) == kExponentBits; }
  LinkEnd* heap_block() const {
    LinkEnd* block;
    std::memcpy(&block, ends_, sizeof(block));
    return block;
  }
  size_t heap_capacity() const { return Word(kCapacityOffset) & ~kExponentBits; }
  void SetHeap(LinkEnd* block, uint32_t size, uint32_t capacity);
  void SetEmptyInPlace();

  alignas(8) LinkEnd ends_[kInPlace];
};
static_assert(sizeof(LinkEnds) == 16);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_LINK_ENDS_H_
