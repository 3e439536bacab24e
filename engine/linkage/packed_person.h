// A person record as the linker holds it: key, tokens, field filters and sex in one block of
// memory, read through views (PersonView for comparisons, PersonKeyView for the key).
//
// A PersonRecord keeps the same data in a 232-byte struct (a third of it the key's three string
// headers) and two heap blocks, tokens and filters, each with its allocator's rounding and the
// token vector's spare capacity. Held packed, a million benchmark records took 290 bytes a person
// less (1.55 KB of linker heap to 1.26 KB; BENCHMARKS.md). Comparing with a candidate also read
// three places scattered through memory; a packed record is one run of cache lines, its tokens
// and filters first.
//
// Layout: a Header, the sorted tokens (8-byte aligned), the field filters back to back in field
// order, then the key's force code, record id and nominal reference. Pack puts the block on the
// heap; CopyInto copies it into a MappedArena, which the linker holds its records in.
// Move-only; thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_PACKED_PERSON_H_
#define CROSSFORCE_ENGINE_LINKAGE_PACKED_PERSON_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "engine/linkage/mapped_arena.h"
#include "engine/linkage/person_record.h"
#include "engine/linkage/prefetch.h"

namespace crossforce {

class PackedPerson {
 public:
  PackedPerson() = default;  // holds nothing: a free slot
  PackedPerson(PackedPerson&& other) noexcept { *this = std::move(other); }
  PackedPerson& operator=(PackedPerson&& other) noexcept;
  ~PackedPerson() { Release(); }

  // `person` packed. Its tokens must be in SortTokens' order. With `with_record_filter` false
  // the filter of EncodedField::kRecord is left out (the linker keeps 1024-bit record filters
  // in an array of their own).
  static PackedPerson Pack(const PersonRecord& person, bool with_record_filter);

  // The same record in a block of `arena`, which must outlive the copy. Not on an empty one.
  PackedPerson CopyInto(MappedArena& arena) const;

  bool empty() const { return word_ == 0; }
  // Both valid while this is, and not moved from. Not on an empty one.
  PersonView view() const;
  PersonKeyView key() const;
  // Bytes of the block a comparison reads (header, tokens, filters), rounded up to whole words,
  // for prefetching without reading the block.
  size_t compared_bytes() const { return ((word_ >> kAddressBits) & kComparedWordsMask) * 8; }
  const void* data() const { return block(); }
  // Bytes of the whole block.
  size_t size() const;

 private:
  struct Header {
    std::array<uint8_t, kKindStarts> kind_start;
    std::array<uint16_t, kFilterSlots + 1> filter_start;  // from the start of the filters
    std::array<uint16_t, kFilterSlots> filter_ones;
    Sex sex;
    RecordKind kind;
    PartyRole role;
    uint32_t force_code_size;
    uint32_t record_id_size;
    uint32_t nominal_ref_size;
    // Where the key's strings start: beside their sizes, so that reading a key (clustering
    // orders links by their records' keys) touches no more of the header than they do.
    uint32_t compared_bytes;
  };
  static constexpr size_t kTokensOffset = (sizeof(Header) + 7) / 8 * 8;

  uint64_t* block() const { return reinterpret_cast<uint64_t*>(word_ & kAddressMask); }
  bool owns_block() const { return (word_ >> kOwnsBit) != 0; }
  // The block, the words of its compared part and whether this owns it, in one word.
  static uint64_t Word(const uint64_t* block, size_t compared_bytes, bool owns_block);
  const Header& header() const { return *reinterpret_cast<const Header*>(block()); }
  const char* bytes() const { return reinterpret_cast<const char*>(block()); }
  // The exact bytes of the compared part, from the header: the key's strings follow it.
  size_t ExactComparedBytes() const { return header().compared_bytes; }
  const char* filters() const {
    return bytes() + kTokensOffset + header().kind_start[kKindStarts - 1] * sizeof(LinkToken);
  }

  void Release();

  // One word, so that the linker's slot a person record is 8 bytes (16 with the address, the
  // compared bytes and the flag apart): the block's address in the low kAddressBits bits (a
  // user-space address on x86-64 and AArch64 Linux fits in 47 or 48 unless mmap is asked for a
  // higher one), the words of its compared part in the next 15 (a header, at most 255 tokens and
  // filters of at most 65,535 bytes: under 2^14 words), and in the top bit whether the block is
  // on the heap and owned (Pack) or in an arena (CopyInto). 0: empty.
  static constexpr int kAddressBits = 48;
  static constexpr uint64_t kAddressMask = (uint64_t{1} << kAddressBits) - 1;
  static constexpr uint64_t kComparedWordsMask = (uint64_t{1} << 15) - 1;
  static constexpr int kOwnsBit = 63;
  uint64_t word_ = 0;
};
static_assert(sizeof(PackedPerson) == 8);

// Fetches the part of `p` a comparison reads (see kPrefetchFieldsAhead). Always inlined (see
// PrefetchLines).
[[gnu::always_inline]] inline void PrefetchPackedPerson(const PackedPerson& p) {
  PrefetchLines(p.data(), p.compared_bytes());
}

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_PACKED_PERSON_H_
