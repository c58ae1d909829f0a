// libpq, loaded when the first PostgreSQL connection is made (dlopen) rather than linked.
//
// Linking libpq made every process that uses sealstate, the CLI's `--version` included, map and
// relocate libpq and the ~25 libraries it pulls in (TLS, Kerberos, LDAP, GnuTLS) at start-up:
// about 500 page faults and most of the CLI's start-up time, for stores that never talk to a
// server. The postgres store calls libpq through this table only, after LoadLibpq succeeded
// (PgConnection::Connect loads it before its first call).
#pragma once

#include <libpq-fe.h>

#include <sealstate/status.h>

namespace sealstate::internal {

// The libpq functions the postgres store calls, each X(name).
// clang-format off
#define SEALSTATE_LIBPQ_FUNCTIONS(X) \
  X(PQcancel) \
  X(PQclear) \
  X(PQcmdTuples) \
  X(PQconnectdbParams) \
  X(PQconsumeInput) \
  X(PQenterPipelineMode) \
  X(PQerrorMessage) \
  X(PQescapeIdentifier) \
  X(PQexec) \
  X(PQexecParams) \
  X(PQexitPipelineMode) \
  X(PQfinish) \
  X(PQfreeCancel) \
  X(PQfreemem) \
  X(PQgetCancel) \
  X(PQgetResult) \
  X(PQgetisnull) \
  X(PQgetlength) \
  X(PQgetvalue) \
  X(PQisBusy) \
  X(PQnotifies) \
  X(PQntuples) \
  X(PQpipelineSync) \
  X(PQresultErrorField) \
  X(PQresultErrorMessage) \
  X(PQresultStatus) \
  X(PQsendPrepare) \
  X(PQsendQueryParams) \
  X(PQsendQueryPrepared) \
  X(PQsetNoticeProcessor) \
  X(PQsetSingleRowMode) \
  X(PQsocket) \
  X(PQstatus) \
  X(PQtransactionStatus)
// clang-format on

// Pointers to libpq's functions, named as libpq names them.
struct LibpqApi {
#define SEALSTATE_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  SEALSTATE_LIBPQ_FUNCTIONS(SEALSTATE_LIBPQ_MEMBER)
#undef SEALSTATE_LIBPQ_MEMBER
};

// The shared library libpq is loaded from (its soname since PostgreSQL 8.0).
inline constexpr const char* kLibpqSoname = "libpq.so.5";

// Loads libpq once per process (thread-safe; later calls return the first call's outcome).
// Errors: kUnsupported ("postgres store: cannot load libpq.so.5 (<reason>); install the
// PostgreSQL client library (e.g. the libpq5 package)").
Status LoadLibpq();

// libpq's functions. Precondition: LoadLibpq() returned OK in this process.
const LibpqApi& Libpq();

}  // namespace sealstate::internal
