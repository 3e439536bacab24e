// A deterministic generator of realistic multi-force export CSVs with ground truth, for the demo,
// tests and accuracy benchmarks. It models what makes cross-force linkage hard: common and rare
// names, nicknames, typos, swapped day and month, case and format differences between forces,
// missing values, suspects who move between forces, victims who relocate (and are followed),
// different people who share a name, and protective orders. Thread-safe (pure given the options).
#ifndef CROSSFORCE_CLIENT_DEMO_DATA_H_
#define CROSSFORCE_CLIENT_DEMO_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace crossforce::client {

struct DemoDataOptions {
  uint64_t seed = 20261128;
  int forces = 6;               // 2-12 forces
  int suspects = 300;           // people who offend
  double noise = 0.15;          // chance of each kind of recording error per recorded person
  double mover_rate = 0.25;     // suspects who move to another force during their history
  double relocate_rate = 0.2;   // victims who relocate to another force (and are followed)
  double namesake_rate = 0.05;  // suspects given the exact name of another, different person
  int today_year = 2026;        // incidents fall in the ten years before
};

struct DemoDataSummary {
  std::vector<std::string> force_codes;
  std::vector<std::string> incident_files;  // one per force
  std::vector<std::string> order_files;     // one per force
  std::string ground_truth_file;
  int64_t rows = 0;
  int64_t people = 0;
};

// Writes FORCE.csv (incidents), FORCE_orders.csv and ground_truth.csv into `dir` (created).
// ground_truth.csv columns: file,force_code,record_id,role,ref,person_id.
absl::StatusOr<DemoDataSummary> WriteDemoData(const std::string& dir,
                                              const DemoDataOptions& options);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_DEMO_DATA_H_
