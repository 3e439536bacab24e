// Helpers for linkage tests and accuracy measurements: people encoded through the real client
// path (normalise, anonymise) and handed to the engine's linker as person records; pairwise
// precision and recall of the resulting entities against ground truth.
#ifndef CROSSFORCE_TESTS_TESTING_LINKAGE_HARNESS_H_
#define CROSSFORCE_TESTS_TESTING_LINKAGE_HARNESS_H_

#include <cstdint>
#include <map>
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

// The directory of the shared benchmark data, or "" when it is not on this machine.
std::string SharedDataDir();

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_LINKAGE_HARNESS_H_
