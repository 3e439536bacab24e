#include "engine/record_validator.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_records.h"

namespace crossforce {
namespace {

using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::SampleOrder;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ValidationRules Rules() {
  ValidationRules rules;
  rules.today = {2026, 11, 28};
  return rules;
}

// The violations of `record`, which must name `field` with a reason containing `reason`.
void ExpectViolation(const Record& record, const std::string& field, const std::string& reason) {
  const std::vector<FieldViolation> violations = ValidateRecord(record, Rules());
  EXPECT_THAT(violations, Contains(AllOf(Field(&FieldViolation::field, field),
                                         Field(&FieldViolation::reason, HasSubstr(reason)))))
      << "expected a violation of " << field;
}

TEST(RecordValidatorTest, SamplesAreValid) {
  EXPECT_THAT(ValidateRecord(SampleIncident("WYP", "INC-1"), Rules()), IsEmpty());
  EXPECT_THAT(ValidateRecord(SampleOrder("WYP", "ORD-1"), Rules()), IsEmpty());
}

TEST(RecordValidatorTest, KeyMustBeWellFormed) {
  Incident x = SampleIncident("wyp", "");
  ExpectViolation(x, "incident.key.force_code", "not a force code");
  ExpectViolation(x, "incident.key.record_id", "is required");
  x.key = {"", std::string(65, 'a')};
  ExpectViolation(x, "incident.key.force_code", "is required");
  ExpectViolation(x, "incident.key.record_id", "1-64 printable");
  x.key = {"WYP", std::string("a\0b", 3)};
  ExpectViolation(x, "incident.key.record_id", "1-64 printable");
}

TEST(RecordValidatorTest, VersionMustBePositive) {
  ExpectViolation(SampleIncident("WYP", "I", 0), "incident.version", "at least 1");
  ExpectViolation(SampleOrder("WYP", "O", 0), "order.version", "at least 1");
}

TEST(RecordValidatorTest, DatesAreRequiredRealAndInRange) {
  Incident x = SampleIncident("WYP", "I");
  x.offence_date = {};
  ExpectViolation(x, "incident.offence_date", "is required");
  x.offence_date = {2023, 2, 29};
  ExpectViolation(x, "incident.offence_date", "not a calendar date");
  x.offence_date = {1850, 1, 1};
  ExpectViolation(x, "incident.offence_date", "before 1900-01-01");
  x.offence_date = {2027, 1, 1};
  ExpectViolation(x, "incident.offence_date", "in the future");
  x = SampleIncident("WYP", "I");
  x.reported_date = {2024, 3, 1};
  ExpectViolation(x, "incident.reported_date", "before offence_date");
  x = SampleIncident("WYP", "I");
  x.review_date = {};
  ExpectViolation(x, "incident.review_date", "is required");
  x.review_date = {2300, 1, 1};
  ExpectViolation(x, "incident.review_date", "after 2199-12-31");
}

TEST(RecordValidatorTest, CodesMustBeKnownAndUnique) {
  Incident x = SampleIncident("WYP", "I");
  x.main_offence.reset();
  ExpectViolation(x, "incident.main_offence", "is required");
  x.main_offence = static_cast<OffenceCode>(99);
  ExpectViolation(x, "incident.main_offence", "unknown offence code 99");
  x = SampleIncident("WYP", "I");
  x.included_offences = {OffenceCode::kStalking, static_cast<OffenceCode>(200)};
  ExpectViolation(x, "incident.included_offences[1]", "unknown offence code 200");
  x.included_offences = {OffenceCode::kStalking, OffenceCode::kStalking};
  ExpectViolation(x, "incident.included_offences[1]", "STALKING is listed twice");
  x = SampleIncident("WYP", "I");
  x.behaviours = {static_cast<Behaviour>(0)};
  ExpectViolation(x, "incident.behaviours[0]", "unknown behaviour 0");
  x = SampleIncident("WYP", "I");
  x.outcome = static_cast<Outcome>(77);
  ExpectViolation(x, "incident.outcome", "unknown outcome");
  x.handling_code = static_cast<HandlingCode>(3);
  ExpectViolation(x, "incident.handling_code", "unknown handling code");
}

TEST(RecordValidatorTest, LocationIsAPostcodeDistrictOnly) {
  for (const char* ok : {"LS6", "M1", "SW1A", "EC2V", "B33"})
    EXPECT_TRUE(IsValidPostcodeDistrict(ok));
  for (const char* bad : {"LS6 1AB", "ls6", "6LS", "L", "SW1AA", "LSX"}) {
    EXPECT_FALSE(IsValidPostcodeDistrict(bad)) << bad;
  }
  Incident x = SampleIncident("WYP", "I");
  x.location_district = "LS6 1AB";
  ExpectViolation(x, "incident.location_district", "not a postcode district");
}

TEST(RecordValidatorTest, PartiesNeedRolesReferencesAndIdentities) {
  Incident x = SampleIncident("WYP", "I");
  x.parties.clear();
  ExpectViolation(x, "incident.parties", "at least one party");
  x = SampleIncident("WYP", "I");
  x.parties[0].role = static_cast<PartyRole>(0);
  ExpectViolation(x, "incident.parties[0].role", "is required");
  x = SampleIncident("WYP", "I");
  x.parties[1].nominal_ref = "";
  ExpectViolation(x, "incident.parties[1].nominal_ref", "is required");
  x = SampleIncident("WYP", "I");
  x.parties[1].identity.reset();
  ExpectViolation(x, "incident.parties[1].identity", "is required");
  x = SampleIncident("WYP", "I");
  x.parties[0].role = PartyRole::kUnknownSuspect;
  ExpectViolation(x, "incident.parties[0].identity", "must be absent");
  x.parties[0].identity.reset();
  x.parties[0].nominal_ref.clear();
  EXPECT_THAT(ValidateRecord(x, Rules()), IsEmpty());
  x = SampleIncident("WYP", "I");
  x.parties.resize(65, x.parties[0]);
  ExpectViolation(x, "incident.parties", "more than the limit of 64");
}

TEST(RecordValidatorTest, IdentitiesMustMatchTheSchema) {
  Incident x = SampleIncident("WYP", "I");
  AnonymisedIdentity& id = *x.parties[0].identity;
  id.schema_id = "clkhash-v2";
  ExpectViolation(x, "incident.parties[0].identity.schema_id", "not the federation's schema");
  id = *SampleIncident("WYP", "I").parties[0].identity;
  id.key_fingerprint = "short";
  ExpectViolation(x, "incident.parties[0].identity.key_fingerprint", "must be 16 bytes");
  id = *SampleIncident("WYP", "I").parties[0].identity;
  id.tokens[1].token.pop_back();
  ExpectViolation(x, "incident.parties[0].identity.tokens[1].token", "must be 32 bytes");
  id.tokens[1].kind = static_cast<TokenKind>(42);
  ExpectViolation(x, "incident.parties[0].identity.tokens[1].kind", "unknown token kind 42");
  id = *SampleIncident("WYP", "I").parties[0].identity;
  id.encodings[0].bloom_filter.append("xx");
  ExpectViolation(x, "incident.parties[0].identity.encodings[0].bloom_filter",
                  "must be 512 bits (64 bytes)");
  id = *SampleIncident("WYP", "I").parties[0].identity;
  id.encodings[1].field = id.encodings[0].field;
  ExpectViolation(x, "incident.parties[0].identity.encodings[1].field", "encoded twice");
  id = *SampleIncident("WYP", "I").parties[0].identity;
  id.sex = static_cast<Sex>(9);
  ExpectViolation(x, "incident.parties[0].identity.sex", "unknown sex");
}

TEST(RecordValidatorTest, OrdersNeedTypeDatesAndSubject) {
  ProtectiveOrder o = SampleOrder("WYP", "O");
  o.order_type.reset();
  ExpectViolation(o, "order.order_type", "is required");
  o = SampleOrder("WYP", "O");
  o.end_date = {2023, 1, 1};
  ExpectViolation(o, "order.end_date", "before start_date");
  o = SampleOrder("WYP", "O");
  o.subject.reset();
  ExpectViolation(o, "order.subject", "is required");
  o = SampleOrder("WYP", "O");
  o.subject->role = PartyRole::kVictim;
  ExpectViolation(o, "order.subject.role", "must be suspect");
  o = SampleOrder("WYP", "O");
  o.protected_person->role = PartyRole::kSuspect;
  ExpectViolation(o, "order.protected_person.role", "must be victim");
  o = SampleOrder("WYP", "O");
  o.start_date = {};
  ExpectViolation(o, "order.start_date", "is required");
}

}  // namespace
}  // namespace crossforce
