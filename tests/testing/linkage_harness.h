// Helpers for linkage tests and accuracy measurements: people encoded through the real client
// path (normalise, anonymise) and handed to the engine's linker as person records; pairwise
// precision and recall of the resulting entities against ground truth.
#ifndef CROSSFORCE_TESTS_TESTING_LINKAGE_HARNESS_H_
#define CROSSFORCE_TESTS_TESTING_LINKAGE_HARNESS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/anonymiser.h"
#include "engine/linkage/linker.h"
#include "engine/linkage/person_record.h"

namespace crossforce::testing {

// One person as a source recorded them (raw strings, any format the client accepts).
struct RawPerson {
  std::string source;  // plays the force: becomes the force code
  std::string id;      // record id within the source
  std::string given, family, dob, postcode, phone, email, sex;
  std::string truth;             // ground-truth identity
  std::string address = "";      // street address line, where the source has one
  std::string birth_place = "";  // place of birth, where the source has one
  std::string occupation = "";   // occupation, where the source has one
};

// Normalises and anonymises `raw` as the client does and converts it to the engine's record.
PersonRecord EncodePerson(client::Anonymiser& anonymiser, const RawPerson& raw);

struct PairwiseMetrics {
  int64_t true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};

// Pairwise metrics of `entities` (lists of record ids) against `truth` (record id -> identity).
// With `cross_source_only`, only pairs from different sources count (two-file linkage).
PairwiseMetrics Evaluate(const std::vector<std::vector<std::string>>& entities,
                         const std::map<std::string, std::string>& truth,
                         const std::map<std::string, std::string>& source, bool cross_source_only);

// Each person as the only party of its own record, as the data sets give them.
std::vector<Linker::RecordPersons> AsRecords(const std::vector<PersonRecord>& people);

// A linker holding `people`, its model fitted to them and every record linked at once, as a full
// relink does.
std::unique_ptr<Linker> BuildLinker(const std::vector<PersonRecord>& people,
                                    const LinkerOptions& options);

// The linker's entities as lists of "source/id".
std::vector<std::vector<std::string>> EntityIds(const Linker& linker);

// Links `people` (in the given order) and returns the entities as lists of "source/id".
std::vector<std::vector<std::string>> LinkAll(const std::vector<PersonRecord>& people,
                                              const LinkerOptions& options);

// How well blocking alone does: the share of true pairs that survive it (pair completeness) and
// the share of all possible pairs it avoids comparing (reduction ratio).
struct BlockingMetrics {
  int64_t candidate_pairs = 0;
  int64_t true_pairs_found = 0;
  int64_t true_pairs = 0;
  int64_t possible_pairs = 0;
  double pair_completeness() const;
  double reduction_ratio() const;
};
BlockingMetrics EvaluateBlocking(const std::vector<PersonRecord>& people,
                                 const std::map<std::string, std::string>& truth,
                                 const std::map<std::string, std::string>& source,
                                 bool cross_source_only, const LinkerOptions& options);

// What LinkConfidence says of a record of `entities` (the linker's) held in an entity of two or
// more by a link of its own, against the truth: how far the strongest such link clears the link
// weight (bits), whether the record belongs (its identity is the one most of its entity's records
// have) and the confidence LinkConfidence gives.
struct ConfidenceSample {
  double margin = 0;
  bool belongs = false;
  double confidence = 0;
};
std::vector<ConfidenceSample> ConfidenceSamples(
    const Linker& linker, const std::vector<Entity>& entities,
    const std::function<std::string(const PersonKey&)>& identity);

// The samples with margins in [low, high): how many, their mean margin, the share that belong and
// the mean confidence.
struct MarginBin {
  double low = 0, high = 0;
  int64_t members = 0;
  double margin = 0, belong = 0, confidence = 0;
};
MarginBin BinByMargin(const std::vector<ConfidenceSample>& samples, double low, double high);
// The samples in bins of margin [0, 1), [1, 2), [2, 3), [3, 4), [4, 6), [6, 8), [8, 12),
// [12, 16), [16, 24) and [24, inf) bits, empty bins left out.
std::vector<MarginBin> CalibrationBins(const std::vector<ConfidenceSample>& samples);

// How far the mean confidence strays from the share that belong, at worst, over the calibration
// bins of at least `min_members` samples: `over` where it claims more, `under` where less.
struct CalibrationGaps {
  double over = 0, under = 0;
};
CalibrationGaps WorstCalibrationGaps(const std::vector<ConfidenceSample>& samples,
                                     int64_t min_members);

// The logistic curve of belonging on the margin that fits the samples with margins below
// `below_margin` best (maximum likelihood): log2 odds of belonging = intercept + per_bit x margin.
// Past about 8 bits belonging levels off, at 0.98 on historical_50k (records alike in every
// field that are two people), which a logistic curve cannot follow.
struct MarginFit {
  double intercept = 0, per_bit = 0;
};
// Nullopt when every such sample belongs, or none does (no curve separates them), or when the
// fit diverges.
std::optional<MarginFit> FitBelongingToMargin(const std::vector<ConfidenceSample>& samples,
                                              double below_margin);

// Prints the samples by margin bin and the curve fitted below 8 bits, each line starting with
// `name`.
void PrintCalibration(const char* name, const std::vector<ConfidenceSample>& samples);

// The directory of the shared benchmark data, or "" when it is not on this machine.
std::string SharedDataDir();

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_LINKAGE_HARNESS_H_
