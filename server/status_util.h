// The one place where absl::Status becomes grpc::Status. Thread-safe (pure).
#ifndef CROSSFORCE_SERVER_STATUS_UTIL_H_
#define CROSSFORCE_SERVER_STATUS_UTIL_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace crossforce {

// Keeps the code (the two enums share numbers) and the message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_STATUS_UTIL_H_
