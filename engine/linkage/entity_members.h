// The members of one entity, as the linker's entity map holds them: in 8 bytes an entity, the
// first two in place and more in a heap block of their own.
//
// A relink of the benchmark's population finds a third of its entities with one record, a third
// with two and nearly all the rest with three (BENCHMARKS.md), so the map is mostly handles. An
// absl::InlinedVector of four indices took 24 bytes; this takes 8, and a block of 4 + 4n bytes
// for n > 2. The two forms are told apart by the top bit of the second slot: an index is below
// 2^31 - 1 (the linker holds fewer persons), so in place that bit is set on every slot, while the
// block's address, held as is so that leak checkers see it, is a user-space address, whose top
// bit is clear. Holds indices in the order given. Move-only; thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_ENTITY_MEMBERS_H_
#define CROSSFORCE_ENGINE_LINKAGE_ENTITY_MEMBERS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "absl/types/span.h"

namespace crossforce {

class EntityMembers {
 public:
  // The largest index a member may have, plus one (the linker's kMaxPersons): 2^31 - 1 with the
  // in-place tag is an empty slot.
  static constexpr uint32_t kMaxIndex = (uint32_t{1} << 31) - 1;

  // Reads the indices, in place or in the block, without the in-place tag.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = uint32_t;
    using difference_type = std::ptrdiff_t;
    using pointer = const uint32_t*;
    using reference = uint32_t;

    const_iterator() = default;
    explicit const_iterator(const uint32_t* slot) : slot_(slot) {}
    uint32_t operator*() const { return *slot_ & ~kInPlaceTag; }
    const_iterator& operator++() {
      ++slot_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator was = *this;
      ++slot_;
      return was;
    }
    bool operator==(const const_iterator& other) const { return slot_ == other.slot_; }

   private:
    const uint32_t* slot_ = nullptr;
  };

  EntityMembers() { SetEmptyInPlace(); }
  // Holds `indices`, each below kMaxIndex, in their order: in place when there are at most two,
  // else in a new block.
  explicit EntityMembers(absl::Span<const uint32_t> indices);
  EntityMembers(const EntityMembers&) = delete;
  EntityMembers& operator=(const EntityMembers&) = delete;
  EntityMembers(EntityMembers&& other) noexcept {
    std::memcpy(slots_, other.slots_, sizeof(slots_));
    other.SetEmptyInPlace();
  }
  EntityMembers& operator=(EntityMembers&& other) noexcept;
  ~EntityMembers() { clear(); }

  const_iterator begin() const { return const_iterator(first_slot()); }
  const_iterator end() const { return const_iterator(first_slot() + size()); }
  size_t size() const;
  bool empty() const { return size() == 0; }
  uint32_t operator[](size_t k) const { return first_slot()[k] & ~kInPlaceTag; }

  // Removes every member equal to `index`, keeping the order of the rest.
  void Erase(uint32_t index);
  // Removes every member and frees the block.
  void clear();
  // Bytes of the heap block (0 when the members are in place), for memory accounting.
  size_t heap_bytes() const { return on_heap() ? (size() + 1) * sizeof(uint32_t) : 0; }

 private:
  static_assert(std::endian::native == std::endian::little,
                "the second slot must be the top half of the block's address");
  static constexpr uint32_t kInPlaceTag = uint32_t{1} << 31;
  static constexpr uint32_t kEmptySlot = ~uint32_t{0};  // in place, no member
  static constexpr size_t kInPlace = 2;

  bool on_heap() const { return (slots_[1] & kInPlaceTag) == 0; }
  // The block: its size, then the members.
  uint32_t* block() const {
    uint32_t* b;
    std::memcpy(&b, slots_, sizeof(b));
    return b;
  }
  const uint32_t* first_slot() const { return on_heap() ? block() + 1 : slots_; }
  void SetEmptyInPlace() { slots_[0] = slots_[1] = kEmptySlot; }

  alignas(8) uint32_t slots_[kInPlace];
};
static_assert(sizeof(EntityMembers) == 8);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_ENTITY_MEMBERS_H_
