#include "tests/testing/server_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace crossforce::testing {

absl::StatusOr<ServerProcess> ServerProcess::Start(const std::string& binary,
                                                   const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> argv_storage = {binary, "--listen=127.0.0.1:0"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  char line[512];
  int port = 0;
  // The server prints "crossforce-server listening on HOST:PORT ..." once it serves.
  while (fgets(line, sizeof(line), out) != nullptr) {
    const char* at = std::strstr(line, "listening on ");
    if (at == nullptr) continue;
    std::string rest(at + std::strlen("listening on "));
    rest = rest.substr(0, rest.find(' '));
    if (!absl::SimpleAtoi(rest.substr(rest.rfind(':') + 1), &port)) port = 0;
    break;
  }
  if (port == 0) {
    fclose(out);
    int status = 0;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return absl::InternalError(absl::StrCat(binary, " did not report a port"));
  }
  return ServerProcess(pid, port, out);
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : pid_(other.pid_), port_(other.port_), out_(other.out_) {
  other.pid_ = -1;
  other.out_ = nullptr;
}

ServerProcess& ServerProcess::operator=(ServerProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) Stop(SIGKILL);
    pid_ = other.pid_;
    port_ = other.port_;
    out_ = other.out_;
    other.pid_ = -1;
    other.out_ = nullptr;
  }
  return *this;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (out_ != nullptr) fclose(out_);
  out_ = nullptr;
  return status;
}

}  // namespace crossforce::testing
