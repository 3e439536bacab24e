#include "tests/testing/sample_records.h"

#include <random>

#include "engine/encoding_schema.h"

namespace crossforce::testing {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

}  // namespace

std::string SampleFingerprint() { return std::string("0123456789abcdef"); }
std::string OtherFingerprint() { return std::string("fedcba9876543210"); }

AnonymisedIdentity SampleIdentity(uint64_t seed) {
  std::mt19937_64 rng(seed);
  AnonymisedIdentity id;
  id.schema_id = std::string(kDefaultSchemaId);
  id.key_fingerprint = SampleFingerprint();
  id.tokens.push_back({TokenKind::kPhone, RandomBytes(rng, kTokenBytes)});
  id.tokens.push_back({TokenKind::kDateOfBirth, RandomBytes(rng, kTokenBytes)});
  id.tokens.push_back({TokenKind::kFamilyNamePhoneticBirthYear, RandomBytes(rng, kTokenBytes)});
  const EncodingSchema* schema = FindEncodingSchema(kDefaultSchemaId);
  for (const auto& [field, bits] : schema->field_bits) {
    id.encodings.push_back({field, RandomBytes(rng, bits / 8)});
  }
  id.sex = Sex::kMale;
  return id;
}

Incident SampleIncident(const std::string& force, const std::string& id, uint64_t version,
                        uint64_t seed) {
  Incident x;
  x.key = {force, id};
  x.version = version;
  x.offence_date = {2024, 3, 14};
  x.reported_date = {2024, 3, 16};
  x.main_offence = OffenceCode::kHarassment;
  x.included_offences = {OffenceCode::kStalking};
  x.domestic_abuse = true;
  x.behaviours = {Behaviour::kFollowing, Behaviour::kUnwantedContact};
  x.location_district = "LS6";
  x.outcome = Outcome::kUnderInvestigation;
  x.handling_code = HandlingCode::kP;
  x.review_date = {2030, 3, 14};
  x.parties.push_back({PartyRole::kSuspect, "NOM-S" + std::to_string(seed), SampleIdentity(seed)});
  x.parties.push_back(
      {PartyRole::kVictim, "NOM-V" + std::to_string(seed), SampleIdentity(seed + 1'000'003)});
  return x;
}

ProtectiveOrder SampleOrder(const std::string& force, const std::string& id, uint64_t version,
                            uint64_t seed) {
  ProtectiveOrder o;
  o.key = {force, id};
  o.version = version;
  o.order_type = OrderType::kStalkingProtectionOrder;
  o.start_date = {2024, 1, 1};
  o.end_date = {2026, 1, 1};
  o.subject = Party{PartyRole::kSuspect, "NOM-S" + std::to_string(seed), SampleIdentity(seed)};
  o.protected_person =
      Party{PartyRole::kVictim, "NOM-V" + std::to_string(seed), SampleIdentity(seed + 1'000'003)};
  o.review_date = {2030, 1, 1};
  return o;
}

}  // namespace crossforce::testing
