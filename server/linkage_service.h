// gRPC handlers of crossforce.v1.LinkageService: entities and link explanations from the engine's
// linker. Each handler authorises, converts, makes one engine call and converts back. Thread-safe.
#ifndef CROSSFORCE_SERVER_LINKAGE_SERVICE_H_
#define CROSSFORCE_SERVER_LINKAGE_SERVICE_H_

#include "crossforce/v1/linkage_service.grpc.pb.h"
#include "engine/engine.h"
#include "server/access_policy.h"

namespace crossforce {

class LinkageServiceImpl final : public v1::LinkageService::Service {
 public:
  // `engine` and `policy` must outlive the service.
  LinkageServiceImpl(Engine* engine, AccessPolicy* policy) : engine_(engine), policy_(policy) {}

  grpc::Status ListEntities(grpc::ServerContext* context, const v1::ListEntitiesRequest* request,
                            v1::ListEntitiesResponse* response) override;
  grpc::Status GetEntity(grpc::ServerContext* context, const v1::GetEntityRequest* request,
                         v1::GetEntityResponse* response) override;
  grpc::Status Relink(grpc::ServerContext* context, const v1::RelinkRequest* request,
                      v1::RelinkResponse* response) override;
  grpc::Status ExplainLink(grpc::ServerContext* context, const v1::ExplainLinkRequest* request,
                           v1::ExplainLinkResponse* response) override;

 private:
  Engine* const engine_;
  AccessPolicy* const policy_;
};

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_LINKAGE_SERVICE_H_
