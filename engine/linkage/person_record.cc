#include "engine/linkage/person_record.h"

#include <algorithm>

namespace crossforce {
namespace {

void AddParty(const Party& party, RecordKind kind, const RecordKey& key,
              std::vector<PersonRecord>& out) {
  if (!party.identity.has_value()) return;
  PersonRecord person;
  person.key = PersonKey{kind, key.force_code, key.record_id, party.nominal_ref, party.role};
  for (const PersonRecord& existing : out) {
    if (existing.key == person.key) return;
  }
  for (const IdentifierToken& t : party.identity->tokens) AddToken(person, t.kind, t.token);
  SortTokens(person);
  for (const FieldEncoding& e : party.identity->encodings) {
    const int field = static_cast<int>(e.field);
    if (field >= 1 && field <= kMaxEncodedField) person.SetFilter(e.field, e.bloom_filter);
  }
  person.sex = party.identity->sex;
  out.push_back(std::move(person));
}

}  // namespace

LinkToken MakeLinkToken(TokenKind kind, absl::string_view token) {
  uint64_t hash = 0xcbf29ce484222325u;  // FNV-1a, 64-bit: fixed, unlike a per-process seeded hash
  for (const char c : token) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3u;
  }
  return LinkToken::Of(kind, hash);
}

void PersonRecord::SetFilter(EncodedField f, absl::string_view bits) {
  const int k = static_cast<int>(f);
  const size_t begin = filter_start[k], old_size = filter_start[k + 1] - begin;
  filter_bytes.replace(begin, old_size, bits.data(), bits.size());
  const ptrdiff_t shift = static_cast<ptrdiff_t>(bits.size()) - static_cast<ptrdiff_t>(old_size);
  for (int later = k + 1; later < static_cast<int>(filter_start.size()); ++later) {
    filter_start[later] = static_cast<uint16_t>(filter_start[later] + shift);
  }
  filter_ones[k] =
      static_cast<uint16_t>(PopCount(reinterpret_cast<const uint8_t*>(bits.data()), bits.size()));
}

void AddToken(PersonRecord& person, TokenKind kind, absl::string_view token) {
  person.tokens.push_back(MakeLinkToken(kind, token));
}

void SortTokens(PersonRecord& person) {
  std::vector<LinkToken>& tokens = person.tokens;
  // Kinds outside the vocabulary cannot be compared with anything: dropped.
  std::erase_if(tokens, [](const LinkToken& t) {
    return static_cast<int>(t.kind()) < 1 || static_cast<int>(t.kind()) > kMaxTokenKind;
  });
  if (tokens.size() > 255) tokens.resize(255);
  std::sort(tokens.begin(), tokens.end());
  size_t i = 0;
  for (int kind = 0; kind <= kMaxTokenKind + 1; ++kind) {
    while (i < tokens.size() && static_cast<int>(tokens[i].kind()) < kind) ++i;
    person.kind_start[kind] = static_cast<uint8_t>(i);
  }
}

std::vector<PersonRecord> ExtractPersons(const Record& record) {
  std::vector<PersonRecord> out;
  if (const auto* incident = std::get_if<Incident>(&record)) {
    for (const Party& party : incident->parties) {
      AddParty(party, RecordKind::kIncident, incident->key, out);
    }
  } else {
    const auto& order = std::get<ProtectiveOrder>(record);
    if (order.subject.has_value()) AddParty(*order.subject, RecordKind::kOrder, order.key, out);
    if (order.protected_person.has_value()) {
      AddParty(*order.protected_person, RecordKind::kOrder, order.key, out);
    }
  }
  return out;
}

}  // namespace crossforce
