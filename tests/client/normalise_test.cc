#include "client/normalise.h"

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace crossforce::client {
namespace {

using ::crossforce::testing::IsOk;

TEST(NormaliseTest, DatesInEveryExportFormat) {
  for (const char* text : {"1985-11-03", "03/11/1985", "03-11-1985", "19851103", " 1985-11-03 "}) {
    absl::StatusOr<CivilDate> d = ParseDate(text);
    ASSERT_THAT(d, IsOk()) << text;
    EXPECT_EQ(*d, (CivilDate{1985, 11, 3})) << text;
  }
  for (const char* bad : {"1985-02-30", "31/04/1999", "3/11/1985", "11/03/85", "yesterday", ""}) {
    EXPECT_FALSE(ParseDate(bad).ok()) << bad;
  }
  EXPECT_EQ(IsoDate({2001, 2, 3}), "2001-02-03");
  EXPECT_EQ(IsoDate({987, 12, 31}), "0987-12-31");
  EXPECT_EQ(CompactDate({1985, 11, 3}), "19851103");
  EXPECT_EQ(CompactDate({12345, 1, 2}), "123450102") << "a year beyond four digits is kept whole";
}

TEST(NormaliseTest, NamesFoldCaseAccentsPunctuation) {
  EXPECT_EQ(NormaliseName("o'Brien"), "OBRIEN");
  EXPECT_EQ(NormaliseName("O’BRIEN"), "OBRIEN");
  EXPECT_EQ(NormaliseName("Smith-Jones"), "SMITH JONES");
  EXPECT_EQ(NormaliseName("  j.  "), "J");
  EXPECT_EQ(NormaliseName("Zoë  Müller"), "ZOE MULLER");
  EXPECT_EQ(NormaliseName("Søndergaard"), "SONDERGAARD");
  EXPECT_EQ(NormaliseName("Łukasz"), "LUKASZ");
  EXPECT_EQ(NormaliseName("Straße"), "STRASSE");
  EXPECT_EQ(NormaliseName("Ní Bhriain"), "NI BHRIAIN");
  EXPECT_EQ(NormaliseName("\xff\xfe bad utf8"), "BAD UTF");
  EXPECT_EQ(NormaliseName("123"), "");
}

TEST(NormaliseTest, AddressesHaveOneWrittenForm) {
  EXPECT_EQ(NormaliseAddress("12a High St., Headingley"), "12A HIGH STREET HEADINGLEY");
  EXPECT_EQ(NormaliseAddress("12A HIGH STREET  headingley"), "12A HIGH STREET HEADINGLEY");
  EXPECT_EQ(NormaliseAddress("Flat 3, 7 Côte Rd"), "FLAT 3 7 COTE ROAD");
  EXPECT_EQ(NormaliseAddress(" ,. "), "");
  EXPECT_EQ(StreetName("FLAT 3 7 COTE ROAD"), "COTE");
  EXPECT_EQ(StreetName("12A HIGH STREET HEADINGLEY"), "HIGH");
  EXPECT_EQ(StreetName("THE GROVE"), "");
  EXPECT_EQ(StreetName(""), "");
}

TEST(NormaliseTest, PlaceNamesHaveOneWrittenForm) {
  EXPECT_EQ(NormalisePlaceName("St. Helens"), "SAINT HELENS");
  EXPECT_EQ(NormalisePlaceName("saint helens"), "SAINT HELENS");
  EXPECT_EQ(NormalisePlaceName("Kingston upon Hull, City of"), "KINGSTON UPON HULL CITY OF");
  EXPECT_EQ(NormalisePlaceName("Ynys Môn"), "YNYS MON");
  EXPECT_EQ(NormalisePlaceName("Bishop's Stortford"), "BISHOPS STORTFORD");
  EXPECT_EQ(NormalisePlaceName(" - "), "");
}

TEST(NormaliseTest, OccupationsHaveOneWrittenForm) {
  EXPECT_EQ(NormaliseOccupation("Company-director"), "COMPANY DIRECTOR");
  EXPECT_EQ(NormaliseOccupation("  company   DIRECTOR "), "COMPANY DIRECTOR");
  EXPECT_EQ(NormaliseOccupation("Café owner"), "CAFE OWNER");
  EXPECT_EQ(NormaliseOccupation(" / "), "");
}

TEST(NormaliseTest, NicknamesMapToCanonicalNames) {
  EXPECT_EQ(CanonicalGivenName("BOB"), "ROBERT");
  EXPECT_EQ(CanonicalGivenName("ROBERT"), "ROBERT");
  EXPECT_EQ(CanonicalGivenName("PEGGY ANN"), "MARGARET");
  EXPECT_EQ(CanonicalGivenName("OLUWASEUN"), "OLUWASEUN");
}

TEST(NormaliseTest, UkPhonesBecomeE164) {
  for (const char* text : {"07700 900123", "+44 7700 900123", "(07700) 900123", "0044 7700 900123",
                           "+44 (0)7700 900123", "07700-900-123"}) {
    absl::StatusOr<std::string> phone = NormalisePhone(text);
    ASSERT_THAT(phone, IsOk()) << text;
    EXPECT_EQ(*phone, "+447700900123") << text;
  }
  EXPECT_EQ(*NormalisePhone("+33 1 23 45 67 89"), "+33123456789");
  for (const char* bad : {"7700 900123", "0770090012", "07700 900123 ext 4", "+44 7700"}) {
    EXPECT_FALSE(NormalisePhone(bad).ok()) << bad;
  }
}

TEST(NormaliseTest, EmailsVehiclesPncIds) {
  EXPECT_EQ(*NormaliseEmail("  Jo.Bloggs@Example.CO.UK "), "jo.bloggs@example.co.uk");
  EXPECT_FALSE(NormaliseEmail("jo@localhost").ok());
  EXPECT_FALSE(NormaliseEmail("jo@@x.com").ok());
  EXPECT_FALSE(NormaliseEmail("@x.com").ok());
  EXPECT_EQ(*NormaliseVehicle("ab12 cde"), "AB12CDE");
  EXPECT_EQ(*NormaliseVehicle("AB12-CDE"), "AB12CDE");
  EXPECT_FALSE(NormaliseVehicle("AB12*CDE").ok());
  EXPECT_EQ(*NormalisePncId("98/123456x"), "98/0123456X");
  EXPECT_EQ(*NormalisePncId("1998/1234567X"), "98/1234567X");
  EXPECT_FALSE(NormalisePncId("981234567X").ok());
}

TEST(NormaliseTest, PostcodesValidatedWithOutwardCode) {
  for (const char* text : {"ls6 1ab", "LS61AB", " LS6 1AB "}) {
    absl::StatusOr<Postcode> pc = NormalisePostcode(text);
    ASSERT_THAT(pc, IsOk()) << text;
    EXPECT_EQ(pc->full, "LS6 1AB");
    EXPECT_EQ(pc->outward, "LS6");
  }
  EXPECT_EQ(NormalisePostcode("SW1A 2AA")->outward, "SW1A");
  EXPECT_EQ(NormalisePostcode("m1 1ae")->full, "M1 1AE");
  for (const char* bad : {"LS6", "1LS 6AB", "LS6 1A", "LS6 AAB", "LSX6 1AB"}) {
    EXPECT_FALSE(NormalisePostcode(bad).ok()) << bad;
  }
}

TEST(NormaliseTest, SoundexMatchesTheStandardExamples) {
  EXPECT_EQ(Soundex("ROBERT"), "R163");
  EXPECT_EQ(Soundex("RUPERT"), "R163");
  EXPECT_EQ(Soundex("ASHCRAFT"), "A261");
  EXPECT_EQ(Soundex("TYMCZAK"), "T522");
  EXPECT_EQ(Soundex("PFISTER"), "P236");
  EXPECT_EQ(Soundex("LEE"), "L000");
  EXPECT_EQ(Soundex(""), "");
}

}  // namespace
}  // namespace crossforce::client
