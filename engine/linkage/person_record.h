// The unit of linkage: one party (suspect, victim, order subject or protected person) of one stored
// record, with the anonymised identity it was recorded under. Value types; thread-compatible.
#ifndef CROSSFORCE_ENGINE_LINKAGE_PERSON_RECORD_H_
#define CROSSFORCE_ENGINE_LINKAGE_PERSON_RECORD_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/linkage/dice.h"
#include "engine/linkage/prefetch.h"
#include "engine/records.h"

namespace crossforce {

// Which party of which record: (kind, force, record id) and the force's nominal reference.
struct PersonKey {
  RecordKind kind = RecordKind::kIncident;
  std::string force_code;
  std::string record_id;
  std::string nominal_ref;
  PartyRole role = PartyRole::kSuspect;

  friend auto operator<=>(const PersonKey&, const PersonKey&) = default;
  friend bool operator==(const PersonKey&, const PersonKey&) = default;
};

// A PersonKey whose strings are held elsewhere (the linker keeps keys packed beside the records'
// tokens and filters). Ordered and equal exactly as the key it views. Non-owning, like a
// string_view, and implicitly made from a PersonKey as a string_view is from a string.
struct PersonKeyView {
  RecordKind kind = RecordKind::kIncident;
  absl::string_view force_code;
  absl::string_view record_id;
  absl::string_view nominal_ref;
  PartyRole role = PartyRole::kSuspect;

  PersonKeyView() = default;
  PersonKeyView(RecordKind kind, absl::string_view force_code, absl::string_view record_id,
                absl::string_view nominal_ref, PartyRole role)
      : kind(kind),
        force_code(force_code),
        record_id(record_id),
        nominal_ref(nominal_ref),
        role(role) {}
  PersonKeyView(const PersonKey& key)  // implicit: a view
      : PersonKeyView(key.kind, key.force_code, key.record_id, key.nominal_ref, key.role) {}

  PersonKey ToKey() const {
    return PersonKey{kind, std::string(force_code), std::string(record_id),
                     std::string(nominal_ref), role};
  }
  auto Tied() const { return std::tie(kind, force_code, record_id, nominal_ref, role); }
  friend bool operator<(const PersonKeyView& a, const PersonKeyView& b) {
    return a.Tied() < b.Tied();
  }
  friend bool operator==(const PersonKeyView& a, const PersonKeyView& b) {
    return a.Tied() == b.Tied();
  }
  template <typename H>
  friend H AbslHashValue(H h, const PersonKeyView& k) {
    return H::combine(std::move(h), k.kind, k.force_code, k.record_id, k.nominal_ref, k.role);
  }
};

// A keyed token reduced to one 64-bit word: its kind in the top byte and a 56-bit fingerprint of
// the token (FNV-1a) below, so that sorting the words orders tokens by kind, then fingerprint, and
// comparing two records reads a word per token. The full 32-byte tokens made each person's tokens
// span a dozen cache lines, and reading a candidate's tokens was a quarter of a million-record
// relink. Two different tokens of one kind agree by chance with probability 2^-56 per pair
// compared: about once in 10^8 relinks of a million records.
struct LinkToken {
  static constexpr uint64_t kFingerprintMask = (uint64_t{1} << 56) - 1;

  uint64_t packed = 0;

  TokenKind kind() const { return static_cast<TokenKind>(packed >> 56); }
  uint64_t fingerprint() const { return packed & kFingerprintMask; }
  // The token of `kind` with `fingerprint` (its low 56 bits). For kinds whose tokens share a key
  // (a lone given name's Soundex and a family name's), Of(other_kind, t.fingerprint()) is the
  // token t's value has under the other kind.
  static LinkToken Of(TokenKind kind, uint64_t fingerprint) {
    return LinkToken{(static_cast<uint64_t>(static_cast<uint8_t>(kind)) << 56) |
                     (fingerprint & kFingerprintMask)};
  }

  friend auto operator<=>(const LinkToken&, const LinkToken&) = default;
  friend bool operator==(const LinkToken&, const LinkToken&) = default;
};

// The number of filter slots a record holds: one per EncodedField value (0 unused).
inline constexpr int kFilterSlots = kMaxEncodedField + 1;
// The number of token runs a record indexes: one per TokenKind value, plus the end.
inline constexpr int kKindStarts = kMaxTokenKind + 2;

// The word of `token` of `kind`.
LinkToken MakeLinkToken(TokenKind kind, absl::string_view token);

struct PersonRecord {
  PersonKey key;
  // Sorted (by kind, then fingerprint) wherever comparisons read them (ExtractPersons and the
  // linker sort them), so that the tokens of one kind are a contiguous run.
  std::vector<LinkToken> tokens;
  // Where each kind's run starts in `tokens` (kind k: [kind_start[k], kind_start[k + 1])); set by
  // SortTokens.
  std::array<uint8_t, kKindStarts> kind_start{};
  Sex sex = Sex::kUnknown;

  // The Bloom filter of field `f`; empty when not recorded.
  absl::string_view filter(EncodedField f) const;  // read through PersonView
  // Sets (or, with empty `bits`, removes) the filter of field `f`.
  void SetFilter(EncodedField f, absl::string_view bits);
  // (Comparisons read a record through a PersonView.)

  // The filters of all fields back to back, in field order (field f: [filter_start[f],
  // filter_start[f + 1])). One block instead of a string per field: a string each cost 32 bytes
  // inline and a heap block apiece, and comparing two records read seven scattered blocks. The
  // hub's validator holds every filter to its schema length (the person schema's come to 480
  // bytes), well inside the 16-bit offsets.
  std::string filter_bytes;
  std::array<uint16_t, kFilterSlots + 1> filter_start{};
  // Bits set in each field's filter (by field number), kept by SetFilter: scoring a pair then
  // counts only the bits the two share. Counting all three was a fifth of a relink.
  std::array<uint16_t, kFilterSlots> filter_ones{};
};

// A person record's identity as comparisons read it (tokens, field filters, sex), wherever the
// record is held: a PersonRecord, or the linker's PackedPerson. Non-owning, valid while the
// record it views is, and cheap to copy, like a string_view.
class PersonView {
 public:
  // `kind_start`: kKindStarts entries; `filter_start`: kFilterSlots + 1; `filter_ones`:
  // kFilterSlots.
  PersonView(const LinkToken* tokens, const uint8_t* kind_start, const char* filter_bytes,
             const uint16_t* filter_start, const uint16_t* filter_ones, Sex sex)
      : tokens_(tokens),
        kind_start_(kind_start),
        filter_bytes_(filter_bytes),
        filter_start_(filter_start),
        filter_ones_(filter_ones),
        sex_(sex) {}
  PersonView(const PersonRecord& p)  // implicit: a view
      : PersonView(p.tokens.data(), p.kind_start.data(), p.filter_bytes.data(),
                   p.filter_start.data(), p.filter_ones.data(), p.sex) {}

  // Every token, sorted by kind, then fingerprint.
  const LinkToken* tokens_begin() const { return tokens_; }
  const LinkToken* tokens_end() const { return tokens_ + kind_start_[kKindStarts - 1]; }
  // The run of `kind` tokens.
  std::pair<const LinkToken*, const LinkToken*> TokensOf(TokenKind kind) const {
    const int k = static_cast<int>(kind);
    return {tokens_ + kind_start_[k], tokens_ + kind_start_[k + 1]};
  }
  Sex sex() const { return sex_; }
  // The Bloom filter of field `f`; empty when not recorded.
  absl::string_view filter(EncodedField f) const {
    const int k = static_cast<int>(f);
    return absl::string_view(filter_bytes_ + filter_start_[k],
                             filter_start_[k + 1] - filter_start_[k]);
  }
  // The Dice similarity of field f's filters in this record and `other` (0 when either lacks it).
  double FilterDice(const PersonView& other, EncodedField f) const {
    const int k = static_cast<int>(f);
    return Dice(filter(f), filter_ones_[k], other.filter(f), other.filter_ones_[k]);
  }

 private:
  const LinkToken* tokens_;
  const uint8_t* kind_start_;
  const char* filter_bytes_;
  const uint16_t* filter_start_;
  const uint16_t* filter_ones_;
  Sex sex_;
};

inline absl::string_view PersonRecord::filter(EncodedField f) const {
  return PersonView(*this).filter(f);
}

// Software prefetch for loops that compare one record with many scattered through memory (a
// relink's candidates, random pairs): what locates a record (a PersonRecord's own lines, or the
// linker's slot of a PackedPerson) kPrefetchRecordAhead comparisons ahead, then, once that has
// arrived, kPrefetchFieldsAhead ahead, the tokens and filters it points to. A comparison reads a
// dozen cache lines, and without these most of its time was waiting for them.
inline constexpr size_t kPrefetchRecordAhead = 6;
inline constexpr size_t kPrefetchFieldsAhead = 3;

// Both are always inlined: a call to a function that only prefetches is dropped by GCC, which
// finds it has no side effects.
[[gnu::always_inline]] inline void PrefetchPersonRecord(const PersonRecord& p) {
  PrefetchLines(&p, sizeof(PersonRecord));
}

[[gnu::always_inline]] inline void PrefetchPersonFields(const PersonRecord& p) {
  // The first and last token: a person's tokens may straddle two cache lines.
  if (!p.tokens.empty()) {
    __builtin_prefetch(p.tokens.data());
    __builtin_prefetch(&p.tokens.back());
  }
  PrefetchLines(p.filter_bytes.data(), p.filter_bytes.size());
}

// Appends a token (see LinkToken).
void AddToken(PersonRecord& person, TokenKind kind, absl::string_view token);

// Puts `person.tokens` in the order comparisons rely on and indexes the runs of each kind. A
// record keeps at most 255 tokens (the hub's validator allows far fewer).
void SortTokens(PersonRecord& person);

// The identified parties of `record` (unknown suspects have no identity and are left out). A
// party named twice with the same reference and role appears once.
std::vector<PersonRecord> ExtractPersons(const Record& record);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_PERSON_RECORD_H_
