// Normal forms of the identifiers in a force's export, so that the same value written differently
// by two forces becomes the same string before it is anonymised. Each function is pure and either
// returns the normal form or InvalidArgument saying what is wrong with the value. Thread-safe.
#ifndef CROSSFORCE_CLIENT_NORMALISE_H_
#define CROSSFORCE_CLIENT_NORMALISE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crossforce::client {

struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// "YYYY-MM-DD".
std::string IsoDate(const CivilDate& date);
// "YYYYMMDD": the date's digits only, as clkhash's date format encodes it.
std::string CompactDate(const CivilDate& date);

// Accepts YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY and YYYYMMDD (a UK export's day-first forms); the day
// must exist.
absl::StatusOr<CivilDate> ParseDate(absl::string_view text);

// UTF-8 to ASCII: letters with diacritics lose them (é -> e, ß -> ss, Æ -> AE, Ł -> L); other
// non-ASCII characters are dropped. Invalid UTF-8 bytes are dropped.
std::string FoldToAscii(absl::string_view utf8);

// A name for matching: folded to ASCII, upper case, apostrophes removed (O'Brien -> OBRIEN), other
// punctuation and hyphens become spaces (Smith-Jones -> SMITH JONES, J. -> J), runs of spaces
// collapse, no spaces at the ends. Empty when nothing is left.
std::string NormaliseName(absl::string_view raw);

// A street address in one normal form: folded to ASCII, upper case, punctuation as single spaces,
// house numbers kept, and the common street-type abbreviations written out ("12a High St." and
// "12A HIGH STREET" are the same). Empty when nothing is left.
std::string NormaliseAddress(absl::string_view raw);
// The street name of a normalised address: its first word that is neither a number nor a
// street type or flat designation ("12A HIGH STREET" -> "HIGH"); empty when there is none.
std::string StreetName(absl::string_view normalised_address);

// A place name (town, district, county or country) in one normal form: folded to ASCII, upper
// case, punctuation as single spaces, and "St" written out as "SAINT" ("St. Helens" and "SAINT
// HELENS" are the same). Empty when nothing is left.
std::string NormalisePlaceName(absl::string_view raw);

// An occupation in one normal form: folded to ASCII, upper case, punctuation as single spaces
// ("Company-director" and "COMPANY DIRECTOR" are the same). Empty when nothing is left.
std::string NormaliseOccupation(absl::string_view raw);

// The canonical given name for a normalised one: common English nicknames map to their formal name
// (BOB -> ROBERT, PEGGY -> MARGARET); other names map to themselves. Only the first word is mapped.
std::string CanonicalGivenName(absl::string_view normalised);

// UK numbers in E.164 (+447700900123) from national (07700 900123, (07700) 900123), international
// (+44 7700 900123, 0044 ...) forms; other countries' numbers given with + or 00 are kept.
absl::StatusOr<std::string> NormalisePhone(absl::string_view raw);

// Trimmed, lower case; one '@' with a local part and a dotted domain.
absl::StatusOr<std::string> NormaliseEmail(absl::string_view raw);

// Upper case, spaces and hyphens removed; 2-8 letters and digits.
absl::StatusOr<std::string> NormaliseVehicle(absl::string_view raw);

// PNC id as YY/NNNNNNNL (e.g. 98/1234567X): upper case, no spaces, serial zero-padded to 7.
absl::StatusOr<std::string> NormalisePncId(absl::string_view raw);

struct Postcode {
  std::string full;     // "LS6 1AB"
  std::string outward;  // "LS6"
};
// UK postcodes, any case, with or without the space.
absl::StatusOr<Postcode> NormalisePostcode(absl::string_view raw);

// American Soundex of a normalised name's letters (ROBERT -> R163); "" when it has no letters.
std::string Soundex(absl::string_view normalised);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_NORMALISE_H_
