// The one seam where the hub decides who a call comes from and whether it may do what it asks.
// Every handler asks it once, before touching the engine. The open policy of this release admits
// every caller, naming it by its TLS peer identity where there is one; the access-control issue
// replaces it with per-force certificate identities, roles and mandatory purposes for reads.
// Implementations are thread-safe.
#ifndef CROSSFORCE_SERVER_ACCESS_POLICY_H_
#define CROSSFORCE_SERVER_ACCESS_POLICY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "crossforce/v1/ingest_service.pb.h"
#include "grpcpp/server_context.h"

namespace crossforce {

enum class Operation {
  kWriteRecords,
  kDeleteRecord,
  kReadRecord,
  kReadStats,
  kRelink,
  kDecideFlag,  // an analyst's decision on a flag
};

struct AccessRequest {
  Operation operation = Operation::kReadStats;
  std::string force_code;                     // the force whose records are touched, if one
  const v1::AccessContext* access = nullptr;  // user and purpose, on reads
};

struct Caller {
  std::string identity;  // certificate subject, or "anonymous" on a plaintext channel
};

class AccessPolicy {
 public:
  virtual ~AccessPolicy() = default;
  // The caller when the request is allowed; Unauthenticated or PermissionDenied otherwise.
  virtual absl::StatusOr<Caller> Authorize(const grpc::ServerContext& context,
                                           const AccessRequest& request) = 0;
};

// Admits every call.
std::unique_ptr<AccessPolicy> NewOpenAccessPolicy();

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_ACCESS_POLICY_H_
