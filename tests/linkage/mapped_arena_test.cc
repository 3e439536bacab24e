#include "engine/linkage/mapped_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace crossforce {
namespace {

// Blocks of growing sizes, enough to fill several chunks (the first is 1 MiB), each filled with
// words that name its block and position.
std::vector<std::pair<uint64_t*, size_t>> FillBlocks(MappedArena& arena) {
  std::vector<std::pair<uint64_t*, size_t>> blocks;
  for (size_t b = 0; b < 20000; ++b) {
    const size_t words = 1 + b % 97;
    uint64_t* block = arena.Allocate(words);
    for (size_t w = 0; w < words; ++w) block[w] = (b << 8) | w;
    blocks.push_back({block, words});
  }
  // One larger than any chunk so far: it gets a chunk of its own.
  const size_t big = size_t{5} << 17;  // 5 MiB of words
  uint64_t* block = arena.Allocate(big);
  for (size_t w = 0; w < big; ++w) block[w] = (size_t{20000} << 8) | (w & 0xff);
  blocks.push_back({block, big});
  return blocks;
}

void ExpectBlocksHold(const std::vector<std::pair<uint64_t*, size_t>>& blocks) {
  for (size_t b = 0; b < blocks.size(); ++b) {
    const auto [block, words] = blocks[b];
    ASSERT_EQ(reinterpret_cast<uintptr_t>(block) % 8, 0u) << "block " << b;
    for (size_t w = 0; w < words; ++w) {
      ASSERT_EQ(block[w], (b << 8) | (b < 20000 ? w : w & 0xff)) << "block " << b << " word " << w;
    }
  }
}

// Drops every page of the blocks from the process's mappings: a file's pages are read back from
// the file when touched again, an anonymous mapping's come back as zeros.
void DropPages(const std::vector<std::pair<uint64_t*, size_t>>& blocks) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  for (const auto& [block, words] : blocks) {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(block) & ~(page - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(block + words);
    ASSERT_EQ(madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED), 0);
  }
}

TEST(MappedArenaTest, BlocksInTheFileSurviveTheirPagesBeingDropped) {
  const testing::TempDir dir;
  MappedArena arena(dir.path());
  const auto blocks = FillBlocks(arena);
  EXPECT_GT(arena.file_bytes(), size_t{5} << 20);
  EXPECT_EQ(arena.anonymous_bytes(), 0u);
  EXPECT_GE(arena.file_bytes(), arena.allocated_bytes());
  DropPages(blocks);
  ExpectBlocksHold(blocks);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "the file has no name to leave behind";
}

TEST(MappedArenaTest, WithoutADirectoryBlocksAreAnonymousMemory) {
  MappedArena arena("");
  const auto blocks = FillBlocks(arena);
  ExpectBlocksHold(blocks);
  EXPECT_EQ(arena.file_bytes(), 0u);
  EXPECT_GE(arena.anonymous_bytes(), arena.allocated_bytes());
}

TEST(MappedArenaTest, AnUnusableDirectoryFallsBackToAnonymousMemory) {
  const testing::TempDir dir;
  MappedArena arena(dir.Sub("missing"));
  const auto blocks = FillBlocks(arena);
  ExpectBlocksHold(blocks);
  EXPECT_EQ(arena.file_bytes(), 0u);
  EXPECT_GT(arena.anonymous_bytes(), 0u);
}

}  // namespace
}  // namespace crossforce
