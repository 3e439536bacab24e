// Valid engine records for tests, built deterministically from a seed: every field filled,
// identities with the right token and filter sizes for crossforce-person-v1 and one fixed key
// fingerprint.
#ifndef CROSSFORCE_TESTS_TESTING_SAMPLE_RECORDS_H_
#define CROSSFORCE_TESTS_TESTING_SAMPLE_RECORDS_H_

#include <cstdint>
#include <string>

#include "engine/records.h"

namespace crossforce::testing {

// The fingerprint every sample identity carries.
std::string SampleFingerprint();
// A different, equally well-formed fingerprint.
std::string OtherFingerprint();

AnonymisedIdentity SampleIdentity(uint64_t seed);

// An incident of `force` with id `id`, one suspect and one victim.
Incident SampleIncident(const std::string& force, const std::string& id, uint64_t version = 1,
                        uint64_t seed = 1);

ProtectiveOrder SampleOrder(const std::string& force, const std::string& id, uint64_t version = 1,
                            uint64_t seed = 1);

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_SAMPLE_RECORDS_H_
