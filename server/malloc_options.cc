// jemalloc's options for the processes that hold the linker's index (the hub and the linker's
// benchmark), compiled in: jemalloc reads this symbol at start-up, before main.
//
// thp:always backs the heap with transparent huge pages (2 MiB). Linking reads person records,
// filters and LSH buckets scattered over gigabytes: with 4 KiB pages nearly every such read also
// missed the TLB, and the slowest incremental links were page-table walks. At a million records
// (BENCHMARKS.md) the relink went from about 31 s to 22 s and the incremental link's p99 from
// 1.4 ms to 0.47 ms. Where the kernel has transparent huge pages switched off this does nothing.
//
// background_thread:true returns unused pages to the kernel on jemalloc's own threads. Without
// it, the thread that happens to allocate or free does the purging inline: after a relink has
// freed gigabytes of scratch, the incremental links that followed paid for returning it, a few
// milliseconds at a time. At ten million records (BENCHMARKS.md) the incremental link's mean went
// from 288 to 178 us and its p99 from 1.75 to 0.82 ms.
extern "C" {
// The name and type are jemalloc's (see `man jemalloc`, "malloc_conf").
const char* malloc_conf = "thp:always,metadata_thp:auto,background_thread:true";
}
