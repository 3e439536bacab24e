#include "engine/linkage/entity_members.h"

#include <stdexcept>
#include <vector>

namespace crossforce {

EntityMembers::EntityMembers(absl::Span<const uint32_t> indices) {
  for (uint32_t index : indices) {
    if (index >= kMaxIndex) throw std::out_of_range("EntityMembers: index past kMaxIndex");
  }
  SetEmptyInPlace();
  if (indices.size() <= kInPlace) {
    for (size_t k = 0; k < indices.size(); ++k) slots_[k] = indices[k] | kInPlaceTag;
    return;
  }
  if (indices.size() >= kMaxIndex) throw std::length_error("EntityMembers: too many members");
  uint32_t* b = new uint32_t[indices.size() + 1];
  b[0] = static_cast<uint32_t>(indices.size());
  std::memcpy(b + 1, indices.data(), indices.size() * sizeof(uint32_t));
  std::memcpy(slots_, &b, sizeof(b));
}

EntityMembers& EntityMembers::operator=(EntityMembers&& other) noexcept {
  if (this != &other) {
    clear();
    std::memcpy(slots_, other.slots_, sizeof(slots_));
    other.SetEmptyInPlace();
  }
  return *this;
}

size_t EntityMembers::size() const {
  if (on_heap()) return block()[0];
  return (slots_[0] != kEmptySlot) + (slots_[1] != kEmptySlot);
}

void EntityMembers::Erase(uint32_t index) {
  std::vector<uint32_t> kept;
  kept.reserve(size());
  for (uint32_t member : *this) {
    if (member != index) kept.push_back(member);
  }
  if (kept.size() == size()) return;
  // Deletions are rare: the rest go to a block of their number, or in place. The new form is
  // made before the old is freed, so a failed allocation leaves the members as they were.
  *this = EntityMembers(kept);
}

void EntityMembers::clear() {
  if (on_heap()) delete[] block();
  SetEmptyInPlace();
}

}  // namespace crossforce
