#pragma once
// Resource use of this process, reported next to timings.
namespace nc {

// Peak resident set size of this process so far, in bytes (getrusage ru_maxrss).
double peak_rss_bytes();

}  // namespace nc
