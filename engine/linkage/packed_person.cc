#include "engine/linkage/packed_person.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

namespace crossforce {

PackedPerson PackedPerson::Pack(const PersonRecord& person, bool with_record_filter) {
  // Padding and all zeroed, as the block is below: it is written to the record file as it is,
  // and two packings of one person are equal byte for byte (Linker::Update compares them).
  Header header;
  std::memset(&header, 0, sizeof(header));
  header.kind_start = person.kind_start;
  header.filter_ones = person.filter_ones;
  header.sex = person.sex;
  header.kind = person.key.kind;
  header.role = person.key.role;
  header.force_code_size = static_cast<uint32_t>(person.key.force_code.size());
  header.record_id_size = static_cast<uint32_t>(person.key.record_id.size());
  header.nominal_ref_size = static_cast<uint32_t>(person.key.nominal_ref.size());
  const int record = static_cast<int>(EncodedField::kRecord);
  uint16_t filter_bytes = 0;
  for (int f = 0; f < kFilterSlots; ++f) {
    header.filter_start[f] = filter_bytes;
    if (f == record && !with_record_filter) {
      header.filter_ones[f] = 0;
      continue;
    }
    filter_bytes =
        static_cast<uint16_t>(filter_bytes + person.filter_start[f + 1] - person.filter_start[f]);
  }
  header.filter_start[kFilterSlots] = filter_bytes;

  const size_t tokens = header.kind_start[kKindStarts - 1];
  const size_t compared = kTokensOffset + tokens * sizeof(LinkToken) + filter_bytes;
  header.compared_bytes = static_cast<uint32_t>(compared);
  const size_t total =
      compared + header.force_code_size + header.record_id_size + header.nominal_ref_size;
  // The gaps after the header and the key zeroed.
  std::unique_ptr<uint64_t[]> owned(new uint64_t[(total + 7) / 8]());
  PackedPerson packed;
  packed.word_ = Word(owned.get(), compared, /*owns_block=*/true);
  char* out = reinterpret_cast<char*>(owned.release());
  std::memcpy(out, &header, sizeof(header));
  out += kTokensOffset;
  // A person without tokens has an empty vector, whose data() may be null: memcpy must not be
  // given null even for no bytes.
  if (tokens > 0) std::memcpy(out, person.tokens.data(), tokens * sizeof(LinkToken));
  out += tokens * sizeof(LinkToken);
  for (int f = 0; f < kFilterSlots; ++f) {
    if (f == record && !with_record_filter) continue;
    const size_t size = person.filter_start[f + 1] - person.filter_start[f];
    if (size > 0) std::memcpy(out, person.filter_bytes.data() + person.filter_start[f], size);
    out += size;
  }
  for (const std::string* s :
       {&person.key.force_code, &person.key.record_id, &person.key.nominal_ref}) {
    std::memcpy(out, s->data(), s->size());
    out += s->size();
  }
  return packed;
}

PackedPerson& PackedPerson::operator=(PackedPerson&& other) noexcept {
  if (this != &other) {
    Release();
    word_ = std::exchange(other.word_, 0);
  }
  return *this;
}

void PackedPerson::Release() {
  if (owns_block()) delete[] block();
  word_ = 0;
}

PackedPerson PackedPerson::CopyInto(MappedArena& arena) const {
  const size_t words = (size() + 7) / 8;
  uint64_t* const block = arena.Allocate(words);
  std::memcpy(block, this->block(), words * sizeof(uint64_t));
  PackedPerson copy;
  copy.word_ = Word(block, compared_bytes(), /*owns_block=*/false);
  return copy;
}

PersonView PackedPerson::view() const {
  const Header& h = header();
  return PersonView(reinterpret_cast<const LinkToken*>(bytes() + kTokensOffset),
                    h.kind_start.data(), filters(), h.filter_start.data(), h.filter_ones.data(),
                    h.sex);
}

PersonKeyView PackedPerson::key() const {
  const Header& h = header();
  const char* force_code = bytes() + ExactComparedBytes();
  const char* record_id = force_code + h.force_code_size;
  const char* nominal_ref = record_id + h.record_id_size;
  return PersonKeyView(h.kind, absl::string_view(force_code, h.force_code_size),
                       absl::string_view(record_id, h.record_id_size),
                       absl::string_view(nominal_ref, h.nominal_ref_size), h.role);
}

size_t PackedPerson::size() const {
  if (empty()) return 0;
  const Header& h = header();
  return ExactComparedBytes() + h.force_code_size + h.record_id_size + h.nominal_ref_size;
}

uint64_t PackedPerson::Word(const uint64_t* block, size_t compared_bytes, bool owns_block) {
  const uint64_t address = reinterpret_cast<uintptr_t>(block);
  // Not reached on the platforms the hub runs on (see word_); a block out of reach is as memory
  // that cannot be had.
  if (address == 0 || (address & ~kAddressMask) != 0) throw std::bad_alloc();
  const uint64_t words = std::min<uint64_t>((compared_bytes + 7) / 8, kComparedWordsMask);
  return address | (words << kAddressBits) | (uint64_t{owns_block} << kOwnsBit);
}

}  // namespace crossforce
