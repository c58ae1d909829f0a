// Child processes of the bench: this same executable run with other arguments (the lock waiter,
// the memory probes), so each is a real, separate process with its own address space and peak.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sealstate::bench {

// A running child whose stdout is a pipe to us.
struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // read end of the child's stdout
};

// Starts /proc/self/exe with `args` (argv[1..]); its stdout is a pipe. Dies on error.
Child SpawnSelf(const std::vector<std::string>& args);

// Reads one '\n'-terminated line from the child (without the newline). Dies at end of stream.
std::string ReadLine(const Child& child);

// Closes the pipe and waits for the child. Dies unless it exited with status 0.
void Reap(Child& child);

}  // namespace sealstate::bench
