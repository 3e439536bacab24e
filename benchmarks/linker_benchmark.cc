// The linker at scale: a full relink (fit the model, link every record) and the incremental link
// of one new record into a populated index, with the memory the linker holds per person record.
// Records are synthetic people (two recordings each on average, with typos and missing values)
// encoded through the client path before timing.
//
//   build/bin/linker_benchmark --benchmark_filter=BM_Relink
// (the cases of a million records and more take minutes, 10,000,000 about twenty and 15 GB of RAM
// on these machines; filter them out for a quick run, e.g. --benchmark_filter='/(10000|100000)/').
#include <jemalloc/jemalloc.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "client/anonymiser.h"
#include "client/normalise.h"
#include "engine/linkage/linker.h"
#include "engine/linkage/lsh_index.h"
#include "tests/testing/linkage_harness.h"

namespace crossforce {
namespace {

using testing::BinByMargin;
using testing::ConfidenceSample;
using testing::ConfidenceSamples;
using testing::FitBelongingToMargin;
using testing::MarginBin;

// Names of n syllables, each a consonant, a vowel and (half the time) a closing consonant:
// about 1,900 syllables, so names have the bigram variety of real ones. (An earlier list of 25
// fixed syllables made every name share most bigrams with every other, so at 100,000 records
// different people scored as the same one and LSH bands collided far more than on real data.)
std::string Syllables(std::mt19937_64& rng, int n) {
  static constexpr char kConsonants[] = "bcdfghjklmnprstvwyz";
  static constexpr char kVowels[] = "aeiou";
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += kConsonants[rng() % (sizeof(kConsonants) - 1)];
    s += kVowels[rng() % (sizeof(kVowels) - 1)];
    if (rng() % 2 == 0) s += kConsonants[rng() % (sizeof(kConsonants) - 1)];
  }
  return s;
}

// Names drawn as real ones are, some far more common than others: a Zipf law over a fixed
// vocabulary, the most common given name about 2.5% of people and family name about 1.5% (in
// England and Wales, Smith is about 1.3%). With every name equally likely, blocks keyed by names
// stayed small however large the index grew, and the benchmark could not show a block whose
// members grow with it.
class NameVocabulary {
 public:
  NameVocabulary(size_t names, double exponent, int syllables, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<double> weights;
    for (size_t k = 0; k < names; ++k) {
      names_.push_back(Syllables(rng, syllables));
      weights.push_back(std::pow(static_cast<double>(k + 1), -exponent));
    }
    draw_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
  }
  const std::string& Draw(std::mt19937_64& rng) { return names_[draw_(rng)]; }

 private:
  std::vector<std::string> names_;
  std::discrete_distribution<size_t> draw_;
};

// Where a person lives: a postcode in one of about 3,000 districts (120 areas of 25), and an
// address line in the district's town. Streets are drawn per person, so different people rarely
// share an address, as in police records, which hold a small share of any street's residents.
struct Home {
  client::Postcode postcode;
  std::string address;
};

Home DrawHome(std::mt19937_64& rng) {
  static constexpr const char* kSuffixes[] = {"STREET", "ROAD", "AVENUE", "LANE", "CLOSE"};
  const int area = static_cast<int>(rng() % 120), district = 1 + static_cast<int>(rng() % 25);
  const std::string outward =
      absl::StrCat(std::string(1, static_cast<char>('A' + area / 26 % 26)),
                   std::string(1, static_cast<char>('A' + area % 26)), district);
  std::mt19937_64 town_rng(static_cast<uint64_t>(area * 100 + district));  // one town a district
  const std::string town = Syllables(town_rng, 2);
  Home home;
  home.postcode.outward = outward;
  home.postcode.full =
      absl::StrCat(outward, " ", 1 + rng() % 9, std::string(1, static_cast<char>('A' + rng() % 26)),
                   std::string(1, static_cast<char>('A' + rng() % 26)));
  home.address = client::NormaliseAddress(
      absl::StrCat(1 + rng() % 200, " ", Syllables(rng, 2), " ", kSuffixes[rng() % 5], " ", town));
  return home;
}

// `records` person records of about half as many people: each recorded one to three times, with
// typos and missing values, a fifth of the later recordings at a new home.
std::vector<PersonRecord> People(size_t records, uint64_t seed) {
  std::mt19937_64 rng(seed);
  client::Anonymiser anonymiser(*client::LinkageKey::FromSecret(std::string(32, '\x61')));
  NameVocabulary given_names(5000, 0.7, 2, 101), family_names(100000, 0.75, 3, 102);
  std::vector<PersonRecord> out;
  out.reserve(records);
  for (size_t person = 0; out.size() < records; ++person) {
    const std::string given = given_names.Draw(rng), family = family_names.Draw(rng);
    const client::CivilDate dob{1950 + static_cast<int>(rng() % 55),
                                1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28)};
    // Eight random digits: with six, a million records' half a million people shared numbers by
    // the birthday paradox and merged through them.
    const std::string phone = absl::StrFormat("+4477%08d", static_cast<int>(rng() % 100000000));
    Home home = DrawHome(rng);
    const int copies = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < copies && out.size() < records; ++c) {
      if (c > 0 && rng() % 5 == 0) home = DrawHome(rng);  // moved
      client::PersonIdentifiers p;
      p.given_name = client::NormaliseName(given);
      p.family_name = client::NormaliseName(family);
      if (rng() % 5 == 0) p.family_name[rng() % p.family_name.size()] = 'X';  // a typo
      if (rng() % 6 != 0) p.date_of_birth = dob;
      if (rng() % 2 == 0) p.phones.push_back(phone);
      if (rng() % 8 != 0) p.postcode = home.postcode;
      if (rng() % 6 != 0) {
        p.address = home.address;
        if (rng() % 10 == 0) p.address[rng() % p.address.size()] = 'X';  // a typo
      }
      const v1::AnonymisedIdentity id = anonymiser.Anonymise(p);
      PersonRecord r;
      r.key =
          PersonKey{RecordKind::kIncident, "F" + std::to_string(c), absl::StrCat("R", out.size()),
                    "N" + std::to_string(person), PartyRole::kSuspect};
      for (const auto& t : id.tokens()) AddToken(r, static_cast<TokenKind>(t.kind()), t.token());
      for (const auto& e : id.encodings()) {
        r.SetFilter(static_cast<EncodedField>(e.field()), e.bloom_filter());
      }
      SortTokens(r);
      // Without spare capacity: grown a token and a filter at a time, a record held about 1.5 KB,
      // and ten million of them did not fit beside the linker.
      r.tokens.shrink_to_fit();
      r.filter_bytes.shrink_to_fit();
      out.push_back(std::move(r));
    }
  }
  return out;
}

RecordId IdOf(const PersonRecord& p) {
  return RecordId{p.key.kind, {p.key.force_code, p.key.record_id}};
}

// The first n of `people`, each the only party of its own record, taken out of `people` (which
// keeps the rest): the benchmark holds one copy of the records, not two.
std::vector<Linker::RecordPersons> MoveIntoRecords(std::vector<PersonRecord>& people, size_t n) {
  std::vector<Linker::RecordPersons> records;
  records.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    records.push_back({IdOf(people[i]), {}});
    records.back().persons.push_back(std::move(people[i]));
  }
  people.erase(people.begin(), people.begin() + static_cast<std::ptrdiff_t>(n));
  people.shrink_to_fit();
  return records;
}

// Bytes the program has allocated and not freed, as jemalloc counts them (capacity reserved but
// never written included).
size_t HeapBytes() {
  uint64_t epoch = 1;
  size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);  // refreshes the statistics
  size_t allocated = 0;
  size = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &size, nullptr, 0) != 0) return 0;
  return allocated;
}

// The process's resident memory from /proc/self/status, in bytes: anonymous (heap and other
// private memory, which cannot leave RAM on a machine without swap) and file-backed (pages of
// mapped files, such as the linker's record file, which the kernel may write back and drop).
struct Resident {
  size_t anonymous = 0;
  size_t file = 0;
};
Resident ResidentBytes() {
  Resident resident;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    size_t kb = 0;
    if (std::sscanf(line.c_str(), "RssAnon: %zu kB", &kb) == 1) resident.anonymous = kb << 10;
    if (std::sscanf(line.c_str(), "RssFile: %zu kB", &kb) == 1) resident.file = kb << 10;
  }
  return resident;
}

// Has jemalloc return to the kernel now every page it holds freed, dirty or muzzy, in every
// arena, as its background threads would once those pages' decay times had passed.
void ReturnFreedPages() {
  const std::string purge = absl::StrCat("arena.", MALLCTL_ARENAS_ALL, ".purge");
  mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0);
}

// The linker's options as the hub's: the model fitted to the population, the records paged to a
// file (the hub's is in its store's directory; here the temporary directory).
LinkerOptions HubLinkerOptions(const std::vector<PersonRecord>& population,
                               bool records_in_file = true) {
  std::vector<const PersonRecord*> all;
  for (const auto& p : population) all.push_back(&p);
  LinkerOptions options;
  options.model = FitModel(all, options.model);
  if (records_in_file) {
    options.record_file_directory = std::filesystem::temp_directory_path().string();
  }
  return options;
}

// How well the entities match the people: of the pairs of person records put in one entity, the
// share that are one person (precision), and of the pairs that are one person, the share put in
// one entity (recall). Each person's recordings share its nominal reference.
struct PairAccuracy {
  double precision = 0;
  double recall = 0;
};
PairAccuracy EntityPairAccuracy(const std::vector<Entity>& entities) {
  const auto pairs = [](double n) { return n * (n - 1) / 2; };
  double together = 0, together_and_same = 0, same = 0;
  std::map<std::string, double> records_of;  // nominal reference -> records
  for (const Entity& e : entities) {
    std::map<std::string, double> in_entity;
    for (const PersonKey& k : e.members) in_entity[k.nominal_ref] += 1;
    together += pairs(static_cast<double>(e.members.size()));
    for (const auto& [ref, n] : in_entity) {
      together_and_same += pairs(n);
      records_of[ref] += n;
    }
  }
  for (const auto& [ref, n] : records_of) same += pairs(n);
  return {together > 0 ? together_and_same / together : 1, same > 0 ? together_and_same / same : 1};
}

// Full relink, as the hub runs it: fit the model to the population, then link every record at once
// (Build, on every core).
// The records are moved into the linker (MoveIntoRecords): with a second copy held here, the
// largest cases did not fit in 24 GiB.
void BM_Relink_Records(benchmark::State& state) {
  const size_t n = state.range(0);
  size_t entities = 0, people = 0;
  double bytes_per_record = 0;
  PairAccuracy accuracy;
  std::vector<ConfidenceSample> calibration;
  std::unique_ptr<Linker> linker;  // destroyed outside the timed part
  for (auto _ : state) {
    state.PauseTiming();
    linker.reset();
    std::vector<PersonRecord> population = People(n, 1);
    // The true number of people, for comparison with the entities found (each person's
    // recordings share its nominal reference).
    std::set<std::string> refs;
    for (const auto& p : population) refs.insert(p.key.nominal_ref);
    people = refs.size();
    refs.clear();
    state.ResumeTiming();
    linker = std::make_unique<Linker>(HubLinkerOptions(population));
    linker->Build(MoveIntoRecords(population, n));
    state.PauseTiming();
    const std::vector<Entity> found = linker->Entities();
    entities = found.size();
    accuracy = EntityPairAccuracy(found);
    // LinkConfidence against the truth: a record belongs when its person (nominal reference) is
    // the one most of its entity's records are.
    calibration =
        ConfidenceSamples(*linker, found, [](const PersonKey& k) { return k.nominal_ref; });
    state.ResumeTiming();
  }
  // What the linker holds is what destroying it frees. The heap's growth over the relink,
  // measured before, came out 260 bytes a record higher at 100,000 on the same code; what the
  // difference held was not pinned down, so the direct measure replaced it.
  const size_t held = HeapBytes();
  const size_t paged = linker->record_file_bytes();
  // Oversized buckets the relink dropped (LinkerOptions::dropped_band_members and
  // dropped_address_band_members).
  state.counters["dropped_band_buckets"] = static_cast<double>(linker->dropped_band_buckets());
  state.counters["dropped_address_band_buckets"] =
      static_cast<double>(linker->dropped_address_band_buckets());
  // Counting is what GetStats does under the engine's linker lock: how long it holds it.
  const auto count_start = std::chrono::steady_clock::now();
  const LinkerMemory memory = linker->Memory();
  const double count_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - count_start)
          .count();
  linker.reset();
  bytes_per_record = static_cast<double>(held - HeapBytes()) / n;
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["entities"] = static_cast<double>(entities);
  state.counters["people"] = static_cast<double>(people);
  state.counters["heap_bytes_per_record"] = bytes_per_record;
  state.counters["paged_bytes_per_record"] = static_cast<double>(paged) / n;
  state.counters["pair_precision"] = accuracy.precision;
  state.counters["pair_recall"] = accuracy.recall;
  state.counters["memory_count_ms"] = count_ms;
  // By how far the strongest link holding a record clears the link weight.
  const std::pair<const char*, std::pair<double, double>> margins[] = {
      {"0_2", {0, 2}}, {"2_4", {2, 4}}, {"4_8", {4, 8}}, {"8_16", {8, 16}}, {"16_up", {16, 1e9}}};
  for (const auto& [name, range] : margins) {
    const MarginBin bin = BinByMargin(calibration, range.first, range.second);
    state.counters[absl::StrCat("margin_", name, "_members")] = static_cast<double>(bin.members);
    state.counters[absl::StrCat("margin_", name, "_belong")] = bin.belong;
    state.counters[absl::StrCat("margin_", name, "_confidence")] = bin.confidence;
  }
  testing::PrintCalibration(absl::StrCat("relink ", n).c_str(), calibration);
  if (const std::optional<testing::MarginFit> fit = FitBelongingToMargin(calibration, 8)) {
    state.counters["belong_fit_intercept"] = fit->intercept;
    state.counters["belong_fit_per_bit"] = fit->per_bit;
  }
  // Where the linker's memory is, by its own count (Linker::Memory).
  const std::pair<const char*, size_t> parts[] = {
      {"mem_record_bands", memory.record_bands},
      {"mem_address_bands", memory.address_bands},
      {"mem_token_blocks", memory.token_blocks},
      {"mem_record_filters", memory.record_filters},
      {"mem_person_slots", memory.person_slots},
      {"mem_key_maps", memory.key_maps},
      {"mem_links", memory.links},
      {"mem_entities", memory.entities},
      {"mem_anonymous", memory.anonymous()},
  };
  for (const auto& [name, bytes] : parts) {
    state.counters[name] = static_cast<double>(bytes) / static_cast<double>(n);
  }
}
BENCHMARK(BM_Relink_Records)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Arg(3000000)
    ->Arg(10000000)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

// Writes back and drops from RAM the pages of every file this process maps from the temporary
// directory (the linker's record file, HubLinkerOptions), so that the next read of any record
// comes from disk. (Reclaim skips dirty file pages, hence the msync first.)
void PageOutRecordFiles() {
  const std::string directory = std::filesystem::temp_directory_path().string() + "/";
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    uintptr_t begin = 0, end = 0;
    char path[4096] = "";
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %*s %*s %4095[^\n]", &begin, &end, path) != 3 ||
        std::string_view(path).substr(0, directory.size()) != directory) {
      continue;
    }
    void* start = reinterpret_cast<void*>(begin);
    msync(start, end - begin, MS_SYNC);
    madvise(start, end - begin, MADV_PAGEOUT);
  }
}

size_t MajorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_majflt);
}

// Microseconds `linker` takes to store `persons` as record `id`'s (none: to delete it).
double UpdateMicros(Linker& linker, const RecordId& id, std::vector<PersonRecord> persons) {
  const auto start = std::chrono::steady_clock::now();
  linker.Update(id, std::move(persons));
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
      .count();
}

// The median and 99th percentile of `micros` as the counters p50_us and p99_us.
void ReportLatency(benchmark::State& state, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
}

// Links made right after the relink and timed apart from the rest. On these VMs the host takes
// back guest memory left idle for a few seconds, and the next touch of each 2 MiB of it costs
// 170-290 us (host_memory_benchmark); a relink leaves the whole index idle, so the first few
// dozen links at 10M records each walk into hundreds of such regions and take 2-60 ms, whatever
// the code. They are reported as first_links_ms (all of them) and first_links_max_us; p50_us
// and p99_us are of the links after them, a hub in steady state.
constexpr size_t kFirstLinks = 200;

// Incremental: link one new record into an index of N; reports p50 and p99 latency. With
// `records_on_disk`, every record's page is dropped from RAM before each link (not timed), so
// that each record the link reads is read from disk: the cost of a hub whose records the kernel
// has paged out.
// `with_helper`: false links on the calling thread alone (LinkerOptions::helper_min_members).
void LinkOneByOne(benchmark::State& state, bool records_on_disk, bool records_in_file = true,
                  bool with_helper = true) {
  const size_t n = state.range(0);
  std::vector<PersonRecord> people = People(n + kFirstLinks + 2000, 2);
  LinkerOptions options = HubLinkerOptions(people, records_in_file);
  if (!with_helper) options.helper_min_members = std::numeric_limits<size_t>::max();
  Linker linker(std::move(options));
  // The populated index, linked at once as a relink does; its records are moved in, and only the
  // ones to link one by one are kept here.
  linker.Build(MoveIntoRecords(people, n));
  double first_links_micros = 0, first_links_max_micros = 0;
  for (size_t k = 0; k < kFirstLinks; ++k) {
    if (records_on_disk) PageOutRecordFiles();
    const double link_micros = UpdateMicros(linker, IdOf(people[k]), {people[k]});
    first_links_micros += link_micros;
    first_links_max_micros = std::max(first_links_max_micros, link_micros);
  }
  state.counters["first_links_ms"] = first_links_micros / 1000;
  state.counters["first_links_max_us"] = first_links_max_micros;
  std::vector<double> micros;
  size_t next = kFirstLinks, faults = 0;
  for (auto _ : state) {
    if (records_on_disk) {
      state.PauseTiming();
      PageOutRecordFiles();
      state.ResumeTiming();
    }
    const PersonRecord& p = people[next];
    const size_t faults_before = MajorFaults();
    micros.push_back(UpdateMicros(linker, IdOf(p), {p}));
    faults += MajorFaults() - faults_before;
    if (++next == people.size()) next = kFirstLinks;  // re-linking a record replaces it
  }
  // What the whole process holds (the records kept here too), once it has linked them.
  const Resident resident = ResidentBytes();
  state.counters["rss_anon_bytes_per_record"] = static_cast<double>(resident.anonymous) / n;
  // And once jemalloc has given back the pages freed just before (the relink's scratch), as its
  // background threads do within its decay times, 10 s dirty and 10 s more muzzy (MADV_FREE'd
  // pages count as resident until the kernel takes them): what a hub holds between relinks.
  ReturnFreedPages();
  state.counters["rss_anon_settled_bytes_per_record"] =
      static_cast<double>(ResidentBytes().anonymous) / n;
  state.counters["rss_file_bytes_per_record"] = static_cast<double>(resident.file) / n;
  state.counters["major_faults_per_link"] = static_cast<double>(faults) / micros.size();
  ReportLatency(state, micros);
}
void BM_Link_OneRecord(benchmark::State& state) { LinkOneByOne(state, false); }
BENCHMARK(BM_Link_OneRecord)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Arg(3000000)
    ->Arg(10000000)
    ->Iterations(2000);
// The same links on one thread: what the helper thread saves.
void BM_Link_OneRecordOneThread(benchmark::State& state) {
  LinkOneByOne(state, false, /*records_in_file=*/true, /*with_helper=*/false);
}
BENCHMARK(BM_Link_OneRecordOneThread)->Arg(1000000)->Arg(3000000)->Arg(10000000)->Iterations(2000);
// The same with the records in anonymous memory (huge pages), as the linker held them on its
// heap before the record file: what paging them costs a link whose records are all in RAM.
void BM_Link_OneRecordRecordsInRam(benchmark::State& state) {
  LinkOneByOne(state, false, /*records_in_file=*/false);
}
BENCHMARK(BM_Link_OneRecordRecordsInRam)
    ->Arg(1000000)
    ->Arg(3000000)
    ->Arg(10000000)
    ->Iterations(2000);
void BM_Link_OneRecordFromDisk(benchmark::State& state) { LinkOneByOne(state, true); }
BENCHMARK(BM_Link_OneRecordFromDisk)->Arg(1000000)->Arg(3000000)->Arg(10000000)->Iterations(2000);

// Every 500th held record, each once (so that the sample spreads over the population, common
// names and all), stored again: as it was (an incident whose outcome changed), with its address
// taken off (as when a force corrects a record), or deleted. The last two remove the person,
// which can split its entity anywhere in its component, so the components it leaves are
// clustered whole. Reports p50 and p99 latency.
enum class HeldRecordChange { kNone, kAddressTakenOff, kDeleted };
void StoreHeldRecordsAgain(benchmark::State& state, HeldRecordChange change) {
  const size_t n = state.range(0);
  std::vector<PersonRecord> people = People(n, 2);
  std::vector<PersonRecord> again;
  for (size_t k = 0; k < n; k += 500) {
    again.push_back(people[k]);
    if (change == HeldRecordChange::kAddressTakenOff) {
      again.back().SetFilter(EncodedField::kAddress, "");
      again.back().SetFilter(EncodedField::kPostcode, "");
    }
  }
  Linker linker(HubLinkerOptions(people));
  linker.Build(MoveIntoRecords(people, n));
  std::vector<double> micros;
  size_t next = 0;
  for (auto _ : state) {
    const PersonRecord& p = again[next];
    micros.push_back(change == HeldRecordChange::kDeleted ? UpdateMicros(linker, IdOf(p), {})
                                                          : UpdateMicros(linker, IdOf(p), {p}));
    if (++next == again.size()) next = 0;
  }
  ReportLatency(state, micros);
}
void BM_Link_UnchangedRecord(benchmark::State& state) {
  StoreHeldRecordsAgain(state, HeldRecordChange::kNone);
}
BENCHMARK(BM_Link_UnchangedRecord)->Arg(1000000)->Iterations(2000);
void BM_Link_ChangedRecord(benchmark::State& state) {
  StoreHeldRecordsAgain(state, HeldRecordChange::kAddressTakenOff);
}
BENCHMARK(BM_Link_ChangedRecord)->Arg(1000000)->Iterations(2000);
void BM_Link_DeletedRecord(benchmark::State& state) {
  StoreHeldRecordsAgain(state, HeldRecordChange::kDeleted);
}
BENCHMARK(BM_Link_DeletedRecord)->Arg(1000000)->Iterations(2000);

// The LSH buckets of a hub that only ever links records one at a time after its last relink:
// every band's recent part grows by one node per record. Reports the slowest add, which is where
// a pool that grows by reallocation stalls (every band's pool grows in step with the others).
void BM_LshIndex_AddOneAtATime(benchmark::State& state) {
  const size_t n = state.range(0);
  constexpr size_t kBands = 48;
  std::mt19937_64 random(11);
  std::vector<std::vector<uint64_t>> signatures(n, std::vector<uint64_t>(kBands));
  for (auto& person : signatures) {
    for (uint64_t& s : person) s = random() & ((uint64_t{1} << 22) - 1);
  }
  std::vector<double> micros;
  for (auto _ : state) {
    LshIndex index(kBands, 22);
    micros.clear();
    micros.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const auto start = std::chrono::steady_clock::now();
      index.Add(static_cast<LshIndex::Index>(i), signatures[i]);
      micros.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
  }
  std::sort(micros.begin(), micros.end());
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_LshIndex_AddOneAtATime)->Arg(1000000)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace crossforce

BENCHMARK_MAIN();
