#include "engine/vocabulary.h"

#include <array>

namespace crossforce {
namespace {

// Looks `value` up in a table indexed by the enum's number; "unknown" outside it, so a corrupt
// value can still be reported.
template <typename Enum, size_t N>
absl::string_view Lookup(const std::array<absl::string_view, N>& names, Enum value) {
  const size_t index = static_cast<size_t>(value);
  if (index >= N || names[index].empty()) return "unknown";
  return names[index];
}

}  // namespace

absl::string_view Name(OffenceCode code) {
  static constexpr std::array<absl::string_view, kMaxOffenceCode + 1> kNames = {
      "",
      "STALKING",
      "STALKING_FEAR_OF_VIOLENCE",
      "HARASSMENT",
      "HARASSMENT_FEAR_OF_VIOLENCE",
      "MALICIOUS_COMMUNICATIONS",
      "BREACH_OF_ORDER",
      "COERCIVE_CONTROL",
      "CRIMINAL_DAMAGE",
      "COMMON_ASSAULT",
      "ASSAULT_WITH_INJURY",
      "THREATS_TO_KILL",
      "SEXUAL_OFFENCE",
      "PUBLIC_ORDER",
      "OTHER"};
  return Lookup(kNames, code);
}

absl::string_view Name(Behaviour behaviour) {
  static constexpr std::array<absl::string_view, kMaxBehaviour + 1> kNames = {"",
                                                                              "following",
                                                                              "loitering",
                                                                              "unwanted_contact",
                                                                              "online_contact",
                                                                              "unwanted_gifts",
                                                                              "monitoring",
                                                                              "tracking_device",
                                                                              "third_party_contact",
                                                                              "property_damage",
                                                                              "threats",
                                                                              "violence",
                                                                              "sexual_harassment"};
  return Lookup(kNames, behaviour);
}

absl::string_view Name(Outcome outcome) {
  static constexpr std::array<absl::string_view, kMaxOutcome + 1> kNames = {
      "UNKNOWN",         "UNDER_INVESTIGATION",    "CHARGED",
      "CAUTIONED",       "COMMUNITY_RESOLUTION",   "NO_FURTHER_ACTION",
      "VICTIM_WITHDREW", "SUSPECT_NOT_IDENTIFIED", "CONVICTED",
      "ACQUITTED"};
  return Lookup(kNames, outcome);
}

absl::string_view Name(HandlingCode code) {
  static constexpr std::array<absl::string_view, kMaxHandlingCode + 1> kNames = {"UNKNOWN", "P",
                                                                                 "C"};
  return Lookup(kNames, code);
}

absl::string_view Name(PartyRole role) {
  static constexpr std::array<absl::string_view, kMaxPartyRole + 1> kNames = {
      "", "suspect", "victim", "unknown_suspect"};
  return Lookup(kNames, role);
}

absl::string_view Name(Sex sex) {
  static constexpr std::array<absl::string_view, kMaxSex + 1> kNames = {"unknown", "female", "male",
                                                                        "other"};
  return Lookup(kNames, sex);
}

absl::string_view Name(TokenKind kind) {
  static constexpr std::array<absl::string_view, kMaxTokenKind + 1> kNames = {
      "",
      "pnc_id",
      "phone",
      "email",
      "vehicle",
      "date_of_birth",
      "birth_year",
      "family_name_phonetic",
      "given_name_phonetic",
      "family_name_phonetic_birth_year",
      "given_name_canonical",
      "postcode_outward",
      "date_of_birth_day_month_sorted",
      "names_sorted",
      "address_street_phonetic",
      "birth_place",
      "email_user",
      "sole_name_phonetic",
      "occupation"};
  return Lookup(kNames, kind);
}

absl::string_view Name(EncodedField field) {
  static constexpr std::array<absl::string_view, kMaxEncodedField + 1> kNames = {
      "",       "given_name", "family_name", "date_of_birth", "postcode",
      "record", "address",    "birth_place", "email"};
  return Lookup(kNames, field);
}

absl::string_view Name(OrderType type) {
  static constexpr std::array<absl::string_view, kMaxOrderType + 1> kNames = {
      "",
      "STALKING_PROTECTION_ORDER",
      "INTERIM_STALKING_PROTECTION_ORDER",
      "RESTRAINING_ORDER",
      "NON_MOLESTATION_ORDER",
      "DOMESTIC_VIOLENCE_PROTECTION_ORDER"};
  return Lookup(kNames, type);
}

absl::string_view Name(RecordKind kind) {
  static constexpr std::array<absl::string_view, 3> kNames = {"", "incident", "order"};
  return Lookup(kNames, kind);
}

}  // namespace crossforce
