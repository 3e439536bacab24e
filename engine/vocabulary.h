// The fixed vocabularies of a record (offence codes, behaviours, outcomes, roles, orders, token and
// encoding kinds). Values match the wire contract's enum numbers so the server converts by range
// check. Names are the stable upper/snake-case spellings used in reports and CSV. Thread-safe
// (pure).
#ifndef CROSSFORCE_ENGINE_VOCABULARY_H_
#define CROSSFORCE_ENGINE_VOCABULARY_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace crossforce {

enum class OffenceCode : uint8_t {
  kStalking = 1,
  kStalkingFearOfViolence = 2,
  kHarassment = 3,
  kHarassmentFearOfViolence = 4,
  kMaliciousCommunications = 5,
  kBreachOfOrder = 6,
  kCoerciveControl = 7,
  kCriminalDamage = 8,
  kCommonAssault = 9,
  kAssaultWithInjury = 10,
  kThreatsToKill = 11,
  kSexualOffence = 12,
  kPublicOrder = 13,
  kOther = 14,
};
inline constexpr int kMaxOffenceCode = 14;

enum class Behaviour : uint8_t {
  kFollowing = 1,
  kLoitering = 2,
  kUnwantedContact = 3,
  kOnlineContact = 4,
  kUnwantedGifts = 5,
  kMonitoring = 6,
  kTrackingDevice = 7,
  kThirdPartyContact = 8,
  kPropertyDamage = 9,
  kThreats = 10,
  kViolence = 11,
  kSexualHarassment = 12,
};
inline constexpr int kMaxBehaviour = 12;

enum class Outcome : uint8_t {
  kUnknown = 0,
  kUnderInvestigation = 1,
  kCharged = 2,
  kCautioned = 3,
  kCommunityResolution = 4,
  kNoFurtherAction = 5,
  kVictimWithdrew = 6,
  kSuspectNotIdentified = 7,
  kConvicted = 8,
  kAcquitted = 9,
};
inline constexpr int kMaxOutcome = 9;

enum class HandlingCode : uint8_t { kUnknown = 0, kP = 1, kC = 2 };
inline constexpr int kMaxHandlingCode = 2;

enum class PartyRole : uint8_t { kSuspect = 1, kVictim = 2, kUnknownSuspect = 3 };
inline constexpr int kMaxPartyRole = 3;

enum class Sex : uint8_t { kUnknown = 0, kFemale = 1, kMale = 2, kOther = 3 };
inline constexpr int kMaxSex = 3;

enum class TokenKind : uint8_t {
  kPncId = 1,
  kPhone = 2,
  kEmail = 3,
  kVehicle = 4,
  kDateOfBirth = 5,
  kBirthYear = 6,
  kFamilyNamePhonetic = 7,
  kGivenNamePhonetic = 8,
  kFamilyNamePhoneticBirthYear = 9,
  kGivenNameCanonical = 10,
  kPostcodeOutward = 11,
  kDateOfBirthDayMonthSorted = 12,
  kNamesSorted = 13,
  kAddressStreetPhonetic = 14,
  kBirthPlace = 15,
  kEmailUser = 16,
  kSoleNamePhonetic = 17,
  kOccupation = 18,
};
inline constexpr int kMaxTokenKind = 18;

enum class EncodedField : uint8_t {
  kGivenName = 1,
  kFamilyName = 2,
  kDateOfBirth = 3,
  kPostcode = 4,
  kRecord = 5,
  kAddress = 6,
  kBirthPlace = 7,
  kEmail = 8,
};
inline constexpr int kMaxEncodedField = 8;

enum class OrderType : uint8_t {
  kStalkingProtectionOrder = 1,
  kInterimStalkingProtectionOrder = 2,
  kRestrainingOrder = 3,
  kNonMolestationOrder = 4,
  kDomesticViolenceProtectionOrder = 5,
};
inline constexpr int kMaxOrderType = 5;

enum class RecordKind : uint8_t { kIncident = 1, kOrder = 2 };

// Stable names: offence codes, outcomes, handling codes and order types in UPPER_SNAKE
// ("STALKING"), everything else in lower_snake ("unwanted_contact", "suspect").
absl::string_view Name(OffenceCode code);
absl::string_view Name(Behaviour behaviour);
absl::string_view Name(Outcome outcome);
absl::string_view Name(HandlingCode code);
absl::string_view Name(PartyRole role);
absl::string_view Name(Sex sex);
absl::string_view Name(TokenKind kind);
absl::string_view Name(EncodedField field);
absl::string_view Name(OrderType type);
absl::string_view Name(RecordKind kind);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_VOCABULARY_H_
