// PgConnectionPool: see pg_connection_pool.h.
#include "postgres/pg_connection_pool.h"

#include <unistd.h>

namespace sealstate::internal {

PgConnectionPool::PgConnectionPool(std::string conninfo, std::string redacted_spec)
    : conninfo_(std::move(conninfo)), redacted_spec_(std::move(redacted_spec)), owner_(::getpid()) {}

PgConnectionPool::~PgConnectionPool() {
  // In a forked child the idle connections are the parent's sessions: closing them would end
  // them (libpq sends Terminate on the shared socket). Leave them to the parent.
  if (::getpid() != owner_) {
    for (auto& conn : idle_) (void)conn.release();
  }
}

Result<std::unique_ptr<PgConnection>> PgConnectionPool::Take() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (::getpid() == owner_ && !idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  return PgConnection::Connect(conninfo_, redacted_spec_);
}

void PgConnectionPool::Return(std::unique_ptr<PgConnection> conn) {
  if (::getpid() != owner_) {
    (void)conn.release();  // a forked child's copy of a parent's session: see the destructor
    return;
  }
  if (!conn->healthy() || Libpq().PQtransactionStatus(conn->raw()) != PQTRANS_IDLE) return;
  std::lock_guard<std::mutex> guard(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
}

}  // namespace sealstate::internal
