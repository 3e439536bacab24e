#include "server/ingest_service.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "server/record_convert.h"
#include "tests/testing/sample_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::OtherFingerprint;
using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::SampleOrder;
using ::crossforce::testing::TestServer;
using ::testing::HasSubstr;

v1::Record Incident(const std::string& force, const std::string& id, uint64_t version = 1,
                    uint64_t seed = 1) {
  return ToProto(Record(SampleIncident(force, id, version, seed)));
}

// Streams `batches` (one message each) and returns the final status and response.
grpc::Status Stream(v1::IngestService::Stub& stub,
                    const std::vector<std::vector<v1::Record>>& batches,
                    v1::StreamIngestResponse* response) {
  auto context = TestServer::Context();
  std::unique_ptr<grpc::ClientWriter<v1::StreamIngestRequest>> writer =
      stub.StreamIngest(context.get(), response);
  for (const std::vector<v1::Record>& batch : batches) {
    v1::StreamIngestRequest request;
    for (const v1::Record& r : batch) *request.add_records() = r;
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(server_.Start(), IsOk()); }
  TestServer server_;
};

TEST_F(IngestServiceTest, StreamReportsEveryRecordAndKeepsValidNeighbours) {
  v1::Record no_date = Incident("WYP", "I2");
  no_date.mutable_incident()->clear_offence_date();
  v1::Record unknown_code = Incident("WYP", "I3");
  unknown_code.mutable_incident()->set_main_offence(static_cast<v1::OffenceCode>(77));
  v1::Record empty;  // neither incident nor order
  v1::StreamIngestResponse response;
  const grpc::Status status =
      Stream(server_.stub(),
             {{Incident("WYP", "I1"), no_date},
              {unknown_code, empty, ToProto(Record(SampleOrder("WYP", "O1")))}},
             &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(response.results(i).index(), static_cast<uint64_t>(i));
  EXPECT_EQ(response.results(0).outcome(), v1::INGEST_OUTCOME_CREATED);
  EXPECT_EQ(response.results(0).stored_version(), 1u);
  EXPECT_EQ(response.results(1).outcome(), v1::INGEST_OUTCOME_REJECTED);
  EXPECT_EQ(response.results(1).key().record_id(), "I2");
  EXPECT_EQ(response.results(1).violations(0).field(), "incident.offence_date");
  EXPECT_EQ(response.results(2).violations(0).field(), "incident.main_offence");
  EXPECT_THAT(response.results(2).violations(0).reason(), HasSubstr("unknown offence code 77"));
  EXPECT_EQ(response.results(3).violations(0).field(), "record");
  EXPECT_EQ(response.results(4).outcome(), v1::INGEST_OUTCOME_CREATED);
  EXPECT_EQ(response.results(4).kind(), v1::RECORD_KIND_ORDER);
  EXPECT_EQ(response.counts().received(), 5u);
  EXPECT_EQ(response.counts().created(), 2u);
  EXPECT_EQ(response.counts().rejected(), 3u);
}

TEST_F(IngestServiceTest, ResendingAStreamIsANoOpAndOlderVersionsAreStale) {
  v1::StreamIngestResponse first;
  ASSERT_TRUE(
      Stream(server_.stub(), {{Incident("WYP", "I1", 2), Incident("WYP", "I2", 1)}}, &first).ok());
  v1::StreamIngestResponse again;
  ASSERT_TRUE(
      Stream(server_.stub(),
             {{Incident("WYP", "I1", 2), Incident("WYP", "I2", 1), Incident("WYP", "I1", 1)}},
             &again)
          .ok());
  EXPECT_EQ(again.counts().unchanged(), 2u);
  EXPECT_EQ(again.counts().stale(), 1u);
  EXPECT_EQ(again.results(2).stored_version(), 2u);
}

TEST_F(IngestServiceTest, OversizedMessagesAndStreamsAreRefusedClearly) {
  server_.Stop();
  TestServer limited;
  ServerOptions options = limited.DefaultOptions();
  options.limits.max_records_per_message = 3;
  options.limits.max_records_per_stream = 5;
  options.max_message_bytes = 64 << 10;
  ASSERT_THAT(limited.Start(options), IsOk());

  v1::StreamIngestResponse response;
  grpc::Status status = Stream(
      limited.stub(),
      {{Incident("WYP", "A"), Incident("WYP", "B"), Incident("WYP", "C"), Incident("WYP", "D")}},
      &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("records per message"));

  status = Stream(limited.stub(),
                  {{Incident("WYP", "A"), Incident("WYP", "B"), Incident("WYP", "C")},
                   {Incident("WYP", "D"), Incident("WYP", "E"), Incident("WYP", "F")}},
                  &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("the 3 records before this message were processed"));
  EXPECT_EQ(limited.server().engine()->Stats().totals.incidents, 3u);

  v1::BatchUpsertRecordsRequest big;
  v1::Record huge = Incident("WYP", "H");
  huge.mutable_incident()->set_location_district(std::string(100 << 10, 'A'));
  *big.add_records() = huge;
  v1::BatchUpsertRecordsResponse big_response;
  status = limited.stub().BatchUpsertRecords(TestServer::Context().get(), big, &big_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The server is still serving.
  v1::GetStatsResponse stats;
  EXPECT_TRUE(limited.stub().GetStats(TestServer::Context().get(), {}, &stats).ok());
}

TEST_F(IngestServiceTest, BatchUpsertGetAndDeleteRoundTrip) {
  v1::BatchUpsertRecordsRequest request;
  *request.add_records() = Incident("MET", "INC/1", 4, 9);
  v1::BatchUpsertRecordsResponse response;
  ASSERT_TRUE(
      server_.stub().BatchUpsertRecords(TestServer::Context().get(), request, &response).ok());
  ASSERT_EQ(response.results(0).outcome(), v1::INGEST_OUTCOME_CREATED);

  v1::GetRecordRequest get;
  get.set_kind(v1::RECORD_KIND_INCIDENT);
  get.mutable_key()->set_force_code("MET");
  get.mutable_key()->set_record_id("INC/1");
  get.mutable_access()->set_user_id("analyst1");
  get.mutable_access()->set_purpose("test");
  v1::GetRecordResponse got;
  ASSERT_TRUE(server_.stub().GetRecord(TestServer::Context().get(), get, &got).ok());
  EXPECT_EQ(got.record().SerializeAsString(), Incident("MET", "INC/1", 4, 9).SerializeAsString());
  EXPECT_EQ(got.stored_version(), 4u);
  EXPECT_GT(got.stored_time().seconds(), 0);

  v1::DeleteRecordRequest del;
  del.set_kind(v1::RECORD_KIND_INCIDENT);
  *del.mutable_key() = get.key();
  del.set_reason("recorded in error");
  v1::DeleteRecordResponse deleted;
  ASSERT_TRUE(server_.stub().DeleteRecord(TestServer::Context().get(), del, &deleted).ok());
  EXPECT_EQ(deleted.outcome(), v1::DELETE_OUTCOME_DELETED);
  EXPECT_EQ(deleted.stored_version(), 4u);

  got.Clear();
  ASSERT_TRUE(server_.stub().GetRecord(TestServer::Context().get(), get, &got).ok());
  EXPECT_TRUE(got.deleted());
  EXPECT_FALSE(got.has_record());

  get.mutable_key()->set_record_id("missing");
  EXPECT_EQ(server_.stub().GetRecord(TestServer::Context().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_kind(v1::RECORD_KIND_UNSPECIFIED);
  EXPECT_EQ(server_.stub().GetRecord(TestServer::Context().get(), get, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  del.mutable_key()->set_force_code("not a force");
  EXPECT_EQ(server_.stub().DeleteRecord(TestServer::Context().get(), del, &deleted).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IngestServiceTest, WrongKeyIsRefusedWithAMessageThatSaysSo) {
  v1::BatchUpsertRecordsRequest request;
  *request.add_records() = Incident("WYP", "I1");
  v1::Record other_key = Incident("NYP", "I1");
  other_key.mutable_incident()->mutable_parties(0)->mutable_identity()->set_key_fingerprint(
      OtherFingerprint());
  other_key.mutable_incident()->mutable_parties(1)->mutable_identity()->set_key_fingerprint(
      OtherFingerprint());
  *request.add_records() = other_key;
  v1::BatchUpsertRecordsResponse response;
  ASSERT_TRUE(
      server_.stub().BatchUpsertRecords(TestServer::Context().get(), request, &response).ok());
  EXPECT_EQ(response.results(0).outcome(), v1::INGEST_OUTCOME_CREATED);
  EXPECT_EQ(response.results(1).outcome(), v1::INGEST_OUTCOME_REJECTED);
  EXPECT_THAT(response.results(1).violations(0).reason(), HasSubstr("different secret key"));
}

TEST_F(IngestServiceTest, StatsDescribeHoldingsAndFederation) {
  v1::StreamIngestResponse response;
  ASSERT_TRUE(Stream(server_.stub(),
                     {{Incident("WYP", "I1"), Incident("MET", "I1"), Incident("MET", "I2"),
                       ToProto(Record(SampleOrder("GMP", "O1")))}},
                     &response)
                  .ok());
  v1::GetStatsResponse stats;
  ASSERT_TRUE(server_.stub().GetStats(TestServer::Context().get(), {}, &stats).ok());
  EXPECT_EQ(stats.incidents(), 3u);
  EXPECT_EQ(stats.orders(), 1u);
  ASSERT_EQ(stats.forces_size(), 3);
  EXPECT_EQ(stats.forces(0).force_code(), "GMP");
  EXPECT_EQ(stats.forces(1).force_code(), "MET");
  EXPECT_EQ(stats.forces(1).incidents(), 2u);
  EXPECT_EQ(stats.federation().schema_id(), "crossforce-person-v1");
  EXPECT_EQ(stats.federation().key_fingerprint(), crossforce::testing::SampleFingerprint());
  EXPECT_EQ(stats.federation().encoding_bits().at("record"), 1024u);
  EXPECT_GT(stats.start_time().seconds(), 0);
  EXPECT_THAT(stats.server_version(), HasSubstr("crossforce-server"));

  // The linker: three incidents of a suspect and a victim, and an order's subject and protected
  // person, all made from one identity pair.
  Engine& engine = *server_.server().engine();
  engine.WaitForLinking();
  const int64_t linked_micros = absl::ToUnixMicros(absl::Now());
  stats.Clear();
  ASSERT_TRUE(server_.stub().GetStats(TestServer::Context().get(), {}, &stats).ok());
  EXPECT_EQ(stats.linking_backlog(), 0u);
  const v1::LinkerStats& linker = stats.linker();
  EXPECT_EQ(linker.person_records(), 8u);
  EXPECT_EQ(linker.entities(), engine.Entities().size());
  EXPECT_LT(linker.entities(), 8u) << "one identity recorded four times is one person";
  EXPECT_GT(linker.links(), 0u);
  EXPECT_GE(google::protobuf::util::TimeUtil::TimestampToMicroseconds(linker.measured_at()),
            linked_micros);
  const v1::LinkerMemory& m = linker.memory();
  EXPECT_EQ(m.anonymous(), m.record_bands() + m.address_bands() + m.token_blocks() +
                               m.record_filters() + m.person_slots() + m.key_maps() + m.links() +
                               m.entities() + m.records_anonymous());
  for (uint64_t part : {m.record_bands(), m.token_blocks(), m.record_filters(), m.person_slots(),
                        m.key_maps(), m.links(), m.entities()}) {
    EXPECT_GT(part, 0u);
  }
  EXPECT_GT(m.records_in_file() + m.records_anonymous(), 0u) << "the packed person records";
}

TEST_F(IngestServiceTest, RestartRecoversEverythingAcknowledged) {
  v1::StreamIngestResponse response;
  ASSERT_TRUE(
      Stream(server_.stub(), {{Incident("WYP", "I1"), Incident("WYP", "I2")}}, &response).ok());
  ServerOptions options = server_.DefaultOptions();
  server_.Stop();
  ASSERT_THAT(server_.Start(options), IsOk());
  v1::GetStatsResponse stats;
  ASSERT_TRUE(server_.stub().GetStats(TestServer::Context().get(), {}, &stats).ok());
  EXPECT_EQ(stats.incidents(), 2u);
}

TEST(ServerStartTest, RefusesPlaintextUnlessAskedAndBadOptions) {
  TestServer server;
  ServerOptions options = server.DefaultOptions();
  options.insecure = false;
  absl::Status status = server.Start(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--insecure"));
  options = server.DefaultOptions();
  options.engine.data_dir.clear();
  EXPECT_EQ(server.Start(options).code(), absl::StatusCode::kInvalidArgument);
  options = server.DefaultOptions();
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  options.insecure = false;
  EXPECT_EQ(server.Start(options).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crossforce
