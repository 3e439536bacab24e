#include "engine/patterns/case_record.h"

#include <algorithm>

namespace crossforce {
namespace {

bool IsStalkingFamily(OffenceCode code) {
  switch (code) {
    case OffenceCode::kStalking:
    case OffenceCode::kStalkingFearOfViolence:
    case OffenceCode::kHarassment:
    case OffenceCode::kHarassmentFearOfViolence:
    case OffenceCode::kMaliciousCommunications:
    case OffenceCode::kBreachOfOrder:
      return true;
    default:
      return false;
  }
}

bool IsStalkingProper(OffenceCode code) {
  return code == OffenceCode::kStalking || code == OffenceCode::kStalkingFearOfViolence;
}

// The behaviours that make a domestic-abuse incident stalking-type.
bool IsStalkingBehaviour(Behaviour b) {
  switch (b) {
    case Behaviour::kFollowing:
    case Behaviour::kLoitering:
    case Behaviour::kUnwantedContact:
    case Behaviour::kOnlineContact:
    case Behaviour::kMonitoring:
    case Behaviour::kTrackingDevice:
    case Behaviour::kThirdPartyContact:
      return true;
    default:
      return false;
  }
}

bool IsEscalationMarker(Behaviour b) {
  return b == Behaviour::kThreats || b == Behaviour::kViolence || b == Behaviour::kPropertyDamage ||
         b == Behaviour::kTrackingDevice;
}

bool IsContactToken(TokenKind kind) {
  return kind == TokenKind::kPhone || kind == TokenKind::kEmail || kind == TokenKind::kVehicle;
}

PersonKey KeyOfParty(RecordKind kind, const RecordKey& key, const Party& party) {
  return PersonKey{kind, key.force_code, key.record_id, party.nominal_ref, party.role};
}

void AddParty(const Incident& incident, const Party& party, std::vector<CaseParty>& out) {
  CaseParty p;
  p.person = KeyOfParty(RecordKind::kIncident, incident.key, party);
  for (const CaseParty& existing : out) {
    if (existing.person == p.person) return;  // named twice: one party, as the linker holds it
  }
  if (party.role == PartyRole::kSuspect) {
    for (const IdentifierToken& t : party.identity->tokens) {
      if (IsContactToken(t.kind)) p.contact_tokens.push_back(t);
    }
  }
  out.push_back(std::move(p));
}

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kNone:
      return "none";
    case Severity::kContact:
      return "contact";
    case Severity::kMonitoring:
      return "monitoring";
    case Severity::kLoitering:
      return "loitering or visits";
    case Severity::kPropertyDamage:
      return "property damage";
    case Severity::kThreats:
      return "threats";
    case Severity::kViolence:
      return "violence";
  }
  return "none";
}

Severity SeverityOf(Behaviour behaviour) {
  switch (behaviour) {
    case Behaviour::kUnwantedContact:
    case Behaviour::kOnlineContact:
    case Behaviour::kUnwantedGifts:
    case Behaviour::kThirdPartyContact:
    case Behaviour::kSexualHarassment:
      return Severity::kContact;
    case Behaviour::kMonitoring:
    case Behaviour::kTrackingDevice:
      return Severity::kMonitoring;
    case Behaviour::kFollowing:
    case Behaviour::kLoitering:
      return Severity::kLoitering;
    case Behaviour::kPropertyDamage:
      return Severity::kPropertyDamage;
    case Behaviour::kThreats:
      return Severity::kThreats;
    case Behaviour::kViolence:
      return Severity::kViolence;
  }
  return Severity::kNone;
}

CaseIncident MakeCaseIncident(const Incident& incident) {
  CaseIncident c;
  c.key = incident.key;
  c.offence_date = incident.offence_date;
  c.main_offence = incident.main_offence;
  c.included_offences = incident.included_offences;
  c.domestic_abuse = incident.domestic_abuse;
  c.behaviours = incident.behaviours;
  std::vector<OffenceCode> codes = incident.included_offences;
  if (incident.main_offence.has_value()) codes.push_back(*incident.main_offence);
  c.stalking_type =
      std::any_of(codes.begin(), codes.end(), IsStalkingFamily) ||
      (incident.domestic_abuse &&
       std::any_of(incident.behaviours.begin(), incident.behaviours.end(), IsStalkingBehaviour));
  c.coded_as_stalking = std::any_of(codes.begin(), codes.end(), IsStalkingProper);
  for (Behaviour b : incident.behaviours) {
    c.severity = std::max(c.severity, SeverityOf(b));
    if (IsEscalationMarker(b)) c.escalation_markers |= 1u << static_cast<int>(b);
  }
  for (const Party& party : incident.parties) {
    if (!party.identity.has_value()) continue;  // an unknown suspect links to no one
    if (party.role == PartyRole::kSuspect) AddParty(incident, party, c.suspects);
    if (party.role == PartyRole::kVictim) AddParty(incident, party, c.victims);
  }
  return c;
}

CaseOrder MakeCaseOrder(const ProtectiveOrder& order) {
  CaseOrder c;
  c.key = order.key;
  c.order_type = order.order_type;
  c.start_date = order.start_date;
  c.end_date = order.end_date;
  if (order.subject.has_value() && order.subject->identity.has_value()) {
    c.subject = KeyOfParty(RecordKind::kOrder, order.key, *order.subject);
  }
  if (order.protected_person.has_value() && order.protected_person->identity.has_value()) {
    c.protected_person = KeyOfParty(RecordKind::kOrder, order.key, *order.protected_person);
  }
  return c;
}

CaseRecord MakeCaseRecord(const Record& record) {
  if (const auto* incident = std::get_if<Incident>(&record)) return MakeCaseIncident(*incident);
  return MakeCaseOrder(std::get<ProtectiveOrder>(record));
}

}  // namespace crossforce
