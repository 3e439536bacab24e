// The hub runs on jemalloc with its compiled-in options (server/malloc_options.cc): checked on the
// real server binary, which prints jemalloc's options when asked through MALLOC_CONF.
#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace crossforce {
namespace {

std::string OutputOf(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

TEST(MallocOptionsTest, TheServerRunsOnJemallocWithTransparentHugePages) {
  // stats_print makes jemalloc print its options and statistics at exit; --help exits at once.
  const std::string out = OutputOf(std::string("MALLOC_CONF=stats_print:true '") +
                                   CROSSFORCE_SERVER_PATH + "' --help 2>&1");
  EXPECT_NE(out.find("opt.thp: \"always\""), std::string::npos) << out.substr(0, 2000);
}

}  // namespace
}  // namespace crossforce
