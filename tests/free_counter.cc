// An LD_PRELOAD shim for cli_perf_test.py: counts the calls of free() with a non-null pointer
// (operator delete calls it too) and, at exit, writes the count as decimal text to the file
// named by SEALSTATE_TEST_FREE_COUNT.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

extern "C" void __libc_free(void* pointer);  // glibc's own free

namespace {

unsigned long frees = 0;

__attribute__((destructor)) void WriteCount() {
  const char* path = getenv("SEALSTATE_TEST_FREE_COUNT");
  if (path == nullptr) return;
  char text[32];
  const int length = std::snprintf(text, sizeof text, "%lu\n", __atomic_load_n(&frees, __ATOMIC_RELAXED));
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (write(fd, text, static_cast<std::size_t>(length)) != length) std::perror("free_counter");
  close(fd);
}

}  // namespace

extern "C" void free(void* pointer) noexcept {
  if (pointer != nullptr) __atomic_add_fetch(&frees, 1, __ATOMIC_RELAXED);
  __libc_free(pointer);
}
