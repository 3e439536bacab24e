#include "client/force_export.h"

#include <fstream>
#include <map>
#include <set>

#include "engine/encoding_schema.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce::client {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::StatusIs;
using ::crossforce::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kHeader[] =
    "force_code,incident_id,offence_date,offence_code,behaviours,location_district,suspect_ref,"
    "suspect_given_name,suspect_family_name,suspect_dob,suspect_sex,suspect_postcode,suspect_phone,"
    "suspect_email,suspect_vehicle,suspect_pnc,victim_ref,victim_given_name,victim_family_name,"
    "victim_dob,victim_postcode,victim_phone,victim_email,included_offence_codes,record_version";

class ForceExportTest : public ::testing::Test {
 protected:
  ForceExportTest() : key_(*LinkageKey::FromSecret(std::string(32, '\x07'))), anonymiser_(key_) {
    options_.force_code = "WYP";
    options_.today = {2026, 11, 28};
  }

  std::string Write(const std::string& content) {
    const std::string path = dir_.Sub("export.csv");
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  absl::StatusOr<ParsedExport> Read(const std::string& content) {
    return ReadForceExport(Write(content), options_, anonymiser_);
  }

  TempDir dir_;
  LinkageKey key_;
  Anonymiser anonymiser_;
  ExportOptions options_;
};

TEST_F(ForceExportTest, GroupsRowsIntoIncidentsWithDistinctParties) {
  absl::StatusOr<ParsedExport> parsed = Read(absl::StrCat(
      kHeader, "\n",
      "WYP,I1,2024-03-01,harassment,following;Loitering,LS6,S1,Bob,Smith,01/02/1980,M,LS6 1AB,"
      "07700 900123,bob@example.com,AB12 CDE,98/1234567X,V1,Ann,Jones,1990-05-06,LS6 "
      "2AB,,,STALKING,3\n",
      "WYP,I1,2024-03-01,harassment,following;Loitering,LS6,S1,Bob,Smith,01/02/1980,M,LS6 1AB,"
      "07700 900123,bob@example.com,AB12 CDE,98/1234567X,V2,Cath,Jones,,,,,STALKING,3\n",
      "WYP,I2,20240405,STALKING,,,,,,,,,,,,,V1,Ann,Jones,1990-05-06,,,,,\n"));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->rows_read, 3);
  EXPECT_TRUE(parsed->rejects.empty());
  ASSERT_EQ(parsed->entries.size(), 2u);
  const v1::IncidentRecord& i1 = parsed->entries[0].record().incident();
  EXPECT_EQ(i1.key().record_id(), "I1");
  EXPECT_EQ(i1.version(), 3u);
  EXPECT_EQ(i1.main_offence(), v1::OFFENCE_CODE_HARASSMENT);
  ASSERT_EQ(i1.included_offences_size(), 1);
  EXPECT_EQ(i1.included_offences(0), v1::OFFENCE_CODE_STALKING);
  EXPECT_EQ(i1.behaviours_size(), 2);
  EXPECT_EQ(i1.location_district(), "LS6");
  ASSERT_EQ(i1.parties_size(), 3) << "one suspect, two victims";
  EXPECT_EQ(i1.parties(0).role(), v1::PARTY_ROLE_SUSPECT);
  EXPECT_EQ(i1.review_date().year(), 2031) << "default review: offence + 7 years";
  EXPECT_THAT(parsed->entries[0].source_lines(), ::testing::ElementsAre(2, 3));
  const v1::IncidentRecord& i2 = parsed->entries[1].record().incident();
  ASSERT_EQ(i2.parties_size(), 1);
  EXPECT_EQ(i2.parties(0).role(), v1::PARTY_ROLE_VICTIM);
  EXPECT_EQ(i2.offence_date().month(), 4);
}

TEST_F(ForceExportTest, AddressesPlacesOfBirthOccupationsAndEmailsAreEncodedNeverSent) {
  absl::StatusOr<ParsedExport> parsed = Read(absl::StrCat(
      kHeader,
      ",suspect_address,victim_address,suspect_birth_place,victim_birth_place,suspect_occupation\n",
      "WYP,I1,2024-03-01,STALKING,following,LS6,S1,Bob,Smith,01/02/"
      "1980,M,,,Rob.Smith77@Example.com,,,"
      "V1,Ann,Jones,,,,,,3,\"12a Wharfedale St., Headingley\",,St. Helens,,Tree-surgeon\n"));
  ASSERT_THAT(parsed, IsOk());
  ASSERT_EQ(parsed->entries.size(), 1u);
  const v1::IncidentRecord& incident = parsed->entries[0].record().incident();
  const v1::AnonymisedIdentity& suspect = incident.parties(0).identity();
  std::map<v1::EncodedField, size_t> filter_bytes;
  for (const v1::FieldEncoding& e : suspect.encodings()) {
    filter_bytes[e.field()] = e.bloom_filter().size();
  }
  std::set<v1::TokenKind> kinds;
  for (const v1::IdentifierToken& t : suspect.tokens()) kinds.insert(t.kind());
  EXPECT_EQ(filter_bytes[v1::ENCODED_FIELD_ADDRESS], 64u) << "a 512-bit address filter";
  EXPECT_EQ(filter_bytes[v1::ENCODED_FIELD_BIRTH_PLACE], 32u) << "a 256-bit place-of-birth filter";
  EXPECT_TRUE(kinds.contains(v1::TOKEN_KIND_ADDRESS_STREET_PHONETIC)) << "a street-name token";
  EXPECT_TRUE(kinds.contains(v1::TOKEN_KIND_BIRTH_PLACE)) << "a place-of-birth token";
  EXPECT_TRUE(kinds.contains(v1::TOKEN_KIND_OCCUPATION)) << "an occupation token";
  EXPECT_EQ(filter_bytes[v1::ENCODED_FIELD_EMAIL], 64u) << "a 512-bit email filter";
  EXPECT_TRUE(kinds.contains(v1::TOKEN_KIND_EMAIL)) << "an email token";
  EXPECT_TRUE(kinds.contains(v1::TOKEN_KIND_EMAIL_USER)) << "an email user-name token";
  for (const v1::FieldEncoding& e : incident.parties(1).identity().encodings()) {
    EXPECT_NE(e.field(), v1::ENCODED_FIELD_ADDRESS) << "no address recorded for the victim";
    EXPECT_NE(e.field(), v1::ENCODED_FIELD_BIRTH_PLACE) << "no place of birth for the victim";
  }
  for (const v1::IdentifierToken& t : incident.parties(1).identity().tokens()) {
    EXPECT_NE(t.kind(), v1::TOKEN_KIND_OCCUPATION) << "no occupation recorded for the victim";
  }
  const std::string wire = parsed->entries[0].SerializeAsString();
  for (const char* raw : {"Wharfedale", "WHARFEDALE", "Headingley", "HEADINGLEY", "W634", "Helens",
                          "HELENS", "smith77", "Smith77", "xample", "surgeon", "SURGEON"}) {
    EXPECT_EQ(wire.find(raw), std::string::npos) << raw;
  }
}

TEST_F(ForceExportTest, BadRowsAreRejectedWithLineColumnAndReasonOthersKept) {
  absl::StatusOr<ParsedExport> parsed = Read(absl::StrCat(
      kHeader, "\n", "WYP,I1,2024-03-01,STALKING,,,S1,Bob,Smith,,,,,,,,,,,,,,,,\n",
      "WYP,I2,31/02/2024,STALKING,,,S1,Bob,Smith,,,,,,,,,,,,,,,,\n",  // no such date
      "GMP,I3,2024-03-01,STALKING,,,S1,Bob,Smith,,,,,,,,,,,,,,,,\n",  // other force
      "WYP,I4,2024-03-01,BURGLARY,,,S1,Bob,Smith,,,,,,,,,,,,,,,,\n",  // unknown code
      "WYP,I5,2024-03-01,STALKING,,,,Bob,Smith,,,,,,,,,,,,,,,,\n",    // details without ref
      "WYP,I6,2030-03-01,STALKING,,,S1,Bob,Smith,,,,,,,,,,,,,,,,\n",  // future
      "WYP,I7,2024-03-01,STALKING,,,S1,Bob\n",                        // short row
      "WYP,I8,2024-03-01,STALKING,,,S1,Bob,Smith,,,,not a phone,,,,,,,,,,,,\n"));  // warning only
  ASSERT_THAT(parsed, IsOk());
  ASSERT_EQ(parsed->entries.size(), 2u);
  EXPECT_EQ(parsed->entries[0].record().incident().key().record_id(), "I1");
  EXPECT_EQ(parsed->entries[1].record().incident().key().record_id(), "I8");
  ASSERT_EQ(parsed->rejects.size(), 6u);
  const auto expect = [&](size_t i, int64_t line, const char* column, const char* reason) {
    EXPECT_EQ(parsed->rejects[i].line, line);
    EXPECT_EQ(parsed->rejects[i].column, column);
    EXPECT_THAT(parsed->rejects[i].reason, HasSubstr(reason));
  };
  expect(0, 3, "offence_date", "not a calendar date");
  expect(1, 4, "force_code", "is not this export's force");
  expect(2, 5, "offence_code", "not a known offence code");
  expect(3, 6, "suspect_ref", "is required when");
  expect(4, 7, "offence_date", "in the future");
  expect(5, 8, "", "has 8 fields");
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_EQ(parsed->warnings[0].column, "suspect_phone");
  EXPECT_THAT(parsed->warnings[0].reason, HasSubstr("left blank"));
}

TEST_F(ForceExportTest, HeaderRules) {
  EXPECT_THAT(Read("force_code,incident_id\nWYP,I1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  const std::string with_extra = absl::StrCat(
      kHeader, ",officer_notes\n", "WYP,I1,2024-03-01,STALKING,,,S1,Bob,Smith,,,,,,,,,,,,,,,,,x\n");
  absl::StatusOr<ParsedExport> refused = Read(with_extra);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("officer_notes"));
  options_.ignore_unknown_columns = true;
  absl::StatusOr<ParsedExport> ignored = Read(with_extra);
  ASSERT_THAT(ignored, IsOk());
  EXPECT_EQ(ignored->entries.size(), 1u);
}

TEST_F(ForceExportTest, CsvQuotingBomAndCrlf) {
  absl::StatusOr<ParsedExport> parsed =
      Read(absl::StrCat("\xEF\xBB\xBF", kHeader, "\r\n",
                        "WYP,\"I,1\",2024-03-01,STALKING,\"following;\nthreats\",,S1,\"Bob \"\"the "
                        "builder\"\"\",Smith,"
                        ",,,,,,,,,,,,,,,\r\n"));
  ASSERT_THAT(parsed, IsOk());
  ASSERT_EQ(parsed->entries.size(), 1u)
      << (parsed->rejects.empty() ? "" : parsed->rejects[0].reason);
  EXPECT_EQ(parsed->entries[0].record().incident().key().record_id(), "I,1");
  EXPECT_EQ(parsed->entries[0].record().incident().behaviours_size(), 2);
}

TEST_F(ForceExportTest, ProtectiveOrders) {
  const std::string header =
      "force_code,order_id,order_type,start_date,end_date,subject_ref,subject_given_name,"
      "subject_family_name,subject_dob,subject_sex,subject_postcode,subject_phone,subject_email,"
      "subject_vehicle,subject_pnc,protected_ref,protected_given_name,protected_family_name,"
      "protected_dob,protected_postcode,protected_phone,protected_email";
  absl::StatusOr<ParsedExport> parsed = Read(absl::StrCat(
      header, "\n", "WYP,O1,SPO,2024-01-01,2026-01-01,S1,Bob,Smith,,M,,,,,,V1,Ann,Jones,,,,\n",
      "WYP,O2,spaceship,2024-01-01,,S1,Bob,Smith,,M,,,,,,,,,,,,\n",
      "WYP,O3,RO,2024-01-01,2023-01-01,S1,Bob,Smith,,M,,,,,,,,,,,,\n"));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->kind, ExportKind::kOrders);
  ASSERT_EQ(parsed->entries.size(), 1u);
  const v1::ProtectiveOrder& o = parsed->entries[0].record().order();
  EXPECT_EQ(o.order_type(), v1::ORDER_TYPE_STALKING_PROTECTION_ORDER);
  EXPECT_EQ(o.subject().role(), v1::PARTY_ROLE_SUSPECT);
  EXPECT_EQ(o.protected_person().role(), v1::PARTY_ROLE_VICTIM);
  ASSERT_EQ(parsed->rejects.size(), 2u);
  EXPECT_EQ(parsed->rejects[0].column, "order_type");
  EXPECT_EQ(parsed->rejects[1].column, "end_date");
}

TEST(AnonymiserTest, SamePersonWrittenDifferentlyGetsTheSameTokens) {
  const LinkageKey key = *LinkageKey::FromSecret(std::string(32, '\x09'));
  Anonymiser anonymiser(key);
  PersonIdentifiers a;
  a.given_name = NormaliseName("Bob");
  a.family_name = NormaliseName("smith");
  a.date_of_birth = *ParseDate("01/02/1980");
  a.phones.push_back(*NormalisePhone("07700 900123"));
  PersonIdentifiers b = a;
  b.given_name = NormaliseName("ROBERT");
  b.date_of_birth = *ParseDate("1980-02-01");
  b.phones = {*NormalisePhone("+44 7700 900123")};
  const v1::AnonymisedIdentity ia = anonymiser.Anonymise(a);
  const v1::AnonymisedIdentity ib = anonymiser.Anonymise(b);
  auto token = [](const v1::AnonymisedIdentity& id, v1::TokenKind kind) {
    for (const auto& t : id.tokens()) {
      if (t.kind() == kind) return t.token();
    }
    return std::string();
  };
  for (v1::TokenKind kind :
       {v1::TOKEN_KIND_PHONE, v1::TOKEN_KIND_DATE_OF_BIRTH, v1::TOKEN_KIND_GIVEN_NAME_CANONICAL,
        v1::TOKEN_KIND_FAMILY_NAME_PHONETIC_BIRTH_YEAR}) {
    EXPECT_FALSE(token(ia, kind).empty()) << v1::TokenKind_Name(kind);
    EXPECT_EQ(token(ia, kind), token(ib, kind)) << v1::TokenKind_Name(kind);
  }
  EXPECT_EQ(ia.key_fingerprint(), key.Fingerprint());
  EXPECT_EQ(ia.schema_id(), kSchemaId);
  // Swapped day and month still agree on the sorted form, not on the exact date.
  PersonIdentifiers swapped = a;
  swapped.date_of_birth = *ParseDate("02/01/1980");
  const v1::AnonymisedIdentity is = anonymiser.Anonymise(swapped);
  EXPECT_NE(token(ia, v1::TOKEN_KIND_DATE_OF_BIRTH), token(is, v1::TOKEN_KIND_DATE_OF_BIRTH));
  EXPECT_EQ(token(ia, v1::TOKEN_KIND_DATE_OF_BIRTH_DAY_MONTH_SORTED),
            token(is, v1::TOKEN_KIND_DATE_OF_BIRTH_DAY_MONTH_SORTED));
  // A different key gives unrelated tokens.
  Anonymiser other(*LinkageKey::FromSecret(std::string(32, '\x0a')));
  EXPECT_NE(token(other.Anonymise(a), v1::TOKEN_KIND_PHONE), token(ia, v1::TOKEN_KIND_PHONE));
}

TEST(AnonymiserTest, ALoneGivenNameIsAlsoKeyedAsAFamilyNamesSoundex) {
  Anonymiser anonymiser(*LinkageKey::FromSecret(std::string(32, '\x09')));
  auto tokens = [&](const std::string& given, const std::string& family, v1::TokenKind kind) {
    PersonIdentifiers p;
    p.given_name = NormaliseName(given);
    p.family_name = NormaliseName(family);
    std::vector<std::string> out;
    const v1::AnonymisedIdentity identity = anonymiser.Anonymise(p);
    for (const auto& t : identity.tokens()) {
      if (t.kind() == kind) out.push_back(t.token());
    }
    return out;
  };
  // "Pollard" alone, perhaps a family name typed as the forename, against Thomas Pollard's (and
  // Tom Polard's: Soundex) family name.
  const std::vector<std::string> sole = tokens("Pollard", "", v1::TOKEN_KIND_SOLE_NAME_PHONETIC);
  ASSERT_EQ(sole.size(), 1u);
  EXPECT_EQ(sole, tokens("Thomas", "Pollard", v1::TOKEN_KIND_FAMILY_NAME_PHONETIC));
  EXPECT_EQ(sole, tokens("Tom", "Polard", v1::TOKEN_KIND_FAMILY_NAME_PHONETIC));
  EXPECT_NE(sole, tokens("Pollard", "", v1::TOKEN_KIND_GIVEN_NAME_PHONETIC))
      << "keyed as a family name, not as a given name";
  EXPECT_TRUE(tokens("Thomas", "Pollard", v1::TOKEN_KIND_SOLE_NAME_PHONETIC).empty());
  EXPECT_TRUE(tokens("", "Pollard", v1::TOKEN_KIND_SOLE_NAME_PHONETIC).empty())
      << "a lone family name is compared as one already";
}

TEST(AnonymiserTest, FilterLengthsAgreeWithTheHubsSchema) {
  const EncodingSchema* hub = FindEncodingSchema(kSchemaId);
  ASSERT_NE(hub, nullptr);
  for (const SchemaField& f : PersonSchemaFields()) {
    EXPECT_EQ(hub->BitsFor(static_cast<EncodedField>(f.field)), f.filter_bits)
        << v1::EncodedField_Name(f.field);
  }
  EXPECT_EQ(hub->BitsFor(EncodedField::kRecord), kRecordFilterBits);
}

}  // namespace
}  // namespace crossforce::client
