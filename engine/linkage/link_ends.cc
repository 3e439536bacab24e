#include "engine/linkage/link_ends.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <stdexcept>

namespace crossforce {

LinkEnds& LinkEnds::operator=(LinkEnds&& other) noexcept {
  if (this != &other) {
    clear();
    std::memcpy(static_cast<void*>(ends_), other.ends_, sizeof(ends_));
    other.SetEmptyInPlace();
  }
  return *this;
}

size_t LinkEnds::size() const {
  if (on_heap()) return Word(kSizeOffset);
  size_t n = 0;
  while (n < kInPlace && ends_[n].other != kNoOther) ++n;
  return n;
}

void LinkEnds::push_back(LinkEnd end) {
  // A NaN or infinite weight would read as the heap form's tag; the linker's weights are sums of
  // log2 ratios, far inside a float's range, so this only guards the encoding.
  if (!std::isfinite(end.weight)) end.weight = std::signbit(end.weight) ? -FLT_MAX : FLT_MAX;
  const size_t n = size();
  if (!on_heap() && n < kInPlace) {
    ends_[n] = end;
    return;
  }
  LinkEnd* block = on_heap() ? heap_block() : nullptr;
  if (block == nullptr || n == heap_capacity()) {  // in place and full, or the block full
    const size_t grown = std::max<size_t>(4, 2 * n);
    if (grown > ~kExponentBits) throw std::length_error("LinkEnds: too many links of one person");
    LinkEnd* bigger = new LinkEnd[grown];
    std::copy(begin(), begin() + n, bigger);
    delete[] block;
    block = bigger;
    SetHeap(block, static_cast<uint32_t>(n), static_cast<uint32_t>(grown));
  }
  block[n] = end;
  SetWord(kSizeOffset, static_cast<uint32_t>(n + 1));
}

void LinkEnds::EraseOther(uint32_t other) {
  LinkEnd* const first = begin();
  LinkEnd* const last =
      std::remove_if(first, end(), [other](const LinkEnd& e) { return e.other == other; });
  const size_t n = static_cast<size_t>(last - first);
  if (!on_heap()) {
    for (size_t k = n; k < kInPlace; ++k) ends_[k] = LinkEnd{kNoOther, 0, 0.0f};
    return;
  }
  if (n > kInPlace) {
    SetWord(kSizeOffset, static_cast<uint32_t>(n));
    return;
  }
  // Few enough to hold in place again: the block is freed.
  LinkEnd* const block = first;
  SetEmptyInPlace();
  std::copy(block, block + n, ends_);
  delete[] block;
}

void LinkEnds::clear() {
  if (on_heap()) delete[] heap_block();
  SetEmptyInPlace();
}

size_t LinkEnds::heap_bytes() const { return on_heap() ? heap_capacity() * sizeof(LinkEnd) : 0; }

void LinkEnds::SetHeap(LinkEnd* block, uint32_t size, uint32_t capacity) {
  std::memcpy(static_cast<void*>(ends_), &block, sizeof(block));
  SetWord(kSizeOffset, size);
  SetWord(kCapacityOffset, capacity | kExponentBits);
}

void LinkEnds::SetEmptyInPlace() {
  for (LinkEnd& e : ends_) e = LinkEnd{kNoOther, 0, 0.0f};
}

}  // namespace crossforce
