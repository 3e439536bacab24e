// Early-return helpers for absl::Status, which our Abseil (20220623) does not ship.
#ifndef CROSSFORCE_ENGINE_STATUS_MACROS_H_
#define CROSSFORCE_ENGINE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CF_STATUS_CONCAT_INNER_(a, b) a##b
#define CF_STATUS_CONCAT_(a, b) CF_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define CF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status cf_status_ = (expr);      \
    if (!cf_status_.ok()) return cf_status_; \
  } while (false)

// `lhs = value of expr` (an absl::StatusOr<T>), or return its status from the enclosing function.
#define CF_ASSIGN_OR_RETURN(lhs, expr) \
  CF_ASSIGN_OR_RETURN_IMPL_(CF_STATUS_CONCAT_(cf_statusor_, __LINE__), lhs, expr)
#define CF_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(statusor).value()

#endif  // CROSSFORCE_ENGINE_STATUS_MACROS_H_
