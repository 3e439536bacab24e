#include "engine/linkage/linker.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/linkage/dice.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/linkage_harness.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

using ::crossforce::testing::AsRecords;
using ::crossforce::testing::EncodePerson;
using ::crossforce::testing::IsOk;
using ::crossforce::testing::RawPerson;

// Every candidate pair the blocking produces, as (lower, higher) nominal references, sorted.
std::vector<std::pair<std::string, std::string>> CandidatePairs(const Linker& linker) {
  std::vector<std::pair<std::string, std::string>> pairs;
  linker.ForEachCandidatePair([&](const PersonKey& a, const PersonKey& b) {
    pairs.emplace_back(std::min(a.nominal_ref, b.nominal_ref),
                       std::max(a.nominal_ref, b.nominal_ref));
  });
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

class LinkerTest : public ::testing::Test {
 protected:
  LinkerTest() : anonymiser_(*client::LinkageKey::FromSecret(std::string(32, '\x21'))) {}

  PersonRecord Person(RawPerson raw) { return EncodePerson(anonymiser_, raw); }

  static void Add(Linker& linker, const PersonRecord& p) {
    linker.Update(RecordId{p.key.kind, {p.key.force_code, p.key.record_id}}, {p});
  }
  static PersonKey Key(const PersonRecord& p) { return p.key; }
  // The outcome of comparison `c` between two held people.
  ComparisonOutcome Outcome(const Linker& linker, const RawPerson& x, const RawPerson& y,
                            Comparison c) {
    return linker.Explain(Key(Person(x)), Key(Person(y)))->comparisons[static_cast<int>(c)];
  }

  // 160 records drawn from seven names (nicknames, misspellings), a few dates of birth, two
  // postcodes (`other_postcode` may be "": none) and three phones: namesakes that link, chain and
  // conflict.
  std::vector<PersonRecord> Namesakes(std::mt19937_64& rng, const std::string& other_postcode) {
    const char* given[] = {"John", "Jon", "Johnny", "Sarah", "Sara", "Mohammed", "Muhammad"};
    const char* family[] = {"Smith", "Smyth", "Smith", "Khan", "Kahn", "Ali", "Aly"};
    std::vector<PersonRecord> people;
    for (int i = 0; i < 160; ++i) {
      const int g = static_cast<int>(rng() % 7);
      people.push_back(
          Person({i % 2 ? "WYP" : "MET", "R" + std::to_string(i), given[g], family[g],
                  absl::StrFormat("19%02d-0%d-1%d", 60 + static_cast<int>(rng() % 5),
                                  1 + static_cast<int>(rng() % 3), static_cast<int>(rng() % 3)),
                  rng() % 2 ? "LS6 1AB" : other_postcode,
                  rng() % 3 ? "" : "07700 90012" + std::to_string(rng() % 3), "", "M", ""}));
    }
    return people;
  }

  client::Anonymiser anonymiser_;
};

TEST_F(LinkerTest, SamePersonAcrossForcesDespiteNicknameTypoAndFormats) {
  Linker linker{LinkerOptions()};
  const PersonRecord wyp = Person(
      {"WYP", "I1", "Robert", "Smyth", "01/02/1980", "LS6 1AB", "07700 900123", "", "M", ""});
  const PersonRecord met =
      Person({"MET", "I9", "BOB", "SMITH", "1980-02-01", "ls61ab", "+44 7700 900123", "", "M", ""});
  Add(linker, wyp);
  Add(linker, met);
  EXPECT_EQ(linker.EntityOf(Key(wyp)), linker.EntityOf(Key(met)));
  absl::StatusOr<PairScore> why = linker.Explain(Key(wyp), Key(met));
  ASSERT_THAT(why, IsOk());
  EXPECT_GE(why->weight, linker.model().link_weight);
  EXPECT_EQ(why->comparisons[static_cast<int>(Comparison::kPhone)].level, 0);
  EXPECT_EQ(why->comparisons[static_cast<int>(Comparison::kDateOfBirth)].level, 0);
  EXPECT_EQ(why->comparisons[static_cast<int>(Comparison::kGivenName)].level, 1)
      << "Bob and Robert agree through the canonical name";
}

// The linker screens on the first 256 bits of each 1024-bit record filter (Linker::clk_words_,
// kScreenFilterWords words): the client sets a filter's bits at the positions its values hash
// to, so any quarter of them is a uniform sample, and its Dice estimates the whole filter's.
// Namesakes' encodings (nicknames, misspellings, shared dates and postcodes) span the Dice the
// screen decides on.
TEST_F(LinkerTest, TheFirstQuarterOfARecordFilterEstimatesItsDice) {
  std::mt19937_64 rng(11);
  const std::vector<PersonRecord> people = Namesakes(rng, "YO1 7HH");
  constexpr size_t kScreenBytes = kScreenFilterWords * sizeof(uint64_t);
  std::vector<double> gaps;
  size_t near_screen = 0;
  double set_bits = 0;
  for (const PersonRecord& p : people) {
    const absl::string_view f = p.filter(EncodedField::kRecord);
    set_bits += PopCount(reinterpret_cast<const uint8_t*>(f.data()), f.size());
  }
  for (size_t a = 0; a < people.size(); ++a) {
    for (size_t b = a + 1; b < people.size(); ++b) {
      const absl::string_view fa = people[a].filter(EncodedField::kRecord);
      const absl::string_view fb = people[b].filter(EncodedField::kRecord);
      ASSERT_EQ(fa.size(), 128u);
      const double whole = Dice(fa, fb);
      const double quarter = Dice(fa.substr(0, kScreenBytes), fb.substr(0, kScreenBytes));
      if (whole >= 0.45 && whole <= 0.75) ++near_screen;
      gaps.push_back(std::abs(quarter - whole));
    }
  }
  ASSERT_GT(near_screen, gaps.size() / 4) << "the pairs must span the screen's Dice";
  std::sort(gaps.begin(), gaps.end());
  double sum = 0;
  for (double g : gaps) sum += g;
  // A quarter of about 370 set bits: a standard error near 0.04 at Dice 0.6 (measured: a mean gap
  // of 0.025, 0.08 at the 99th percentile).
  EXPECT_LT(sum / gaps.size(), 0.04);
  EXPECT_LT(gaps[gaps.size() * 99 / 100], 0.12);
  std::printf(
      "record filter quarters: %.0f bits set a filter; gap to the whole's Dice: mean %.4f, p99 "
      "%.4f, max %.4f over %zu pairs\n",
      set_bits / people.size(), sum / gaps.size(), gaps[gaps.size() * 99 / 100], gaps.back(),
      gaps.size());
}

// The linker finds a person by key through its record (its first person, then the chain of the
// others): each person of a record of three is found, under its own role, and a person the
// record names twice is held once, whether linked on arrival or by a relink.
TEST_F(LinkerTest, FindsEachPersonOfARecordAndHoldsOneNamedTwiceOnce) {
  const RecordId id{RecordKind::kIncident, {"WYP", "I7"}};
  std::vector<PersonRecord> persons;
  const char* given[] = {"Robert", "Sarah", "Mohammed", "Robert"};
  for (int n = 0; n < 4; ++n) {
    PersonRecord p =
        Person({"WYP", "I7", given[n], "Smyth", "01/02/1980", "LS6 1AB", "", "", "", ""});
    p.key.nominal_ref = n == 3 ? "N0" : absl::StrCat("N", n);  // the fourth names N0 again
    p.key.role = n == 1 ? PartyRole::kVictim : PartyRole::kSuspect;
    persons.push_back(std::move(p));
  }
  Linker incremental{LinkerOptions()};
  incremental.Update(id, persons);
  Linker built{LinkerOptions()};
  built.Build({{id, persons}});
  for (const Linker* linker : {&incremental, &built}) {
    EXPECT_EQ(linker->person_count(), 3u);
    for (int n = 0; n < 3; ++n) {
      ASSERT_THAT(linker->Find(persons[n].key), IsOk()) << n;
      EXPECT_NE(linker->EntityOf(persons[n].key), std::nullopt) << n;
      PersonKey without_role = persons[n].key;
      without_role.role = static_cast<PartyRole>(0);
      EXPECT_EQ(*linker->Find(without_role), persons[n].key) << n;
    }
    PersonKey other_role = persons[1].key;
    other_role.role = PartyRole::kSuspect;
    EXPECT_EQ(linker->Find(other_role).status().code(), absl::StatusCode::kNotFound)
        << "N1 is held as a victim";
  }
  // The record replaced by one of its persons: the others are no longer found.
  incremental.Update(id, {persons[1]});
  EXPECT_EQ(incremental.person_count(), 1u);
  EXPECT_THAT(incremental.Find(persons[1].key), IsOk());
  EXPECT_EQ(incremental.Find(persons[0].key).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(incremental.Find(persons[2].key).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LinkerTest, FindsAPersonByKeyWithOrWithoutTheRole) {
  Linker linker{LinkerOptions()};
  const PersonRecord p = Person(
      {"WYP", "I1", "Robert", "Smyth", "01/02/1980", "LS6 1AB", "07700 900123", "", "M", ""});
  Add(linker, p);
  ASSERT_THAT(linker.Find(Key(p)), IsOk());
  EXPECT_EQ(*linker.Find(Key(p)), Key(p));
  PersonKey without_role = Key(p);
  without_role.role = static_cast<PartyRole>(0);
  ASSERT_THAT(linker.Find(without_role), IsOk());
  EXPECT_EQ(*linker.Find(without_role), Key(p)) << "the role is filled in from the hub's record";
  PersonKey other_ref = without_role;
  other_ref.nominal_ref += "-other";
  EXPECT_EQ(linker.Find(other_ref).status().code(), absl::StatusCode::kNotFound);
  // Removed records are no longer found, and their slot's next holder is.
  linker.Update(RecordId{p.key.kind, {p.key.force_code, p.key.record_id}}, {});
  EXPECT_EQ(linker.Find(Key(p)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(linker.EntityOf(Key(p)), std::nullopt);
  Add(linker, p);
  EXPECT_NE(linker.EntityOf(Key(p)), std::nullopt);
  EXPECT_EQ(linker.person_count(), 1u);
}

TEST_F(LinkerTest, DifferentPeopleSharingANameStayApart) {
  Linker linker{LinkerOptions()};
  const PersonRecord a =
      Person({"WYP", "I1", "John", "Smith", "1980-02-01", "LS6 1AB", "07700 900123", "", "M", ""});
  const PersonRecord b =
      Person({"MET", "I2", "John", "Smith", "1993-07-19", "SE1 7PB", "07700 955555", "", "M", ""});
  Add(linker, a);
  Add(linker, b);
  EXPECT_NE(linker.EntityOf(Key(a)), linker.EntityOf(Key(b)));
}

TEST_F(LinkerTest, ChainingIsRefused) {
  // B shares a phone and a postcode with A (a flatmate) and a name and date of birth with C; A and
  // C disagree on everything.
  Linker linker{LinkerOptions()};
  const PersonRecord a = Person({"WYP", "A", "Peter", "Smith", "1975-03-04", "LS6 1AB",
                                 "07700 900001", "peter@example.com", "M", ""});
  const PersonRecord b =
      Person({"WYP", "B", "Mark", "Jones", "1990-10-10", "LS6 1AB", "07700 900001", "", "M", ""});
  const PersonRecord c = Person({"MET", "C", "Mark", "Jones", "1990-10-10", "E1 6AN",
                                 "07700 977777", "mark@example.org", "M", ""});
  Add(linker, a);
  Add(linker, b);
  Add(linker, c);
  const auto ea = linker.EntityOf(Key(a)), eb = linker.EntityOf(Key(b)),
             ec = linker.EntityOf(Key(c));
  EXPECT_FALSE(ea == ec && eb == ec) << "A and C glued together through B";
  // The chain is there to be refused: both links score at the link weight, and A and C disagree.
  EXPECT_GE(linker.Explain(Key(a), Key(b))->weight, linker.model().link_weight);
  EXPECT_GE(linker.Explain(Key(b), Key(c))->weight, linker.model().link_weight);
  EXPECT_LT(linker.Explain(Key(a), Key(c))->weight, linker.model().cannot_link_weight);
}

TEST_F(LinkerTest, PlaceOfBirthIsComparedWhenBothRecordIt) {
  Linker linker{LinkerOptions()};
  RawPerson a{"WYP", "A", "Mark", "Jones", "", "", "", "", "M", ""};
  a.birth_place = "St. Helens";
  RawPerson b{"MET", "B", "Mark", "Jones", "", "", "", "", "M", ""};
  b.birth_place = "SAINT HELENS";
  RawPerson c{"GMP", "C", "Mark", "Jones", "", "", "", "", "M", ""};
  c.birth_place = "Cardiff";
  const RawPerson d{"NYP", "D", "Mark", "Jones", "", "", "", "", "M", ""};
  for (const RawPerson& p : {a, b, c, d}) Add(linker, Person(p));
  const auto place = [&](const RawPerson& x, const RawPerson& y) {
    return Outcome(linker, x, y, Comparison::kBirthPlace);
  };
  EXPECT_EQ(place(a, b).level, 0) << "the same place written two ways";
  EXPECT_GT(place(a, b).weight, 0);
  EXPECT_EQ(place(a, c).level, 2);
  EXPECT_LT(place(a, c).weight, 0);
  EXPECT_EQ(place(a, d).level, -1) << "not recorded: no evidence";
  EXPECT_EQ(place(a, d).weight, 0);
}

TEST_F(LinkerTest, ALoneNameIsComparedWithTheOtherRecordsFamilyName) {
  Linker linker{LinkerOptions()};
  const RawPerson full{"WYP", "A", "Thomas", "Pollard", "", "BA11 1BB", "", "", "M", ""};
  // A family name typed in the forename field, with nothing else but the postcode.
  const RawPerson surname_alone{"MET", "B", "POLLARD", "", "", "BA11 1BB", "", "", "", ""};
  const RawPerson forename_alone{"GMP", "C", "Tom", "", "", "BA11 1BB", "", "", "", ""};
  const RawPerson both_names{"NYP", "D", "Pollard", "Smith", "", "BA11 1BB", "", "", "", ""};
  for (const RawPerson& p : {full, surname_alone, forename_alone, both_names}) {
    Add(linker, Person(p));
  }
  for (const auto& [x, y] : {std::pair(full, surname_alone), std::pair(surname_alone, full)}) {
    const ComparisonOutcome family = Outcome(linker, x, y, Comparison::kFamilyName);
    EXPECT_EQ(family.level, 3) << "the lone name sounds like the family name";
    EXPECT_GT(family.weight, 0);
    EXPECT_EQ(Outcome(linker, x, y, Comparison::kGivenName).level, -1)
        << "the lone name was not a forename: no evidence on the forename";
  }
  // A lone forename that is not the family name is compared as a forename, as before.
  EXPECT_EQ(Outcome(linker, full, forename_alone, Comparison::kFamilyName).level, -1);
  EXPECT_EQ(Outcome(linker, full, forename_alone, Comparison::kGivenName).level, 1)
      << "Tom is Thomas";
  // Two family names are compared as family names, whatever the forenames hold.
  EXPECT_EQ(Outcome(linker, full, both_names, Comparison::kFamilyName).level, 4);
  EXPECT_THAT(CandidatePairs(linker),
              ::testing::Contains(std::pair<std::string, std::string>("A", "B")))
      << "the lone name blocks as a family name (with the postcode district)";
}

TEST_F(LinkerTest, OccupationsAreComparedAndARareOneSaysMore) {
  // Forty labourers and two farriers: the model's term frequencies, as a relink fits them.
  std::vector<RawPerson> people;
  for (int i = 0; i < 40; ++i) {
    RawPerson labourer;
    labourer.source = "WYP";
    labourer.id = absl::StrFormat("L%d", i);
    labourer.given = "Lee";
    labourer.family = absl::StrFormat("Name%c", 'A' + i % 26);
    labourer.occupation = "Labourer";
    people.push_back(labourer);
  }
  RawPerson farrier_a{"WYP", "F1", "Mark", "Jones", "", "", "", "", "M", ""};
  farrier_a.occupation = "Farrier";
  RawPerson farrier_b{"MET", "F2", "Mark", "Jones", "", "", "", "", "M", ""};
  farrier_b.occupation = "farrier ";
  RawPerson none{"GMP", "N", "Mark", "Jones", "", "", "", "", "M", ""};
  for (const RawPerson& p : {farrier_a, farrier_b, none}) people.push_back(p);
  std::vector<PersonRecord> records;
  for (const RawPerson& p : people) records.push_back(Person(p));
  std::vector<const PersonRecord*> all;
  for (const PersonRecord& r : records) all.push_back(&r);
  LinkerOptions options;
  options.model = FitModel(all, options.model);
  Linker linker(options);
  for (const PersonRecord& r : records) Add(linker, r);
  const auto occupation = [&](const RawPerson& x, const RawPerson& y) {
    return Outcome(linker, x, y, Comparison::kOccupation);
  };
  EXPECT_EQ(occupation(farrier_a, farrier_b).level, 0) << "the same occupation written two ways";
  EXPECT_TRUE(occupation(farrier_a, farrier_b).term_frequency_adjusted);
  EXPECT_GT(occupation(farrier_a, farrier_b).weight, occupation(people[0], people[1]).weight)
      << "two farriers are rarer than two labourers";
  EXPECT_EQ(occupation(farrier_a, people[0]).level, 1);
  EXPECT_LT(occupation(farrier_a, people[0]).weight, 0);
  EXPECT_EQ(occupation(farrier_a, none).level, -1) << "not recorded: no evidence";
}

TEST_F(LinkerTest, MistypedDatesAndEmailsAreCloseNotDifferent) {
  Linker linker{LinkerOptions()};
  const RawPerson a{"WYP", "A", "Evie", "", "1992-08-14", "", "", "evied62@bishop.info", "", ""};
  const RawPerson typo{"MET", "B", "", "", "1992-08-24", "", "", "evieed62@bishop.info", "", ""};
  const RawPerson other_domain{"GMP", "C", "", "", "1992-03-02", "", "", "evied62@gmail.com",
                               "",    ""};
  const RawPerson different{"NYP", "D", "", "", "1961-05-27", "", "", "j.cole@example.org", "", ""};
  for (const RawPerson& p : {a, typo, other_domain, different}) Add(linker, Person(p));
  EXPECT_EQ(Outcome(linker, a, typo, Comparison::kDateOfBirth).level, 2) << "one digit different";
  EXPECT_EQ(Outcome(linker, a, other_domain, Comparison::kDateOfBirth).level, 3) << "same year";
  EXPECT_EQ(Outcome(linker, a, different, Comparison::kDateOfBirth).level, 4);
  EXPECT_EQ(Outcome(linker, a, typo, Comparison::kEmail).level, 1) << "a slip of the keyboard";
  EXPECT_EQ(Outcome(linker, a, other_domain, Comparison::kEmail).level, 1) << "same user name";
  EXPECT_EQ(Outcome(linker, a, different, Comparison::kEmail).level, 2);
  // Sharing only the user name (no name, date or postcode in common) still makes them candidates.
  EXPECT_THAT(CandidatePairs(linker),
              ::testing::Contains(std::pair<std::string, std::string>("A", "C")))
      << "the email user name is a block";
}

TEST_F(LinkerTest, EntityIdsAreStableAndMergesRedirect) {
  Linker linker{LinkerOptions()};
  // a and c have nothing in common to compare; b agrees with a on given name and date of birth
  // and with c on family name and phone.
  const PersonRecord a = Person({"WYP", "I1", "Sarah", "", "1985-05-05", "", "", "", "", ""});
  const PersonRecord c = Person({"GMP", "I3", "", "Khan", "", "", "07700 900321", "", "", ""});
  const PersonRecord b =
      Person({"MET", "I2", "Sarah", "Khan", "1985-05-05", "M1 1AE", "07700 900321", "", "F", ""});
  Add(linker, a);
  Add(linker, c);
  const EntityId first = *linker.EntityOf(Key(a));
  const EntityId second = *linker.EntityOf(Key(c));
  ASSERT_NE(first, second);
  Add(linker, b);
  EXPECT_EQ(*linker.EntityOf(Key(c)), first) << "the oldest id survives the merge";
  EXPECT_EQ(linker.Resolve(second), first);
  absl::StatusOr<std::pair<Entity, std::vector<Link>>> detail = linker.EntityDetail(second);
  ASSERT_THAT(detail, IsOk());
  EXPECT_EQ(detail->first.members.size(), 3u);
  EXPECT_GE(detail->second.size(), 2u);
  // Deleting the bridge unlinks.
  linker.Update(RecordId{RecordKind::kIncident, {"MET", "I2"}}, {});
  EXPECT_NE(linker.EntityOf(Key(a)), linker.EntityOf(Key(c)));
  EXPECT_FALSE(linker.EntityOf(Key(b)).has_value());
  // One part of a split keeps the id; the other gets a new one.
  const EntityId after_a = *linker.EntityOf(Key(a)), after_c = *linker.EntityOf(Key(c));
  EXPECT_TRUE(after_a == first || after_c == first);
  EXPECT_GT(std::max(after_a, after_c), second);
}

// Entities as sorted lists of members, comparable across linkers.
std::vector<std::vector<PersonKey>> Partition(const Linker& linker) {
  std::vector<std::vector<PersonKey>> out;
  for (const Entity& e : linker.Entities()) out.push_back(e.members);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(LinkerTest, ArrivalOrderDoesNotChangeThePartition) {
  std::mt19937_64 rng(3);
  std::vector<PersonRecord> people = Namesakes(rng, "");
  Linker reference{LinkerOptions()};
  for (const auto& p : people) Add(reference, p);
  const auto expected = Partition(reference);
  ASSERT_LT(expected.size(), people.size()) << "the data must hold links for the test to mean much";
  for (int shuffle = 0; shuffle < 4; ++shuffle) {
    std::shuffle(people.begin(), people.end(), rng);
    Linker linker{LinkerOptions()};
    for (const auto& p : people) Add(linker, p);
    EXPECT_EQ(Partition(linker), expected) << "shuffle " << shuffle;
  }
  // Linking the whole population at once (a relink) gives it too, on one thread or several,
  // with the same model (Build does not estimate m here), and with the records held in a file
  // as the hub holds them.
  const testing::TempDir record_dir;
  for (int threads : {1, 2, 3}) {
    LinkerOptions options;
    options.build_threads = threads;
    options.m_estimation.enabled = false;
    options.record_file_directory = record_dir.path();
    Linker built(options);
    built.Build(AsRecords(people));
    EXPECT_GT(built.record_file_bytes(), 0u);
    EXPECT_EQ(built.record_anonymous_bytes(), 0u);
    EXPECT_EQ(Partition(built), expected) << threads << " threads";
    EXPECT_EQ(built.link_count(), reference.link_count());
    // The buckets a relink lays serve later updates as if laid record by record.
    for (size_t i = 0; i < people.size(); i += 3) {
      built.Update(
          RecordId{RecordKind::kIncident, {people[i].key.force_code, people[i].key.record_id}}, {});
    }
    for (size_t i = 0; i < people.size(); i += 3) Add(built, people[i]);
    EXPECT_EQ(Partition(built), expected) << threads << " threads, after churn";
    EXPECT_EQ(built.link_count(), reference.link_count());
  }
  // Deleting and re-adding a third of the records also lands on the same partition.
  Linker churn{LinkerOptions()};
  for (const auto& p : people) Add(churn, p);
  for (size_t i = 0; i < people.size(); i += 3) {
    churn.Update(
        RecordId{RecordKind::kIncident, {people[i].key.force_code, people[i].key.record_id}}, {});
  }
  for (size_t i = 0; i < people.size(); i += 3) Add(churn, people[i]);
  EXPECT_EQ(Partition(churn), expected);
}

// A link whose blocks hold many members shares them out in runs, to the helper thread when it
// wakes in time (LinkerOptions::helper_min_members). Every link shares here, namesakes at shared
// addresses among them, so that runs split each kind of member (compared, fuzzy, address-band
// members, and those both fuzzy and at an address): the links, partition and ids must be those
// of linking on one thread.
TEST_F(LinkerTest, SharingALinksMembersWithTheHelperFindsTheSameLinks) {
  std::mt19937_64 rng(11);
  std::vector<PersonRecord> people = Namesakes(rng, "LS2 9JT");
  const char* addresses[] = {"14 Ashgrove Terrace, Headingley, Leeds",
                             "14 ASHGROVE TERRACE HEADINGLEY LEEDS", "2 Mill Lane, Otley"};
  const char* given[] = {"John", "Dean", "Sarah", "Sara"};
  const char* family[] = {"Smith", "Harper", "Khan", "Smith"};
  for (int i = 0; i < 60; ++i) {
    people.push_back(Person({"NYP", "A" + std::to_string(i), given[rng() % 4], family[rng() % 4],
                             i % 3 ? "1962-02-11" : "", rng() % 2 ? "LS6 1AB" : "", "", "", "M", "",
                             addresses[rng() % 3]}));
  }
  std::shuffle(people.begin(), people.end(), rng);
  const auto link_both_ways = [&](const LinkerOptions& options, size_t records) {
    LinkerOptions one_thread = options;
    one_thread.helper_min_members = std::numeric_limits<size_t>::max();
    LinkerOptions shared = options;
    shared.helper_min_members = 0;
    shared.helper_run_members = 3;  // runs that split every kind of member at many places
    auto linkers =
        std::make_pair(std::make_unique<Linker>(one_thread), std::make_unique<Linker>(shared));
    for (size_t k = 0; k < records; ++k) {
      Add(*linkers.first, people[k]);
      Add(*linkers.second, people[k]);
    }
    EXPECT_EQ(linkers.first->helper_joins(), 0u);
    std::printf("the helper joined %zu of %zu links\n", linkers.second->helper_joins(), records);
    return linkers;
  };
  // Every candidate linked: a member a run missed, or took twice, changes the links. (On a
  // hundred records: re-clustering so many links costs seconds at 280.)
  LinkerOptions every_candidate;
  every_candidate.model.link_weight = -1e9;
  every_candidate.m_estimation.enabled = false;
  const auto [all_reference, all_shared] = link_both_ways(every_candidate, 100);
  const size_t candidate_pairs = CandidatePairs(*all_reference).size();
  EXPECT_EQ(all_reference->link_count(), candidate_pairs);
  EXPECT_EQ(all_shared->link_count(), candidate_pairs);
  EXPECT_EQ(CandidatePairs(*all_shared).size(), candidate_pairs);
  // And under the model: the same links, entities and ids.
  const auto [reference, linker] = link_both_ways(LinkerOptions(), people.size());
  ASSERT_LT(Partition(*reference).size(), people.size()) << "the data must hold links";
  EXPECT_EQ(linker->link_count(), reference->link_count());
  EXPECT_EQ(Partition(*linker), Partition(*reference));
  for (const auto& p : people) {
    EXPECT_EQ(linker->EntityOf(p.key), reference->EntityOf(p.key)) << p.key.nominal_ref;
    const auto links = linker->EntityDetail(*linker->EntityOf(p.key));
    const auto expected = reference->EntityDetail(*reference->EntityOf(p.key));
    ASSERT_THAT(links, IsOk());
    ASSERT_THAT(expected, IsOk());
    EXPECT_EQ(links->second.size(), expected->second.size()) << p.key.nominal_ref;
  }
}

// An update that only adds records links them in by replaying the last clustering of their
// components (LinkerOptions::replay_clustering) instead of re-clustering the components whole. It
// must give the same entities, ids and recorded changes after every update, whatever the order,
// with deletions and replacements (which re-cluster whole components) between.
TEST_F(LinkerTest, ReplayingTheClusteringMatchesReclusteringWholeComponents) {
  std::mt19937_64 rng(7);
  std::vector<PersonRecord> people = Namesakes(rng, "LS2 9JT");
  const auto id_of = [](const PersonRecord& p) {
    return RecordId{p.key.kind, {p.key.force_code, p.key.record_id}};
  };
  size_t largest_entity = 0, merges = 0;
  for (int shuffle = 0; shuffle < 3; ++shuffle) {
    std::shuffle(people.begin(), people.end(), rng);
    LinkerOptions whole_options;
    whole_options.replay_clustering = false;
    Linker replayed{LinkerOptions()}, whole{whole_options};
    replayed.TrackChanges(true);
    whole.TrackChanges(true);
    for (size_t next = 0, step = 0; next < people.size(); ++step) {
      // Mostly new records; now and then a held one deleted, or replaced by itself.
      const size_t held = next;
      const uint64_t roll = rng() % 10;
      if (held > 0 && roll == 0) {
        const RecordId id = id_of(people[rng() % held]);
        replayed.Update(id, {});
        whole.Update(id, {});
      } else if (held > 0 && roll == 1) {
        const PersonRecord& p = people[rng() % held];
        replayed.Update(id_of(p), {p});
        whole.Update(id_of(p), {p});
      } else {
        const size_t entities_before = whole.Entities().size();
        Add(replayed, people[next]);
        Add(whole, people[next]);
        if (whole.Entities().size() <= entities_before) ++merges;
        ++next;
      }
      const std::vector<Entity> expected = whole.Entities();
      const std::vector<Entity> got = replayed.Entities();
      ASSERT_EQ(got.size(), expected.size()) << "shuffle " << shuffle << ", step " << step;
      for (size_t e = 0; e < got.size(); ++e) {
        ASSERT_EQ(got[e].id, expected[e].id) << "shuffle " << shuffle << ", step " << step;
        ASSERT_EQ(got[e].members, expected[e].members)
            << "shuffle " << shuffle << ", step " << step << ", entity " << got[e].id;
        largest_entity = std::max(largest_entity, got[e].members.size());
      }
      const Linker::AssignmentChanges got_changes = replayed.TakeChanges();
      const Linker::AssignmentChanges expected_changes = whole.TakeChanges();
      ASSERT_EQ(got_changes.entity_of, expected_changes.entity_of) << "step " << step;
      ASSERT_EQ(got_changes.redirects, expected_changes.redirects) << "step " << step;
      ASSERT_EQ(got_changes.next_entity, expected_changes.next_entity) << "step " << step;
    }
    // And a relink from scratch of what is held agrees.
    LinkerOptions build_options;
    build_options.m_estimation.enabled = false;
    Linker built(build_options);
    std::vector<PersonRecord> held_people;
    for (const PersonRecord& p : people) {
      if (replayed.EntityOf(p.key).has_value()) held_people.push_back(p);
    }
    built.Build(AsRecords(held_people));
    EXPECT_EQ(Partition(built), Partition(replayed)) << "shuffle " << shuffle;
  }
  // The data must make new records join, and entities be large enough to be re-clustered.
  EXPECT_GE(largest_entity, 6u);
  EXPECT_GE(merges, 100u);
}

TEST_F(LinkerTest, ARelinkThatEstimatesMIsReproducibleAndMatchesRecordByRecordLinking) {
  std::mt19937_64 rng(5);
  std::vector<PersonRecord> people = Namesakes(rng, "LS2 9JT");
  const std::vector<Linker::RecordPersons> records = AsRecords(people);
  std::optional<MatchModel> first_model;
  std::vector<std::vector<PersonKey>> first_partition;
  for (int threads : {1, 2, 3}) {
    LinkerOptions options;
    options.build_threads = threads;
    ASSERT_TRUE(options.m_estimation.enabled);
    Linker built(options);
    built.Build(records);
    if (!first_model.has_value()) {
      first_model = built.model();
      first_partition = Partition(built);
      // The estimate moved m away from the prior.
      const auto& fitted = first_model->comparisons[static_cast<int>(Comparison::kPostcode)];
      const MatchModel prior = MatchModel::Default();
      EXPECT_NE(fitted.levels[0].m,
                prior.comparisons[static_cast<int>(Comparison::kPostcode)].levels[0].m);
      continue;
    }
    for (int c = 0; c < kComparisonCount; ++c) {
      for (size_t l = 0; l < built.model().comparisons[c].levels.size(); ++l) {
        EXPECT_EQ(built.model().comparisons[c].levels[l].m, first_model->comparisons[c].levels[l].m)
            << threads << " threads";
      }
    }
    EXPECT_EQ(Partition(built), first_partition) << threads << " threads";
  }
  // A Build into a linker that already holds records keeps its model: their links were scored
  // under it.
  {
    Linker twice{LinkerOptions()};
    std::vector<Linker::RecordPersons> first_half(records.begin(),
                                                  records.begin() + records.size() / 2);
    std::vector<Linker::RecordPersons> second_half(records.begin() + records.size() / 2,
                                                   records.end());
    twice.Build(first_half);
    const MatchModel after_first = twice.model();
    twice.Build(second_half);
    for (int c = 0; c < kComparisonCount; ++c) {
      for (size_t l = 0; l < after_first.comparisons[c].levels.size(); ++l) {
        EXPECT_EQ(twice.model().comparisons[c].levels[l].m, after_first.comparisons[c].levels[l].m);
      }
    }
  }
  // Records then linked one by one under the relink's model, in any order, give its partition.
  LinkerOptions incremental;
  incremental.model = *first_model;
  incremental.m_estimation.enabled = false;
  for (int shuffle = 0; shuffle < 2; ++shuffle) {
    std::shuffle(people.begin(), people.end(), rng);
    Linker linker(incremental);
    for (const auto& p : people) Add(linker, p);
    EXPECT_EQ(Partition(linker), first_partition) << "shuffle " << shuffle;
  }
}

}  // namespace
}  // namespace crossforce

namespace crossforce {
namespace {

// Records of one person whose blocks and LSH buckets all coincide: removing them from the front,
// middle and back of shared buckets keeps the rest linked, and a re-added record finds them.
// A record's parties come and go together: replacing the record replaces all of them, and
// deleting it removes all of them, whichever was filed first.
TEST_F(LinkerTest, ARecordsPartiesAreReplacedAndDeletedTogether) {
  Linker linker{LinkerOptions()};
  PersonRecord suspect = Person(
      {"WYP", "I1", "Rosalind", "Okonkwo", "1983-11-02", "LS6 1AB", "07700 900456", "", "F", ""});
  PersonRecord victim =
      Person({"WYP", "I1", "Tomasz", "Wiśniewski", "1990-02-17", "LS6 2CD", "", "", "M", ""});
  victim.key.nominal_ref = "V1";
  victim.key.role = PartyRole::kVictim;
  const RecordId id{RecordKind::kIncident, {"WYP", "I1"}};
  const RecordId other{RecordKind::kIncident, {"WYP", "I2"}};
  linker.Update(id, {suspect, victim});
  PersonRecord elsewhere = suspect;
  elsewhere.key.record_id = "I2";
  linker.Update(other, {elsewhere});
  EXPECT_EQ(linker.person_count(), 3u);
  linker.Update(id, {victim});  // the suspect was struck from the record
  EXPECT_EQ(linker.person_count(), 2u);
  EXPECT_FALSE(linker.EntityOf(suspect.key).has_value());
  EXPECT_TRUE(linker.EntityOf(victim.key).has_value());
  linker.Update(id, {suspect, victim});
  EXPECT_EQ(linker.person_count(), 3u);
  linker.Update(id, {});
  EXPECT_EQ(linker.person_count(), 1u);
  EXPECT_TRUE(linker.EntityOf(elsewhere.key).has_value()) << "another record's party stays";
  // A party filed under another record id than the one it arrived with belongs to the latter.
  PersonRecord misfiled = victim;
  misfiled.key.record_id = "I9";
  linker.Update(id, {misfiled});
  EXPECT_TRUE(linker.EntityOf(victim.key).has_value());
  linker.Update(id, {});
  EXPECT_EQ(linker.person_count(), 1u);
}

// An incident stored again with its parties as they were (its outcome changed) changes nothing
// the linker holds: no assignment to save, the same entities and links. Stored again with a
// party changed, it is relinked.
TEST_F(LinkerTest, ARecordStoredAgainUnchangedChangesNothing) {
  Linker linker{LinkerOptions()};
  const PersonRecord first = Person({"WYP", "I1", "Rosalind", "Okonkwo-Baptiste", "1983-11-02",
                                     "LS6 1AB", "07700 900456", "", "F", ""});
  const PersonRecord second = Person({"NYP", "I2", "Ros", "Okonkwo Baptiste", "1983-11-02",
                                      "YO1 7HH", "07700 900456", "", "F", ""});
  Add(linker, first);
  Add(linker, second);
  ASSERT_EQ(linker.Entities().size(), 1u);
  const EntityId entity = *linker.EntityOf(first.key);
  linker.TrackChanges(true);
  linker.TakeChanges();

  Add(linker, first);
  Linker::AssignmentChanges changes = linker.TakeChanges();
  EXPECT_TRUE(changes.entity_of.empty());
  EXPECT_TRUE(changes.redirects.empty());
  EXPECT_EQ(linker.Entities().size(), 1u);
  EXPECT_EQ(linker.EntityOf(first.key), entity);
  EXPECT_EQ(linker.link_count(), 1u);
  EXPECT_EQ(linker.person_count(), 2u);

  const PersonRecord changed =
      Person({"WYP", "I1", "Bartholomew", "Xiang", "1961-04-30", "LS6 1AB", "", "", "M", ""});
  Add(linker, changed);
  changes = linker.TakeChanges();
  EXPECT_FALSE(changes.entity_of.empty());
  EXPECT_EQ(linker.Entities().size(), 2u);
  EXPECT_EQ(linker.link_count(), 0u);
}

TEST_F(LinkerTest, RemovalsFromSharedBucketsKeepTheOthersLinked) {
  Linker linker{LinkerOptions()};
  std::vector<PersonRecord> copies;
  for (int n = 0; n < 6; ++n) {
    copies.push_back(Person({"WYP", absl::StrFormat("I%d", n), "Rosalind", "Okonkwo-Baptiste",
                             "1983-11-02", "LS6 1AB", "07700 900456", "", "F", ""}));
    Add(linker, copies.back());
  }
  ASSERT_EQ(linker.Entities().size(), 1u);
  for (int n : {2, 0, 5}) {  // middle, oldest, newest
    linker.Update(RecordId{RecordKind::kIncident, {"WYP", absl::StrFormat("I%d", n)}}, {});
  }
  std::vector<Entity> entities = linker.Entities();
  ASSERT_EQ(entities.size(), 1u);
  EXPECT_EQ(entities[0].members.size(), 3u);
  Add(linker, copies[2]);
  entities = linker.Entities();
  ASSERT_EQ(entities.size(), 1u);
  EXPECT_EQ(entities[0].members.size(), 4u);
  EXPECT_EQ(linker.person_count(), 4u);
}

}  // namespace
}  // namespace crossforce

namespace crossforce {
namespace {

// A person with only one filter (the record filter unless `field` says otherwise): `set` bits
// on, the rest off.
// Options under which only token blocks find candidates (no LSH band of either kind) and every
// candidate pair becomes a link, so that a test reads the blocks' and the screen's pairs from the
// links, without fitting m.
LinkerOptions TokenBlocksLinkingEveryCandidate() {
  LinkerOptions options;
  options.lsh_bands = 0;
  options.address_bands = 0;
  options.m_estimation.enabled = false;
  options.model.link_weight = -1e9;
  return options;
}

PersonRecord FilterOnly(const std::string& ref, size_t bytes, const std::vector<int>& set,
                        EncodedField field = EncodedField::kRecord) {
  PersonRecord p;
  p.key = PersonKey{RecordKind::kIncident, "WYP", ref, ref, PartyRole::kSuspect};
  std::string filter(bytes, '\0');
  for (int bit : set) filter[bit / 8] = static_cast<char>(filter[bit / 8] | (0x80 >> (bit % 8)));
  p.SetFilter(field, filter);
  return p;
}

// Links `people` into `linker` one record at a time, as the hub links records on arrival.
void LinkEach(Linker& linker, const std::vector<PersonRecord>& people) {
  for (const PersonRecord& p : people) {
    linker.Update(RecordId{p.key.kind, {p.key.force_code, p.key.record_id}}, {p});
  }
}

// Links `people` one by one into one linker and by a relink into another, under `options` with
// every candidate pair a link: both must find exactly the pairs `expected` (sorted, as
// CandidatePairs gives them).
void ExpectOneByOneAndRelinkFind(const LinkerOptions& options,
                                 const std::vector<PersonRecord>& people,
                                 const std::vector<std::pair<std::string, std::string>>& expected,
                                 const std::string& label) {
  Linker incremental(options);
  LinkEach(incremental, people);
  EXPECT_EQ(CandidatePairs(incremental), expected) << label;
  EXPECT_EQ(incremental.link_count(), expected.size()) << label;
  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_EQ(built.link_count(), expected.size()) << label;
}

// A date of birth is shared by thousands in a national index, so it blocks only together with
// something else (here a postcode district); a given name blocks with a district too.
TEST_F(LinkerTest, ADateOfBirthBlocksOnlyWithAnotherToken) {
  LinkerOptions options;
  options.lsh_bands = 0;  // token blocks alone
  options.address_bands = 0;
  options.index_only = true;
  Linker linker(options);
  Add(linker, Person({"WYP", "A", "Aurelia", "Quennell", "1984-03-12", "LS6 1AB", "", "", "", ""}));
  Add(linker,
      Person({"NYP", "B", "Bartholomew", "Xiang", "1984-03-12", "YO1 7HH", "", "", "", ""}));
  Add(linker, Person({"MET", "C", "Cosima", "Ndiaye", "1984-03-12", "LS6 4ZZ", "", "", "", ""}));
  Add(linker,
      Person({"GMP", "D", "Aurelia", "Pemberton", "1971-09-30", "LS6 9QQ", "", "", "", ""}));
  using Pair = std::pair<std::string, std::string>;
  EXPECT_THAT(CandidatePairs(linker), ::testing::ElementsAre(Pair("A", "C"), Pair("A", "D")))
      << "A and B share only the date; C and D only the district";
}

// An alias: the same address under other names and a mistyped postcode district shares no token
// block (no name, district or street with the other record), and the two records are not similar
// as wholes. The address bands make them candidates, so the model weighs the address against the
// names.
TEST_F(LinkerTest, AnotherNameAtTheSameAddressIsCompared) {
  const RawPerson known{"WYP",
                        "A",
                        "Daniel",
                        "Hargreaves",
                        "1984-03-12",
                        "LS6 1AB",
                        "",
                        "",
                        "M",
                        "",
                        "14 Ashgrove Terrace, Headingley, Leeds"};
  const RawPerson alias{"NYP",
                        "B",
                        "Dean",
                        "Harper",
                        "",
                        "LS16 1AB",
                        "",
                        "",
                        "M",
                        "",
                        "14 ASHGROVE TERRACE HEADINGLEY LEEDS"};
  const auto compared = [&](const LinkerOptions& options) {
    Linker linker(options);
    Add(linker, Person(known));
    Add(linker, Person(alias));
    return !CandidatePairs(linker).empty();
  };
  EXPECT_TRUE(compared(LinkerOptions()));
  LinkerOptions without;
  without.address_bands = 0;
  EXPECT_FALSE(compared(without)) << "no other block finds them";
  // Whatever the width the population gives the address signatures (LinkerOptions::
  // address_signature_bits): whole 32-bit hashes at 11 doublings of the population, and a width
  // so narrow that most addresses share a bucket, whose other members the address check sets
  // aside.
  LinkerOptions national;
  national.model.population_doublings = 11;
  EXPECT_TRUE(compared(national));
  LinkerOptions narrow;
  narrow.address_signature_bits = 2;
  EXPECT_TRUE(compared(narrow));
}

// A relink packs the LSH buckets band by band; a record linked afterwards, and the candidate
// search, find them as if they had been laid record by record.
TEST(LinkerScreenTest, BucketsLaidByARelinkServeLaterRecords) {
  std::vector<int> bits;
  for (int bit = 0; bit < 1024; bit += 3) bits.push_back(bit);
  Linker linker{LinkerOptions()};
  linker.Build(testing::AsRecords(
      {FilterOnly("A", 128, bits), FilterOnly("B", 128, bits), FilterOnly("C", 128, bits)}));
  const PersonRecord d = FilterOnly("D", 128, bits);
  linker.Update(RecordId{d.key.kind, {d.key.force_code, d.key.record_id}}, {d});
  using Pair = std::pair<std::string, std::string>;
  EXPECT_THAT(CandidatePairs(linker),
              ::testing::ElementsAre(Pair("A", "B"), Pair("A", "C"), Pair("A", "D"), Pair("B", "C"),
                                     Pair("B", "D"), Pair("C", "D")));
  // A record the relink packed leaves its buckets when deleted, and is found again when it
  // comes back (into the buckets of records linked since).
  const PersonRecord b = FilterOnly("B", 128, bits);
  const RecordId b_id{b.key.kind, {b.key.force_code, b.key.record_id}};
  linker.Update(b_id, {});
  EXPECT_THAT(CandidatePairs(linker),
              ::testing::ElementsAre(Pair("A", "C"), Pair("A", "D"), Pair("C", "D")));
  linker.Update(b_id, {b});
  EXPECT_EQ(CandidatePairs(linker).size(), 6u);
}

// A relink finds its LSH pairs band by band and keeps each from the first band it shares; record
// by record, a pair is found from any band. With few sampled bits per band pairs share bands in
// every combination, and with every candidate a link (weight floor far below any score) the
// two must hold the same links.
TEST(LinkerScreenTest, ARelinkFindsEveryPairSharingAnyBand) {
  std::mt19937_64 rng(7);
  std::vector<PersonRecord> people;
  for (int n = 0; n < 120; ++n) {
    std::vector<int> bits;
    for (int bit = 0; bit < 1024; ++bit) {
      if (rng() % 3 == 0) bits.push_back(bit);
    }
    people.push_back(FilterOnly(absl::StrFormat("P%03d", n), 128, bits));
  }
  LinkerOptions options;
  // Filters a third full agree on a sampled bit with probability 5/9, so at radius 1 a pair
  // meets in a band of 6 bits with probability 0.17 and in none of 12 with 0.1.
  options.lsh_bands = 12;
  options.lsh_bits_per_band = 6;
  options.lsh_min_dice = 0.0;
  options.model.link_weight = -1e9;
  Linker incremental(options);
  std::vector<Linker::RecordPersons> records;
  for (const PersonRecord& p : people) {
    const RecordId id{p.key.kind, {p.key.force_code, p.key.record_id}};
    incremental.Update(id, {p});
    records.push_back({id, {p}});
  }
  Linker built(options);
  built.Build(std::move(records));
  const size_t all_pairs = people.size() * (people.size() - 1) / 2;
  ASSERT_LT(incremental.link_count(), all_pairs) << "some pairs must share no band";
  ASSERT_GT(incremental.link_count(), all_pairs / 10);
  EXPECT_EQ(built.link_count(), incremental.link_count());
}

// With bands of no bits every record collides with every other in every band, so only the Dice
// screen tells the pairs apart: records sharing no token are compared only when their record
// filters are similar, whether they are the hub's 1024 bits (held apart) or another length.
TEST(LinkerScreenTest, BandOnlyPairsNeedSimilarRecordFilters) {
  std::vector<int> a_bits, b_bits, c_bits;
  for (int bit = 0; bit < 300; ++bit) a_bits.push_back(bit);
  b_bits = a_bits;
  b_bits.resize(280);                                           // Dice 2 * 280 / 580 = 0.97
  for (int bit = 600; bit < 900; ++bit) c_bits.push_back(bit);  // Dice 0 with both
  const std::vector<int> d_bits = {1, 2, 3, 4, 5, 6, 7, 8}, e_bits = {1, 2, 3, 4, 5, 6, 7, 9};
  // F's 256-bit filter has the bits of A's first quarter, the part the linker holds of A's; but
  // its bits are other hashes' positions, so it is as unlike A's as any filter of another length.
  const std::vector<int> f_bits(a_bits.begin(), a_bits.begin() + kScreenFilterWords * 64);
  std::vector<PersonRecord> people = {
      FilterOnly("A", 128, a_bits), FilterOnly("B", 128, b_bits),
      FilterOnly("C", 128, c_bits), FilterOnly("D", 16, d_bits),
      FilterOnly("E", 16, e_bits),  FilterOnly("F", kScreenFilterWords * 8, f_bits)};
  for (double min_dice : {0.5, 0.0}) {
    LinkerOptions options;
    options.lsh_bands = 4;
    options.lsh_bits_per_band = 0;
    options.lsh_min_dice = min_dice;
    options.index_only = true;
    Linker linker(options);
    LinkEach(linker, people);
    const auto pairs = CandidatePairs(linker);
    EXPECT_THAT(pairs,
                ::testing::Not(::testing::Contains(std::pair<std::string, std::string>("A", "F"))));
    if (min_dice > 0) {
      // Filters of different lengths are never similar; D and E (16 bytes) agree on 7 of 8 bits.
      EXPECT_THAT(pairs, ::testing::ElementsAre(std::pair<std::string, std::string>("A", "B"),
                                                std::pair<std::string, std::string>("D", "E")));
    } else {
      EXPECT_THAT(pairs, ::testing::Contains(std::pair<std::string, std::string>("A", "C")))
          << "without the screen every colliding pair is a candidate";
    }
  }
}

// A given name's Soundex with a birth year is a block of fixed vocabulary: in a national index
// it holds thousands, so its pairs are screened as LSH-only pairs are, while a pair sharing a
// selective token (a phone) is compared whatever its filters say. A relink finds the same pairs
// as linking the records one by one, and a pair that shares both kinds of block is compared.
TEST(LinkerScreenTest, FixedVocabularyBlockPairsNeedSimilarRecordFilters) {
  std::vector<int> near, far;  // in the first 256 bits, which the screen reads
  for (int bit = 0; bit < 120; ++bit) near.push_back(bit);
  for (int bit = 128; bit < 248; ++bit) far.push_back(bit);
  std::vector<int> near_variant(near.begin(), near.begin() + 110);  // Dice with near 0.96
  const auto person = [](const std::string& ref, const std::vector<int>& bits,
                         const std::string& phone) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    AddToken(p, TokenKind::kGivenNamePhonetic, "gp-D550");
    AddToken(p, TokenKind::kBirthYear, "by-1984");
    if (!phone.empty()) AddToken(p, TokenKind::kPhone, phone);
    SortTokens(p);
    return p;
  };
  std::vector<PersonRecord> people = {person("A", near, ""), person("B", near_variant, ""),
                                      person("C", far, "ph-1"), person("D", near, "ph-1"),
                                      person("E", far, "")};
  // F comes from a client that sends no record filter: its pairs cannot be screened, so they are
  // compared.
  PersonRecord f = person("F", {}, "");
  f.SetFilter(EncodedField::kRecord, "");
  people.push_back(std::move(f));
  LinkerOptions options = TokenBlocksLinkingEveryCandidate();
  Linker incremental(options);
  LinkEach(incremental, people);
  using Pair = std::pair<std::string, std::string>;
  EXPECT_THAT(CandidatePairs(incremental),
              ::testing::ElementsAre(Pair("A", "B"), Pair("A", "D"), Pair("A", "F"), Pair("B", "D"),
                                     Pair("B", "F"), Pair("C", "D"), Pair("C", "E"), Pair("C", "F"),
                                     Pair("D", "F"), Pair("E", "F")))
      << "C and D share a phone; every other pair only the screened block";
  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_EQ(built.link_count(), 10u);
  EXPECT_EQ(incremental.link_count(), 10u);
}

// Namesakes' record filters share their name's bits, so two records that both carry a common
// given name must be more alike to pass the screen; a rare name, or one of the two, is screened
// as before. Linking one by one and a relink find the same pairs.
TEST(LinkerScreenTest, TwoCommonGivenNamesNeedMoreSimilarRecordFilters) {
  std::vector<int> base, variant;  // in the first 256 bits, which the screen reads
  for (int bit = 0; bit < 100; ++bit) base.push_back(bit);
  for (int bit = 0; bit < 55; ++bit) variant.push_back(bit);
  for (int bit = 150; bit < 195; ++bit) variant.push_back(bit);  // Dice with base 0.55
  const auto person = [](const std::string& ref, const std::vector<int>& bits,
                         const std::string& given) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    AddToken(p, TokenKind::kGivenNameCanonical, given);
    AddToken(p, TokenKind::kGivenNamePhonetic, "gp-J500");  // with the birth year, a screened
    AddToken(p, TokenKind::kBirthYear, "by-1984");          // block all of them share
    SortTokens(p);
    return p;
  };
  const std::vector<PersonRecord> people = {
      person("A", base, "gc-JOHN"), person("B", variant, "gc-JOHN"), person("C", base, "gc-JONAH"),
      person("D", variant, "gc-JONAH")};
  LinkerOptions options = TokenBlocksLinkingEveryCandidate();
  options.model.token_frequency[MakeLinkToken(TokenKind::kGivenNameCanonical, "gc-JOHN").packed] =
      0.02;
  options.model.token_frequency[MakeLinkToken(TokenKind::kGivenNameCanonical, "gc-JONAH").packed] =
      0.0001;
  Linker incremental(options);
  LinkEach(incremental, people);
  using Pair = std::pair<std::string, std::string>;
  EXPECT_THAT(CandidatePairs(incremental),
              ::testing::ElementsAre(Pair("A", "C"), Pair("A", "D"), Pair("B", "C"), Pair("B", "D"),
                                     Pair("C", "D")))
      << "A and B are two Johns at Dice 0.55, C and D two Jonahs; a John and a Jonah are "
         "screened as before";
  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_EQ(built.link_count(), 5u);
  EXPECT_EQ(incremental.link_count(), 5u);
}

// A record LSH bucket the relink finds oversized is dropped until the next relink: its members
// are not candidates through it, records linked later are not filed in it, and a pair that shares
// it in an early band is still found in a later band whose bucket was kept. Looking up buckets one
// bit away (lsh_probe_radius 1), a record whose buckets with the others were dropped still meets
// them in the bands where its signature differs from theirs in one bit, whose buckets were kept.
TEST(LinkerBandTest, OversizedBucketsAreDroppedForTheRelinkAndLaterRecords) {
  std::vector<int> base, near;
  for (int bit = 0; bit < 300; ++bit) base.push_back(bit * 3);
  // D agrees with A, B and C but for 12 bits, 4 of them in the first 256 bits, from which each
  // band samples 26: it shares most bands' buckets with them, making those buckets four strong,
  // and not the others.
  near = base;
  for (int k = 0; k < 12; ++k) near[k * 25] += 1;
  const std::vector<PersonRecord> people = {FilterOnly("A", 128, base), FilterOnly("B", 128, base),
                                            FilterOnly("C", 128, base), FilterOnly("D", 128, near)};
  using Pair = std::pair<std::string, std::string>;
  const std::vector<Pair> without_d = {Pair("A", "B"), Pair("A", "C"), Pair("B", "C")};
  const std::vector<Pair> everyone = {Pair("A", "B"), Pair("A", "C"), Pair("A", "D"),
                                      Pair("B", "C"), Pair("B", "D"), Pair("C", "D")};
  for (const int radius : {0, 1}) {
    SCOPED_TRACE(radius);
    LinkerOptions options;
    options.address_bands = 0;
    options.m_estimation.enabled = false;
    options.model.link_weight = -1e9;  // every candidate pair a link
    options.lsh_probe_radius = radius;
    options.dropped_band_members = 4;
    // Exact buckets: D meets the others only in dropped ones. One bit away: D meets them in the
    // bands where its signature differs from theirs in one bit (a few of the 16 sample one of
    // its 4 bits there alone), whose buckets were kept.
    const std::vector<Pair>& expected = radius == 0 ? without_d : everyone;

    Linker built(options);
    built.Build(testing::AsRecords(people));
    EXPECT_GT(built.dropped_band_buckets(), 0u);
    EXPECT_LT(built.dropped_band_buckets(), static_cast<size_t>(options.lsh_bands))
        << "the test needs bands where D differs, whose buckets of three are kept";
    EXPECT_EQ(built.link_count(), expected.size());
    EXPECT_EQ(CandidatePairs(built), expected)
        << "at radius 1 the test needs a band sampling one of D's 12 bits alone";
    // Linked again one at a time, D and A are filed where the relink left them.
    for (const char* ref : {"D", "A"}) {
      built.Update(RecordId{RecordKind::kIncident, {"WYP", ref}}, {});
      LinkEach(built, {FilterOnly(ref, 128, std::string(ref) == "D" ? near : base)});
    }
    EXPECT_EQ(CandidatePairs(built), expected);
    EXPECT_EQ(built.link_count(), expected.size());

    // Without dropping, D is everyone's candidate.
    options.dropped_band_members = 0;
    Linker kept(options);
    kept.Build(testing::AsRecords(people));
    EXPECT_EQ(kept.dropped_band_buckets(), 0u);
    EXPECT_EQ(kept.link_count(), 6u);
  }
}

// An address band's bucket the relink finds oversized is dropped until the next relink, as a
// record band's is: its members are not candidates through it, and records linked later are not
// filed in it, while the same records still pair in the bands whose buckets were kept.
TEST(LinkerBandTest, OversizedAddressBucketsAreDroppedForTheRelinkAndLaterRecords) {
  std::vector<int> base, near;
  for (int bit = 0; bit < 60; ++bit) base.push_back(bit * 7);
  // D's address shares 54 of its 60 bits with the others' (Dice 0.9, over address_min_dice):
  // it shares a band's minima with them in some of the 16 bands, making those buckets four
  // strong, and not in the others.
  near = base;
  for (int k = 0; k < 6; ++k) near[k * 10] += 1;
  const auto address = [](const char* ref, const std::vector<int>& bits) {
    return FilterOnly(ref, 64, bits, EncodedField::kAddress);
  };
  const std::vector<PersonRecord> people = {address("A", base), address("B", base),
                                            address("C", base), address("D", near)};
  using Pair = std::pair<std::string, std::string>;
  const std::vector<Pair> without_d = {Pair("A", "B"), Pair("A", "C"), Pair("B", "C")};
  LinkerOptions options;
  options.lsh_bands = 0;
  options.m_estimation.enabled = false;
  options.model.link_weight = -1e9;  // every candidate pair a link
  options.dropped_address_band_members = 4;

  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_GT(built.dropped_address_band_buckets(), 0u);
  EXPECT_LT(built.dropped_address_band_buckets(), static_cast<size_t>(options.address_bands))
      << "the test needs bands where D's minima differ, whose buckets of three are kept";
  EXPECT_EQ(CandidatePairs(built), without_d);
  EXPECT_EQ(built.link_count(), 3u);
  // Linked again one at a time, D and A are filed where the relink left them.
  for (const char* ref : {"D", "A"}) {
    built.Update(RecordId{RecordKind::kIncident, {"WYP", ref}}, {});
    LinkEach(built, {address(ref, std::string(ref) == "D" ? near : base)});
  }
  EXPECT_EQ(CandidatePairs(built), without_d);
  EXPECT_EQ(built.link_count(), 3u);

  // Without dropping, D's similar address makes it everyone's candidate.
  options.dropped_address_band_members = 0;
  Linker kept(options);
  kept.Build(testing::AsRecords(people));
  EXPECT_EQ(kept.dropped_address_band_buckets(), 0u);
  EXPECT_EQ(kept.link_count(), 6u);
}

// The screen rises with the population the model was fitted to, to a ceiling: a pair at Dice 0.55
// is compared under a model of the calibrated population, not under one of four times as many
// (0.56), and a pair at Dice 0.7 is compared however large the population (the screen stops at
// 0.66). Linking one by one and a relink find the same pairs.
TEST(LinkerScreenTest, TheScreenRisesWithThePopulationUpToItsCeiling) {
  std::vector<int> base, near, far;  // in the first 256 bits, which the screen reads
  for (int bit = 0; bit < 100; ++bit) base.push_back(bit);
  for (int bit = 0; bit < 55; ++bit) far.push_back(bit);
  for (int bit = 150; bit < 195; ++bit) far.push_back(bit);  // Dice with base 0.55
  for (int bit = 0; bit < 70; ++bit) near.push_back(bit);
  for (int bit = 200; bit < 230; ++bit) near.push_back(bit);  // Dice with base 0.7, far 0.55
  const auto person = [](const std::string& ref, const std::vector<int>& bits) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    AddToken(p, TokenKind::kGivenNamePhonetic, "gp-J500");  // with the birth year, a screened
    AddToken(p, TokenKind::kBirthYear, "by-1984");          // block all of them share
    SortTokens(p);
    return p;
  };
  const std::vector<PersonRecord> people = {person("A", base), person("B", far), person("C", near)};
  using Pair = std::pair<std::string, std::string>;
  for (const auto& [doublings, expected] : std::vector<std::pair<double, std::vector<Pair>>>{
           {0, {Pair("A", "B"), Pair("A", "C"), Pair("B", "C")}},
           {2, {Pair("A", "C")}},
           {40, {Pair("A", "C")}}}) {
    LinkerOptions options = TokenBlocksLinkingEveryCandidate();
    options.model.population_doublings = doublings;
    ExpectOneByOneAndRelinkFind(options, people, expected, absl::StrCat(doublings, " doublings"));
  }
}

// Past the population at which the screen stops rising, a pair found only through a band is
// not compared when each record carries one birth year and the years differ, however alike their
// filters; a record without a year, or with two, meets everyone. Below that population, or with
// the birth year screen off, every pair is compared. Linking one by one and a relink agree.
TEST(LinkerScreenTest, PastTheScreensCeilingBirthYearsMustNotDiffer) {
  std::vector<int> bits;  // in the first 256 bits, which the screen reads: every filter alike
  for (int bit = 0; bit < 100; ++bit) bits.push_back(bit);
  const auto person = [&](const std::string& ref, const std::vector<std::string>& years) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    for (const std::string& year : years) AddToken(p, TokenKind::kBirthYear, year);
    SortTokens(p);
    return p;
  };
  const std::vector<PersonRecord> people = {person("A", {"by-1984"}), person("B", {"by-1984"}),
                                            person("C", {"by-1990"}), person("D", {}),
                                            person("E", {"by-1984", "by-1990"})};
  using Pair = std::pair<std::string, std::string>;
  const std::vector<Pair> every_pair = {
      Pair("A", "B"), Pair("A", "C"), Pair("A", "D"), Pair("A", "E"), Pair("B", "C"),
      Pair("B", "D"), Pair("B", "E"), Pair("C", "D"), Pair("C", "E"), Pair("D", "E")};
  const std::vector<Pair> but_different_years = {Pair("A", "B"), Pair("A", "D"), Pair("A", "E"),
                                                 Pair("B", "D"), Pair("B", "E"), Pair("C", "D"),
                                                 Pair("C", "E"), Pair("D", "E")};
  struct Case {
    double doublings;
    bool birth_year_screen;
    std::vector<Pair> expected;
  };
  for (const Case& c :
       {Case{0, true, every_pair}, Case{5, true, every_pair}, Case{6, true, but_different_years},
        Case{40, true, but_different_years}, Case{40, false, every_pair}}) {
    LinkerOptions options;
    options.lsh_bands = 4;
    options.lsh_bits_per_band = 0;  // every record meets every other in every band
    options.lsh_bits_per_doubling = 0;
    options.address_bands = 0;
    options.m_estimation.enabled = false;
    options.model.link_weight = -1e9;  // every candidate pair a link
    options.model.population_doublings = c.doublings;
    options.birth_year_screen = c.birth_year_screen;
    // The screen rises 0.03 a doubling from 0.5 to 0.66: its ceiling is 5.3 doublings on.
    ASSERT_EQ(options.lsh_min_dice, 0.5);
    ASSERT_EQ(options.lsh_min_dice_per_doubling, 0.03);
    ASSERT_EQ(options.lsh_max_min_dice, 0.66);
    const std::string label =
        absl::StrCat(c.doublings, " doublings, birth year screen ", c.birth_year_screen);
    ExpectOneByOneAndRelinkFind(options, people, c.expected, label);
  }
}

// The same rule for a screened block's pairs, which a relink screens block by block from copies
// of the members' quarters: three records share a place of birth and a family name's Soundex, a
// block of fixed vocabulary, and A and C were born in different years.
TEST(LinkerScreenTest, PastTheScreensCeilingScreenedBlockPairsNeedTheSameBirthYear) {
  std::vector<int> bits;
  for (int bit = 0; bit < 100; ++bit) bits.push_back(bit);
  const auto person = [&](const std::string& ref, const std::string& year) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    AddToken(p, TokenKind::kBirthPlace, "bp-LEEDS");
    AddToken(p, TokenKind::kFamilyNamePhonetic, "fp-S530");
    AddToken(p, TokenKind::kBirthYear, year);
    SortTokens(p);
    return p;
  };
  const std::vector<PersonRecord> people = {person("A", "by-1984"), person("B", "by-1984"),
                                            person("C", "by-1990")};
  using Pair = std::pair<std::string, std::string>;
  for (const double doublings : {0.0, 40.0}) {
    LinkerOptions options = TokenBlocksLinkingEveryCandidate();
    options.model.population_doublings = doublings;
    const std::vector<Pair> expected =
        doublings > 0 ? std::vector<Pair>{Pair("A", "B")}
                      : std::vector<Pair>{Pair("A", "B"), Pair("A", "C"), Pair("B", "C")};
    ExpectOneByOneAndRelinkFind(options, people, expected, absl::StrCat(doublings, " doublings"));
  }
}

// Past the population at which the screen stops rising, each doubling widens the bands of both
// LSH indexes; below it they are as configured. Records identical in their filters still meet.
TEST(LinkerScreenTest, BandsWidenPastTheScreensCeiling) {
  // The screen reaches its ceiling (0.66 from 0.5, 0.03 a doubling) at 5.33 doublings.
  for (const auto& [doublings, bits, hashes] : std::vector<std::tuple<double, int, int>>{
           {0, 26, 8}, {5, 26, 8}, {6.5, 27, 9}, {7.64, 29, 10}, {40, 32, 16}}) {
    LinkerOptions options;
    options.model.population_doublings = doublings;
    const Linker linker(options);
    EXPECT_EQ(linker.lsh_bits_per_band(), bits) << doublings << " doublings";
    EXPECT_EQ(linker.address_hashes_per_band(), hashes) << doublings << " doublings";
  }
  LinkerOptions fixed;
  fixed.model.population_doublings = 40;
  fixed.lsh_bits_per_doubling = 0;
  fixed.address_hashes_per_doubling = 0;
  EXPECT_EQ(Linker(fixed).lsh_bits_per_band(), 26);
  EXPECT_EQ(Linker(fixed).address_hashes_per_band(), 8);

  std::vector<int> bits;
  for (int bit = 0; bit < 400; bit += 3) bits.push_back(bit);
  const std::vector<PersonRecord> people = {FilterOnly("A", 128, bits), FilterOnly("B", 128, bits)};
  LinkerOptions options;
  options.model.population_doublings = 40;
  options.m_estimation.enabled = false;
  options.model.link_weight = -1e9;  // every candidate pair a link
  Linker incremental(options);
  LinkEach(incremental, people);
  EXPECT_THAT(CandidatePairs(incremental),
              ::testing::ElementsAre(std::pair<std::string, std::string>("A", "B")));
  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_EQ(built.link_count(), 1u);
}

// A compared block that a relink finds crowded (at least crowded_block_members records) has its
// pairs screened from then on, records linked after the relink included; a smaller one, or any
// block of a linker filled record by record, is compared whatever the filters say.
TEST(LinkerScreenTest, CrowdedComparedBlocksAreScreenedAfterARelink) {
  std::vector<int> near, far;  // in the first 256 bits, which the screen reads
  for (int bit = 0; bit < 120; ++bit) near.push_back(bit);
  for (int bit = 128; bit < 248; ++bit) far.push_back(bit);
  std::vector<int> near_variant(near.begin(), near.begin() + 110);  // Dice with near 0.96
  std::vector<int> far_variant(far.begin(), far.begin() + 110);
  const auto person = [](const std::string& ref, const std::vector<int>& bits,
                         const std::string& phone) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    AddToken(p, TokenKind::kPhone, phone);  // a block whose pairs are compared
    SortTokens(p);
    return p;
  };
  // Four records share one phone, two another.
  const std::vector<PersonRecord> people = {
      person("A", near, "ph-1"), person("B", near_variant, "ph-1"),
      person("C", far, "ph-1"),  person("D", far_variant, "ph-1"),
      person("E", near, "ph-2"), person("F", far, "ph-2")};
  LinkerOptions options = TokenBlocksLinkingEveryCandidate();
  options.crowded_block_members = 3;
  using Pair = std::pair<std::string, std::string>;
  Linker built(options);
  built.Build(testing::AsRecords(people));
  const std::vector<Pair> after_relink = {Pair("A", "B"), Pair("C", "D"), Pair("E", "F")};
  EXPECT_EQ(CandidatePairs(built), after_relink)
      << "ph-1's four records are screened, ph-2's two compared";
  EXPECT_EQ(built.link_count(), after_relink.size());
  // A record linked after the relink meets the crowded block's similar members only.
  const PersonRecord g = person("G", near_variant, "ph-1");
  built.Update(RecordId{g.key.kind, {g.key.force_code, g.key.record_id}}, {g});
  EXPECT_EQ(built.link_count(), after_relink.size() + 2) << "G links to A and B, not C or D";

  Linker incremental(options);
  LinkEach(incremental, people);
  EXPECT_EQ(incremental.link_count(), 7u) << "no relink: every pair sharing a phone is compared";
  options.crowded_block_members = 0;
  Linker never_crowded(options);
  never_crowded.Build(testing::AsRecords(people));
  EXPECT_EQ(never_crowded.link_count(), 7u);
}

// A block whose pairs are screened, or a crowded one, that a relink finds holding at least
// dropped_block_members records is dropped: its records are not candidates through it, in the
// relink or for records linked after it, until the next relink. Smaller ones are kept, and a
// linker filled record by record drops none.
TEST(LinkerScreenTest, OversizedBlocksAreDroppedByARelink) {
  std::vector<int> near;
  for (int bit = 0; bit < 300; ++bit) near.push_back(bit);
  std::vector<int> near_variant(near.begin(), near.begin() + 280);  // Dice with near 0.97
  const auto person = [](const std::string& ref, const std::vector<int>& bits,
                         const std::string& year, const std::string& phone) {
    PersonRecord p = FilterOnly(ref, 128, bits);
    AddToken(p, TokenKind::kGivenNamePhonetic, "gp-J500");  // with the birth year, screened
    AddToken(p, TokenKind::kBirthYear, year);
    AddToken(p, TokenKind::kPhone, phone);  // compared, or crowded
    SortTokens(p);
    return p;
  };
  // by-1984 holds four similar records and by-1990 two; phone ph-1 five, ph-2 one.
  const std::vector<PersonRecord> people = {
      person("A", near, "by-1984", "ph-1"), person("B", near_variant, "by-1984", "ph-1"),
      person("C", near, "by-1984", "ph-1"), person("D", near_variant, "by-1984", "ph-1"),
      person("E", near, "by-1990", "ph-1"), person("F", near_variant, "by-1990", "ph-2")};
  LinkerOptions options = TokenBlocksLinkingEveryCandidate();
  options.crowded_block_members = 3;
  options.dropped_block_members = 4;
  using Pair = std::pair<std::string, std::string>;
  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_EQ(CandidatePairs(built), std::vector<Pair>{Pair("E", "F")})
      << "by-1984 and ph-1 are dropped; by-1990's pair is screened and similar";
  EXPECT_EQ(built.link_count(), 1u);
  const PersonRecord g = person("G", near, "by-1984", "ph-1");
  built.Update(RecordId{g.key.kind, {g.key.force_code, g.key.record_id}}, {g});
  EXPECT_EQ(built.link_count(), 1u) << "G meets no one through the dropped blocks";

  Linker incremental(options);
  LinkEach(incremental, people);
  EXPECT_EQ(incremental.link_count(), 11u) << "no relink: the ten pairs of A-E and E-F";
  options.dropped_block_members = 0;
  Linker never_dropped(options);
  never_dropped.Build(testing::AsRecords(people));
  EXPECT_EQ(never_dropped.link_count(), 11u)
      << "ph-1 crowded and by-1984 screened, but all their records similar";
}

// With address bands of no hashes every address collides with every other, so only the screen
// tells the pairs apart: records sharing nothing else are compared only when their address filters
// are similar. A relink, which lays the address bands in bulk, finds the same pairs as linking the
// records one by one.
TEST(LinkerScreenTest, AddressBandPairsNeedSimilarAddresses) {
  std::vector<int> a_bits, b_bits, c_bits, d_bits;
  for (int bit = 0; bit < 120; ++bit) a_bits.push_back(bit);
  for (int bit = 0; bit < 110; ++bit) b_bits.push_back(bit);      // Dice with A 220 / 230 = 0.96
  for (int bit = 200; bit < 320; ++bit) c_bits.push_back(bit);    // Dice with A and B 0
  for (int bit = 60; bit < 260; bit += 2) d_bits.push_back(bit);  // Dice with A 0.55
  std::vector<PersonRecord> people;
  for (const auto& [ref, bits] : std::vector<std::pair<std::string, std::vector<int>>>{
           {"A", a_bits}, {"B", b_bits}, {"C", c_bits}, {"D", d_bits}}) {
    people.push_back(FilterOnly(ref, 64, bits, EncodedField::kAddress));
  }
  LinkerOptions options;
  options.lsh_bands = 0;  // no record filters: the address bands alone
  options.address_bands = 3;
  options.address_hashes_per_band = 0;
  options.m_estimation.enabled = false;
  options.model.link_weight = -1e9;  // every candidate pair a link
  Linker incremental(options);
  LinkEach(incremental, people);
  EXPECT_THAT(CandidatePairs(incremental),
              ::testing::ElementsAre(std::pair<std::string, std::string>("A", "B")));
  EXPECT_EQ(incremental.link_count(), 1u);
  Linker built(options);
  built.Build(testing::AsRecords(people));
  EXPECT_EQ(built.link_count(), 1u);
  EXPECT_EQ(built.Entities().size(), 3u);
  // Records linked after the relink find those it laid in bulk.
  const PersonRecord e = FilterOnly("E", 64, a_bits, EncodedField::kAddress);
  built.Update(RecordId{e.key.kind, {e.key.force_code, e.key.record_id}}, {e});
  EXPECT_EQ(built.link_count(), 3u) << "E is A's address: linked to A and B";
}

// A member of an LSH band whose record filter the screen stops is still compared when it is also
// in an address band with a similar address: either screen lets a pair through, whichever list
// the candidate search met it in first, and however a shared link splits those lists.
TEST(LinkerScreenTest, ABandMemberTheScreenStopsIsComparedForASimilarAddress) {
  const auto bits = [](int first, int last) {
    std::vector<int> out;
    for (int bit = first; bit < last; ++bit) out.push_back(bit);
    return out;
  };
  // Record filters: A and B alike (their quarters Dice 1), C like neither (Dice 0), D unlike all
  // (Dice 0.36 with A and B). Addresses: A and C alike (Dice 0.96), B and D like no other.
  const std::vector<std::tuple<std::string, std::vector<int>, std::vector<int>>> shapes = {
      {"A", bits(0, 300), bits(0, 120)},
      {"B", bits(0, 280), bits(200, 320)},
      {"C", bits(600, 900), bits(0, 110)},
      {"D", bits(200, 256), bits(400, 500)}};
  std::vector<PersonRecord> people;
  for (const auto& [ref, record, address] : shapes) {
    PersonRecord p = FilterOnly(ref, 128, record);
    p.SetFilter(
        EncodedField::kAddress,
        FilterOnly(ref, 64, address, EncodedField::kAddress).filter(EncodedField::kAddress));
    people.push_back(std::move(p));
  }
  LinkerOptions options;
  options.lsh_bands = 4;
  options.lsh_bits_per_band = 0;  // every record in one bucket: all are band members of all
  options.address_bands = 3;
  options.address_hashes_per_band = 0;  // and of one address bucket
  options.m_estimation.enabled = false;
  options.model.link_weight = -1e9;  // every candidate pair a link
  const std::vector<std::pair<std::string, std::string>> expected = {{"A", "B"}, {"A", "C"}};
  ExpectOneByOneAndRelinkFind(options, people, expected, "one thread");
  options.helper_min_members = 0;
  options.helper_run_members = 1;
  ExpectOneByOneAndRelinkFind(options, people, expected, "shared in runs of one");
}

}  // namespace
}  // namespace crossforce
