#include "client/demo_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/csv.h"

namespace crossforce::client {
namespace {

struct ForceProfile {
  const char* code;
  std::vector<const char*> areas;  // postcode areas
  const char* date_format;         // how this force writes dates
};

const std::vector<ForceProfile>& Forces() {
  static const auto* const kForces =
      new std::vector<ForceProfile>{{"MET", {"E", "N", "SE", "SW", "W"}, "%04d-%02d-%02d"},
                                    {"WYP", {"LS", "BD", "WF", "HD", "HX"}, "%02d/%02d/%04d"},
                                    {"GMP", {"M", "OL", "BL", "WN", "SK"}, "%04d%02d%02d"},
                                    {"WMP", {"B", "CV", "WV", "WS"}, "%02d-%02d-%04d"},
                                    {"NYP", {"YO", "HG", "TS"}, "%04d-%02d-%02d"},
                                    {"SYP", {"S", "DN"}, "%02d/%02d/%04d"},
                                    {"MER", {"L", "CH", "WA"}, "%04d-%02d-%02d"},
                                    {"NTH", {"NE", "SR", "DH"}, "%02d/%02d/%04d"},
                                    {"AVS", {"BS", "BA"}, "%04d%02d%02d"},
                                    {"TVP", {"OX", "RG", "MK", "SL"}, "%02d-%02d-%04d"},
                                    {"KNT", {"CT", "ME", "TN", "DA"}, "%04d-%02d-%02d"},
                                    {"LAN", {"PR", "BB", "FY", "LA"}, "%02d/%02d/%04d"}};
  return *kForces;
}

// Given names with their common nicknames (as recorded by some forces).
struct GivenName {
  const char* formal;
  std::vector<const char*> nicknames;
  bool female;
};

const std::vector<GivenName>& GivenNames() {
  static const auto* const kNames =
      new std::vector<GivenName>{{"Robert", {"Bob", "Rob", "Bobby"}, false},
                                 {"William", {"Bill", "Will", "Billy"}, false},
                                 {"James", {"Jim", "Jimmy", "Jamie"}, false},
                                 {"Michael", {"Mike", "Mick"}, false},
                                 {"David", {"Dave"}, false},
                                 {"Richard", {"Rick", "Dick", "Rich"}, false},
                                 {"Thomas", {"Tom", "Tommy"}, false},
                                 {"Christopher", {"Chris"}, false},
                                 {"Daniel", {"Dan", "Danny"}, false},
                                 {"Matthew", {"Matt"}, false},
                                 {"Anthony", {"Tony"}, false},
                                 {"Stephen", {"Steve"}, false},
                                 {"Andrew", {"Andy"}, false},
                                 {"Joseph", {"Joe"}, false},
                                 {"Edward", {"Ed", "Eddie", "Ted"}, false},
                                 {"Samuel", {"Sam"}, false},
                                 {"Benjamin", {"Ben"}, false},
                                 {"Nicholas", {"Nick"}, false},
                                 {"Gareth", {}, false},
                                 {"Kieran", {}, false},
                                 {"Declan", {}, false},
                                 {"Tobias", {}, false},
                                 {"Lucjan", {}, false},
                                 {"Oluwaseun", {}, false},
                                 {"Elizabeth", {"Liz", "Beth", "Betty"}, true},
                                 {"Margaret", {"Maggie", "Peggy"}, true},
                                 {"Katherine", {"Kate", "Katie"}, true},
                                 {"Jennifer", {"Jenny"}, true},
                                 {"Rebecca", {"Becky"}, true},
                                 {"Deborah", {"Debbie"}, true},
                                 {"Patricia", {"Pat", "Trish"}, true},
                                 {"Susan", {"Sue"}, true},
                                 {"Victoria", {"Vicky"}, true},
                                 {"Jessica", {"Jess"}, true},
                                 {"Sarah", {"Sally"}, true},
                                 {"Emma", {}, true},
                                 {"Chloe", {}, true},
                                 {"Hannah", {}, true},
                                 {"Amelia", {}, true},
                                 {"Siobhan", {}, true},
                                 {"Aoife", {}, true},
                                 {"Zofia", {}, true},
                                 {"Chidinma", {}, true},
                                 {"Ffion", {}, true}};
  return *kNames;
}

const std::vector<const char*>& FamilyNames() {
  // Common first (drawn more often), rare last; with hyphens, apostrophes and diacritics.
  static const auto* const kNames = new std::vector<const char*>{"Smith",
                                                                 "Jones",
                                                                 "Williams",
                                                                 "Taylor",
                                                                 "Brown",
                                                                 "Davies",
                                                                 "Evans",
                                                                 "Wilson",
                                                                 "Thomas",
                                                                 "Johnson",
                                                                 "Roberts",
                                                                 "Robinson",
                                                                 "Thompson",
                                                                 "Wright",
                                                                 "Walker",
                                                                 "White",
                                                                 "Edwards",
                                                                 "Hughes",
                                                                 "Green",
                                                                 "Hall",
                                                                 "Lewis",
                                                                 "Harris",
                                                                 "Clarke",
                                                                 "Patel",
                                                                 "Jackson",
                                                                 "Wood",
                                                                 "Turner",
                                                                 "Martin",
                                                                 "Cooper",
                                                                 "Hill",
                                                                 "O'Brien",
                                                                 "McDonald",
                                                                 "Smith-Jones",
                                                                 "Ahmed",
                                                                 "Khan",
                                                                 "Kowalski",
                                                                 "Nowak",
                                                                 "Okafor",
                                                                 "Adeyemi",
                                                                 "Fitzgerald",
                                                                 "Featherstonehaugh",
                                                                 "Llewellyn",
                                                                 "Ní Bhriain",
                                                                 "Müller",
                                                                 "Søndergaard",
                                                                 "Pryce-Morgan",
                                                                 "Quigley",
                                                                 "Vasquez",
                                                                 "Abernethy",
                                                                 "Cholmondeley",
                                                                 "Dunwoody",
                                                                 "Ellingham",
                                                                 "Gallacher",
                                                                 "Hargreaves"};
  return *kNames;
}

struct Person {
  int64_t id = 0;
  std::string given;  // formal
  const GivenName* given_info = nullptr;
  std::string family;
  int dob_y = 0, dob_m = 0, dob_d = 0;
  char sex = 'M';
  std::string postcode;  // "LS6 1AB"
  int force = 0;         // where they live now
  std::string phone;     // national digits 07...
  std::string email;
  std::string vehicle;
  std::string pnc;
  std::string birth_place;  // as a national record would hold it, e.g. "St Helens"
  std::string occupation;   // e.g. "Plumber"
};

class Generator {
 public:
  Generator(const DemoDataOptions& options) : options_(options), rng_(options.seed) {}

  absl::StatusOr<DemoDataSummary> Run(const std::string& dir);

 private:
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Int(0, static_cast<int>(v.size()) - 1)];
  }
  // Zipf-like: low indices far more often (common names are common).
  int Skewed(int n) { return std::min(n - 1, static_cast<int>(n * std::pow(Uniform(), 2.2))); }

  Person NewPerson(bool female, int force);
  std::string Postcode(int force);
  std::string Ref(const Person& p, int force);
  std::string Date(int force, int y, int m, int d) {
    const char* format = Forces()[force].date_format;
    if (format[1] == '0' && format[3] == 'd' && format[4] == '/') {
      return absl::StrFormat("%02d/%02d/%04d", d, m, y);
    }
    if (std::string(format) == "%02d-%02d-%04d") return absl::StrFormat("%02d-%02d-%04d", d, m, y);
    if (std::string(format) == "%04d%02d%02d") return absl::StrFormat("%04d%02d%02d", y, m, d);
    return absl::StrFormat("%04d-%02d-%02d", y, m, d);
  }
  // The person as one force's officer recorded them: noise applied.
  std::vector<std::string> Recorded(const Person& p, int force, bool suspect);
  // Their place of birth as recorded (often not at all). Drawn from places_rng_, so that adding
  // the column left every other generated value as it was.
  std::string RecordedBirthPlace(const Person& p);
  // Their occupation as recorded (often not at all, sometimes "Unemployed"). Drawn from
  // occupations_rng_, for the same reason.
  std::string RecordedOccupation(const Person& p);
  std::string Typo(const std::string& s);

  const DemoDataOptions options_;
  std::mt19937_64 rng_;
  std::mt19937_64 places_rng_{options_.seed ^ 0x9e3779b97f4a7c15ull};
  std::mt19937_64 occupations_rng_{options_.seed ^ 0x6a09e667f3bcc909ull};
  int64_t next_person_ = 1;
  std::map<std::pair<int64_t, int>, std::string> refs_;  // (person, force) -> nominal ref
  std::map<int, int> next_ref_;
};

Person Generator::NewPerson(bool female, int force) {
  Person p;
  p.id = next_person_++;
  std::vector<const GivenName*> pool;
  for (const GivenName& g : GivenNames()) {
    if (g.female == female) pool.push_back(&g);
  }
  p.given_info = pool[Skewed(static_cast<int>(pool.size()))];
  p.given = p.given_info->formal;
  p.family = FamilyNames()[Skewed(static_cast<int>(FamilyNames().size()))];
  p.dob_y = Int(1950, 2005);
  p.dob_m = Int(1, 12);
  p.dob_d = Int(1, 28);
  p.sex = female ? 'F' : 'M';
  p.force = force;
  p.postcode = Postcode(force);
  p.phone = absl::StrFormat("077009%05d", Int(0, 99999));
  p.email = absl::StrCat(absl::AsciiStrToLower(p.given), ".", Int(1, 999), "@example.",
                         Chance(0.5) ? "com" : "co.uk");
  static const auto* const kBirthPlaces = new std::vector<std::string>{
      "Leeds",      "Bradford",  "Manchester", "Liverpool",  "St Helens",     "Birmingham",
      "Coventry",   "Sheffield", "Newcastle",  "Sunderland", "Middlesbrough", "London",
      "Croydon",    "Bristol",   "Cardiff",    "Swansea",    "Glasgow",       "Belfast",
      "Dublin",     "Lagos",     "Karachi",    "Warsaw",     "Kingston",      "St Albans",
      "Nottingham", "Leicester", "Wakefield",  "Halifax",    "Huddersfield",  "Bolton"};
  // Skewed, as real birthplaces are: the first few are common.
  const double u = std::uniform_real_distribution<double>(0, 1)(places_rng_);
  p.birth_place = (*kBirthPlaces)[std::min(
      kBirthPlaces->size() - 1, static_cast<size_t>(kBirthPlaces->size() * std::pow(u, 1.8)))];
  static const auto* const kOccupations = new std::vector<std::string>{"Labourer",
                                                                       "Unemployed",
                                                                       "Student",
                                                                       "Retail assistant",
                                                                       "Driver",
                                                                       "Care worker",
                                                                       "Builder",
                                                                       "Chef",
                                                                       "Nurse",
                                                                       "Plumber",
                                                                       "Electrician",
                                                                       "Teacher",
                                                                       "Mechanic",
                                                                       "Security guard",
                                                                       "Bar staff",
                                                                       "Accountant",
                                                                       "Hairdresser",
                                                                       "Scaffolder",
                                                                       "Software developer",
                                                                       "Farrier"};
  const double w = std::uniform_real_distribution<double>(0, 1)(occupations_rng_);
  p.occupation = (*kOccupations)[std::min(
      kOccupations->size() - 1, static_cast<size_t>(kOccupations->size() * std::pow(w, 1.8)))];
  if (Chance(0.4)) {
    p.vehicle = absl::StrFormat("%c%c%02d %c%c%c", 'A' + Int(0, 25), 'A' + Int(0, 25), Int(10, 74),
                                'A' + Int(0, 25), 'A' + Int(0, 25), 'A' + Int(0, 25));
  }
  return p;
}

std::string Generator::Postcode(int force) {
  return absl::StrFormat("%s%d %d%c%c", Pick(Forces()[force].areas), Int(1, 29), Int(1, 9),
                         'A' + Int(0, 25), 'A' + Int(0, 25));
}

std::string Generator::Ref(const Person& p, int force) {
  auto [it, inserted] = refs_.try_emplace({p.id, force});
  if (inserted) it->second = absl::StrFormat("%s-N%06d", Forces()[force].code, ++next_ref_[force]);
  return it->second;
}

std::string Generator::Typo(const std::string& s) {
  if (s.size() < 4) return s;
  std::string t = s;
  const int i = Int(1, static_cast<int>(t.size()) - 2);
  switch (Int(0, 3)) {
    case 0:  // substitution with a nearby letter
      t[i] = static_cast<char>(absl::ascii_islower(t[i]) ? 'a' + (t[i] - 'a' + 1) % 26 : t[i]);
      break;
    case 1:  // deletion
      t.erase(i, 1);
      break;
    case 2:  // transposition
      std::swap(t[i], t[i + 1]);
      break;
    default:  // doubled letter
      t.insert(i, 1, t[i]);
      break;
  }
  return t;
}

std::vector<std::string> Generator::Recorded(const Person& p, int force, bool suspect) {
  const double noise = options_.noise;
  std::string given = p.given;
  if (!p.given_info->nicknames.empty() && Chance(noise * 1.5))
    given = Pick(p.given_info->nicknames);
  if (Chance(noise / 2)) given = given.substr(0, 1) + ".";  // initial only
  std::string family = p.family;
  if (Chance(noise)) family = Typo(family);
  const int style = Int(0, 2);  // how the officer typed names
  if (style == 0) {
    given = absl::AsciiStrToUpper(given);
    family = absl::AsciiStrToUpper(family);
  } else if (style == 1) {
    given = absl::AsciiStrToLower(given);
  }
  int d = p.dob_d, m = p.dob_m;
  if (d <= 12 && Chance(noise / 2)) std::swap(d, m);  // day and month swapped
  std::string dob = Date(force, p.dob_y, m, d);
  if (Chance(noise / 3)) dob.clear();
  std::string postcode = p.postcode;
  if (Chance(0.5))
    postcode.erase(std::remove(postcode.begin(), postcode.end(), ' '), postcode.end());
  if (Chance(0.3)) postcode = absl::AsciiStrToLower(postcode);
  if (Chance(noise)) postcode.clear();
  std::string phone = p.phone;
  switch (Int(0, 2)) {
    case 0:
      phone = absl::StrCat(phone.substr(0, 5), " ", phone.substr(5));
      break;
    case 1:
      phone = absl::StrCat("+44 ", phone.substr(1, 4), " ", phone.substr(5));
      break;
    default:
      phone = absl::StrCat("(", phone.substr(0, 5), ") ", phone.substr(5));
  }
  if (Chance(noise * 2)) phone.clear();
  std::string email = Chance(0.3) ? absl::AsciiStrToUpper(p.email) : p.email;
  if (Chance(noise * 2)) email.clear();
  std::vector<std::string> out = {Ref(p, force), given, family, dob};
  if (suspect) out.push_back(std::string(1, p.sex));
  out.push_back(postcode);
  out.push_back(phone);
  out.push_back(email);
  if (suspect) {
    std::string vehicle = p.vehicle;
    if (!vehicle.empty() && Chance(0.5))
      vehicle.erase(std::remove(vehicle.begin(), vehicle.end(), ' '), vehicle.end());
    out.push_back(vehicle);
    out.push_back(p.pnc);
  }
  return out;
}

std::string Generator::RecordedBirthPlace(const Person& p) {
  const double u = std::uniform_real_distribution<double>(0, 1)(places_rng_);
  if (u < 0.5) return "";  // most incident records leave it out
  std::string place = p.birth_place;
  if (u < 0.6 && place.rfind("St ", 0) == 0) place = "Saint " + place.substr(3);
  if (u > 0.9) place = absl::AsciiStrToUpper(place);
  return place;
}

std::string Generator::RecordedOccupation(const Person& p) {
  const double u = std::uniform_real_distribution<double>(0, 1)(occupations_rng_);
  if (u < 0.6) return "";             // most records leave it out
  if (u < 0.65) return "Unemployed";  // between jobs, or so they said
  if (u > 0.9) return absl::AsciiStrToUpper(p.occupation);
  return p.occupation;
}

absl::StatusOr<DemoDataSummary> Generator::Run(const std::string& dir) {
  const int force_count = std::clamp(options_.forces, 2, static_cast<int>(Forces().size()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir));
  DemoDataSummary summary;
  std::vector<std::ofstream> incident_out(force_count), order_out(force_count);
  for (int f = 0; f < force_count; ++f) {
    summary.force_codes.push_back(Forces()[f].code);
    summary.incident_files.push_back(absl::StrCat(dir, "/", Forces()[f].code, ".csv"));
    summary.order_files.push_back(absl::StrCat(dir, "/", Forces()[f].code, "_orders.csv"));
    incident_out[f].open(summary.incident_files.back());
    order_out[f].open(summary.order_files.back());
    if (!incident_out[f] || !order_out[f]) {
      return absl::PermissionDeniedError(absl::StrCat("cannot write in ", dir));
    }
    incident_out[f] << "force_code,incident_id,offence_date,reported_date,offence_code,"
                       "included_offence_codes,domestic_abuse,behaviours,location_district,"
                       "outcome,handling_code,suspect_ref,suspect_given_name,suspect_family_name,"
                       "suspect_dob,suspect_sex,suspect_postcode,suspect_phone,suspect_email,"
                       "suspect_vehicle,suspect_pnc,victim_ref,victim_given_name,"
                       "victim_family_name,victim_dob,victim_postcode,victim_phone,victim_email,"
                       "suspect_birth_place,victim_birth_place,suspect_occupation,"
                       "victim_occupation\n";
    order_out[f] << "force_code,order_id,order_type,start_date,end_date,subject_ref,"
                    "subject_given_name,subject_family_name,subject_dob,subject_sex,"
                    "subject_postcode,subject_phone,subject_email,subject_vehicle,subject_pnc,"
                    "protected_ref,protected_given_name,protected_family_name,protected_dob,"
                    "protected_postcode,protected_phone,protected_email,subject_birth_place,"
                    "protected_birth_place,subject_occupation,protected_occupation\n";
  }
  summary.ground_truth_file = dir + "/ground_truth.csv";
  std::ofstream truth(summary.ground_truth_file);
  truth << "file,force_code,record_id,role,ref,person_id\n";

  const std::vector<const char*> offences = {
      "STALKING",   "HARASSMENT",      "MALICIOUS_COMMUNICATIONS", "STALKING_FEAR_OF_VIOLENCE",
      "HARASSMENT", "BREACH_OF_ORDER", "CRIMINAL_DAMAGE"};
  const std::vector<const char*> behaviours = {
      "following",       "loitering",  "unwanted_contact", "online_contact",
      "unwanted_gifts",  "monitoring", "tracking_device",  "third_party_contact",
      "property_damage", "threats",    "violence",         "sexual_harassment"};
  std::vector<Person> suspects;
  std::vector<int> incident_counter(force_count, 0);
  std::vector<int> order_counter(force_count, 0);
  for (int s = 0; s < options_.suspects; ++s) {
    Person suspect = NewPerson(Chance(0.15), Int(0, force_count - 1));
    if (!suspects.empty() && Chance(options_.namesake_rate)) {
      // A different person with the same name as an earlier one (other birth date, home, phone).
      const Person& other = Pick(suspects);
      suspect.given = other.given;
      suspect.given_info = other.given_info;
      suspect.family = other.family;
      suspect.sex = other.sex;
    }
    if (Chance(0.6))
      suspect.pnc = absl::StrFormat("%02d/%07d%c", Int(0, 24), Int(1, 999999), 'A' + Int(0, 25));
    suspects.push_back(suspect);
    const int victim_count = 1 + Skewed(4);
    std::vector<Person> victims;
    for (int v = 0; v < victim_count; ++v) {
      victims.push_back(
          NewPerson(Chance(0.8), Chance(0.8) ? suspect.force : Int(0, force_count - 1)));
    }
    const int incidents = 1 + Skewed(8);
    int year = options_.today_year - Int(1, 9);
    int day_of_year = Int(1, 300);
    const bool mover = Chance(options_.mover_rate);
    for (int i = 0; i < incidents; ++i) {
      Person& victim = victims[Int(0, victim_count - 1)];
      if (mover && i == incidents / 2 && i > 0) {
        suspect.force = (suspect.force + Int(1, force_count - 1)) % force_count;
        suspect.postcode = Postcode(suspect.force);
      }
      if (i > 0 && Chance(options_.relocate_rate / 2)) {
        victim.force = (victim.force + Int(1, force_count - 1)) % force_count;
        victim.postcode = Postcode(victim.force);
      }
      // The force where the victim lives now records the incident.
      const int force = Chance(0.8) ? victim.force : suspect.force;
      day_of_year += Int(3, 80);
      while (day_of_year > 360) {
        day_of_year -= 360;
        ++year;
      }
      if (year >= options_.today_year) year = options_.today_year - 1;
      const int month = 1 + (day_of_year - 1) / 30, day = 1 + (day_of_year - 1) % 28;
      const std::string id =
          absl::StrFormat("%s/%d/%05d", Forces()[force].code, year, ++incident_counter[force]);
      std::vector<std::string> b;
      for (int k = Int(1, 3); k > 0; --k) {
        const char* pick = behaviours[Skewed(static_cast<int>(behaviours.size()))];
        if (std::find(b.begin(), b.end(), pick) == b.end()) b.push_back(pick);
      }
      const char* offence = offences[Skewed(static_cast<int>(offences.size()))];
      std::vector<std::string> row = {
          Forces()[force].code,
          id,
          Date(force, year, month, day),
          "",
          offence,
          std::string(offence) == "HARASSMENT" && Chance(0.3) ? "STALKING" : "",
          Chance(0.5) ? "true" : "false",
          absl::StrJoin(b, ";"),
          victim.postcode.substr(0, victim.postcode.find(' ')),
          "UNDER_INVESTIGATION",
          "P"};
      const std::vector<std::string> s_fields = Recorded(suspect, force, true);
      const std::vector<std::string> v_fields = Recorded(victim, force, false);
      row.insert(row.end(), s_fields.begin(), s_fields.end());
      row.insert(row.end(), v_fields.begin(), v_fields.end());
      row.push_back(RecordedBirthPlace(suspect));
      row.push_back(RecordedBirthPlace(victim));
      row.push_back(RecordedOccupation(suspect));
      row.push_back(RecordedOccupation(victim));
      incident_out[force] << CsvRow(row) << "\n";
      ++summary.rows;
      const std::string file = summary.incident_files[force];
      truth << CsvRow({file, Forces()[force].code, id, "suspect", s_fields[0],
                       std::to_string(suspect.id)})
            << "\n";
      truth << CsvRow({file, Forces()[force].code, id, "victim", v_fields[0],
                       std::to_string(victim.id)})
            << "\n";
      if (i == 1 && Chance(0.3)) {
        // A stalking protection order after the second incident, issued by the recording force.
        const std::string order_id =
            absl::StrFormat("%s/SPO/%04d", Forces()[force].code, ++order_counter[force]);
        std::vector<std::string> o = {
            Forces()[force].code, order_id, "SPO", Date(force, year, month, day),
            Date(force, std::min(year + 2, options_.today_year + 1), month, day)};
        const std::vector<std::string> subject = Recorded(suspect, force, true);
        std::vector<std::string> protected_person = Recorded(victim, force, false);
        o.insert(o.end(), subject.begin(), subject.end());
        o.insert(o.end(), protected_person.begin(), protected_person.end());
        o.push_back(RecordedBirthPlace(suspect));
        o.push_back(RecordedBirthPlace(victim));
        o.push_back(RecordedOccupation(suspect));
        o.push_back(RecordedOccupation(victim));
        order_out[force] << CsvRow(o) << "\n";
        truth << CsvRow({summary.order_files[force], Forces()[force].code, order_id, "subject",
                         subject[0], std::to_string(suspect.id)})
              << "\n";
        truth << CsvRow({summary.order_files[force], Forces()[force].code, order_id, "protected",
                         protected_person[0], std::to_string(victim.id)})
              << "\n";
      }
    }
  }
  summary.people = next_person_ - 1;
  return summary;
}

}  // namespace

absl::StatusOr<DemoDataSummary> WriteDemoData(const std::string& dir,
                                              const DemoDataOptions& options) {
  Generator generator(options);
  return generator.Run(dir);
}

}  // namespace crossforce::client
