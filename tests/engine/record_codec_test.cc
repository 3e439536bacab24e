#include "engine/record_codec.h"

#include "gtest/gtest.h"
#include "tests/testing/sample_records.h"
#include "tests/testing/status_matchers.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::SampleOrder;
using ::crossforce::testing::StatusIs;

TEST(RecordCodecTest, IncidentRoundTrips) {
  Incident incident = SampleIncident("WYP", "INC-1", 3, 42);
  incident.parties.push_back({PartyRole::kUnknownSuspect, "", std::nullopt});
  const StoredRecord stored{3, false, 1'700'000'000'000'000, Record(incident)};
  absl::StatusOr<StoredRecord> decoded = DecodeStoredRecord(EncodeStoredRecord(stored));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, stored);
}

TEST(RecordCodecTest, OrderRoundTrips) {
  ProtectiveOrder order = SampleOrder("MET", "SPO/2024/7", 2, 9);
  order.end_date = {};
  order.protected_person.reset();
  const StoredRecord stored{2, false, -5, Record(order)};
  absl::StatusOr<StoredRecord> decoded = DecodeStoredRecord(EncodeStoredRecord(stored));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, stored);
}

TEST(RecordCodecTest, TombstoneRoundTrips) {
  const StoredRecord stored{7, true, 123, std::nullopt};
  absl::StatusOr<StoredRecord> decoded = DecodeStoredRecord(EncodeStoredRecord(stored));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, stored);
}

TEST(RecordCodecTest, EveryTruncationIsDataLossNotACrash) {
  const std::string bytes =
      EncodeStoredRecord({1, false, 99, Record(SampleIncident("WYP", "INC-1"))});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THAT(DecodeStoredRecord(bytes.substr(0, n)), StatusIs(absl::StatusCode::kDataLoss))
        << "prefix of " << n << " bytes";
  }
  EXPECT_THAT(DecodeStoredRecord(bytes + "x"), StatusIs(absl::StatusCode::kDataLoss));
  std::string wrong_format = bytes;
  wrong_format[0] = 9;
  EXPECT_THAT(DecodeStoredRecord(wrong_format), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(RecordCodecTest, RecordIdsRoundTripAndGroupByForce) {
  const RecordId id{RecordKind::kOrder, {"GMP", "ORD 1/2"}};
  absl::StatusOr<RecordId> decoded = DecodeRecordId(EncodeRecordId(id));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, id);
  const std::string key = EncodeRecordId(id);
  EXPECT_EQ(key.rfind(RecordIdPrefix(RecordKind::kOrder, "GMP"), 0), 0u);
  EXPECT_NE(key.rfind(RecordIdPrefix(RecordKind::kOrder, "GM"), 0), 0u)
      << "a force code must not prefix-match a longer one";
  EXPECT_NE(key.rfind(RecordIdPrefix(RecordKind::kIncident, ""), 0), 0u);
  EXPECT_FALSE(DecodeRecordId("Xabc").ok());
  EXPECT_FALSE(DecodeRecordId("Iabc").ok());
}

}  // namespace
}  // namespace crossforce
