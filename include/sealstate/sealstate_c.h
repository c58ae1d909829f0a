/* sealstate's C ABI: the library for C, and for languages that call C (Python's ctypes, Go's cgo).
 *
 * C99; in the same shared library as the C++ API (libsealstate.so, pkg-config sealstate). Only
 * plain C types cross it: an opaque store handle, an opaque lock handle, an opaque error object,
 * NUL-terminated strings, byte buffers with a length, integers. Snapshots cross as their JSON
 * encoding (the bytes sealstate seals: EncodeSnapshot / DecodeSnapshot in snapshot.h), so no C
 * struct mirrors the model and the ABI does not change when the model grows.
 *
 * Status codes: every function that can fail returns an int, SEALSTATE_OK (0) or one of the
 * codes below, which have the numbers of sealstate::Code (status.h) and never change. Switch on
 * the codes you handle and keep a default: later versions may add codes.
 *
 * Errors: such a function takes `sealstate_error** error` last. Pass NULL if you only want the
 * code; otherwise *error is set to NULL on success and, on failure, to a new error object (the
 * message names the thing that failed and what to do; errno and path for I/O errors) that you
 * free with sealstate_error_free. (Should even the error object fail to allocate, *error stays
 * NULL; the code is still returned.) A NULL pointer where a handle, string or output pointer is
 * required is SEALSTATE_INVALID_ARGUMENT naming the parameter, never a crash. Nothing throws
 * across this boundary and nothing aborts: running out of memory is SEALSTATE_INTERNAL.
 *
 * Ownership: every buffer the library returns through a `char**` (snapshots, revisions, JSON
 * documents, lock ids, keys) is NUL-terminated (the length, where one is returned, excludes the
 * NUL) and belongs to the caller, who frees it with sealstate_free and nothing else.
 * sealstate_free wipes the buffer before releasing it (snapshots and keys are secrets). On
 * failure, outputs are set to NULL (lengths to 0). Strings passed in are only read during the
 * call.
 *
 * Thread safety: a store handle may be used from several threads at once (as a
 * sealstate::Backend); a lock handle and an error object from one thread at a time. Operations
 * on one stack from several processes are safe (that is what the lock is for). Callbacks
 * (sealstate_cancel_fn) run only on the thread that called the function they were passed to,
 * during that call.
 *
 * ABI policy: symbols are prefixed sealstate_ and exported explicitly (everything else in the
 * library is hidden); the shared library's soname (libsealstate.so.0) changes only on a
 * breaking change, and so does SEALSTATE_C_ABI_VERSION. Additions (new functions, codes, flags)
 * keep both. sealstate_abi_version() tells the version of the library loaded at run time.
 */
#ifndef SEALSTATE_SEALSTATE_C_H_
#define SEALSTATE_SEALSTATE_C_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SEALSTATE_C_EXPORT __attribute__((visibility("default")))
#else
#define SEALSTATE_C_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes; see the policy above. */
#define SEALSTATE_C_ABI_VERSION 1

/* Status codes: the numbers of sealstate::Code (status.h). */
#define SEALSTATE_OK 0
#define SEALSTATE_INVALID_ARGUMENT 1 /* a bad name, spec, option, JSON or snapshot; a NULL argument */
#define SEALSTATE_NOT_FOUND 2        /* no such stack, revision or file */
#define SEALSTATE_NO_CURRENT 3       /* the stack has no current snapshot */
#define SEALSTATE_ALREADY_EXISTS 4   /* the name is taken and will not be overwritten */
#define SEALSTATE_LOCKED 5           /* locked by someone else (the message names the holder), or a broken lock */
#define SEALSTATE_CANCELLED 6        /* the cancellation callback asked to stop */
#define SEALSTATE_CONFLICT 7         /* current moved under the caller (set-current's compare-and-swap) */
#define SEALSTATE_WRONG_KEY 8        /* sealed with a different key than the one configured */
#define SEALSTATE_INTEGRITY 9        /* tampered, truncated, swapped or corrupt data; refused plaintext */
#define SEALSTATE_FORMAT 10          /* a format or envelope version this build does not understand */
#define SEALSTATE_IO_ERROR 11        /* an operating-system call failed: see errno and path */
#define SEALSTATE_UNSUPPORTED 12     /* the machine or backend lacks something required */
#define SEALSTATE_INTERNAL 13        /* a sealstate bug, or out of memory */
#define SEALSTATE_INCOMPLETE 14      /* the change took effect but a later step failed: do not retry */

/* Flags of sealstate_open (combine with |). */
#define SEALSTATE_OPEN_CREATE 0x1u            /* create the stack if it is missing (else SEALSTATE_NOT_FOUND) */
#define SEALSTATE_OPEN_UNOBIN_COMPATIBLE 0x2u /* write and read unobin's v1 envelopes */
#define SEALSTATE_OPEN_ACCEPT_V1 0x4u         /* read v1 snapshots (a stack migrated from unobin) */
#define SEALSTATE_OPEN_ALLOW_PLAINTEXT 0x8u   /* read noop (plaintext) snapshots despite a real key */

/* Flags of sealstate_write and sealstate_commit. */
#define SEALSTATE_WRITE_NEW_KEY 0x1u /* the key is meant to change: skip the check that it opens current */

/* Flags of sealstate_list. */
#define SEALSTATE_LIST_NEWEST_FIRST 0x1u /* newest revision first (default: oldest first, unobin's order) */

/* One stack of one backend, opened with a key (or none). */
typedef struct sealstate_store sealstate_store;
/* A held stack lock. */
typedef struct sealstate_lock sealstate_lock;
/* What went wrong: code, message, errno and path. */
typedef struct sealstate_error sealstate_error;

/* Polled while waiting for a held lock: return non-zero to stop waiting (the call then fails
 * with SEALSTATE_CANCELLED). Runs on the thread that called sealstate_lock_acquire or
 * sealstate_commit, during that call, at least every few tens of milliseconds while it waits
 * (never when the lock is free). Must not call back into sealstate with the same store. */
typedef int (*sealstate_cancel_fn)(void* user_data);

/* ---- Versions ---- */

/* The library's version, e.g. "0.1.0". Static: never free it. */
SEALSTATE_C_EXPORT const char* sealstate_version(void);
/* The C ABI version of the loaded library (SEALSTATE_C_ABI_VERSION of the header it was built
 * with). A program built against an older header works with a library of the same ABI version. */
SEALSTATE_C_EXPORT int sealstate_abi_version(void);

/* ---- Memory and errors ---- */

/* Wipes and frees a buffer the library returned through a char**. NULL is ignored. */
SEALSTATE_C_EXPORT void sealstate_free(void* buffer);
/* Frees an error object. NULL is ignored. */
SEALSTATE_C_EXPORT void sealstate_error_free(sealstate_error* error);
/* The error's code; SEALSTATE_INVALID_ARGUMENT for a NULL error. */
SEALSTATE_C_EXPORT int sealstate_error_code(const sealstate_error* error);
/* The error's message (never empty), valid until the error is freed; "" for NULL. */
SEALSTATE_C_EXPORT const char* sealstate_error_message(const sealstate_error* error);
/* The errno of an I/O error, else 0. */
SEALSTATE_C_EXPORT int sealstate_error_errno(const sealstate_error* error);
/* The path an I/O error concerns, else "", valid until the error is freed. */
SEALSTATE_C_EXPORT const char* sealstate_error_path(const sealstate_error* error);
/* The stable lower-case name of a code ("wrong-key", ...; "unknown" for a number without one).
 * Static: never free it. */
SEALSTATE_C_EXPORT const char* sealstate_code_name(int code);

/* ---- Keys ---- */

/* A fresh random 32-byte key as standard padded base64, what `sealstate keygen` prints (the
 * env-key and key-file key sources read this text). *key_out: free with sealstate_free. */
SEALSTATE_C_EXPORT int sealstate_keygen(char** key_out, sealstate_error** error);

/* ---- Opening a store ---- */

/* Opens stack `factory`/`stack` of the backend named by `backend_spec` ("NAME:LOCATION", e.g.
 * "local:/var/lib/sealstate" or "memory:tests"; every backend registered in
 * BackendRegistry::WithBuiltins()). `key_source` names the key source, as the CLI's --encrypter:
 * "noop", "env-key" (config {"env-var": "VAR"}), "key-file" (config {"path": "PATH"}); NULL opens
 * without a key (lock, list, journal and remove work; reading or writing snapshots is
 * SEALSTATE_INVALID_ARGUMENT). `key_config_json`: the key source's configuration as a JSON
 * object, or NULL for {}. `flags`: SEALSTATE_OPEN_*. *store_out: close with sealstate_close.
 * Errors: SEALSTATE_INVALID_ARGUMENT (bad spec, names, key source, config, key),
 * SEALSTATE_NOT_FOUND (no such stack without SEALSTATE_OPEN_CREATE, a missing key file),
 * SEALSTATE_IO_ERROR. */
SEALSTATE_C_EXPORT int sealstate_open(const char* backend_spec, const char* factory, const char* stack,
                                      const char* key_source, const char* key_config_json, unsigned flags,
                                      sealstate_store** store_out, sealstate_error** error);
/* Closes a store. NULL is ignored. Locks taken from it stay valid (free them separately). */
SEALSTATE_C_EXPORT void sealstate_close(sealstate_store* store);

/* ---- Snapshots ---- */

/* Under the stack lock (waited for as sealstate_lock_acquire does, with `timeout_ms`, `cancel` and
 * `cancel_data`; `operation` is recorded in the holder record, NULL: "commit"), seals and writes the snapshot
 * (`json`, `json_len` bytes of its JSON encoding) and points current at it. *rev_out: the new
 * revision (free with sealstate_free); may be NULL if not wanted. `flags`: SEALSTATE_WRITE_*.
 * Errors: SEALSTATE_INVALID_ARGUMENT (bad JSON or snapshot, one naming another stack),
 * SEALSTATE_LOCKED (naming the holder), SEALSTATE_CANCELLED, SEALSTATE_WRONG_KEY (the stack's
 * current was sealed with another key: nothing written), SEALSTATE_IO_ERROR, SEALSTATE_INCOMPLETE
 * (committed, but a step after it failed: do not retry). */
SEALSTATE_C_EXPORT int sealstate_commit(sealstate_store* store, const char* json, size_t json_len, int64_t timeout_ms,
                                        const char* operation, sealstate_cancel_fn cancel, void* cancel_data,
                                        unsigned flags, char** rev_out, sealstate_error** error);
/* Seals and stores the snapshot under a fresh revision without moving current. `lock_id`: the
 * lock the caller holds (recorded in the journal), or NULL. *rev_out as for commit. Errors as
 * sealstate_commit, without the lock's. */
SEALSTATE_C_EXPORT int sealstate_write(sealstate_store* store, const char* json, size_t json_len, const char* lock_id,
                                       unsigned flags, char** rev_out, sealstate_error** error);
/* The current snapshot's JSON encoding; *json_out (free with sealstate_free), *json_len.
 * Errors: SEALSTATE_NO_CURRENT, and those of sealstate_get. */
SEALSTATE_C_EXPORT int sealstate_current(sealstate_store* store, char** json_out, size_t* json_len,
                                         sealstate_error** error);
/* The revision current names; *rev_out: free with sealstate_free. Errors: SEALSTATE_NO_CURRENT,
 * SEALSTATE_INTEGRITY (a damaged pointer). */
SEALSTATE_C_EXPORT int sealstate_current_rev(sealstate_store* store, char** rev_out, sealstate_error** error);
/* One revision's snapshot as its JSON encoding. Errors: SEALSTATE_INVALID_ARGUMENT (bad revision
 * name), SEALSTATE_NOT_FOUND, SEALSTATE_WRONG_KEY, SEALSTATE_INTEGRITY, SEALSTATE_FORMAT,
 * SEALSTATE_IO_ERROR. */
SEALSTATE_C_EXPORT int sealstate_get(sealstate_store* store, const char* rev, char** json_out, size_t* json_len,
                                     sealstate_error** error);
/* All revisions, one per line, each line ending in "\n" ("" for none); oldest first unless
 * SEALSTATE_LIST_NEWEST_FIRST. Never opens a snapshot (no key needed). */
SEALSTATE_C_EXPORT int sealstate_list(sealstate_store* store, unsigned flags, char** revs_out, size_t* revs_len,
                                      sealstate_error** error);
/* Points current at `rev`, which must exist and open with the key. `expected_current`:
 * compare-and-swap, NULL for none, "" for "no current": SEALSTATE_CONFLICT (current not moved)
 * if current is something else. `lock_id`: fencing, the id of the lock the caller holds
 * (sealstate_lock_id), or NULL: SEALSTATE_LOCKED if that lock was broken meanwhile.
 * Errors also those of sealstate_get, SEALSTATE_INCOMPLETE. */
SEALSTATE_C_EXPORT int sealstate_set_current(sealstate_store* store, const char* rev, const char* expected_current,
                                             const char* lock_id, sealstate_error** error);
/* Removes one revision (a missing one is OK). Refuses the current one (SEALSTATE_INVALID_ARGUMENT).
 * `lock_id`: as for sealstate_set_current. */
SEALSTATE_C_EXPORT int sealstate_remove(sealstate_store* store, const char* rev, const char* lock_id,
                                        sealstate_error** error);

/* ---- The stack lock ---- */

/* Takes the stack lock. `timeout_ms`: how long to wait for a held lock (0: fail at once; negative:
 * forever). `operation`: recorded in the holder record ("apply", ...; NULL: "lock"). `cancel`:
 * polled while waiting (see sealstate_cancel_fn), or NULL; `cancel_data` is passed to it. A stale
 * holder's lock (a process that is gone) is broken. *lock_out: release with sealstate_unlock and
 * free with sealstate_lock_free. Errors: SEALSTATE_LOCKED naming the holder ("locked by USER@HOST
 * pid PID (lock id ID, operation OP, since TIME)"), also when the timeout passed;
 * SEALSTATE_CANCELLED; SEALSTATE_INVALID_ARGUMENT (operation too long); SEALSTATE_IO_ERROR. */
SEALSTATE_C_EXPORT int sealstate_lock_acquire(sealstate_store* store, int64_t timeout_ms, const char* operation,
                                              sealstate_cancel_fn cancel, void* cancel_data, sealstate_lock** lock_out,
                                              sealstate_error** error);
/* The lock's id (for fencing, and for force-unlock); *id_out: free with sealstate_free. */
SEALSTATE_C_EXPORT int sealstate_lock_id(const sealstate_lock* lock, char** id_out, sealstate_error** error);
/* Releases the lock if it is still this one. Idempotent. Errors: SEALSTATE_LOCKED (someone else
 * holds the stack's lock now, after a force-unlock: nothing released), SEALSTATE_IO_ERROR. */
SEALSTATE_C_EXPORT int sealstate_unlock(sealstate_lock* lock, sealstate_error** error);
/* Frees a lock handle, releasing the lock if still held (errors ignored: call sealstate_unlock to
 * see them). NULL is ignored. */
SEALSTATE_C_EXPORT void sealstate_lock_free(sealstate_lock* lock);
/* The stack lock's state as a JSON object: {"state": "free"|"held"|"stale"|"unknown", "holder":
 * null or {"lock-id", "user", "host", "pid", "created" (RFC 3339, null when not recorded),
 * "operation", "version", "detail": {NAME: TEXT}}, "reason"}. Never needs the key. */
SEALSTATE_C_EXPORT int sealstate_lock_info(sealstate_store* store, char** json_out, size_t* json_len,
                                           sealstate_error** error);
/* Breaks the stack's lock as the operator's `sealstate force-unlock --id` does: with a `lock_id`,
 * the lock held under that id, whoever holds it (SEALSTATE_LOCKED naming the holder when the id
 * does not match: nothing broken); with NULL or "", only a stale holder's lock (a process that is
 * gone; a live holder is SEALSTATE_LOCKED naming it). No lock: OK. Journaled ("force-unlock"). */
SEALSTATE_C_EXPORT int sealstate_force_unlock(sealstate_store* store, const char* lock_id, sealstate_error** error);

/* ---- Journal and verification ---- */

/* The journal's events with seq > since_seq, oldest first, as JSON lines (one compact object per
 * line, each ending in "\n": "seq", "time", "event", "rev", "lock-id", "actor", "pid", "detail",
 * and "envelope-version" when recorded). */
SEALSTATE_C_EXPORT int sealstate_journal(sealstate_store* store, uint64_t since_seq, char** lines_out,
                                         size_t* lines_len, sealstate_error** error);
/* Reads, opens and checks every revision, the pointer, the journal and the lock (as `sealstate
 * verify`). The report, a JSON object {"revisions": N, "problems": [{"rev", "code", "message"}],
 * "strays": [NAME]}, is returned with SEALSTATE_OK, whatever it found: the stack is sound when
 * "problems" is empty. Errors: only failures to look at the stack at all. */
SEALSTATE_C_EXPORT int sealstate_verify(sealstate_store* store, char** json_out, size_t* json_len,
                                        sealstate_error** error);

#ifdef __cplusplus
}
#endif

#endif /* SEALSTATE_SEALSTATE_C_H_ */
