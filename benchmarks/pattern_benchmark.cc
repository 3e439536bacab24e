// The pattern rules at scale. A synthetic federation of 40 forces: suspects with one to sixty
// stalking-type (and some other) incidents over ten years, their victims, some moving
// between forces, protective orders, and a few phones shared between suspects. Entities are given
// (as the linker would give them), so what is timed is the graph and the rules, not linkage.
//
//   BM_BuildGraph/N            load N incidents into the case graph
//   BM_FullDetection/N         every rule over every suspect and shared token (both cores)
//   BM_IncrementalUpdate/N     one new incident into a hub of N: graph update, the rules on what
//                              it touched, flag reconciliation (p50/p99 in the counters)
//   BM_EngineIngestToFlags/N   end to end in a real engine on RocksDB: from a record's
//                              acknowledgement to its flags being updated (linking included)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "engine/engine.h"
#include "engine/patterns/flag_book.h"
#include "engine/patterns/pattern_detector.h"

namespace crossforce {
namespace {

constexpr Date kToday{2026, 11, 28};
constexpr int kForces = 40;
constexpr EntityId kVictimBase = 100'000'000;

// Refs name their entity: "S12" is suspect entity 12, "V100000034" victim entity 100000034.
EntityId EntityOfRef(const PersonKey& key) {
  EntityId id = 0;
  return absl::SimpleAtoi(key.nominal_ref.substr(1), &id) ? id : 0;
}

std::string ForceCode(int f) { return absl::StrCat("F", f < 10 ? "0" : "", f); }

class SyntheticFederation {
 public:
  explicit SyntheticFederation(uint64_t seed) : rng_(seed) {}

  // The next incident. Suspects arrive one after another, each with a career of one to sixty
  // incidents (geometric: most have one to three, a few dozens); with `repeat`, the incident is a
  // further one for a suspect already seen, picked at random.
  Incident NextIncident(bool repeat = false) {
    EntityId suspect;
    if (repeat && suspects_ > 0) {
      suspect = 1 + static_cast<EntityId>(Uniform(static_cast<int>(suspects_)));
    } else {
      if (remaining_ == 0) {
        ++suspects_;
        remaining_ = std::min(60, 1 + std::geometric_distribution<int>(0.4)(rng_));
      }
      --remaining_;
      suspect = suspects_;
    }
    Incident x;
    const int force = Uniform(100) < 80 ? static_cast<int>(suspect % kForces) : Uniform(kForces);
    x.key = {ForceCode(force), absl::StrCat(ForceCode(force), "/", ++incidents_)};
    x.version = 1;
    const int day = Uniform(3650);
    x.offence_date = DateFromDaysSinceEpoch(DaysSinceEpoch(kToday) - day);
    static constexpr OffenceCode kCodes[] = {
        OffenceCode::kStalking,       OffenceCode::kHarassment,
        OffenceCode::kHarassment,     OffenceCode::kMaliciousCommunications,
        OffenceCode::kBreachOfOrder,  OffenceCode::kStalkingFearOfViolence,
        OffenceCode::kCriminalDamage, OffenceCode::kCommonAssault};
    x.main_offence = kCodes[Uniform(8)];
    x.domestic_abuse = Uniform(2) == 0;
    for (int b = 1 + Uniform(3); b > 0; --b) {
      x.behaviours.push_back(static_cast<Behaviour>(1 + Uniform(kMaxBehaviour)));
    }
    AnonymisedIdentity suspect_identity;
    // Own phone; one suspect in 200 uses a phone from a small shared pool.
    suspect_identity.tokens.push_back({TokenKind::kPhone, Uniform(200) == 0
                                                              ? absl::StrCat("pool-", Uniform(500))
                                                              : absl::StrCat("phone-", suspect)});
    x.parties.push_back({PartyRole::kSuspect, absl::StrCat("S", suspect), suspect_identity});
    const EntityId victim = kVictimBase + suspect * 4 + static_cast<EntityId>(Uniform(3));
    x.parties.push_back({PartyRole::kVictim, absl::StrCat("V", victim), AnonymisedIdentity()});
    return x;
  }

  ProtectiveOrder OrderOn(EntityId suspect) {
    ProtectiveOrder o;
    const int force = static_cast<int>(suspect % kForces);
    o.key = {ForceCode(force), absl::StrCat("SPO/", suspect)};
    o.order_type = OrderType::kStalkingProtectionOrder;
    o.start_date = DateFromDaysSinceEpoch(DaysSinceEpoch(kToday) - Uniform(3000));
    o.end_date = DateFromDaysSinceEpoch(DaysSinceEpoch(o.start_date) + 730);
    o.subject = Party{PartyRole::kSuspect, absl::StrCat("S", suspect), AnonymisedIdentity()};
    return o;
  }

  EntityId suspects() const { return suspects_; }
  int Uniform(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

 private:
  std::mt19937_64 rng_;
  EntityId suspects_ = 0;
  int remaining_ = 0;  // incidents left in the current suspect's career
  uint64_t incidents_ = 0;
};

// A graph of `incidents` incidents, with orders on one suspect in twenty.
struct LoadedGraph {
  CaseGraph graph;
  SyntheticFederation federation{20261128};
};

void Load(LoadedGraph& g, int64_t incidents) {
  std::set<EntityId> touched;
  for (int64_t i = 0; i < incidents; ++i) {
    g.graph.UpsertIncident(MakeCaseIncident(g.federation.NextIncident()), EntityOfRef, touched);
    touched.clear();
  }
  for (EntityId s = 1; s <= g.federation.suspects(); s += 20) {
    g.graph.UpsertOrder(MakeCaseOrder(g.federation.OrderOn(s)), EntityOfRef, touched);
  }
}

PatternDetector Detector() {
  return PatternDetector(PatternOptions(), [](const PersonKey&) { return 1.0; });
}

void BM_BuildGraph(benchmark::State& state) {
  for (auto _ : state) {
    LoadedGraph g;
    Load(g, state.range(0));
    state.counters["suspects"] = static_cast<double>(g.federation.suspects());
    state.counters["entities"] = static_cast<double>(g.graph.entity_count());
  }
  state.counters["incidents/s"] =
      benchmark::Counter(static_cast<double>(state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BuildGraph)
    ->Arg(200'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

void BM_FullDetection(benchmark::State& state) {
  LoadedGraph g;
  Load(g, state.range(0));
  const PatternDetector detector = Detector();
  size_t findings = 0;
  double detect_ms = 0, reconcile_ms = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<Finding> f = detector.DetectAll(g.graph, kToday);
    const auto detected = std::chrono::steady_clock::now();
    findings = f.size();
    FlagBook book(10);
    DetectionScope everything;
    everything.everything = true;
    benchmark::DoNotOptimize(
        book.Reconcile(everything, std::move(f), 1, [](EntityId e) { return e; }));
    detect_ms += std::chrono::duration<double, std::milli>(detected - start).count();
    reconcile_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - detected)
            .count();
  }
  state.counters["detect_ms"] = detect_ms / static_cast<double>(state.iterations());
  state.counters["flags_ms"] = reconcile_ms / static_cast<double>(state.iterations());
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["suspects"] = static_cast<double>(g.federation.suspects());
}
BENCHMARK(BM_FullDetection)
    ->Arg(200'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

void Percentiles(benchmark::State& state, std::vector<double>& micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
}

void BM_IncrementalUpdate(benchmark::State& state) {
  LoadedGraph g;
  Load(g, state.range(0));
  const PatternDetector detector = Detector();
  FlagBook book(10);
  {
    DetectionScope everything;
    everything.everything = true;
    book.Reconcile(everything, detector.DetectAll(g.graph, kToday), 1,
                   [](EntityId e) { return e; });
  }
  std::vector<double> micros;
  int64_t now = 2;
  for (auto _ : state) {
    const Incident next = g.federation.NextIncident(/*repeat=*/true);
    const auto start = std::chrono::steady_clock::now();
    const RecordId id{RecordKind::kIncident, next.key};
    DetectionScope scope;
    std::set<EntityId> touched;
    g.graph.Neighbourhood(id, scope.suspects, scope.tokens);
    g.graph.UpsertIncident(MakeCaseIncident(next), EntityOfRef, touched);
    g.graph.Neighbourhood(id, scope.suspects, scope.tokens);
    scope.suspects.insert(touched.begin(), touched.end());
    std::vector<Finding> findings =
        detector.DetectFor(g.graph, scope.suspects, scope.tokens, kToday);
    benchmark::DoNotOptimize(
        book.Reconcile(scope, std::move(findings), now++, [](EntityId e) { return e; }));
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  Percentiles(state, micros);
}
BENCHMARK(BM_IncrementalUpdate)->Arg(1'000'000)->Iterations(20000)->UseRealTime();

void BM_EngineIngestToFlags(benchmark::State& state) {
  const std::string dir = absl::StrCat("/tmp/crossforce-pattern-benchmark-", getpid());
  EngineOptions options;
  options.data_dir = dir;
  options.today = [] { return kToday; };
  std::unique_ptr<Engine> engine = *Engine::Open(options);
  // A populated hub: synthetic incidents whose parties carry identities the linker can link
  // exactly (a random record filter per person, repeated for each of their records).
  SyntheticFederation federation(7);
  std::map<std::string, AnonymisedIdentity> identities;
  const auto identity_of = [&](const std::string& ref) {
    auto [it, inserted] = identities.try_emplace(ref);
    if (inserted) {
      std::mt19937_64 rng(std::hash<std::string>()(ref));
      AnonymisedIdentity& id = it->second;
      id.schema_id = std::string(kDefaultSchemaId);
      id.key_fingerprint = "0123456789abcdef";
      std::string token(32, '\0'), filter(128, '\0');
      for (char& c : token) c = static_cast<char>(rng());
      for (char& c : filter) c = static_cast<char>(rng());
      id.tokens.push_back({TokenKind::kDateOfBirth, token});
      id.encodings.push_back({EncodedField::kRecord, filter});
    }
    return it->second;
  };
  const auto next = [&] {
    Incident x = federation.NextIncident();
    x.reported_date = x.offence_date;
    x.review_date = {2036, 1, 1};
    x.location_district = "LS6";
    for (Party& p : x.parties) {
      std::vector<IdentifierToken> contact = p.identity->tokens;
      p.identity = identity_of(p.nominal_ref);
      for (IdentifierToken t : contact) {
        t.token.resize(32, '.');  // keyed tokens are 32 bytes
        p.identity->tokens.push_back(t);
      }
    }
    return x;
  };
  std::vector<Record> batch;
  for (int64_t i = 0; i < state.range(0); ++i) {
    batch.push_back(next());
    if (batch.size() == 1000) {
      (void)engine->Ingest(std::move(batch));
      batch.clear();
    }
  }
  (void)engine->Ingest(std::move(batch));
  engine->WaitForLinking();
  std::vector<double> micros;
  for (auto _ : state) {
    std::vector<Record> one;
    one.push_back(next());
    absl::StatusOr<std::vector<WriteResult>> acknowledged = engine->Ingest(std::move(one));
    const auto start = std::chrono::steady_clock::now();
    engine->WaitForLinking();
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    if (!acknowledged.ok()) state.SkipWithError("ingest failed");
  }
  Percentiles(state, micros);
  state.counters["flags"] = static_cast<double>(engine->Stats().flags);
  engine.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_EngineIngestToFlags)->Arg(100'000)->Iterations(2000)->UseRealTime();

}  // namespace
}  // namespace crossforce

BENCHMARK_MAIN();
