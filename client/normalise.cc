#include "client/normalise.h"

#include <chrono>
#include <cstdio>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace crossforce::client {
namespace {

bool ValidCivilDate(const CivilDate& d) {
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return false;
  return std::chrono::year_month_day{std::chrono::year{d.year},
                                     std::chrono::month{static_cast<unsigned>(d.month)},
                                     std::chrono::day{static_cast<unsigned>(d.day)}}
      .ok();
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == absl::string_view::npos;
}

// ASCII spellings of the Latin-1 Supplement and Latin Extended-A letters (U+00C0 to U+017F).
const char* FoldLatin(uint32_t cp) {
  static const char* const kLatin1[] = {
      // U+00C0 - U+00FF
      "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",
      "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "TH", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
  static const char* const kExtendedA[] = {
      // U+0100 - U+017F, pairs of upper and lower case
      "A", "a", "A",  "a",  "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
      "D", "d", "E",  "e",  "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
      "G", "g", "G",  "g",  "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
      "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",
      "l", "L", "l",  "N",  "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",
      "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
      "S", "s", "T",  "t",  "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
      "U", "u", "U",  "u",  "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s"};
  if (cp >= 0xC0 && cp <= 0xFF) return kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) return kExtendedA[cp - 0x100];
  if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC) return "'";  // curly apostrophes
  if (cp == 0x2010 || cp == 0x2011 || cp == 0x2013 || cp == 0x2014) return "-";
  return "";
}

const absl::flat_hash_map<std::string, std::string>& Nicknames() {
  // Common English diminutives and their formal names. A nickname shared by several names maps to
  // the most frequent one in England and Wales.
  static const auto* const kMap = new absl::flat_hash_map<std::string, std::string>{
      {"ABBY", "ABIGAIL"},      {"AGGIE", "AGNES"},        {"AL", "ALAN"},
      {"ALEC", "ALEXANDER"},    {"ALEX", "ALEXANDER"},     {"ALF", "ALFRED"},
      {"ALFIE", "ALFRED"},      {"ANDY", "ANDREW"},        {"ANNIE", "ANNE"},
      {"ARCHIE", "ARCHIBALD"},  {"BABS", "BARBARA"},       {"BARNEY", "BERNARD"},
      {"BART", "BARTHOLOMEW"},  {"BEA", "BEATRICE"},       {"BECKY", "REBECCA"},
      {"BELLA", "ISABELLA"},    {"BEN", "BENJAMIN"},       {"BENNY", "BENJAMIN"},
      {"BERT", "ALBERT"},       {"BERTIE", "ALBERT"},      {"BESS", "ELIZABETH"},
      {"BESSIE", "ELIZABETH"},  {"BETH", "ELIZABETH"},     {"BETSY", "ELIZABETH"},
      {"BETTY", "ELIZABETH"},   {"BILL", "WILLIAM"},       {"BILLY", "WILLIAM"},
      {"BOB", "ROBERT"},        {"BOBBY", "ROBERT"},       {"CAL", "CALLUM"},
      {"CAROL", "CAROLINE"},    {"CASS", "CASSANDRA"},     {"CATH", "CATHERINE"},
      {"CATHY", "CATHERINE"},   {"CHARLIE", "CHARLES"},    {"CHAS", "CHARLES"},
      {"CHRIS", "CHRISTOPHER"}, {"CHRISSIE", "CHRISTINE"}, {"CHUCK", "CHARLES"},
      {"CINDY", "CYNTHIA"},     {"CLAIRE", "CLARE"},       {"CONNIE", "CONSTANCE"},
      {"DAN", "DANIEL"},        {"DANNY", "DANIEL"},       {"DAVE", "DAVID"},
      {"DAVY", "DAVID"},        {"DEB", "DEBORAH"},        {"DEBBIE", "DEBORAH"},
      {"DEBS", "DEBORAH"},      {"DEL", "DEREK"},          {"DICK", "RICHARD"},
      {"DICKIE", "RICHARD"},    {"DOLLY", "DOROTHY"},      {"DOM", "DOMINIC"},
      {"DON", "DONALD"},        {"DONNY", "DONALD"},       {"DOT", "DOROTHY"},
      {"DOTTIE", "DOROTHY"},    {"DOUG", "DOUGLAS"},       {"ED", "EDWARD"},
      {"EDDIE", "EDWARD"},      {"EDDY", "EDWARD"},        {"ELLIE", "ELEANOR"},
      {"ELSIE", "ELIZABETH"},   {"EMMY", "EMMA"},          {"FERGIE", "FERGUS"},
      {"FLO", "FLORENCE"},      {"FRAN", "FRANCES"},       {"FRANKIE", "FRANCIS"},
      {"FRANK", "FRANCIS"},     {"FRED", "FREDERICK"},     {"FREDDIE", "FREDERICK"},
      {"FREDDY", "FREDERICK"},  {"GABBY", "GABRIELLE"},    {"GEOFF", "GEOFFREY"},
      {"GERRY", "GERALD"},      {"GINNY", "VIRGINIA"},     {"GREG", "GREGORY"},
      {"HAL", "HENRY"},         {"HANK", "HENRY"},         {"HARRY", "HENRY"},
      {"HATTIE", "HARRIET"},    {"HETTY", "HENRIETTA"},    {"IZZY", "ISABEL"},
      {"JACK", "JOHN"},         {"JACKIE", "JACQUELINE"},  {"JAKE", "JACOB"},
      {"JAMIE", "JAMES"},       {"JAN", "JANET"},          {"JEFF", "JEFFREY"},
      {"JEM", "JEREMY"},        {"JENNY", "JENNIFER"},     {"JERRY", "GERALD"},
      {"JESS", "JESSICA"},      {"JESSIE", "JESSICA"},     {"JIM", "JAMES"},
      {"JIMMY", "JAMES"},       {"JO", "JOANNE"},          {"JOE", "JOSEPH"},
      {"JOEY", "JOSEPH"},       {"JOHNNY", "JOHN"},        {"JON", "JONATHAN"},
      {"JOSH", "JOSHUA"},       {"JUDY", "JUDITH"},        {"KATE", "KATHERINE"},
      {"KATIE", "KATHERINE"},   {"KATHY", "KATHERINE"},    {"KAY", "KATHERINE"},
      {"KEN", "KENNETH"},       {"KENNY", "KENNETH"},      {"KIT", "CHRISTOPHER"},
      {"KITTY", "KATHERINE"},   {"LARRY", "LAWRENCE"},     {"LEN", "LEONARD"},
      {"LENNY", "LEONARD"},     {"LEO", "LEONARD"},        {"LES", "LESLIE"},
      {"LIBBY", "ELIZABETH"},   {"LIL", "LILIAN"},         {"LIZ", "ELIZABETH"},
      {"LIZZIE", "ELIZABETH"},  {"LIZA", "ELIZABETH"},     {"LOU", "LOUISE"},
      {"LOUIE", "LOUIS"},       {"LULU", "LOUISE"},        {"MAGGIE", "MARGARET"},
      {"MANDY", "AMANDA"},      {"MARGE", "MARGARET"},     {"MATT", "MATTHEW"},
      {"MAX", "MAXWELL"},       {"MEG", "MARGARET"},       {"MICK", "MICHAEL"},
      {"MICKEY", "MICHAEL"},    {"MIKE", "MICHAEL"},       {"MILLIE", "MILDRED"},
      {"MOLLY", "MARY"},        {"NAT", "NATHAN"},         {"NATE", "NATHAN"},
      {"NED", "EDWARD"},        {"NELL", "ELEANOR"},       {"NELLIE", "ELEANOR"},
      {"NICK", "NICHOLAS"},     {"NICKY", "NICHOLAS"},     {"NIKKI", "NICOLA"},
      {"OLLIE", "OLIVER"},      {"PADDY", "PATRICK"},      {"PAM", "PAMELA"},
      {"PAT", "PATRICIA"},      {"PATSY", "PATRICIA"},     {"PATTY", "PATRICIA"},
      {"PEG", "MARGARET"},      {"PEGGY", "MARGARET"},     {"PENNY", "PENELOPE"},
      {"PETE", "PETER"},        {"PHIL", "PHILIP"},        {"POLLY", "MARY"},
      {"RAY", "RAYMOND"},       {"REG", "REGINALD"},       {"RICH", "RICHARD"},
      {"RICK", "RICHARD"},      {"RICKY", "RICHARD"},      {"ROB", "ROBERT"},
      {"ROBBIE", "ROBERT"},     {"RON", "RONALD"},         {"RONNIE", "RONALD"},
      {"ROSIE", "ROSEMARY"},    {"ROY", "ROYSTON"},        {"SAL", "SARAH"},
      {"SALLY", "SARAH"},       {"SAM", "SAMUEL"},         {"SAMMY", "SAMUEL"},
      {"SANDY", "ALEXANDRA"},   {"SID", "SIDNEY"},         {"STAN", "STANLEY"},
      {"STEVE", "STEPHEN"},     {"STEVIE", "STEPHEN"},     {"SUE", "SUSAN"},
      {"SUZY", "SUSAN"},        {"SUSIE", "SUSAN"},        {"TED", "EDWARD"},
      {"TEDDY", "EDWARD"},      {"TERRY", "TERENCE"},      {"TESS", "TERESA"},
      {"TILLY", "MATILDA"},     {"TIM", "TIMOTHY"},        {"TIMMY", "TIMOTHY"},
      {"TOM", "THOMAS"},        {"TOMMY", "THOMAS"},       {"TONY", "ANTHONY"},
      {"TORI", "VICTORIA"},     {"TRISH", "PATRICIA"},     {"VAL", "VALERIE"},
      {"VIC", "VICTOR"},        {"VICKY", "VICTORIA"},     {"VICKI", "VICTORIA"},
      {"VIV", "VIVIENNE"},      {"WALLY", "WALTER"},       {"WILL", "WILLIAM"},
      {"WILLIE", "WILLIAM"},    {"ZAK", "ZACHARY"},        {"ZACH", "ZACHARY"}};
  return *kMap;
}

// Dates are formatted a dozen times per person on the encoding hot path: digits by hand rather
// than snprintf, falling back to it only for a field outside its usual width.
std::string FormatDate(const CivilDate& date, absl::string_view separator) {
  if (date.year < 0 || date.year > 9999 || date.month < 0 || date.month > 99 || date.day < 0 ||
      date.day > 99) {
    char buffer[48];
    std::snprintf(buffer, sizeof(buffer), "%04d%s%02d%s%02d", date.year,
                  std::string(separator).c_str(), date.month, std::string(separator).c_str(),
                  date.day);
    return buffer;
  }
  const auto digit = [](int v) { return static_cast<char>('0' + v); };
  std::string out;
  out.reserve(8 + 2 * separator.size());
  out.push_back(digit(date.year / 1000));
  out.push_back(digit(date.year / 100 % 10));
  out.push_back(digit(date.year / 10 % 10));
  out.push_back(digit(date.year % 10));
  out.append(separator.data(), separator.size());
  out.push_back(digit(date.month / 10));
  out.push_back(digit(date.month % 10));
  out.append(separator.data(), separator.size());
  out.push_back(digit(date.day / 10));
  out.push_back(digit(date.day % 10));
  return out;
}

// The words of `raw` folded to ASCII and upper-cased: runs of letters and digits, split at any
// other character except apostrophes, which are dropped ("O'Neill Rd." -> ONEILL, RD).
std::vector<std::string> UpperCaseWords(absl::string_view raw) {
  std::vector<std::string> words;
  std::string word;
  for (char c : FoldToAscii(raw)) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      word.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    } else if (c != '\'' && c != '`' && !word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace

std::string IsoDate(const CivilDate& date) { return FormatDate(date, "-"); }

std::string CompactDate(const CivilDate& date) { return FormatDate(date, ""); }

absl::StatusOr<CivilDate> ParseDate(absl::string_view raw) {
  const absl::string_view text = absl::StripAsciiWhitespace(raw);
  CivilDate d;
  bool parsed = false;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    parsed = AllDigits(text.substr(0, 4)) && AllDigits(text.substr(5, 2)) &&
             AllDigits(text.substr(8, 2)) && absl::SimpleAtoi(text.substr(0, 4), &d.year) &&
             absl::SimpleAtoi(text.substr(5, 2), &d.month) &&
             absl::SimpleAtoi(text.substr(8, 2), &d.day);
  } else if (text.size() == 10 && (text[2] == '/' || text[2] == '-') && text[5] == text[2]) {
    parsed = AllDigits(text.substr(0, 2)) && AllDigits(text.substr(3, 2)) &&
             AllDigits(text.substr(6, 4)) && absl::SimpleAtoi(text.substr(0, 2), &d.day) &&
             absl::SimpleAtoi(text.substr(3, 2), &d.month) &&
             absl::SimpleAtoi(text.substr(6, 4), &d.year);
  } else if (text.size() == 8 && AllDigits(text)) {
    parsed = absl::SimpleAtoi(text.substr(0, 4), &d.year) &&
             absl::SimpleAtoi(text.substr(4, 2), &d.month) &&
             absl::SimpleAtoi(text.substr(6, 2), &d.day);
  }
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a date in YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or YYYYMMDD"));
  }
  if (!ValidCivilDate(d)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a calendar date"));
  }
  return d;
}

std::string FoldToAscii(absl::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (extra < 0 || i + extra >= utf8.size()) {
      ++i;  // a stray continuation byte or a truncated sequence
      continue;
    }
    uint32_t cp = c & (0x3F >> extra);
    bool valid = true;
    for (int j = 1; j <= extra; ++j) {
      const unsigned char cc = static_cast<unsigned char>(utf8[i + j]);
      if ((cc & 0xC0) != 0x80) {
        valid = false;
        break;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!valid) {
      ++i;
      continue;
    }
    out.append(FoldLatin(cp));
    i += extra + 1;
  }
  return out;
}

std::string NormaliseName(absl::string_view raw) {
  const std::string ascii = FoldToAscii(raw);
  std::string out;
  out.reserve(ascii.size());
  bool pending_space = false;
  for (char c : ascii) {
    if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    } else if (c == '\'' || c == '`') {
      continue;  // O'Brien and OBrien are one name
    } else {
      pending_space = true;  // spaces, hyphens, dots, digits and other punctuation separate words
    }
  }
  return out;
}

std::string NormaliseAddress(absl::string_view raw) {
  static const auto* const kStreetTypes = new absl::flat_hash_map<std::string, std::string>{
      {"ST", "STREET"},   {"RD", "ROAD"},       {"AVE", "AVENUE"},    {"AV", "AVENUE"},
      {"LN", "LANE"},     {"DR", "DRIVE"},      {"CRES", "CRESCENT"}, {"CR", "CRESCENT"},
      {"CT", "COURT"},    {"PL", "PLACE"},      {"SQ", "SQUARE"},     {"TCE", "TERRACE"},
      {"TER", "TERRACE"}, {"GDNS", "GARDENS"},  {"GR", "GROVE"},      {"CL", "CLOSE"},
      {"PDE", "PARADE"},  {"HWY", "HIGHWAY"},   {"CIR", "CIRCUIT"},   {"CCT", "CIRCUIT"},
      {"FLT", "FLAT"},    {"APT", "APARTMENT"}, {"MT", "MOUNT"},      {"STH", "SOUTH"},
      {"NTH", "NORTH"}};
  std::vector<std::string> words = UpperCaseWords(raw);
  for (std::string& word : words) {
    auto it = kStreetTypes->find(word);
    if (it != kStreetTypes->end()) word = it->second;
  }
  return absl::StrJoin(words, " ");
}

std::string StreetName(absl::string_view normalised_address) {
  static const auto* const kNotStreetNames = new absl::flat_hash_set<std::string>{
      "FLAT",  "APARTMENT", "UNIT",   "STREET",  "ROAD",    "AVENUE",  "LANE",
      "DRIVE", "CRESCENT",  "COURT",  "PLACE",   "SQUARE",  "TERRACE", "GARDENS",
      "GROVE", "CLOSE",     "PARADE", "HIGHWAY", "CIRCUIT", "THE"};
  for (absl::string_view word : absl::StrSplit(normalised_address, ' ', absl::SkipEmpty())) {
    if (word.size() < 2 || absl::ascii_isdigit(static_cast<unsigned char>(word[0]))) continue;
    if (kNotStreetNames->contains(word)) continue;
    return std::string(word);
  }
  return "";
}

std::string NormalisePlaceName(absl::string_view raw) {
  std::vector<std::string> words = UpperCaseWords(raw);
  for (std::string& word : words) {
    if (word == "ST") word = "SAINT";
  }
  return absl::StrJoin(words, " ");
}

std::string NormaliseOccupation(absl::string_view raw) {
  return absl::StrJoin(UpperCaseWords(raw), " ");
}

std::string CanonicalGivenName(absl::string_view normalised) {
  const size_t space = normalised.find(' ');
  const absl::string_view first = normalised.substr(0, space);
  const auto& map = Nicknames();
  auto it = map.find(first);
  if (it == map.end()) return std::string(first);
  return it->second;
}

absl::StatusOr<std::string> NormalisePhone(absl::string_view raw) {
  std::string digits;
  bool plus = false;
  for (char c : raw) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '(' || c == ')' || c == '-' || c == '.' || c == '\t') {
      continue;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("'", raw, "' has a character a phone number cannot hold"));
    }
  }
  if (!plus && digits.rfind("00", 0) == 0) {
    plus = true;
    digits.erase(0, 2);
  }
  std::string e164;
  if (plus) {
    if (digits.rfind("44", 0) == 0) {
      digits.erase(0, 2);
      if (!digits.empty() && digits[0] == '0') digits.erase(0, 1);  // +44 (0)7700 ...
      e164 = "+44" + digits;
    } else {
      e164 = "+" + digits;
    }
  } else {
    if (digits.size() != 11 || digits[0] != '0') {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", raw, "' is neither a UK national number (11 digits from 0) nor international (+)"));
    }
    e164 = "+44" + digits.substr(1);
  }
  const size_t n = e164.size() - 1;
  if (e164.rfind("+44", 0) == 0 ? n != 12 : (n < 8 || n > 15)) {
    return absl::InvalidArgumentError(absl::StrCat("'", raw, "' has the wrong number of digits"));
  }
  return e164;
}

absl::StatusOr<std::string> NormaliseEmail(absl::string_view raw) {
  std::string email = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos ||
      email.find(' ') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", raw, "' is not an email address"));
  }
  const std::string domain = email.substr(at + 1);
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.') {
    return absl::InvalidArgumentError(absl::StrCat("'", raw, "' has no valid domain"));
  }
  return email;
}

absl::StatusOr<std::string> NormaliseVehicle(absl::string_view raw) {
  std::string reg;
  for (char c : raw) {
    if (c == ' ' || c == '-') continue;
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", raw, "' is not a vehicle registration (letters and digits)"));
    }
    reg.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  if (reg.size() < 2 || reg.size() > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", raw, "' is not a vehicle registration (2-8 letters and digits)"));
  }
  return reg;
}

absl::StatusOr<std::string> NormalisePncId(absl::string_view raw) {
  std::string s;
  for (char c : raw) {
    if (c != ' ') s.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  const size_t slash = s.find('/');
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("'", raw, "' is not a PNC id (YY/NNNNNNNL, e.g. 98/1234567X)"));
  };
  if (slash == std::string::npos || s.size() < slash + 3) return bad();
  std::string year = s.substr(0, slash);
  std::string serial = s.substr(slash + 1, s.size() - slash - 2);
  const char check = s.back();
  if (year.size() == 4) year = year.substr(2);
  if (year.size() != 2 || !AllDigits(year) || !AllDigits(serial) || serial.size() > 7 ||
      !absl::ascii_isalpha(static_cast<unsigned char>(check))) {
    return bad();
  }
  serial.insert(0, 7 - serial.size(), '0');
  return absl::StrCat(year, "/", serial, std::string(1, check));
}

absl::StatusOr<Postcode> NormalisePostcode(absl::string_view raw) {
  std::string s;
  for (char c : raw) {
    if (c == ' ' || c == '\t') continue;
    s.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("'", raw, "' is not a UK postcode"));
  };
  // Inward code: digit letter letter; outward code: A9, A99, AA9, AA99, A9A, AA9A.
  if (s.size() < 5 || s.size() > 7) return bad();
  const std::string outward = s.substr(0, s.size() - 3);
  const std::string inward = s.substr(s.size() - 3);
  if (!absl::ascii_isdigit(static_cast<unsigned char>(inward[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(inward[1])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(inward[2]))) {
    return bad();
  }
  auto alpha = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  if (!alpha(outward[i++])) return bad();
  if (i < outward.size() && alpha(outward[i])) ++i;
  if (i >= outward.size() || !digit(outward[i++])) return bad();
  if (i < outward.size() && (digit(outward[i]) || alpha(outward[i]))) ++i;
  if (i != outward.size()) return bad();
  return Postcode{outward + " " + inward, outward};
}

std::string Soundex(absl::string_view normalised) {
  // Letter codes A-Z: vowels and H, W, Y are 0.
  static constexpr char kCodes[] = "01230120022455012623010202";
  std::string out;
  char last = 0;
  for (char c : normalised) {
    if (c < 'A' || c > 'Z') continue;
    const char code = kCodes[c - 'A'];
    if (out.empty()) {
      out.push_back(c);
      last = code;
      continue;
    }
    if (code != '0' && code != last) out.push_back(code);
    // H and W do not separate letters with the same code; vowels do.
    if (c != 'H' && c != 'W') last = code;
    if (out.size() == 4) break;
  }
  if (out.empty()) return out;
  out.resize(4, '0');
  return out;
}

}  // namespace crossforce::client
