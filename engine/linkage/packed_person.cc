#include "engine/linkage/packed_person.h"

#include <cstring>

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
  const size_t total =
      compared + header.force_code_size + header.record_id_size + header.nominal_ref_size;
  PackedPerson packed;
  packed.block_ = new uint64_t[(total + 7) / 8]();  // the gaps after the header and the key zeroed
  packed.owns_block_ = true;
  packed.compared_bytes_ = static_cast<uint32_t>(compared);
  char* out = reinterpret_cast<char*>(packed.block_);
  std::memcpy(out, &header, sizeof(header));
  out += kTokensOffset;
  std::memcpy(out, person.tokens.data(), tokens * sizeof(LinkToken));
  out += tokens * sizeof(LinkToken);
  for (int f = 0; f < kFilterSlots; ++f) {
    if (f == record && !with_record_filter) continue;
    const size_t size = person.filter_start[f + 1] - person.filter_start[f];
    std::memcpy(out, person.filter_bytes.data() + person.filter_start[f], size);
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
    block_ = std::exchange(other.block_, nullptr);
    compared_bytes_ = std::exchange(other.compared_bytes_, 0);
    owns_block_ = std::exchange(other.owns_block_, false);
  }
  return *this;
}

void PackedPerson::Release() {
  if (owns_block_) delete[] block_;
  block_ = nullptr;
  owns_block_ = false;
}

PackedPerson PackedPerson::CopyInto(MappedArena& arena) const {
  const size_t words = (size() + 7) / 8;
  PackedPerson copy;
  copy.block_ = arena.Allocate(words);
  std::memcpy(copy.block_, block_, words * sizeof(uint64_t));
  copy.compared_bytes_ = compared_bytes_;
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
  const char* force_code = bytes() + compared_bytes_;
  const char* record_id = force_code + h.force_code_size;
  const char* nominal_ref = record_id + h.record_id_size;
  return PersonKeyView(h.kind, absl::string_view(force_code, h.force_code_size),
                       absl::string_view(record_id, h.record_id_size),
                       absl::string_view(nominal_ref, h.nominal_ref_size), h.role);
}

size_t PackedPerson::size() const {
  if (empty()) return 0;
  const Header& h = header();
  return compared_bytes_ + h.force_code_size + h.record_id_size + h.nominal_ref_size;
}

}  // namespace crossforce
