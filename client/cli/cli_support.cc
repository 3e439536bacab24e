#include "client/cli/cli_support.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include "client/uploader.h"

namespace crossforce::client {

int Fail(const absl::Status& status) {
  std::cerr << "crossforce: " << status.message() << "\n";
  return absl::IsInvalidArgument(status) ? kExitUsage : kExitFailed;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> HubChannel(const Flags& flags) {
  return OpenChannel({flags.Get("server"), flags.Bool("insecure"), flags.Get("ca")});
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

std::unique_ptr<grpc::ClientContext> CallContext(int seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

int HubError(const grpc::Status& status) {
  return Fail(absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                           absl::StrCat("hub: ", status.error_message())));
}

}  // namespace crossforce::client
