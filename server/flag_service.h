// gRPC handlers of crossforce.v1.FlagService: flags, entity profiles and analysts' decisions from
// the engine, and the watch stream of alerts. Each unary handler authorises, converts, makes one
// engine call and converts back; WatchFlags holds its call open and polls the engine's alert feed
// so that it notices cancellation and shutdown within a fraction of a second. Thread-safe.
#ifndef CROSSFORCE_SERVER_FLAG_SERVICE_H_
#define CROSSFORCE_SERVER_FLAG_SERVICE_H_

#include <atomic>

#include "crossforce/v1/flag_service.grpc.pb.h"
#include "engine/engine.h"
#include "server/access_policy.h"

namespace crossforce {

// Engine flags as the wire contract carries them.
void ToProto(const Flag& flag, v1::Flag* out);

class FlagServiceImpl final : public v1::FlagService::Service {
 public:
  // `engine` and `policy` must outlive the service.
  FlagServiceImpl(Engine* engine, AccessPolicy* policy) : engine_(engine), policy_(policy) {}

  // Ends every watch stream (cleanly, with OK): called as the server begins to shut down.
  void StopWatches() { stopping_ = true; }

  grpc::Status ListFlags(grpc::ServerContext* context, const v1::ListFlagsRequest* request,
                         v1::ListFlagsResponse* response) override;
  grpc::Status GetFlag(grpc::ServerContext* context, const v1::GetFlagRequest* request,
                       v1::Flag* response) override;
  grpc::Status GetEntityProfile(grpc::ServerContext* context,
                                const v1::GetEntityProfileRequest* request,
                                v1::EntityProfile* response) override;
  grpc::Status RecordDecision(grpc::ServerContext* context,
                              const v1::RecordDecisionRequest* request,
                              v1::Flag* response) override;
  grpc::Status WatchFlags(grpc::ServerContext* context, const v1::WatchFlagsRequest* request,
                          grpc::ServerWriter<v1::FlagAlert>* writer) override;

 private:
  Engine* const engine_;
  AccessPolicy* const policy_;
  std::atomic<bool> stopping_{false};
};

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_FLAG_SERVICE_H_
