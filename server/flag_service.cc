#include "server/flag_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/entity_convert.h"
#include "server/record_convert.h"
#include "server/status_util.h"

namespace crossforce {
namespace {

constexpr int kMaxPageSize = 1000;
// How often a watch checks for cancellation and shutdown while no alert arrives.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(200);

void ToProto(const Evidence& e, v1::FlagEvidence* out) {
  out->set_kind(ToProto(e.kind));
  *out->mutable_record() = ToProto(e.key);
  out->set_suspect_ref(e.suspect_ref);
  out->set_victim_ref(e.victim_ref);
  out->set_suspect_entity(e.suspect_entity);
  out->set_victim_entity(e.victim_entity);
  if (e.date.known()) *out->mutable_date() = DateToProto(e.date);
  if (e.end_date.known()) *out->mutable_end_date() = DateToProto(e.end_date);
  if (e.main_offence.has_value()) {
    out->set_main_offence(static_cast<v1::OffenceCode>(*e.main_offence));
  }
  for (OffenceCode c : e.included_offences) {
    out->add_included_offences(static_cast<v1::OffenceCode>(c));
  }
  for (Behaviour b : e.behaviours) out->add_behaviours(static_cast<v1::Behaviour>(b));
  if (e.order_type.has_value()) out->set_order_type(static_cast<v1::OrderType>(*e.order_type));
  out->set_link_confidence(e.link_confidence);
}

bool Wanted(const Flag& flag, int min_score, const std::string& force) {
  return flag.score >= min_score && (force.empty() || flag.Concerns(force));
}

}  // namespace

void ToProto(const Flag& f, v1::Flag* out) {
  out->set_flag_id(f.flag_id);
  out->set_pattern(static_cast<v1::Pattern>(f.subject.pattern));
  out->set_entity_id(f.subject.entity);
  out->set_victim_entity_id(f.subject.victim_entity);
  if (f.subject.pattern == Pattern::kSharedIdentifier) {
    out->set_identifier_kind(static_cast<v1::TokenKind>(f.subject.identifier_kind));
    out->set_identifier_token(f.subject.identifier);
  }
  out->set_score(f.score);
  for (const ScoreFactor& sf : f.factors) {
    v1::ScoreFactor* p = out->add_factors();
    p->set_name(sf.name);
    p->set_points(sf.points);
    p->set_detail(sf.detail);
  }
  for (const std::string& force : f.forces) out->add_forces(force);
  for (const std::string& force : f.alert_forces) out->add_alert_forces(force);
  for (EntityId e : f.entities) out->add_entity_ids(e);
  for (const Evidence& e : f.evidence) ToProto(e, out->add_evidence());
  for (const std::string& line : f.explanation) out->add_explanation(line);
  out->set_state(static_cast<v1::FlagState>(f.state));
  if (f.decision.has_value()) {
    v1::Decision* d = out->mutable_decision();
    d->set_outcome(static_cast<v1::DecisionOutcome>(f.decision->outcome));
    d->set_user(f.decision->user);
    d->set_reason(f.decision->reason);
    d->set_decided_at_micros(f.decision->decided_at_micros);
  }
  out->set_raised_at_micros(f.raised_at_micros);
  out->set_changed_at_micros(f.changed_at_micros);
}

grpc::Status FlagServiceImpl::ListFlags(grpc::ServerContext* context,
                                        const v1::ListFlagsRequest* request,
                                        v1::ListFlagsResponse* response) {
  absl::StatusOr<Caller> caller = policy_->Authorize(
      *context, {Operation::kReadRecord, request->force_code(), &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->page_size() < 0 || request->min_score() < 0 || request->min_score() > 100) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "page_size must not be negative; min_score must be 0-100");
  }
  FlagQuery query;
  if (request->pattern() != v1::PATTERN_UNSPECIFIED) {
    if (request->pattern() < 1 || request->pattern() > kMaxPattern) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("pattern: unknown pattern ", request->pattern()));
    }
    query.pattern = static_cast<Pattern>(request->pattern());
  }
  query.force_code = request->force_code();
  query.min_score = request->min_score();
  query.changed_since_micros = request->changed_since_micros();
  query.include_cleared = request->include_cleared();
  query.page_size = request->page_size() == 0 ? 100 : std::min(request->page_size(), kMaxPageSize);
  query.page_token = request->page_token();
  absl::StatusOr<FlagPage> page = engine_->ListFlags(query);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Flag& f : page->flags) ToProto(f, response->add_flags());
  response->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status FlagServiceImpl::GetFlag(grpc::ServerContext* context,
                                      const v1::GetFlagRequest* request, v1::Flag* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kReadRecord, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Flag> flag = engine_->GetFlag(request->flag_id());
  if (!flag.ok()) return ToGrpcStatus(flag.status());
  ToProto(*flag, response);
  return grpc::Status::OK;
}

grpc::Status FlagServiceImpl::GetEntityProfile(grpc::ServerContext* context,
                                               const v1::GetEntityProfileRequest* request,
                                               v1::EntityProfile* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kReadRecord, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<EntityProfile> profile = engine_->GetEntityProfile(request->entity_id());
  if (!profile.ok()) return ToGrpcStatus(profile.status());
  ToProto(profile->entity, response->mutable_entity());
  for (const Link& link : profile->links) ToProto(link, response->add_links());
  const auto add_parties = [&](const RecordKey& key, RecordKind kind, v1::ProfileRecord* out) {
    for (const PersonKey& m : profile->entity.members) {
      if (m.kind == kind && m.force_code == key.force_code && m.record_id == key.record_id) {
        ToProto(m, out->add_parties());
      }
    }
  };
  for (const CaseIncident& c : profile->incidents) {
    v1::ProfileRecord* r = response->add_records();
    r->set_kind(ToProto(RecordKind::kIncident));
    *r->mutable_record() = ToProto(c.key);
    add_parties(c.key, RecordKind::kIncident, r);
    if (c.offence_date.known()) *r->mutable_date() = DateToProto(c.offence_date);
    if (c.main_offence.has_value()) {
      r->set_main_offence(static_cast<v1::OffenceCode>(*c.main_offence));
    }
    for (OffenceCode code : c.included_offences) {
      r->add_included_offences(static_cast<v1::OffenceCode>(code));
    }
    r->set_domestic_abuse(c.domestic_abuse);
    for (Behaviour b : c.behaviours) r->add_behaviours(static_cast<v1::Behaviour>(b));
    r->set_stalking_type(c.stalking_type);
  }
  for (const CaseOrder& o : profile->orders) {
    v1::ProfileRecord* r = response->add_records();
    r->set_kind(ToProto(RecordKind::kOrder));
    *r->mutable_record() = ToProto(o.key);
    add_parties(o.key, RecordKind::kOrder, r);
    if (o.start_date.known()) *r->mutable_date() = DateToProto(o.start_date);
    if (o.end_date.known()) *r->mutable_end_date() = DateToProto(o.end_date);
    if (o.order_type.has_value()) r->set_order_type(static_cast<v1::OrderType>(*o.order_type));
  }
  for (const Flag& f : profile->flags) ToProto(f, response->add_flags());
  return grpc::Status::OK;
}

grpc::Status FlagServiceImpl::RecordDecision(grpc::ServerContext* context,
                                             const v1::RecordDecisionRequest* request,
                                             v1::Flag* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kDecideFlag, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->outcome() < 1 || request->outcome() > 3) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "outcome: one of ACCEPTED, REJECTED, NEEDS_INFORMATION is required");
  }
  Decision decision;
  decision.outcome = static_cast<DecisionOutcome>(request->outcome());
  decision.user = request->user();
  decision.reason = request->reason();
  absl::StatusOr<Flag> flag = engine_->RecordDecision(request->flag_id(), std::move(decision));
  if (!flag.ok()) return ToGrpcStatus(flag.status());
  ToProto(*flag, response);
  return grpc::Status::OK;
}

grpc::Status FlagServiceImpl::WatchFlags(grpc::ServerContext* context,
                                         const v1::WatchFlagsRequest* request,
                                         grpc::ServerWriter<v1::FlagAlert>* writer) {
  absl::StatusOr<Caller> caller = policy_->Authorize(
      *context, {Operation::kReadRecord, request->force_code(), &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  AlertFeed& feed = engine_->alerts();
  uint64_t after = feed.latest();  // alerts from now on
  // Headers go out at once, so a client knows it is subscribed before the first alert.
  writer->SendInitialMetadata();
  while (!context->IsCancelled() && !stopping_) {
    AlertFeed::Batch batch = feed.WaitAfter(after, kWatchPoll);
    uint64_t missed = batch.missed;
    for (const Alert& alert : batch.alerts) {
      after = alert.sequence;
      if (!Wanted(alert.flag, request->min_score(), request->force_code())) continue;
      v1::FlagAlert out;
      ToProto(alert.flag, out.mutable_flag());
      out.set_sequence(alert.sequence);
      out.set_missed(missed);
      missed = 0;
      if (!writer->Write(out)) return grpc::Status::OK;  // the client went away
    }
  }
  return grpc::Status::OK;
}

}  // namespace crossforce
