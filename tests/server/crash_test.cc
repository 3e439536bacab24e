// Kills a real crossforce-server process with SIGKILL while several clients stream into it, at
// several points, restarts it on the same data directory each time, and checks that every record
// whose stream was acknowledged is there and intact.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "crossforce/v1/flag_service.grpc.pb.h"
#include "crossforce/v1/ingest_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/record_convert.h"
#include "tests/testing/sample_records.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::IsOk;
using ::crossforce::testing::SampleIncident;
using ::crossforce::testing::ServerProcess;
using ::crossforce::testing::TempDir;

constexpr int kClients = 3;
constexpr int kMessagesPerStream = 4;
constexpr int kRecordsPerMessage = 50;

struct Acknowledged {
  absl::Mutex mu;
  std::vector<std::pair<std::string, uint64_t>> ids ABSL_GUARDED_BY(mu);  // record id, seed
  int streams ABSL_GUARDED_BY(mu) = 0;
};

ServerProcess StartServer(const std::string& data_dir,
                          const std::vector<std::string>& extra_args = {}) {
  std::vector<std::string> args = {"--data_dir=" + data_dir, "--insecure"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<ServerProcess> process = ServerProcess::Start(CROSSFORCE_SERVER_PATH, args);
  EXPECT_THAT(process, IsOk());
  return std::move(*process);
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

// Streams records until the server dies; records each fully acknowledged stream in `acked`.
void StreamUntilFailure(const std::string& address, const std::string& prefix,
                        Acknowledged* acked) {
  auto stub =
      v1::IngestService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  for (int stream = 0;; ++stream) {
    v1::StreamIngestResponse response;
    auto context = Context();
    auto writer = stub->StreamIngest(context.get(), &response);
    std::vector<std::pair<std::string, uint64_t>> sent;
    bool ok = true;
    for (int m = 0; m < kMessagesPerStream && ok; ++m) {
      v1::StreamIngestRequest request;
      for (int r = 0; r < kRecordsPerMessage; ++r) {
        const std::string id = absl::StrCat(prefix, "-", stream, "-", m, "-", r);
        const uint64_t seed = sent.size() + 1 + stream * 1000;
        *request.add_records() = ToProto(Record(SampleIncident("WYP", id, 1, seed)));
        sent.emplace_back(id, seed);
      }
      ok = writer->Write(request);
    }
    writer->WritesDone();
    if (!ok || !writer->Finish().ok()) return;
    for (const v1::RecordResult& result : response.results()) {
      EXPECT_EQ(result.outcome(), v1::INGEST_OUTCOME_CREATED);
    }
    absl::MutexLock lock(&acked->mu);
    acked->ids.insert(acked->ids.end(), sent.begin(), sent.end());
    ++acked->streams;
  }
}

// Every acknowledged record is held by the server at `address`, byte for byte as sent.
void VerifyAcknowledged(const std::string& address, Acknowledged& acked) {
  auto stub =
      v1::IngestService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  absl::MutexLock lock(&acked.mu);
  for (const auto& [id, seed] : acked.ids) {
    v1::GetRecordRequest get;
    get.set_kind(v1::RECORD_KIND_INCIDENT);
    get.mutable_key()->set_force_code("WYP");
    get.mutable_key()->set_record_id(id);
    v1::GetRecordResponse got;
    const grpc::Status s = stub->GetRecord(Context().get(), get, &got);
    ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
    ASSERT_EQ(got.record().SerializeAsString(),
              ToProto(Record(SampleIncident("WYP", id, 1, seed))).SerializeAsString())
        << id;
  }
  v1::GetStatsResponse stats;
  ASSERT_TRUE(stub->GetStats(Context().get(), {}, &stats).ok());
  EXPECT_GE(stats.incidents(), acked.ids.size());
}

TEST(CrashTest, AcknowledgedRecordsSurviveSigkillMidStream) {
  TempDir dir;
  const std::string data_dir = dir.Sub("db");
  Acknowledged acked;
  // Kill after 1, 2, 4 and 8 more acknowledged streams: early, and with more data and WAL behind.
  for (int kill_after : {1, 2, 4, 8}) {
    ServerProcess server = StartServer(data_dir);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back(StreamUntilFailure, server.address(),
                           absl::StrCat("K", kill_after, "C", c), &acked);
    }
    {
      absl::MutexLock lock(&acked.mu);
      struct Target {
        const int* streams;
        int count;
      } target{&acked.streams, acked.streams + kill_after};
      acked.mu.Await(absl::Condition(
          +[](Target* t) { return *t->streams >= t->count; }, &target));
    }
    const int status = server.Stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    for (std::thread& t : clients) t.join();

    ServerProcess restarted = StartServer(data_dir);
    VerifyAcknowledged(restarted.address(), acked);
    restarted.Stop(SIGTERM);
  }
}

// The flags of one pattern, by id.
std::map<std::string, v1::Flag> FlagsOf(const std::string& address, v1::Pattern pattern) {
  auto stub =
      v1::FlagService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::ListFlagsRequest request;
  request.set_pattern(pattern);
  v1::ListFlagsResponse response;
  const grpc::Status status = stub->ListFlags(Context().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, v1::Flag> out;
  for (const v1::Flag& f : response.flags()) out[f.flag_id()] = f;
  return out;
}

// An analyst's acknowledged decision, and the flag it is on, survive SIGKILL; the rule thresholds
// given on the command line apply.
TEST(CrashTest, DecisionsAndFlagsSurviveSigkill) {
  TempDir dir;
  const std::string data_dir = dir.Sub("db");
  const std::vector<std::string> thresholds = {"--pursuit_min_forces=3"};
  ServerProcess server = StartServer(data_dir, thresholds);
  {
    auto ingest = v1::IngestService::NewStub(
        grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    v1::BatchUpsertRecordsRequest request;
    Incident a = SampleIncident("AAA", "AAA/1", 1, 7);
    Incident b = SampleIncident("BBB", "BBB/1", 1, 7);
    b.offence_date = b.reported_date = {2025, 6, 1};
    *request.add_records() = ToProto(Record(a));
    *request.add_records() = ToProto(Record(b));
    v1::BatchUpsertRecordsResponse response;
    ASSERT_TRUE(ingest->BatchUpsertRecords(Context().get(), request, &response).ok());
    ASSERT_EQ(response.counts().created(), 2u);
  }
  const std::map<std::string, v1::Flag> cross = FlagsOf(server.address(), v1::CROSS_FORCE_REPEAT);
  ASSERT_EQ(cross.size(), 1u);
  EXPECT_TRUE(FlagsOf(server.address(), v1::VICTIM_PURSUIT).empty()) << "two forces, three needed";
  const std::string flag_id = cross.begin()->first;
  {
    auto stub = v1::FlagService::NewStub(
        grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    v1::RecordDecisionRequest request;
    request.set_flag_id(flag_id);
    request.set_outcome(v1::ACCEPTED);
    request.set_user("analyst.one");
    v1::Flag decided;
    ASSERT_TRUE(stub->RecordDecision(Context().get(), request, &decided).ok());
  }
  const int status = server.Stop(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  ServerProcess restarted = StartServer(data_dir, thresholds);
  const std::map<std::string, v1::Flag> after =
      FlagsOf(restarted.address(), v1::CROSS_FORCE_REPEAT);
  ASSERT_TRUE(after.contains(flag_id));
  EXPECT_EQ(after.at(flag_id).decision().user(), "analyst.one");
  EXPECT_EQ(after.at(flag_id).entity_id(), cross.begin()->second.entity_id());
  restarted.Stop(SIGTERM);
}

TEST(CrashTest, AnImpossibleThresholdIsRefusedAtStart) {
  TempDir dir;
  absl::StatusOr<ServerProcess> process =
      ServerProcess::Start(CROSSFORCE_SERVER_PATH,
                           {"--data_dir=" + dir.Sub("db"), "--insecure", "--serial_min_victims=0"});
  EXPECT_FALSE(process.ok());
}

}  // namespace
}  // namespace crossforce
