// Encoding throughput of the force-side client: normalise and anonymise one export row's people
// (a suspect and a victim), as `crossforce ingest` does per row.
//
//   build/bin/anonymise_benchmark
//
// One item is one person record (as clkhash counts records): normalise its raw fields, then make
// its tokens and Bloom filters. BM_Anonymise_Person draws from a pool where names repeat as in real
// data; BM_Anonymise_UniquePerson gives every person a name never seen before.
#include <random>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "client/anonymiser.h"
#include "client/normalise.h"

namespace crossforce::client {
namespace {

struct RawPerson {
  std::string given, family, dob, postcode, phone, email;
};

std::vector<RawPerson> People(int n, bool unique) {
  const char* given[] = {"Robert", "bob", "ELIZABETH", "Liz", "Mohammed", "Zoë", "Siobhan", "Tom"};
  const char* family[] = {"Smith",    "JONES",  "O'Brien",           "Smith-Jones",
                          "Kowalski", "Okafor", "Featherstonehaugh", "Patel"};
  std::mt19937_64 rng(7);
  std::vector<RawPerson> people;
  for (int i = 0; i < n; ++i) {
    RawPerson p;
    p.given = unique
                  ? absl::StrFormat("%s%c%c", given[rng() % 8], 'a' + rng() % 26, 'a' + rng() % 26)
                  : given[rng() % 8];
    p.family =
        unique ? absl::StrFormat("%s%c%c", family[rng() % 8], 'a' + rng() % 26, 'a' + rng() % 26)
               : family[rng() % 8];
    p.dob = absl::StrFormat("%02d/%02d/%04d", 1 + rng() % 28, 1 + rng() % 12, 1950 + rng() % 55);
    p.postcode = absl::StrFormat("LS%d %d%c%c", 1 + rng() % 29, 1 + rng() % 9, 'A' + rng() % 26,
                                 'A' + rng() % 26);
    p.phone = absl::StrFormat("07700 9%05d", static_cast<int>(rng() % 100000));
    p.email = absl::StrFormat("person%d@example.com", static_cast<int>(rng() % 1000000));
    people.push_back(p);
  }
  return people;
}

PersonIdentifiers Normalise(const RawPerson& raw) {
  PersonIdentifiers p;
  p.given_name = NormaliseName(raw.given);
  p.family_name = NormaliseName(raw.family);
  if (auto d = ParseDate(raw.dob); d.ok()) p.date_of_birth = *d;
  if (auto pc = NormalisePostcode(raw.postcode); pc.ok()) p.postcode = *pc;
  if (auto phone = NormalisePhone(raw.phone); phone.ok()) p.phones.push_back(*phone);
  if (auto email = NormaliseEmail(raw.email); email.ok()) p.emails.push_back(*email);
  return p;
}

void RunPeople(benchmark::State& state, bool unique) {
  const std::vector<RawPerson> people = People(20000, unique);
  const LinkageKey key = *LinkageKey::FromSecret(std::string(32, '\x05'));
  Anonymiser anonymiser(key);
  size_t i = 0;
  for (auto _ : state) {
    v1::AnonymisedIdentity id = anonymiser.Anonymise(Normalise(people[i++ % people.size()]));
    benchmark::DoNotOptimize(id);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Anonymise_Person(benchmark::State& state) { RunPeople(state, false); }
void BM_Anonymise_UniquePerson(benchmark::State& state) { RunPeople(state, true); }
BENCHMARK(BM_Anonymise_Person);
BENCHMARK(BM_Anonymise_UniquePerson);

}  // namespace
}  // namespace crossforce::client

BENCHMARK_MAIN();
