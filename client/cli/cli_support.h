// What every command of the `crossforce` CLI shares: its flag parser, exit codes, the channel to
// the hub, call deadlines, error reporting and JSON string quoting. Thread-compatible.
#ifndef CROSSFORCE_CLIENT_CLI_CLI_SUPPORT_H_
#define CROSSFORCE_CLIENT_CLI_CLI_SUPPORT_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace crossforce::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejects = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFailed = 3;

// Flags of the form --name VALUE, --name=VALUE, or --name for booleans.
class Flags {
 public:
  static absl::StatusOr<Flags> Parse(int argc, char** argv, const std::set<std::string>& valued,
                                     const std::set<std::string>& booleans) {
    Flags flags;
    for (int i = 0; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
      }
      arg = arg.substr(2);
      std::string value;
      const size_t eq = arg.find('=');
      const bool has_value = eq != std::string::npos;
      if (has_value) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
      if (booleans.contains(arg)) {
        flags.values_[arg] = has_value ? value : "true";
      } else if (valued.contains(arg)) {
        if (!has_value) {
          if (i + 1 >= argc)
            return absl::InvalidArgumentError(absl::StrCat("--", arg, " needs a value"));
          value = argv[++i];
        }
        flags.values_[arg] = value;
      } else {
        return absl::InvalidArgumentError(absl::StrCat("unknown flag --", arg));
      }
    }
    return flags;
  }

  std::string Get(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? "" : it->second;
  }
  bool Bool(const std::string& name) const {
    const std::string v = Get(name);
    return v == "true" || v == "1" || v == "yes";
  }
  absl::Status Require(std::initializer_list<const char*> names) const {
    for (const char* name : names) {
      if (Get(name).empty())
        return absl::InvalidArgumentError(absl::StrCat("--", name, " is required"));
    }
    return absl::OkStatus();
  }

 private:
  std::map<std::string, std::string> values_;
};

// Prints the error; the exit code for it (usage for InvalidArgument, failed otherwise).
int Fail(const absl::Status& status);
// As Fail, for an error the hub returned.
int HubError(const grpc::Status& status);

// The channel to the hub named by --server, --insecure and --ca.
absl::StatusOr<std::shared_ptr<grpc::Channel>> HubChannel(const Flags& flags);

// A client context with a deadline `seconds` from now.
std::unique_ptr<grpc::ClientContext> CallContext(int seconds = 60);

// A JSON string literal of `s` (UTF-8 passed through, control characters escaped).
std::string JsonString(absl::string_view s);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_CLI_CLI_SUPPORT_H_
