#include "server/linkage_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/entity_convert.h"
#include "server/record_convert.h"
#include "server/status_util.h"

namespace crossforce {
namespace {

constexpr int kDefaultPageSize = 1000;
constexpr int kMaxPageSize = 10000;

absl::StatusOr<PersonKey> PersonKeyFromProto(const v1::PersonRef& ref, absl::string_view field) {
  const std::optional<RecordKind> kind =
      ref.kind() == v1::RECORD_KIND_UNSPECIFIED ? RecordKind::kIncident : FromProto(ref.kind());
  if (!kind.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".kind: unknown record kind"));
  }
  if (ref.record().force_code().empty() || ref.record().record_id().empty() ||
      ref.nominal_ref().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": record.force_code, record.record_id and nominal_ref are required"));
  }
  if (ref.role() < 0 || ref.role() > kMaxPartyRole) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".role: unknown role"));
  }
  return PersonKey{*kind, ref.record().force_code(), ref.record().record_id(), ref.nominal_ref(),
                   static_cast<PartyRole>(ref.role())};
}

}  // namespace

grpc::Status LinkageServiceImpl::ListEntities(grpc::ServerContext* context,
                                              const v1::ListEntitiesRequest* request,
                                              v1::ListEntitiesResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kReadRecord, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->page_size() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_size must not be negative");
  }
  const int page_size =
      request->page_size() == 0 ? kDefaultPageSize : std::min(request->page_size(), kMaxPageSize);
  EntityId after = 0;
  if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &after)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "page_token is not one this hub issued");
  }
  const std::vector<Entity> entities = engine_->Entities();
  response->set_total_entities(entities.size());
  auto it = std::upper_bound(entities.begin(), entities.end(), after,
                             [](EntityId id, const Entity& e) { return id < e.id; });
  // The page's link confidences, read once for all its members rather than for every entity.
  const auto first = it;
  std::vector<PersonKey> members;
  for (int n = 0; it != entities.end() && n < page_size; ++it, ++n) {
    ToProto(*it, response->add_entities());
    members.insert(members.end(), it->members.begin(), it->members.end());
  }
  const std::vector<double> confidence = engine_->LinkConfidences(members);
  size_t next = 0;
  for (auto e = first; e != it; ++e) {
    v1::Entity& out = *response->mutable_entities(static_cast<int>(e - first));
    for (size_t k = 0; k < e->members.size(); ++k) out.add_link_confidence(confidence[next++]);
  }
  if (it != entities.end()) response->set_next_page_token(absl::StrCat((it - 1)->id));
  return grpc::Status::OK;
}

grpc::Status LinkageServiceImpl::GetEntity(grpc::ServerContext* context,
                                           const v1::GetEntityRequest* request,
                                           v1::GetEntityResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kReadRecord, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::pair<Entity, std::vector<Link>>> detail =
      engine_->GetEntity(request->entity_id());
  if (!detail.ok()) return ToGrpcStatus(detail.status());
  ToProto(detail->first, response->mutable_entity());
  for (const Link& link : detail->second) ToProto(link, response->add_links());
  return grpc::Status::OK;
}

grpc::Status LinkageServiceImpl::Relink(grpc::ServerContext* context,
                                        const v1::RelinkRequest* request,
                                        v1::RelinkResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kRelink, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Engine::RelinkSummary> summary = engine_->Relink();
  if (!summary.ok()) return ToGrpcStatus(summary.status());
  response->set_persons(summary->persons);
  response->set_entities(summary->entities);
  response->set_links(summary->links);
  return grpc::Status::OK;
}

grpc::Status LinkageServiceImpl::ExplainLink(grpc::ServerContext* context,
                                             const v1::ExplainLinkRequest* request,
                                             v1::ExplainLinkResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kReadRecord, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<PersonKey> a = PersonKeyFromProto(request->a(), "a");
  if (!a.ok()) return ToGrpcStatus(a.status());
  absl::StatusOr<PersonKey> b = PersonKeyFromProto(request->b(), "b");
  if (!b.ok()) return ToGrpcStatus(b.status());
  absl::StatusOr<Engine::Explanation> explanation = engine_->ExplainPair(*a, *b);
  if (!explanation.ok()) return ToGrpcStatus(explanation.status());
  response->set_weight(explanation->score.weight);
  response->set_link_weight(explanation->link_weight);
  response->set_cannot_link_weight(explanation->cannot_link_weight);
  response->set_entity_a(explanation->entity_a);
  response->set_entity_b(explanation->entity_b);
  response->set_same_entity(explanation->entity_a != 0 &&
                            explanation->entity_a == explanation->entity_b);
  response->set_confidence(explanation->confidence);
  for (const ComparisonOutcome& o : explanation->score.comparisons) {
    v1::ComparisonExplanation* c = response->add_comparisons();
    const int index = static_cast<int>(o.comparison);
    c->set_comparison(explanation->comparison_names[index]);
    c->set_level_index(o.level);
    c->set_level(o.level >= 0 ? explanation->level_names[index][o.level] : "missing");
    c->set_weight(o.weight);
    c->set_similarity(o.similarity);
    c->set_term_frequency_adjusted(o.term_frequency_adjusted);
  }
  return grpc::Status::OK;
}

}  // namespace crossforce
