#include "server/access_policy.h"

#include "grpcpp/security/auth_context.h"

namespace crossforce {
namespace {

class OpenAccessPolicy final : public AccessPolicy {
 public:
  absl::StatusOr<Caller> Authorize(const grpc::ServerContext& context,
                                   const AccessRequest& request) override {
    Caller caller{"anonymous"};
    const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    if (auth != nullptr && auth->IsPeerAuthenticated()) {
      const std::vector<grpc::string_ref> names = auth->GetPeerIdentity();
      if (!names.empty()) caller.identity.assign(names.front().data(), names.front().size());
    }
    return caller;
  }
};

}  // namespace

std::unique_ptr<AccessPolicy> NewOpenAccessPolicy() { return std::make_unique<OpenAccessPolicy>(); }

}  // namespace crossforce
