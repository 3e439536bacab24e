// Ingest load generator: several concurrent client streams over loopback gRPC into a running
// crossforce-server, each record acknowledged only after the hub's synced write. Reports sustained
// records/s and per-stream latency, and optionally what the hub then holds.
//
//   crossforce-ingest-loadgen --server=127.0.0.1:7443 --records=500000 --streams=4 --batch=500
//
// Records are synthetic but well-formed under crossforce-person-v1: random tokens and filters drawn
// from a fixed seed, spread over --forces forces. All messages are built before the clock starts.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "crossforce/v1/ingest_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, server, "127.0.0.1:7443", "hub address HOST:PORT (plaintext)");
ABSL_FLAG(int, records, 200000, "records to send in total");
ABSL_FLAG(int, streams, 4, "concurrent streams");
ABSL_FLAG(int, batch, 500, "records per stream message (one synced write each)");
ABSL_FLAG(int, stream_records, 20000, "records per stream before a new stream starts");
ABSL_FLAG(int, forces, 8, "forces the records are spread over");
ABSL_FLAG(int, people, 4096,
          "distinct people the parties are drawn from (each appears in about 2 x records / people "
          "records; the default makes every person recur about 100 times in 200,000 records, the "
          "linker's worst case)");
ABSL_FLAG(uint64_t, seed, 1, "random seed");
ABSL_FLAG(std::string, run_id, "", "prefix of record ids (default: seed), to tell runs apart");
ABSL_FLAG(bool, print_stats, false, "print the hub's holdings after the run");

namespace crossforce {
namespace {

constexpr const char* kForces[] = {"MET", "WYP", "GMP", "WMP", "NYP", "SYP", "MER", "NTH",
                                   "AVS", "TVP", "KNT", "ESX", "HAM", "DEV", "SUR", "LAN"};

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

v1::AnonymisedIdentity RandomIdentity(std::mt19937_64& rng, const std::string& fingerprint) {
  v1::AnonymisedIdentity id;
  id.set_schema_id("crossforce-person-v1");
  id.set_key_fingerprint(fingerprint);
  for (v1::TokenKind kind : {v1::TOKEN_KIND_PHONE, v1::TOKEN_KIND_DATE_OF_BIRTH,
                             v1::TOKEN_KIND_FAMILY_NAME_PHONETIC_BIRTH_YEAR}) {
    v1::IdentifierToken* t = id.add_tokens();
    t->set_kind(kind);
    t->set_token(RandomBytes(rng, 32));
  }
  const std::pair<v1::EncodedField, int> fields[] = {{v1::ENCODED_FIELD_GIVEN_NAME, 64},
                                                     {v1::ENCODED_FIELD_FAMILY_NAME, 64},
                                                     {v1::ENCODED_FIELD_DATE_OF_BIRTH, 32},
                                                     {v1::ENCODED_FIELD_POSTCODE, 32},
                                                     {v1::ENCODED_FIELD_RECORD, 128}};
  for (const auto& [field, bytes] : fields) {
    v1::FieldEncoding* e = id.add_encodings();
    e->set_field(field);
    e->set_bloom_filter(RandomBytes(rng, bytes));
  }
  id.set_sex(rng() % 2 ? v1::SEX_MALE : v1::SEX_FEMALE);
  return id;
}

void SetDate(v1::Date* d, int year, int month, int day) {
  d->set_year(year);
  d->set_month(month);
  d->set_day(day);
}

// One stream's worth of messages.
using StreamPlan = std::vector<v1::StreamIngestRequest>;

std::vector<StreamPlan> BuildPlans(int records, int batch, int stream_records, int forces,
                                   int people_count, uint64_t seed, const std::string& run_id) {
  std::mt19937_64 rng(seed);
  const std::string fingerprint = RandomBytes(rng, 16);
  // A pool of people, so that suspects and victims recur across incidents as in real data.
  std::vector<v1::AnonymisedIdentity> people;
  for (int i = 0; i < people_count; ++i) people.push_back(RandomIdentity(rng, fingerprint));
  std::vector<StreamPlan> plans;
  for (int n = 0; n < records; ++n) {
    if (n % stream_records == 0) plans.emplace_back();
    if (n % stream_records % batch == 0) plans.back().emplace_back();
    v1::IncidentRecord* x = plans.back().back().add_records()->mutable_incident();
    x->mutable_key()->set_force_code(kForces[n % forces]);
    x->mutable_key()->set_record_id(absl::StrCat(run_id, "-", n));
    x->set_version(1);
    const int day = 1 + static_cast<int>(rng() % 28);
    const int month = 1 + static_cast<int>(rng() % 12);
    SetDate(x->mutable_offence_date(), 2020 + static_cast<int>(rng() % 5), month, day);
    x->set_main_offence(static_cast<v1::OffenceCode>(1 + rng() % 6));
    x->add_behaviours(static_cast<v1::Behaviour>(1 + rng() % 12));
    x->set_domestic_abuse(rng() % 2 == 0);
    x->set_location_district("LS6");
    x->set_handling_code(v1::HANDLING_CODE_P);
    SetDate(x->mutable_review_date(), 2032, month, day);
    for (v1::PartyRole role : {v1::PARTY_ROLE_SUSPECT, v1::PARTY_ROLE_VICTIM}) {
      v1::Party* p = x->add_parties();
      p->set_role(role);
      const size_t person = rng() % people.size();
      p->set_nominal_ref(absl::StrCat("NOM-", person));
      *p->mutable_identity() = people[person];
    }
  }
  return plans;
}

int Run() {
  const std::string address = absl::GetFlag(FLAGS_server);
  const int records = absl::GetFlag(FLAGS_records);
  const int streams = std::max(1, absl::GetFlag(FLAGS_streams));
  const int batch = std::max(1, absl::GetFlag(FLAGS_batch));
  const int stream_records = std::max(batch, absl::GetFlag(FLAGS_stream_records));
  const int forces = std::clamp(absl::GetFlag(FLAGS_forces), 1, 16);
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  std::string run_id = absl::GetFlag(FLAGS_run_id);
  if (run_id.empty()) run_id = absl::StrCat("LG", seed);

  std::fprintf(stderr, "building %d records...\n", records);
  const std::vector<StreamPlan> plans =
      BuildPlans(records, batch, stream_records, forces, std::max(1, absl::GetFlag(FLAGS_people)),
                 seed, run_id);

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::atomic<size_t> next_plan{0};
  std::atomic<uint64_t> acked{0}, rejected{0}, failed_streams{0};
  std::vector<std::vector<double>> latencies(streams);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < streams; ++w) {
    workers.emplace_back([&, w] {
      // One channel per worker: separate HTTP/2 connections, as separate forces would use.
      grpc::ChannelArguments worker_args = args;
      worker_args.SetInt("crossforce.worker", w);
      auto stub = v1::IngestService::NewStub(
          grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), worker_args));
      for (size_t p = next_plan++; p < plans.size(); p = next_plan++) {
        const auto stream_start = std::chrono::steady_clock::now();
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
        v1::StreamIngestResponse response;
        auto writer = stub->StreamIngest(&context, &response);
        for (const v1::StreamIngestRequest& request : plans[p]) {
          if (!writer->Write(request)) break;
        }
        writer->WritesDone();
        const grpc::Status status = writer->Finish();
        if (!status.ok()) {
          std::fprintf(stderr, "stream failed: %s\n", status.error_message().c_str());
          ++failed_streams;
          continue;
        }
        acked += response.counts().created() + response.counts().replaced() +
                 response.counts().unchanged();
        rejected += response.counts().rejected();
        latencies[w].push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - stream_start).count());
      }
    });
  }
  for (std::thread& t : workers) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double q) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(q * all.size()))];
  };
  std::printf(
      "ingest: %llu records acknowledged in %.2f s = %.0f records/s (%d streams, %d records per "
      "message, %d per stream); rejected %llu; failed streams %llu; stream latency p50 %.3f s p99 "
      "%.3f s\n",
      static_cast<unsigned long long>(acked.load()), seconds, acked.load() / seconds, streams,
      batch, stream_records, static_cast<unsigned long long>(rejected.load()),
      static_cast<unsigned long long>(failed_streams.load()), pct(0.5), pct(0.99));

  if (absl::GetFlag(FLAGS_print_stats)) {
    auto stub = v1::IngestService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetStatsResponse stats;
    const grpc::Status status = stub->GetStats(&context, {}, &stats);
    if (!status.ok()) {
      std::fprintf(stderr, "GetStats failed: %s\n", status.error_message().c_str());
      return 1;
    }
    std::printf("hub holds %llu incidents, %llu orders, %llu tombstones (%llu bytes on disk)\n",
                static_cast<unsigned long long>(stats.incidents()),
                static_cast<unsigned long long>(stats.orders()),
                static_cast<unsigned long long>(stats.tombstones()),
                static_cast<unsigned long long>(stats.data_dir_bytes()));
    for (const v1::ForceStats& f : stats.forces()) {
      std::printf("  %-6s %8llu incidents %6llu orders\n", f.force_code().c_str(),
                  static_cast<unsigned long long>(f.incidents()),
                  static_cast<unsigned long long>(f.orders()));
    }
  }
  return failed_streams.load() == 0 && rejected.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace crossforce

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return crossforce::Run();
}
