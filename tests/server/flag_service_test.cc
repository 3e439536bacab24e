// FlagService over a real gRPC server on 127.0.0.1: listing with filters and pages, flags,
// profiles, decisions, argument errors, and the watch stream.
#include "server/flag_service.h"

#include <thread>

#include "crossforce/v1/flag_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/record_convert.h"
#include "tests/testing/sample_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::TestServer;
using ::testing::ElementsAre;
using ::testing::SizeIs;

class FlagServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = v1::FlagService::NewStub(server_.channel());
  }

  // Suspect `seed` against the same victim in each of `forces`, a month apart.
  void IngestCase(uint64_t seed, const std::vector<std::string>& forces) {
    v1::BatchUpsertRecordsRequest request;
    int month = 1;
    for (const std::string& force : forces) {
      Incident x = SampleIncident(force, force + "/" + std::to_string(seed), 1, seed);
      x.offence_date = {2025, month, 10};
      x.reported_date = x.offence_date;
      ++month;
      *request.add_records() = ToProto(Record(x));
    }
    v1::BatchUpsertRecordsResponse response;
    ASSERT_TRUE(
        server_.stub().BatchUpsertRecords(TestServer::Context().get(), request, &response).ok());
    for (const v1::RecordResult& r : response.results()) {
      ASSERT_EQ(r.outcome(), v1::INGEST_OUTCOME_CREATED);
    }
  }

  std::vector<v1::Flag> List(v1::ListFlagsRequest request) {
    std::vector<v1::Flag> out;
    do {
      v1::ListFlagsResponse response;
      const grpc::Status status = stub_->ListFlags(TestServer::Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      out.insert(out.end(), response.flags().begin(), response.flags().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return out;
  }

  TestServer server_;
  std::unique_ptr<v1::FlagService::Stub> stub_;
};

TEST_F(FlagServiceTest, ListsFlagsFilteredAndPaged) {
  IngestCase(1, {"AAA", "BBB"});
  IngestCase(2, {"AAA", "CCC", "DDD"});
  v1::ListFlagsRequest request;
  request.set_pattern(v1::CROSS_FORCE_REPEAT);
  request.set_page_size(1);
  const std::vector<v1::Flag> flags = List(request);
  ASSERT_THAT(flags, SizeIs(2));
  EXPECT_GE(flags[0].score(), flags[1].score());
  EXPECT_THAT(flags[0].forces(), ElementsAre("AAA", "CCC", "DDD"));
  EXPECT_EQ(flags[0].evidence_size(), 3);
  EXPECT_EQ(flags[0].evidence(0).record().force_code(), "AAA");
  EXPECT_EQ(flags[0].evidence(0).suspect_ref(), "NOM-S2");
  EXPECT_EQ(flags[0].evidence(0).date().month(), 1);
  EXPECT_EQ(flags[0].factors_size(), 7);
  EXPECT_FALSE(flags[0].explanation().empty());

  request = v1::ListFlagsRequest();
  request.set_force_code("DDD");
  for (const v1::Flag& f : List(request)) EXPECT_EQ(f.entity_id(), flags[0].entity_id());
  request = v1::ListFlagsRequest();
  request.set_min_score(100);
  EXPECT_THAT(List(request), SizeIs(0));

  v1::GetStatsResponse stats;
  ASSERT_TRUE(
      server_.stub().GetStats(TestServer::Context().get(), v1::GetStatsRequest(), &stats).ok());
  EXPECT_EQ(stats.flags(), List(v1::ListFlagsRequest()).size());
}

TEST_F(FlagServiceTest, RejectsBadArguments) {
  v1::ListFlagsRequest list;
  list.set_pattern(static_cast<v1::Pattern>(42));
  v1::ListFlagsResponse listed;
  EXPECT_EQ(stub_->ListFlags(TestServer::Context().get(), list, &listed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  list = v1::ListFlagsRequest();
  list.set_page_token("not-a-token");
  EXPECT_EQ(stub_->ListFlags(TestServer::Context().get(), list, &listed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetFlagRequest get;
  get.set_flag_id("F0000404");
  v1::Flag flag;
  EXPECT_EQ(stub_->GetFlag(TestServer::Context().get(), get, &flag).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::RecordDecisionRequest decide;
  decide.set_flag_id("F0000404");
  decide.set_user("a");
  EXPECT_EQ(stub_->RecordDecision(TestServer::Context().get(), decide, &flag).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // no outcome
  decide.set_outcome(v1::ACCEPTED);
  EXPECT_EQ(stub_->RecordDecision(TestServer::Context().get(), decide, &flag).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(FlagServiceTest, DecisionsAndProfiles) {
  IngestCase(3, {"AAA", "BBB"});
  v1::ListFlagsRequest request;
  request.set_pattern(v1::VICTIM_PURSUIT);
  const std::vector<v1::Flag> flags = List(request);
  ASSERT_THAT(flags, SizeIs(1));
  v1::RecordDecisionRequest decide;
  decide.set_flag_id(flags[0].flag_id());
  decide.set_outcome(v1::NEEDS_INFORMATION);
  decide.set_reason("ask BBB for the victim's statement");
  v1::Flag decided;
  EXPECT_EQ(stub_->RecordDecision(TestServer::Context().get(), decide, &decided).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // no user
  decide.set_user("analyst.two");
  ASSERT_TRUE(stub_->RecordDecision(TestServer::Context().get(), decide, &decided).ok());
  EXPECT_EQ(decided.decision().outcome(), v1::NEEDS_INFORMATION);
  v1::GetFlagRequest get;
  get.set_flag_id(flags[0].flag_id());
  v1::Flag fetched;
  ASSERT_TRUE(stub_->GetFlag(TestServer::Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.decision().user(), "analyst.two");

  v1::GetEntityProfileRequest profile_request;
  profile_request.set_entity_id(flags[0].entity_id());
  v1::EntityProfile profile;
  ASSERT_TRUE(stub_->GetEntityProfile(TestServer::Context().get(), profile_request, &profile).ok());
  EXPECT_EQ(profile.entity().entity_id(), flags[0].entity_id());
  ASSERT_EQ(profile.records_size(), 2);
  EXPECT_TRUE(profile.records(0).stalking_type());
  ASSERT_EQ(profile.records(0).parties_size(), 1);
  EXPECT_EQ(profile.records(0).parties(0).role(), v1::PARTY_ROLE_SUSPECT);
  EXPECT_GE(profile.flags_size(), 2);
  EXPECT_EQ(profile.links_size(), 1);
}

TEST_F(FlagServiceTest, WatchPushesFlagsAsIngestRaisesThem) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchFlagsRequest request;
  request.set_force_code("BBB");
  std::unique_ptr<grpc::ClientReader<v1::FlagAlert>> reader = stub_->WatchFlags(&context, request);
  reader->WaitForInitialMetadata();
  IngestCase(4, {"AAA", "CCC"});  // no BBB: filtered out
  IngestCase(5, {"AAA", "BBB"});
  v1::FlagAlert alert;
  std::set<v1::Pattern> seen;
  while (seen.size() < 2 && reader->Read(&alert)) {
    EXPECT_THAT(alert.flag().forces(), ::testing::Contains("BBB"));
    EXPECT_EQ(alert.flag().state(), v1::FLAG_NEW);
    EXPECT_GT(alert.sequence(), 0u);
    seen.insert(alert.flag().pattern());
  }
  EXPECT_TRUE(seen.contains(v1::CROSS_FORCE_REPEAT));
  EXPECT_TRUE(seen.contains(v1::VICTIM_PURSUIT));
  context.TryCancel();
  reader->Finish();
}

TEST_F(FlagServiceTest, StoppingTheServerEndsOpenWatches) {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::FlagAlert>> reader =
      stub_->WatchFlags(&context, v1::WatchFlagsRequest());
  reader->WaitForInitialMetadata();
  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_.Stop(); });
  v1::FlagAlert alert;
  while (reader->Read(&alert)) {
  }
  reader->Finish();
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace crossforce
