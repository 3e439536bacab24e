#include "engine/patterns/pattern_detector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/patterns/risk_score.h"
#include "engine/workers.h"

namespace crossforce {
namespace {

int64_t Day(const Date& d) { return DaysSinceEpoch(d); }

// A counted incident of the suspect, with its day number for the window arithmetic.
struct Dated {
  const SuspectIncident* si;
  int64_t day;
};

bool Earlier(const Dated& a, const Dated& b) {
  if (a.day != b.day) return a.day < b.day;
  return a.si->incident->key < b.si->incident->key;
}

std::string Codes(const CaseIncident& c) {
  std::vector<std::string> codes;
  if (c.main_offence.has_value()) codes.emplace_back(Name(*c.main_offence));
  for (OffenceCode code : c.included_offences) codes.emplace_back(Name(code));
  if (c.domestic_abuse) codes.emplace_back("domestic abuse");
  return codes.empty() ? std::string("uncoded") : absl::StrJoin(codes, "+");
}

std::string IncidentLabel(const CaseIncident& c) {
  return absl::StrCat(c.key.force_code, "/", c.key.record_id, " (", FormatIsoDate(c.offence_date),
                      ", ", Codes(c), ")");
}

}  // namespace

PatternDetector::PatternDetector(PatternOptions options, LinkConfidence link_confidence)
    : options_(std::move(options)), link_confidence_(std::move(link_confidence)) {}

bool PatternDetector::Counts(const CaseIncident& incident, Date today) const {
  if (!incident.stalking_type || !IsValidDate(incident.offence_date)) return false;
  return Day(incident.offence_date) >= Day(today) - options_.lookback_days;
}

namespace {

// Builds findings: evidence rows, then the derived forces, score and explanation.
class FindingBuilder {
 public:
  FindingBuilder(const PatternDetector::LinkConfidence& confidence, Pattern pattern,
                 EntityId entity, Date today)
      : confidence_(confidence), today_(today) {
    finding_.subject.pattern = pattern;
    finding_.subject.entity = entity;
  }

  Finding& finding() { return finding_; }

  // One row per victim of the incident (only `only_victim` when set), or one without a victim.
  void AddIncident(const SuspectIncident& si, EntityId suspect_entity, EntityId only_victim = 0) {
    bool any = false;
    for (const auto& [victim, victim_entity] : si.victims) {
      if (only_victim != 0 && victim_entity != only_victim) continue;
      AddRow(si, suspect_entity, victim->person.nominal_ref, victim_entity);
      any = true;
    }
    if (!any) AddRow(si, suspect_entity, "", 0);
  }

  void AddOrder(const SubjectOrder& so, EntityId suspect_entity) {
    Evidence e;
    e.kind = RecordKind::kOrder;
    e.key = so.order->key;
    e.suspect_ref = so.order->subject.has_value() ? so.order->subject->nominal_ref : "";
    e.victim_ref =
        so.order->protected_person.has_value() ? so.order->protected_person->nominal_ref : "";
    e.suspect_entity = suspect_entity;
    e.victim_entity = so.protected_entity;
    e.date = so.order->start_date;
    e.end_date = so.order->end_date;
    e.order_type = so.order->order_type;
    e.link_confidence = so.order->subject.has_value() ? Confidence(*so.order->subject) : 1;
    finding_.evidence.push_back(std::move(e));
  }

  void Explain(std::string line) { finding_.explanation.push_back(std::move(line)); }

  Finding Finish(bool order_breached, bool order_active) {
    std::vector<Evidence>& ev = finding_.evidence;
    std::stable_sort(ev.begin(), ev.end(), [](const Evidence& a, const Evidence& b) {
      if (a.date != b.date) return a.date < b.date;
      if (a.kind != b.kind) return a.kind < b.kind;
      return a.key < b.key;
    });
    std::set<std::string> forces;
    std::set<EntityId> victims, entities;
    RiskInputs in;
    in.pattern = finding_.subject.pattern;
    Severity first = Severity::kNone, last = Severity::kNone;
    bool seen_incident = false;
    Date latest;
    for (const Evidence& e : ev) {
      forces.insert(e.key.force_code);
      if (e.victim_entity != 0 && e.kind == RecordKind::kIncident) victims.insert(e.victim_entity);
      if (e.suspect_entity != 0) entities.insert(e.suspect_entity);
      in.weakest_link_confidence = std::min(in.weakest_link_confidence, e.link_confidence);
      if (e.date.known()) latest = std::max(latest, e.date);
      if (e.kind != RecordKind::kIncident) continue;
      Severity s = Severity::kNone;
      for (Behaviour b : e.behaviours) s = std::max(s, SeverityOf(b));
      if (!seen_incident) first = s;
      seen_incident = true;
      last = s;
      in.worst = std::max(in.worst, s);
    }
    in.rising = seen_incident && last == in.worst && last > first;
    in.forces = static_cast<int>(forces.size());
    in.victims = static_cast<int>(victims.size());
    if (latest.known()) in.days_since_latest = static_cast<int>(Day(today_) - Day(latest));
    in.order_breached = order_breached;
    in.order_active = order_active;
    finding_.factors = RiskFactors(in);
    finding_.score = RiskScore(finding_.factors);
    finding_.forces.assign(forces.begin(), forces.end());
    if (finding_.alert_forces.empty()) finding_.alert_forces = finding_.forces;
    finding_.entities.assign(entities.begin(), entities.end());
    if (in.weakest_link_confidence < 0.995) {
      finding_.explanation.push_back(
          absl::StrFormat("The weakest link tying this evidence together has confidence %.3f.",
                          in.weakest_link_confidence));
    }
    return std::move(finding_);
  }

 private:
  void AddRow(const SuspectIncident& si, EntityId suspect_entity, std::string victim_ref,
              EntityId victim_entity) {
    const CaseIncident& c = *si.incident;
    Evidence e;
    e.kind = RecordKind::kIncident;
    e.key = c.key;
    e.suspect_ref = si.suspect->person.nominal_ref;
    e.victim_ref = std::move(victim_ref);
    e.suspect_entity = suspect_entity;
    e.victim_entity = victim_entity;
    e.date = c.offence_date;
    e.main_offence = c.main_offence;
    e.included_offences = c.included_offences;
    e.behaviours = c.behaviours;
    e.link_confidence = Confidence(si.suspect->person);
    finding_.evidence.push_back(std::move(e));
  }

  // Rounded to parts per million, the precision flags are stored with, so that a flag read back
  // from the store compares equal to the same finding made again.
  double Confidence(const PersonKey& person) const {
    return std::round(std::clamp(confidence_(person), 0.0, 1.0) * 1e6) / 1e6;
  }

  const PatternDetector::LinkConfidence& confidence_;
  const Date today_;
  Finding finding_;
};

std::string ForceCounts(const std::vector<Dated>& incidents) {
  std::map<std::string, int> by_force;
  for (const Dated& d : incidents) ++by_force[d.si->incident->key.force_code];
  std::vector<std::string> parts;
  for (const auto& [force, n] : by_force) parts.push_back(absl::StrCat(force, " (", n, ")"));
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::vector<Finding> PatternDetector::ForSuspect(const CaseGraph& graph, EntityId entity,
                                                 Date today) const {
  std::vector<Finding> out;
  const std::vector<SuspectIncident> all = graph.IncidentsOfSuspect(entity);
  std::vector<Dated> incidents;
  for (const SuspectIncident& si : all) {
    if (Counts(*si.incident, today)) incidents.push_back({&si, Day(si.incident->offence_date)});
  }
  std::sort(incidents.begin(), incidents.end(), Earlier);
  // A suspect entity recorded twice in one incident (two refs linked) counts the incident once.
  incidents.erase(
      std::unique(incidents.begin(), incidents.end(),
                  [](const Dated& a, const Dated& b) { return a.si->incident == b.si->incident; }),
      incidents.end());
  const std::vector<SubjectOrder> orders = graph.OrdersOnSubject(entity);
  const int64_t today_day = Day(today);
  bool order_active = false;
  for (const SubjectOrder& so : orders) {
    const CaseOrder& o = *so.order;
    if (IsValidDate(o.start_date) && Day(o.start_date) <= today_day &&
        (!IsValidDate(o.end_date) || Day(o.end_date) >= today_day)) {
      order_active = true;
    }
  }
  if (incidents.empty()) return out;
  const auto builder = [&](Pattern p) {
    return FindingBuilder(link_confidence_, p, entity, today);
  };

  // CROSS_FORCE_REPEAT and SERIAL_PERPETRATOR: the whole counted history.
  std::set<std::string> forces;
  std::set<EntityId> victims;
  for (const Dated& d : incidents) {
    forces.insert(d.si->incident->key.force_code);
    for (const auto& [victim, victim_entity] : d.si->victims) {
      if (victim_entity != 0) victims.insert(victim_entity);
    }
  }
  if (static_cast<int>(forces.size()) >= options_.cross_force_min_forces) {
    FindingBuilder b = builder(Pattern::kCrossForceRepeat);
    for (const Dated& d : incidents) b.AddIncident(*d.si, entity);
    b.Explain(absl::StrCat("Suspect entity ", entity, " has ", incidents.size(),
                           " stalking-type incidents recorded by ", forces.size(),
                           " forces: ", ForceCounts(incidents), "."));
    out.push_back(b.Finish(false, order_active));
  }
  if (static_cast<int>(victims.size()) >= options_.serial_min_victims) {
    FindingBuilder b = builder(Pattern::kSerialPerpetrator);
    for (const Dated& d : incidents) b.AddIncident(*d.si, entity);
    b.Explain(absl::StrCat("Suspect entity ", entity, " has ", victims.size(),
                           " distinct victims across ", incidents.size(),
                           " stalking-type incidents in ", forces.size(),
                           forces.size() == 1 ? " force." : " forces."));
    out.push_back(b.Finish(false, order_active));
  }

  // VICTIM_PURSUIT and HIDDEN_COURSE_OF_CONDUCT: per victim entity.
  std::map<EntityId, std::vector<Dated>> by_victim;
  for (const Dated& d : incidents) {
    std::set<EntityId> seen;
    for (const auto& [victim, victim_entity] : d.si->victims) {
      if (victim_entity != 0 && victim_entity != entity && seen.insert(victim_entity).second) {
        by_victim[victim_entity].push_back(d);
      }
    }
  }
  for (const auto& [victim, pair] : by_victim) {
    std::set<std::string> pair_forces;
    for (const Dated& d : pair) pair_forces.insert(d.si->incident->key.force_code);
    if (static_cast<int>(pair_forces.size()) >= options_.pursuit_min_forces) {
      FindingBuilder b = builder(Pattern::kVictimPursuit);
      b.finding().subject.victim_entity = victim;
      for (const Dated& d : pair) b.AddIncident(*d.si, entity, victim);
      b.Explain(absl::StrCat("Suspect entity ", entity, " and victim entity ", victim,
                             " appear together in incidents recorded by ", pair_forces.size(),
                             " forces: ", ForceCounts(pair), "."));
      out.push_back(b.Finish(false, order_active));
    }
    // The widest run of incidents, none coded as stalking, within the window.
    size_t best_begin = 0, best_end = 0;
    for (size_t begin = 0; begin < pair.size(); ++begin) {
      size_t end = begin;
      while (end < pair.size() && !pair[end].si->incident->coded_as_stalking &&
             pair[end].day - pair[begin].day <= options_.hidden_window_days) {
        ++end;
      }
      if (end - begin > best_end - best_begin) {
        best_begin = begin;
        best_end = end;
      }
    }
    if (static_cast<int>(best_end - best_begin) >= options_.hidden_min_incidents) {
      FindingBuilder b = builder(Pattern::kHiddenCourseOfConduct);
      b.finding().subject.victim_entity = victim;
      std::set<std::string> codes;
      for (size_t i = best_begin; i < best_end; ++i) {
        b.AddIncident(*pair[i].si, entity, victim);
        codes.insert(Codes(*pair[i].si->incident));
      }
      b.Explain(absl::StrCat("Suspect entity ", entity, " and victim entity ", victim, ": ",
                             best_end - best_begin, " incidents within ",
                             options_.hidden_window_days, " days (",
                             FormatIsoDate(pair[best_begin].si->incident->offence_date), " to ",
                             FormatIsoDate(pair[best_end - 1].si->incident->offence_date),
                             "), none coded as stalking (", absl::StrJoin(codes, ", "),
                             "): a possible course of conduct."));
      out.push_back(b.Finish(false, order_active));
    }
  }

  // ESCALATION: the latest episode that shows it.
  std::vector<std::pair<size_t, size_t>> episodes;  // [begin, end) into incidents
  for (size_t i = 0; i < incidents.size(); ++i) {
    if (i == 0 || incidents[i].day - incidents[i - 1].day > options_.episode_gap_days) {
      episodes.push_back({i, i + 1});
    } else {
      episodes.back().second = i + 1;
    }
  }
  for (auto ep = episodes.rbegin(); ep != episodes.rend(); ++ep) {
    const auto [begin, end] = *ep;
    if (end - begin < 2) continue;
    std::vector<std::string> reasons;
    const int64_t last = incidents[end - 1].day;
    const int64_t recent_from = last - options_.escalation_recent_days;
    const int64_t previous_from = recent_from - options_.escalation_previous_days;
    if (incidents[begin].day <= recent_from) {
      int recent = 0, previous = 0;
      for (size_t i = begin; i < end; ++i) {
        if (incidents[i].day > recent_from)
          ++recent;
        else if (incidents[i].day > previous_from)
          ++previous;
      }
      const double recent_rate = recent / static_cast<double>(options_.escalation_recent_days);
      const double previous_rate =
          previous / static_cast<double>(options_.escalation_previous_days);
      if (recent >= 2 && recent_rate >= options_.escalation_rate_ratio * previous_rate) {
        reasons.push_back(absl::StrCat("Rate: ", recent, " incidents in the last ",
                                       options_.escalation_recent_days,
                                       " days of the episode against ", previous, " in the ",
                                       options_.escalation_previous_days, " days before."));
      }
    }
    Severity worst_before = incidents[begin].si->incident->severity;
    for (size_t i = begin + 1; i < end; ++i) {
      const CaseIncident& c = *incidents[i].si->incident;
      if (c.severity > worst_before) {
        reasons.push_back(absl::StrCat("Severity rose to ", SeverityName(c.severity), " in ",
                                       IncidentLabel(c), ", from at most ",
                                       SeverityName(worst_before), " earlier in the episode."));
      }
      worst_before = std::max(worst_before, c.severity);
    }
    uint32_t markers_before = 0;
    for (size_t i = 0; i < begin + 1; ++i)
      markers_before |= incidents[i].si->incident->escalation_markers;
    for (size_t i = begin + 1; i < end; ++i) {
      const CaseIncident& c = *incidents[i].si->incident;
      const uint32_t fresh = c.escalation_markers & ~markers_before;
      if (fresh != 0) {
        std::vector<std::string> names;
        for (int b = 1; b <= kMaxBehaviour; ++b) {
          if (fresh & (1u << b)) names.emplace_back(Name(static_cast<Behaviour>(b)));
        }
        reasons.push_back(absl::StrCat("First appearance of ", absl::StrJoin(names, ", "), " in ",
                                       IncidentLabel(c), "."));
      }
      markers_before |= c.escalation_markers;
    }
    if (reasons.empty()) continue;
    FindingBuilder b = builder(Pattern::kEscalation);
    for (size_t i = begin; i < end; ++i) b.AddIncident(*incidents[i].si, entity);
    b.Explain(absl::StrCat("Episode of ", end - begin, " incidents from ",
                           FormatIsoDate(incidents[begin].si->incident->offence_date), " to ",
                           FormatIsoDate(incidents[end - 1].si->incident->offence_date),
                           " (no gap over ", options_.episode_gap_days, " days)."));
    for (std::string& r : reasons) b.Explain(std::move(r));
    out.push_back(b.Finish(false, order_active));
    break;
  }

  // ORDER_BREACH: incidents inside an order on this suspect.
  {
    FindingBuilder b = builder(Pattern::kOrderBreach);
    std::set<std::string> alert;
    std::set<const CaseIncident*> breaching;
    for (const SubjectOrder& so : orders) {
      const CaseOrder& o = *so.order;
      if (!IsValidDate(o.start_date)) continue;
      const int64_t start = Day(o.start_date);
      const bool open = !IsValidDate(o.end_date);
      const int64_t end = open ? 0 : Day(o.end_date);
      bool used = false;
      for (const Dated& d : incidents) {
        if (d.day <= start || (!open && d.day > end)) continue;
        used = true;
        alert.insert(d.si->incident->key.force_code);
        if (breaching.insert(d.si->incident).second) b.AddIncident(*d.si, entity);
        b.Explain(absl::StrCat(
            "Incident ", IncidentLabel(*d.si->incident), " falls inside ",
            o.order_type.has_value() ? std::string(Name(*o.order_type)) : std::string("order"), " ",
            o.key.force_code, "/", o.key.record_id, " issued by ", o.key.force_code, " from ",
            FormatIsoDate(o.start_date), open ? " (open-ended)" : " to ",
            open ? "" : FormatIsoDate(o.end_date), "."));
      }
      if (used) {
        b.AddOrder(so, entity);
        alert.insert(o.key.force_code);
      }
    }
    if (!breaching.empty()) {
      b.finding().alert_forces.assign(alert.begin(), alert.end());
      b.Explain(absl::StrCat("Alert: ", absl::StrJoin(alert, ", "),
                             " (the recording forces and the issuing force)."));
      out.push_back(b.Finish(true, order_active));
    }
  }
  return out;
}

std::optional<Finding> PatternDetector::ForIdentifier(const CaseGraph& graph,
                                                      const IdentifierToken& token,
                                                      Date today) const {
  std::vector<TokenHolder> holders = graph.HoldersOf(token);
  std::set<EntityId> entities;
  std::set<std::string> forces;
  std::vector<const TokenHolder*> counted;
  for (const TokenHolder& h : holders) {
    if (h.entity == 0 || !Counts(*h.incident, today)) continue;
    entities.insert(h.entity);
    forces.insert(h.incident->key.force_code);
    counted.push_back(&h);
  }
  if (entities.size() < 2 ||
      static_cast<int>(forces.size()) < options_.shared_identifier_min_forces) {
    return std::nullopt;
  }
  FindingBuilder b(link_confidence_, Pattern::kSharedIdentifier, 0, today);
  b.finding().subject.identifier_kind = token.kind;
  b.finding().subject.identifier = token.token;
  for (const TokenHolder* h : counted) {
    // Only this holder's row: the incident may have other suspects.
    SuspectIncident si;
    si.incident = h->incident;
    si.suspect = h->suspect;
    for (const CaseParty& v : h->incident->victims) si.victims.emplace_back(&v, 0);
    b.AddIncident(si, h->entity);
  }
  std::vector<std::string> ids;
  for (EntityId e : entities) ids.push_back(absl::StrCat(e));
  b.Explain(absl::StrCat("The same ", Name(token.kind), " token is on suspect records of ",
                         entities.size(), " people the linker kept apart (entities ",
                         absl::StrJoin(ids, ", "), ") in forces ", absl::StrJoin(forces, ", "),
                         ": a possible alias or associate."));
  return b.Finish(false, false);
}

std::vector<Finding> PatternDetector::DetectFor(
    const CaseGraph& graph, const std::set<EntityId>& suspects,
    const std::set<std::pair<TokenKind, std::string>>& tokens, Date today) const {
  std::vector<Finding> out;
  for (EntityId e : suspects) {
    std::vector<Finding> f = ForSuspect(graph, e, today);
    out.insert(out.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
  }
  for (const auto& [kind, token] : tokens) {
    if (std::optional<Finding> f = ForIdentifier(graph, IdentifierToken{kind, token}, today)) {
      out.push_back(*std::move(f));
    }
  }
  return out;
}

std::vector<Finding> PatternDetector::DetectAll(const CaseGraph& graph, Date today) const {
  const std::vector<EntityId> suspects = graph.SuspectEntities();
  const size_t threads = std::max<size_t>(
      1, std::min(WorkerCount(options_.detection_threads), suspects.size() / 1024 + 1));
  // Contiguous slices, so that concatenating them keeps suspect order.
  std::vector<std::vector<Finding>> parts(threads);
  const auto run = [&](size_t t) {
    const size_t begin = suspects.size() * t / threads, end = suspects.size() * (t + 1) / threads;
    for (size_t i = begin; i < end; ++i) {
      std::vector<Finding> f = ForSuspect(graph, suspects[i], today);
      parts[t].insert(parts[t].end(), std::make_move_iterator(f.begin()),
                      std::make_move_iterator(f.end()));
    }
  };
  RunOnWorkers(threads, run);
  std::vector<Finding> out;
  for (std::vector<Finding>& part : parts) {
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  for (const IdentifierToken& t : graph.SharedTokens()) {
    if (std::optional<Finding> f = ForIdentifier(graph, t, today)) out.push_back(*std::move(f));
  }
  return out;
}

}  // namespace crossforce
