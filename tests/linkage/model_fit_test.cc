#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/linkage/linker.h"
#include "engine/linkage/match_model.h"
#include "gtest/gtest.h"
#include "tests/testing/linkage_harness.h"

namespace crossforce {
namespace {

using ::crossforce::testing::EncodePerson;
using ::crossforce::testing::RawPerson;

const ComparisonLevel& Level(const MatchModel& model, Comparison c, int level) {
  return model.comparisons[static_cast<int>(c)].levels[level];
}
int LastLevel(const MatchModel& model, Comparison c) {
  return static_cast<int>(model.comparisons[static_cast<int>(c)].levels.size()) - 1;
}

class ModelFitTest : public ::testing::Test {
 protected:
  ModelFitTest() : anonymiser_(*client::LinkageKey::FromSecret(std::string(32, '\x31'))) {}

  std::string Word(std::mt19937& random, int length) {
    std::string w;
    for (int i = 0; i < length; ++i) w += static_cast<char>('a' + random() % 26);
    return w;
  }
  // `people` distinct people, each recorded once in force A and once in force B with the same
  // name, date of birth and postcode; the street address is kept by the first `keep_address`
  // people and different in B for the rest.
  std::vector<PersonRecord> TwoForces(int people, int keep_address) {
    std::mt19937 random(7);
    std::vector<PersonRecord> out;
    for (int i = 0; i < people; ++i) {
      RawPerson a;
      a.source = "A";
      a.id = absl::StrCat("a", i);
      a.given = Word(random, 6);
      a.family = Word(random, 7);
      a.dob = absl::StrFormat("%04d-%02d-%02d", 1950 + random() % 50, 1 + random() % 12,
                              1 + random() % 28);
      a.postcode = absl::StrFormat("LS%d %dAB", 1 + random() % 20, random() % 10);
      a.address = absl::StrCat(1 + random() % 200, " ", Word(random, 8), " street");
      RawPerson b = a;
      b.source = "B";
      b.id = absl::StrCat("b", i);
      if (i >= keep_address)
        b.address = absl::StrCat(1 + random() % 200, " ", Word(random, 9), " road");
      out.push_back(EncodePerson(anonymiser_, a));
      out.push_back(EncodePerson(anonymiser_, b));
    }
    return out;
  }
  // The model a relink would link `people` with: fitted to them, m estimated by Build.
  static MatchModel RelinkModel(const std::vector<PersonRecord>& people,
                                LinkerOptions options = LinkerOptions()) {
    options.model = FitModel(Pointers(people), options.model);
    Linker linker(options);
    linker.Build(testing::AsRecords(people));
    return linker.model();
  }
  static std::vector<const PersonRecord*> Pointers(const std::vector<PersonRecord>& people) {
    std::vector<const PersonRecord*> all;
    for (const PersonRecord& p : people) all.push_back(&p);
    return all;
  }

  client::Anonymiser anonymiser_;
};

// The prior odds that two records are one person fall as the population grows, so the link
// and merge weights grow by weight_per_doubling bits for each doubling of the population beyond
// the one the base model suits.
TEST_F(ModelFitTest, ALargerPopulationRaisesTheWeightsALinkAndAMergeNeed) {
  const std::vector<PersonRecord> people = TwoForces(200, 200);  // 400 records
  const MatchModel base = MatchModel::Default();
  FitOptions options;
  options.u_sample_pairs = 1000;
  options.calibration_population = 100;
  ASSERT_DOUBLE_EQ(options.weight_per_doubling, 1.75);
  const MatchModel fitted = FitModel(Pointers(people), base, options);
  EXPECT_DOUBLE_EQ(fitted.link_weight, base.link_weight + 3.5);
  EXPECT_DOUBLE_EQ(fitted.merge_mean_weight, base.merge_mean_weight + 3.5);
  EXPECT_DOUBLE_EQ(fitted.population_doublings, 2);
  options.weight_per_doubling = 1;  // as if the weights were log2 likelihood ratios
  EXPECT_DOUBLE_EQ(FitModel(Pointers(people), base, options).link_weight, base.link_weight + 2);
  options.weight_per_doubling = 1.75;
  EXPECT_DOUBLE_EQ(fitted.cannot_link_weight, base.cannot_link_weight)
      << "a contradiction is one whatever the population";
  options.calibration_population = 400;
  EXPECT_DOUBLE_EQ(FitModel(Pointers(people), base, options).link_weight, base.link_weight);
  options.calibration_population = 1000;
  const MatchModel smaller = FitModel(Pointers(people), base, options);
  EXPECT_DOUBLE_EQ(smaller.link_weight, base.link_weight)
      << "a smaller population keeps the calibrated weight";
  EXPECT_DOUBLE_EQ(smaller.population_doublings, 0);
}

// LinkConfidence is the measured chance of belonging, not 1 / (1 + 2^-w): a link that just clears
// the link weight is a coin toss in a population of 50,000, and each bit over it less than doubles
// the odds; in a population 20 times larger, the raised link weight makes the same margin surer.
TEST(MatchModelTest, LinkConfidenceIsTheMeasuredChanceOfBelonging) {
  MatchModel model = MatchModel::Default();
  const double at_link_weight = model.LinkConfidence(model.link_weight);
  EXPECT_NEAR(at_link_weight, 0.5, 0.01);
  EXPECT_NEAR(model.LinkConfidence(model.link_weight + 4), 0.89, 0.01);
  EXPECT_GT(model.LinkConfidence(model.link_weight + 16), 0.999);
  double previous = 0;
  for (double margin = -2; margin < 30; margin += 0.5) {
    const double c = model.LinkConfidence(model.link_weight + margin);
    EXPECT_GT(c, previous) << "margin " << margin;
    EXPECT_LE(c, 1);
    previous = c;
  }
  model.population_doublings = std::log2(20.0);
  EXPECT_NEAR(model.LinkConfidence(model.link_weight), 0.78, 0.01);
}

TEST_F(ModelFitTest, UFromRandomPairsIsEachLevelsShareAmongDifferentPeople) {
  // 2,000 different people (force A's records): 1,999,000 pairs, sampled.
  std::vector<PersonRecord> people = TwoForces(2000, 2000);
  std::erase_if(people, [](const PersonRecord& p) { return p.key.force_code == "B"; });
  MatchModel model = MatchModel::Default();
  EstimateUFromRandomPairs(Pointers(people), 1000000, 10000, &model);
  // Dates of birth drawn from 50 years: two random records share a birth year about one time
  // in 50, and a date far less often.
  const ComparisonLevel& same_year = Level(model, Comparison::kDateOfBirth, 3);
  EXPECT_GT(same_year.u, 0.012);
  EXPECT_LT(same_year.u, 0.03);
  EXPECT_LT(Level(model, Comparison::kDateOfBirth, 0).u,
            Level(MatchModel::Default(), Comparison::kDateOfBirth, 0).u);
  // Nobody has a PNC id: the prior stands.
  EXPECT_EQ(Level(model, Comparison::kPncId, 0).u,
            Level(MatchModel::Default(), Comparison::kPncId, 0).u);
  for (int c = 0; c < kComparisonCount; ++c) {
    double total = 0;
    for (const ComparisonLevel& l : model.comparisons[c].levels) total += l.u;
    EXPECT_NEAR(total, 1.0, 1e-9) << ComparisonName(static_cast<Comparison>(c));
  }
}

TEST_F(ModelFitTest, UFromRandomPairsIsTheSameOnAnyNumberOfWorkers) {
  // The pairs are shared among the workers as each finishes its last chunk, so the shares differ
  // from run to run; the estimate must not.
  std::vector<PersonRecord> people = TwoForces(2000, 1000);
  MatchModel one = MatchModel::Default();
  EstimateUFromRandomPairs(Pointers(people), 200000, 10000, &one, /*workers=*/1);
  for (size_t workers : {2, 3, 5}) {
    MatchModel many = MatchModel::Default();
    EstimateUFromRandomPairs(Pointers(people), 200000, 10000, &many, workers);
    for (int c = 0; c < kComparisonCount; ++c) {
      for (size_t l = 0; l < one.comparisons[c].levels.size(); ++l) {
        EXPECT_EQ(many.comparisons[c].levels[l].u, one.comparisons[c].levels[l].u)
            << workers << " workers, " << ComparisonName(static_cast<Comparison>(c)) << " level "
            << l;
      }
    }
  }
  // And every level's u moved from the prior where the pairs show it: the pairs were compared.
  EXPECT_NE(Level(one, Comparison::kDateOfBirth, 3).u,
            Level(MatchModel::Default(), Comparison::kDateOfBirth, 3).u);
}

TEST_F(ModelFitTest, ASmallPopulationBarelyMovesThePriorU) {
  const std::vector<PersonRecord> people = TwoForces(5, 5);  // 45 pairs, five of them matches
  MatchModel model = MatchModel::Default();
  EstimateUFromRandomPairs(Pointers(people), 1000000, 10000, &model);
  for (int c = 0; c < kComparisonCount; ++c) {
    for (size_t l = 0; l < model.comparisons[c].levels.size(); ++l) {
      EXPECT_NEAR(model.comparisons[c].levels[l].u,
                  MatchModel::Default().comparisons[c].levels[l].u, 45.0 / 10045);
    }
  }
}

TEST_F(ModelFitTest, ConfidentPairsCountForAComparisonOnlyOnTheirOtherEvidence) {
  const std::vector<PersonRecord> people = TwoForces(10, 7);
  const MatchModel model = MatchModel::Default();
  ConfidentPairCounter counter(model, 20);
  for (size_t i = 0; i < people.size(); i += 2) counter.Add(people[i], people[i + 1]);
  // Two different people who share nothing but a postcode district are no sure match.
  counter.Add(people[0], people[2]);
  EXPECT_EQ(counter.counted(Comparison::kAddress), 10);
  EXPECT_EQ(counter.counted(Comparison::kPncId), 0);
  MatchModel fitted = model;
  counter.EstimateM(/*prior_pairs=*/0, &fitted);
  const int different = LastLevel(model, Comparison::kAddress);
  EXPECT_DOUBLE_EQ(Level(fitted, Comparison::kAddress, different).m, 0.3);
  EXPECT_DOUBLE_EQ(Level(fitted, Comparison::kAddress, 0).m, 0.7);
  // A level no sure match showed is floored, not zero: its weight must stay finite.
  EXPECT_EQ(Level(fitted, Comparison::kAddress, 1).m, model.u_floor);
  // A comparison no sure match showed keeps its prior.
  EXPECT_EQ(Level(fitted, Comparison::kPncId, 0).m, Level(model, Comparison::kPncId, 0).m);
}

TEST_F(ModelFitTest, ARelinkLearnsWhetherTrueMatchesKeepTheirAddress) {
  const std::vector<PersonRecord> settled = TwoForces(500, 490);
  const std::vector<PersonRecord> moving = TwoForces(500, 100);
  const MatchModel prior = MatchModel::Default();
  const int different = LastLevel(prior, Comparison::kAddress);

  const MatchModel fitted_settled = RelinkModel(settled);
  const MatchModel fitted_moving = RelinkModel(moving);
  // 10 of 500 moved: (10 + 100 * 0.2) / 600 = 0.05; 400 of 500: (400 + 20) / 600 = 0.7.
  EXPECT_NEAR(Level(fitted_settled, Comparison::kAddress, different).m, 0.05, 0.01);
  EXPECT_NEAR(Level(fitted_moving, Comparison::kAddress, different).m, 0.70, 0.01);
  // The same population gives the same model.
  const MatchModel again = RelinkModel(settled);
  for (int c = 0; c < kComparisonCount; ++c) {
    for (size_t l = 0; l < again.comparisons[c].levels.size(); ++l) {
      EXPECT_EQ(again.comparisons[c].levels[l].m, fitted_settled.comparisons[c].levels[l].m);
      EXPECT_EQ(again.comparisons[c].levels[l].u, fitted_settled.comparisons[c].levels[l].u);
    }
  }
  // Without the estimation the prior m stands.
  LinkerOptions as_given;
  as_given.m_estimation.enabled = false;
  EXPECT_EQ(Level(RelinkModel(settled, as_given), Comparison::kAddress, different).m,
            Level(prior, Comparison::kAddress, different).m);
}

TEST_F(ModelFitTest, ASampleOfTheRecordsEstimatesM) {
  const std::vector<PersonRecord> people = TwoForces(2000, 1000);
  LinkerOptions options;
  options.m_estimation.sample_records = 1000;  // every fourth record: half the pairs
  const MatchModel fitted = RelinkModel(people, options);
  // 1,000 sampled pairs, half of them moved, against the prior's 100 at 0.2: 520 / 1,100.
  EXPECT_NEAR(Level(fitted, Comparison::kAddress, LastLevel(fitted, Comparison::kAddress)).m, 0.473,
              0.01);
}

}  // namespace
}  // namespace crossforce
