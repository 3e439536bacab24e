#include "engine/linkage/packed_person.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "engine/linkage/match_model.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

PersonRecord Sample() {
  PersonRecord person;
  person.key = PersonKey{RecordKind::kOrder, "WMP", "ORD-2026-000117", "N-88", PartyRole::kVictim};
  AddToken(person, TokenKind::kPhone, "phone");
  AddToken(person, TokenKind::kGivenNameCanonical, "given");
  AddToken(person, TokenKind::kPhone, "second phone");
  SortTokens(person);
  person.SetFilter(EncodedField::kGivenName, std::string("\xf0\x0f\x33\x00", 4));
  person.SetFilter(EncodedField::kRecord, std::string(128, '\x5a'));
  person.SetFilter(EncodedField::kAddress, std::string("\x01\x02\x03", 3));
  person.sex = Sex::kFemale;
  return person;
}

TEST(PackedPersonTest, HoldsTheKeyTokensFiltersAndSexItWasPackedFrom) {
  const PersonRecord person = Sample();
  const PackedPerson packed = PackedPerson::Pack(person, /*with_record_filter=*/true);
  ASSERT_FALSE(packed.empty());
  EXPECT_EQ(packed.key().ToKey(), person.key);
  EXPECT_TRUE(packed.key() == PersonKeyView(person.key));

  const PersonView view = packed.view();
  EXPECT_EQ(std::vector<LinkToken>(view.tokens_begin(), view.tokens_end()), person.tokens);
  const auto [phones_begin, phones_end] = view.TokensOf(TokenKind::kPhone);
  EXPECT_EQ(phones_end - phones_begin, 2);
  for (int f = 1; f <= kMaxEncodedField; ++f) {
    const auto field = static_cast<EncodedField>(f);
    EXPECT_EQ(view.filter(field), person.filter(field)) << "field " << f;
  }
  EXPECT_EQ(view.sex(), Sex::kFemale);
  EXPECT_DOUBLE_EQ(view.FilterDice(person, EncodedField::kGivenName), 1.0);

  // A prefetch covers the compared part (header, tokens, filters of 4, 128 and 3 bytes) in whole
  // words, and the key's strings, which follow it, only as far as that rounds up.
  const size_t key_bytes =
      person.key.force_code.size() + person.key.record_id.size() + person.key.nominal_ref.size();
  EXPECT_EQ(packed.compared_bytes() % 8, 0u);
  EXPECT_GE(packed.compared_bytes(), packed.size() - key_bytes);
  EXPECT_LT(packed.compared_bytes(), packed.size() - key_bytes + 8);
  EXPECT_EQ(PackedPerson::Pack(person, false).compared_bytes(), packed.compared_bytes() - 128);

  // The same pair scores the same whichever form it is read in.
  PersonRecord other = Sample();
  other.SetFilter(EncodedField::kGivenName, std::string("\xf0\x0f\x30\x00", 4));
  const PairScorer scorer(MatchModel::Default());
  EXPECT_EQ(scorer.Compare(packed.view(), other).weight, scorer.Compare(person, other).weight);
}

// The block is written to the record file as it is: its gaps (after the header, after the key)
// hold zeros, not what the heap held before, and two packings of one person are equal byte for
// byte (Linker::Update relies on it).
TEST(PackedPersonTest, TwoPackingsOfOnePersonAreEqualByteForByte) {
  const PersonRecord person = Sample();
  const PackedPerson first = PackedPerson::Pack(person, /*with_record_filter=*/true);
  const size_t words = (first.size() + 7) / 8;
  for (int round = 0; round < 8; ++round) {
    // Garbage where the next block is likely to be allocated.
    auto* dirty = new uint64_t[words];
    std::memset(dirty, 0xa5, words * sizeof(uint64_t));
    asm volatile("" : : "r"(dirty) : "memory");  // the stores are not elided
    delete[] dirty;
    const PackedPerson again = PackedPerson::Pack(person, /*with_record_filter=*/true);
    ASSERT_EQ(again.size(), first.size());
    EXPECT_EQ(std::memcmp(again.data(), first.data(), words * sizeof(uint64_t)), 0) << round;
  }
}

TEST(PackedPersonTest, CanLeaveTheRecordFilterOut) {
  const PersonRecord person = Sample();
  const PackedPerson with = PackedPerson::Pack(person, /*with_record_filter=*/true);
  const PackedPerson without = PackedPerson::Pack(person, /*with_record_filter=*/false);
  EXPECT_TRUE(without.view().filter(EncodedField::kRecord).empty());
  EXPECT_EQ(without.view().filter(EncodedField::kAddress), person.filter(EncodedField::kAddress));
  EXPECT_EQ(without.view().filter(EncodedField::kGivenName),
            person.filter(EncodedField::kGivenName));
  EXPECT_EQ(with.size() - without.size(), 128u);
  EXPECT_EQ(without.key().ToKey(), person.key);
}

TEST(PackedPersonTest, KeysOfAnyLengthAndRecordsWithNothingSurvive) {
  PersonRecord person;
  person.key =
      PersonKey{RecordKind::kIncident, "", std::string(70000, 'r'), "", PartyRole::kSuspect};
  SortTokens(person);
  const PackedPerson packed = PackedPerson::Pack(person, /*with_record_filter=*/false);
  EXPECT_EQ(packed.key().ToKey(), person.key);
  EXPECT_EQ(packed.view().tokens_begin(), packed.view().tokens_end());
  EXPECT_TRUE(packed.view().filter(EncodedField::kGivenName).empty());
  EXPECT_EQ(packed.view().sex(), Sex::kUnknown);
}

TEST(PersonKeyViewTest, OrdersAsTheKeysItViews) {
  const PersonKey a{RecordKind::kIncident, "WMP", "INC-1", "N-2", PartyRole::kVictim};
  PersonKey b = a;
  b.role = PartyRole::kSuspect;
  PersonKey c = a;
  c.record_id = "INC-10";
  for (const auto& [x, y] :
       {std::pair(a, b), std::pair(b, a), std::pair(a, c), std::pair(c, b), std::pair(a, a)}) {
    EXPECT_EQ(PersonKeyView(x) < PersonKeyView(y), x < y);
    EXPECT_EQ(PersonKeyView(x) == PersonKeyView(y), x == y);
  }
}

TEST(PackedPersonTest, ACopyInAnArenaOutlivesTheHeapBlockItWasCopiedFrom) {
  const PersonRecord person = Sample();
  const testing::TempDir dir;
  MappedArena arena(dir.path());
  PackedPerson copy;
  {
    const PackedPerson packed = PackedPerson::Pack(person, /*with_record_filter=*/true);
    copy = packed.CopyInto(arena);
    EXPECT_NE(copy.data(), packed.data());
    EXPECT_EQ(copy.size(), packed.size());
  }
  EXPECT_EQ(copy.key().ToKey(), person.key);
  const PersonView view = copy.view();
  EXPECT_EQ(std::vector<LinkToken>(view.tokens_begin(), view.tokens_end()), person.tokens);
  for (int f = 1; f <= kMaxEncodedField; ++f) {
    const auto field = static_cast<EncodedField>(f);
    EXPECT_EQ(view.filter(field), person.filter(field)) << "field " << f;
  }
  EXPECT_GT(arena.file_bytes(), 0u);
  // Moving hands the block over; the moved-from one holds nothing.
  PackedPerson moved = std::move(copy);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is defined
  EXPECT_EQ(moved.key().ToKey(), person.key);
}

}  // namespace
}  // namespace crossforce
