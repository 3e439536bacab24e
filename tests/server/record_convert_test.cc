#include "server/record_convert.h"

#include "gtest/gtest.h"
#include "tests/testing/sample_records.h"

namespace crossforce {
namespace {

using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::SampleOrder;

TEST(RecordConvertTest, RecordsRoundTripThroughTheWireForm) {
  Incident incident = SampleIncident("WYP", "I1", 5, 3);
  incident.parties.push_back({PartyRole::kUnknownSuspect, "", std::nullopt});
  for (const Record& record : {Record(incident), Record(SampleOrder("MET", "O1", 2, 4))}) {
    std::vector<FieldViolation> violations;
    const std::optional<Record> back = FromProto(ToProto(record), &violations);
    ASSERT_TRUE(back.has_value());
    EXPECT_TRUE(violations.empty());
    EXPECT_EQ(*back, record);
  }
}

TEST(RecordConvertTest, AbsentDatesAndUnspecifiedCodesStayAbsent) {
  v1::Record proto;
  proto.mutable_incident()->mutable_key()->set_force_code("WYP");
  std::vector<FieldViolation> violations;
  const std::optional<Record> record = FromProto(proto, &violations);
  ASSERT_TRUE(record.has_value());
  const Incident& incident = std::get<Incident>(*record);
  EXPECT_FALSE(incident.offence_date.known());
  EXPECT_FALSE(incident.main_offence.has_value());
}

TEST(RecordConvertTest, WireEnumsOutsideTheByteRangeStayInvalid) {
  v1::Record proto = ToProto(Record(SampleIncident("WYP", "I1")));
  proto.mutable_incident()->set_main_offence(static_cast<v1::OffenceCode>(256 + 1));
  proto.mutable_incident()->add_behaviours(static_cast<v1::Behaviour>(-3));
  std::vector<FieldViolation> violations;
  const std::optional<Record> record = FromProto(proto, &violations);
  ASSERT_TRUE(record.has_value());
  const Incident& incident = std::get<Incident>(*record);
  EXPECT_NE(*incident.main_offence, OffenceCode::kStalking) << "257 must not wrap to 1";
  EXPECT_EQ(static_cast<int>(incident.behaviours.back()), 255);
}

TEST(RecordConvertTest, ARecordWithoutKindIsAViolation) {
  std::vector<FieldViolation> violations;
  EXPECT_FALSE(FromProto(v1::Record(), &violations).has_value());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "record");
}

}  // namespace
}  // namespace crossforce
