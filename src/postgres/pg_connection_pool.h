// Idle connections kept for the stack lock, so that taking a lock (a Lock owns a connection: its
// session holds the advisory lock) does not cost a new connection each time.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "postgres/pg_connection.h"

namespace sealstate::internal {

class PgConnectionPool {
 public:
  PgConnectionPool(std::string conninfo, std::string redacted_spec);
  ~PgConnectionPool();
  PgConnectionPool(const PgConnectionPool&) = delete;
  PgConnectionPool& operator=(const PgConnectionPool&) = delete;

  // An idle connection, or a new one. A forked child never gets its parent's connections (they
  // share the parent's sockets). Errors: kIoError (PgConnection::Connect).
  Result<std::unique_ptr<PgConnection>> Take();
  // Keeps `conn` for the next Take if it is healthy, idle (no transaction) and fewer than
  // kMaxIdle are kept; else closes it.
  void Return(std::unique_ptr<PgConnection> conn);

  static constexpr std::size_t kMaxIdle = 2;

 private:
  const std::string conninfo_;
  const std::string redacted_spec_;
  const pid_t owner_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

}  // namespace sealstate::internal
