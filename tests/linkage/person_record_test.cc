#include "engine/linkage/person_record.h"

#include <string>

#include "gtest/gtest.h"

namespace crossforce {
namespace {

TEST(LinkTokenTest, EqualTokensOfOneKindGiveOneWord) {
  const std::string token(32, '\x5a');
  EXPECT_EQ(MakeLinkToken(TokenKind::kPhone, token), MakeLinkToken(TokenKind::kPhone, token));
  EXPECT_EQ(MakeLinkToken(TokenKind::kPhone, token).kind(), TokenKind::kPhone);
}

TEST(LinkTokenTest, TokensDifferingInAnyByteOrKindDiffer) {
  const std::string token(32, '\x01');
  for (size_t i = 0; i < token.size(); ++i) {
    std::string other = token;
    other[i] = '\x02';
    EXPECT_NE(MakeLinkToken(TokenKind::kEmail, token), MakeLinkToken(TokenKind::kEmail, other))
        << "byte " << i;
  }
  EXPECT_NE(MakeLinkToken(TokenKind::kEmail, token), MakeLinkToken(TokenKind::kPhone, token));
  // Length counts: a prefix is another token.
  EXPECT_NE(MakeLinkToken(TokenKind::kEmail, token),
            MakeLinkToken(TokenKind::kEmail, token.substr(0, 31)));
}

TEST(LinkTokenTest, SortingOrdersByKindAndIndexesEachKindsRun) {
  PersonRecord person;
  AddToken(person, TokenKind::kVehicle, "v1");
  AddToken(person, TokenKind::kPncId, "p1");
  AddToken(person, TokenKind::kVehicle, "v2");
  AddToken(person, static_cast<TokenKind>(kMaxTokenKind + 1), "outside the vocabulary");
  SortTokens(person);
  ASSERT_EQ(person.tokens.size(), 3u);
  EXPECT_EQ(person.tokens[0].kind(), TokenKind::kPncId);
  EXPECT_EQ(person.tokens[1].kind(), TokenKind::kVehicle);
  EXPECT_EQ(person.tokens[2].kind(), TokenKind::kVehicle);
  EXPECT_LT(person.tokens[1], person.tokens[2]);
  const int vehicle = static_cast<int>(TokenKind::kVehicle);
  EXPECT_EQ(person.kind_start[vehicle], 1);
  EXPECT_EQ(person.kind_start[vehicle + 1], 3);
}

TEST(PersonRecordTest, FiltersSetInAnyOrderReadBackAndCanBeReplacedOrRemoved) {
  PersonRecord person;
  EXPECT_TRUE(person.filter(EncodedField::kGivenName).empty());
  person.SetFilter(EncodedField::kPostcode, "postcode");
  person.SetFilter(EncodedField::kGivenName, "given");
  person.SetFilter(EncodedField::kEmail, "email-bits");
  person.SetFilter(EncodedField::kFamilyName, "family");
  EXPECT_EQ(person.filter(EncodedField::kGivenName), "given");
  EXPECT_EQ(person.filter(EncodedField::kFamilyName), "family");
  EXPECT_EQ(person.filter(EncodedField::kPostcode), "postcode");
  EXPECT_EQ(person.filter(EncodedField::kEmail), "email-bits");
  EXPECT_TRUE(person.filter(EncodedField::kDateOfBirth).empty());
  person.SetFilter(EncodedField::kFamilyName, "a longer family filter");
  person.SetFilter(EncodedField::kGivenName, {});
  EXPECT_TRUE(person.filter(EncodedField::kGivenName).empty());
  EXPECT_EQ(person.filter(EncodedField::kFamilyName), "a longer family filter");
  EXPECT_EQ(person.filter(EncodedField::kPostcode), "postcode");
  EXPECT_EQ(person.filter(EncodedField::kEmail), "email-bits");
  EXPECT_EQ(person.filter_bytes.size(), 22u + 8u + 10u) << "no bytes left behind";
}

// Scoring counts only the bits two filters share and takes each filter's own count from the
// record, so the counts must follow every change of a filter.
TEST(PersonRecordTest, FilterDiceAgreesWithDiceAfterFiltersChange) {
  PersonRecord a, b;
  a.SetFilter(EncodedField::kAddress, std::string("\xff\x0f\x00\x81", 4));
  b.SetFilter(EncodedField::kAddress, std::string("\x0f\x0f\x10\x01", 4));
  EXPECT_DOUBLE_EQ(PersonView(a).FilterDice(b, EncodedField::kAddress),
                   Dice(a.filter(EncodedField::kAddress), b.filter(EncodedField::kAddress)));
  EXPECT_DOUBLE_EQ(PersonView(a).FilterDice(b, EncodedField::kAddress), 2.0 * 9 / (14 + 10));
  b.SetFilter(EncodedField::kAddress, std::string("\xff\x0f\x00\x81", 4));
  EXPECT_DOUBLE_EQ(PersonView(a).FilterDice(b, EncodedField::kAddress), 1.0);
  a.SetFilter(EncodedField::kAddress, {});
  EXPECT_EQ(PersonView(a).FilterDice(b, EncodedField::kAddress), 0.0) << "missing on one side";
  EXPECT_EQ(a.filter_ones[static_cast<int>(EncodedField::kAddress)], 0);
  b.SetFilter(EncodedField::kPostcode, std::string(3, '\0'));
  a.SetFilter(EncodedField::kPostcode, std::string(3, '\0'));
  EXPECT_EQ(PersonView(a).FilterDice(b, EncodedField::kPostcode), 0.0) << "no bits set";
}

}  // namespace
}  // namespace crossforce
