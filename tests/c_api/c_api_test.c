/* The C ABI (sealstate_c.h) end to end, in C99: every function, and the error paths (wrong key,
 * locked, compare-and-swap conflict, fencing, bad specs, NULL arguments). Compiled in-tree (so
 * the sanitizer builds run it) and against an installed copy via pkg-config
 * (tests/c_api_installed_test.sh). Usage: c_api_test [PARENT_DIR]: the store is a fresh
 * directory under PARENT_DIR (default /tmp), removed at the end. Prints one line per check. */
#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sealstate/sealstate_c.h>

static int checks;
static int failures;

static void check(int condition, const char* name, int line) {
  ++checks;
  if (condition) {
    printf("ok %d - %s\n", checks, name);
  } else {
    ++failures;
    printf("not ok %d - %s (line %d)\n", checks, name, line);
  }
}
#define CHECK(condition, name) check((condition), (name), __LINE__)

/* Checks that a call returned `want`, that the error object says the same, and that its message
 * contains `needle` (when non-NULL); frees the error. */
static void expect(int got, sealstate_error* error, int want, const char* needle, const char* name, int line) {
  int ok = got == want;
  if (want == SEALSTATE_OK) {
    ok = ok && error == NULL;
  } else {
    ok = ok && error != NULL && sealstate_error_code(error) == want && sealstate_error_message(error)[0] != '\0';
    if (needle != NULL) ok = ok && strstr(sealstate_error_message(error), needle) != NULL;
  }
  if (!ok) {
    printf("# got %s, want %s: %s\n", sealstate_code_name(got), sealstate_code_name(want),
           sealstate_error_message(error));
  }
  check(ok, name, line);
  sealstate_error_free(error);
}
#define EXPECT(call, want, needle, name)                \
  do {                                                  \
    sealstate_error* error_ = NULL;                     \
    int got_ = (call);                                  \
    expect(got_, error_, want, needle, name, __LINE__); \
  } while (0)

static const char kSnapshot[] =
    "{\"format-version\": 1, \"factory\": {\"name\": \"network\", \"version\": \"v1\", \"content-revision\": "
    "\"abc\"}, \"stack\": \"prod\", \"generated-at\": \"2026-04-30T12:00:00Z\", \"entries\": [{\"address\": "
    "\"resource.vpc\", \"entry-kind\": \"leaf\", \"category\": \"resource\", \"binding\": {\"alias\": \"aws\", "
    "\"kind\": \"vpc\"}, \"outputs\": {\"id\": \"vpc-1\", \"owner\": 18446744073709551615}}]}";

static const char kKeyA[] = "{\"env-var\": \"SEALSTATE_C_TEST_KEY_A\"}";
static const char kKeyB[] = "{\"env-var\": \"SEALSTATE_C_TEST_KEY_B\"}";

static char spec[1100];

static sealstate_store* open_stack(const char* key_source, const char* key_config) {
  sealstate_store* store = NULL;
  sealstate_error* error = NULL;
  int code = sealstate_open(spec, "network", "prod", key_source, key_config, SEALSTATE_OPEN_CREATE, &store, &error);
  if (code != SEALSTATE_OK) {
    printf("# open: %s\n", sealstate_error_message(error));
    sealstate_error_free(error);
    exit(1);
  }
  return store;
}

static int cancel_calls;
static int cancel_on_other_thread;
static pthread_t test_thread;
/* The cancellation callback: asks to stop on its second call; notes a call on another thread. */
static int cancel_on_second_call(void* user_data) {
  int* calls = user_data;
  if (!pthread_equal(pthread_self(), test_thread)) cancel_on_other_thread = 1;
  return ++*calls >= 2;
}

static void test_versions_and_keys(void) {
  char* key_a = NULL;
  char* key_b = NULL;
  CHECK(strlen(sealstate_version()) > 0, "version is not empty");
  CHECK(sealstate_abi_version() == SEALSTATE_C_ABI_VERSION, "abi version is the header's");
  CHECK(strcmp(sealstate_code_name(SEALSTATE_WRONG_KEY), "wrong-key") == 0, "code names are sealstate's");
  CHECK(strcmp(sealstate_code_name(99), "unknown") == 0, "an unknown code is named unknown");
  EXPECT(sealstate_keygen(&key_a, &error_), SEALSTATE_OK, NULL, "keygen");
  EXPECT(sealstate_keygen(&key_b, &error_), SEALSTATE_OK, NULL, "keygen again");
  CHECK(key_a != NULL && strlen(key_a) == 44 && key_a[43] == '=', "keygen returns 32 bytes in padded base64");
  CHECK(key_b != NULL && strcmp(key_a, key_b) != 0, "two keys differ");
  setenv("SEALSTATE_C_TEST_KEY_A", key_a, 1);
  setenv("SEALSTATE_C_TEST_KEY_B", key_b, 1);
  sealstate_free(key_a);
  sealstate_free(key_b);
  EXPECT(sealstate_keygen(NULL, &error_), SEALSTATE_INVALID_ARGUMENT, "key_out is NULL", "keygen without output");
}

static void test_open_errors(void) {
  sealstate_store* store = (sealstate_store*)&store; /* must be reset to NULL */
  EXPECT(sealstate_open("nowhere", "network", "prod", NULL, NULL, 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "NAME:LOCATION", "a spec without NAME: is invalid");
  CHECK(store == NULL, "a failed open leaves no store");
  EXPECT(sealstate_open("bogus:x", "network", "prod", NULL, NULL, 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "local", "an unknown backend is invalid, naming the available ones");
  EXPECT(sealstate_open(spec, "network", "missing", NULL, NULL, 0, &store, &error_), SEALSTATE_NOT_FOUND, NULL,
         "a missing stack without SEALSTATE_OPEN_CREATE is not found");
  EXPECT(sealstate_open(spec, "network", "../x", NULL, NULL, SEALSTATE_OPEN_CREATE, &store, &error_),
         SEALSTATE_INVALID_ARGUMENT, NULL, "a stack name that escapes is invalid");
  EXPECT(sealstate_open(spec, "network", "prod", "rot13", NULL, 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "rot13", "an unknown key source is invalid");
  EXPECT(sealstate_open(spec, "network", "prod", "env-key", "[1]", 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "JSON object", "a key config that is not an object is invalid");
  EXPECT(sealstate_open(spec, "network", "prod", "env-key", "{\"env-var\": \"SEALSTATE_C_TEST_UNSET\"}", 0, &store,
                        &error_),
         SEALSTATE_INVALID_ARGUMENT, "SEALSTATE_C_TEST_UNSET is not set", "an unset key variable is invalid");
  EXPECT(sealstate_open(NULL, "network", "prod", NULL, NULL, 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "backend_spec is NULL", "a NULL spec is invalid");
  EXPECT(sealstate_open(spec, NULL, "prod", NULL, NULL, 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "factory is NULL", "a NULL factory is invalid");
  EXPECT(sealstate_open(spec, "network", NULL, NULL, NULL, 0, &store, &error_), SEALSTATE_INVALID_ARGUMENT,
         "stack is NULL", "a NULL stack is invalid");
  EXPECT(sealstate_open(spec, "network", "prod", NULL, NULL, 0, NULL, &error_), SEALSTATE_INVALID_ARGUMENT,
         "store_out is NULL", "a NULL store_out is invalid");
  CHECK(sealstate_open("nowhere", "network", "prod", NULL, NULL, 0, &store, NULL) == SEALSTATE_INVALID_ARGUMENT,
        "the error object is optional");
}

/* Commits, writes, reads and lists; returns the committed revision in rev1 and the written in rev2. */
static void test_snapshots(sealstate_store* store, char** rev1, char** rev2) {
  char* json = NULL;
  char* json2 = NULL;
  char* rev = NULL;
  char* revs = NULL;
  size_t len = 99;
  size_t len2 = 0;
  EXPECT(sealstate_current(store, &json, &len, &error_), SEALSTATE_NO_CURRENT, "no current snapshot",
         "a new stack has no current");
  CHECK(json == NULL && len == 0, "a failed read clears its outputs");
  EXPECT(sealstate_current_rev(store, &rev, &error_), SEALSTATE_NO_CURRENT, NULL, "a new stack has no current rev");
  EXPECT(sealstate_list(store, 0, &revs, &len, &error_), SEALSTATE_OK, NULL, "list an empty stack");
  CHECK(revs != NULL && len == 0 && revs[0] == '\0', "an empty stack lists nothing");
  sealstate_free(revs);

  EXPECT(sealstate_commit(store, kSnapshot, strlen(kSnapshot), 1000, "apply", NULL, NULL, 0, rev1, &error_),
         SEALSTATE_OK, NULL, "commit");
  EXPECT(sealstate_write(store, kSnapshot, strlen(kSnapshot), NULL, 0, rev2, &error_), SEALSTATE_OK, NULL, "write");
  CHECK(*rev1 != NULL && *rev2 != NULL && strcmp(*rev1, *rev2) != 0, "commit and write return fresh revisions");
  EXPECT(sealstate_current_rev(store, &rev, &error_), SEALSTATE_OK, NULL, "current rev");
  CHECK(rev != NULL && strcmp(rev, *rev1) == 0, "current names the committed revision, not the written one");
  sealstate_free(rev);

  EXPECT(sealstate_current(store, &json, &len, &error_), SEALSTATE_OK, NULL, "current");
  CHECK(json != NULL && len == strlen(json) && strstr(json, "\"vpc-1\"") != NULL, "current is the snapshot's JSON");
  CHECK(json != NULL && strstr(json, "18446744073709551615") != NULL, "64-bit integers cross exactly");
  EXPECT(sealstate_get(store, *rev2, &json2, &len2, &error_), SEALSTATE_OK, NULL, "get");
  CHECK(json2 != NULL && len == len2 && memcmp(json, json2, len) == 0, "get returns the same encoding");
  sealstate_free(json2);
  json2 = NULL;
  EXPECT(sealstate_write(store, json, len, NULL, 0, NULL, &error_), SEALSTATE_OK, NULL,
         "what current returns writes back (rev output optional)");
  sealstate_free(json);
  json = NULL;

  EXPECT(sealstate_get(store, "../x", &json, &len, &error_), SEALSTATE_INVALID_ARGUMENT, NULL,
         "get of a bad revision name");
  EXPECT(sealstate_get(store, "2020-01-01T00:00:00Z", &json, &len, &error_), SEALSTATE_NOT_FOUND, NULL,
         "get of a missing revision");
  EXPECT(sealstate_write(store, "{", 1, NULL, 0, &rev, &error_), SEALSTATE_INVALID_ARGUMENT,
         "sealstate_write: ", "write of bad JSON");
  EXPECT(sealstate_commit(store, "{\"format-version\": 1}", 21, 0, NULL, NULL, NULL, 0, &rev, &error_),
         SEALSTATE_INVALID_ARGUMENT, "names stack \"\"", "commit of an invalid snapshot");
  CHECK(rev == NULL, "a failed write leaves no revision");

  EXPECT(sealstate_list(store, 0, &revs, &len, &error_), SEALSTATE_OK, NULL, "list");
  CHECK(revs != NULL && strncmp(revs, *rev1, strlen(*rev1)) == 0 && revs[len - 1] == '\n',
        "list is oldest first, one revision per line");
  sealstate_free(revs);
  EXPECT(sealstate_list(store, SEALSTATE_LIST_NEWEST_FIRST, &revs, &len, &error_), SEALSTATE_OK, NULL,
         "list newest first");
  CHECK(revs != NULL && strstr(revs, *rev1) == revs + len - strlen(*rev1) - 1, "newest first ends with the oldest");
  sealstate_free(revs);
}

static void test_pointer(sealstate_store* store, const char* rev1, const char* rev2) {
  char* revs = NULL;
  size_t len = 0;
  EXPECT(sealstate_set_current(store, rev2, rev2, NULL, &error_), SEALSTATE_CONFLICT, NULL,
         "set-current whose expected current is stale conflicts");
  EXPECT(sealstate_set_current(store, rev2, "", NULL, &error_), SEALSTATE_CONFLICT, NULL,
         "set-current expecting no current conflicts");
  EXPECT(sealstate_set_current(store, rev2, rev1, NULL, &error_), SEALSTATE_OK, NULL, "set-current with CAS");
  EXPECT(sealstate_remove(store, rev2, NULL, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "remove refuses current");
  EXPECT(sealstate_set_current(store, rev1, NULL, NULL, &error_), SEALSTATE_OK, NULL, "set-current without CAS");
  EXPECT(sealstate_remove(store, rev2, NULL, &error_), SEALSTATE_OK, NULL, "remove");
  EXPECT(sealstate_remove(store, rev2, NULL, &error_), SEALSTATE_OK, NULL, "remove of a missing revision is OK");
  EXPECT(sealstate_list(store, 0, &revs, &len, &error_), SEALSTATE_OK, NULL, "list after remove");
  CHECK(revs != NULL && strstr(revs, rev2) == NULL && strstr(revs, rev1) != NULL, "the removed revision is gone");
  sealstate_free(revs);
}

static void test_wrong_key(void) {
  sealstate_store* other = open_stack("env-key", kKeyB);
  char* json = NULL;
  size_t len = 0;
  char* rev = NULL;
  EXPECT(sealstate_current(other, &json, &len, &error_), SEALSTATE_WRONG_KEY, NULL, "current with another key");
  EXPECT(sealstate_write(other, kSnapshot, strlen(kSnapshot), NULL, 0, &rev, &error_), SEALSTATE_WRONG_KEY, NULL,
         "write with another key");
  EXPECT(sealstate_write(other, kSnapshot, strlen(kSnapshot), NULL, SEALSTATE_WRITE_NEW_KEY, &rev, &error_),
         SEALSTATE_OK, NULL, "write with another key, meant to change");
  sealstate_free(rev);
  sealstate_close(other);
}

static void test_lock(sealstate_store* store, const char* rev1) {
  sealstate_store* keyless = open_stack(NULL, NULL);
  sealstate_lock* lock = NULL;
  sealstate_lock* second = (sealstate_lock*)&second; /* must be reset to NULL */
  char* id = NULL;
  char* json = NULL;
  char* rev = NULL;
  size_t len = 0;
  EXPECT(sealstate_lock_acquire(store, 0, "apply", NULL, NULL, &lock, &error_), SEALSTATE_OK, NULL, "acquire");
  EXPECT(sealstate_lock_id(lock, &id, &error_), SEALSTATE_OK, NULL, "lock id");
  CHECK(id != NULL && strlen(id) == 32, "the lock id is 32 hex digits");
  EXPECT(sealstate_lock_info(keyless, &json, &len, &error_), SEALSTATE_OK, NULL, "lock info without a key");
  CHECK(json != NULL && strstr(json, "\"state\":\"held\"") != NULL && strstr(json, id) != NULL &&
            strstr(json, "\"operation\":\"apply\"") != NULL,
        "lock info names the state, the lock id and the operation");
  sealstate_free(json);

  EXPECT(sealstate_lock_acquire(keyless, 0, NULL, NULL, NULL, &second, &error_), SEALSTATE_LOCKED, id,
         "a held lock is locked, naming the holder's lock id");
  CHECK(second == NULL, "a failed acquire leaves no lock");
  EXPECT(sealstate_commit(store, kSnapshot, strlen(kSnapshot), 0, NULL, NULL, NULL, 0, &rev, &error_), SEALSTATE_LOCKED,
         "locked by", "commit while locked is locked, naming the holder");
  cancel_calls = 0;
  EXPECT(sealstate_lock_acquire(keyless, -1, "wait", cancel_on_second_call, &cancel_calls, &second, &error_),
         SEALSTATE_CANCELLED, NULL, "the cancellation callback stops a wait");
  CHECK(cancel_calls == 2, "the callback got its user pointer and was polled until it said stop");
  cancel_calls = 0;
  EXPECT(sealstate_commit(store, kSnapshot, strlen(kSnapshot), -1, NULL, cancel_on_second_call, &cancel_calls, 0, &rev,
                          &error_),
         SEALSTATE_CANCELLED, NULL, "the cancellation callback stops a commit's wait");
  CHECK(cancel_calls == 2 && rev == NULL, "a cancelled commit writes nothing");
  CHECK(!cancel_on_other_thread, "the callback runs on the calling thread");

  EXPECT(sealstate_set_current(store, rev1, NULL, id, &error_), SEALSTATE_OK, NULL, "set-current fenced by the lock");
  EXPECT(sealstate_force_unlock(keyless, "ffffffffffffffffffffffffffffffff", &error_), SEALSTATE_LOCKED, id,
         "force-unlock with another id is refused, naming the holder");
  EXPECT(sealstate_force_unlock(keyless, NULL, &error_), SEALSTATE_LOCKED, NULL,
         "force-unlock of a live holder without its id is refused");
  EXPECT(sealstate_force_unlock(keyless, id, &error_), SEALSTATE_OK, NULL, "force-unlock by id");
  EXPECT(sealstate_set_current(store, rev1, NULL, id, &error_), SEALSTATE_LOCKED, NULL,
         "set-current fenced by a broken lock is locked");
  EXPECT(sealstate_remove(store, "2020-01-01T00:00:00Z", id, &error_), SEALSTATE_LOCKED, NULL,
         "remove fenced by a broken lock is locked");
  EXPECT(sealstate_unlock(lock, &error_), SEALSTATE_OK, NULL, "unlock after a force-unlock nobody followed");
  EXPECT(sealstate_unlock(lock, &error_), SEALSTATE_OK, NULL, "unlock is idempotent");
  sealstate_lock_free(lock);
  sealstate_free(id);

  EXPECT(sealstate_lock_acquire(keyless, 0, NULL, NULL, NULL, &lock, &error_), SEALSTATE_OK, NULL,
         "acquire without a key");
  sealstate_lock_free(lock);
  EXPECT(sealstate_lock_info(store, &json, &len, &error_), SEALSTATE_OK, NULL, "lock info after lock_free");
  CHECK(json != NULL && strstr(json, "\"state\":\"free\"") != NULL && strstr(json, "\"holder\":null") != NULL,
        "freeing a held lock releases it");
  sealstate_free(json);
  EXPECT(sealstate_current(keyless, &json, &len, &error_), SEALSTATE_INVALID_ARGUMENT, "no encrypter",
         "reading a snapshot without a key is invalid");
  sealstate_close(keyless);
}

static void test_journal_and_verify(sealstate_store* store) {
  char* lines = NULL;
  char* json = NULL;
  size_t len = 0;
  EXPECT(sealstate_journal(store, 0, &lines, &len, &error_), SEALSTATE_OK, NULL, "journal");
  CHECK(lines != NULL && strncmp(lines, "{\"seq\":1,", 9) == 0 && lines[len - 1] == '\n' &&
            strstr(lines, "\"event\":\"write\"") != NULL && strstr(lines, "\"event\":\"force-unlock\"") != NULL,
        "the journal is JSON lines from seq 1");
  sealstate_free(lines);
  EXPECT(sealstate_journal(store, 1000000, &lines, &len, &error_), SEALSTATE_OK, NULL, "journal since a late seq");
  CHECK(lines != NULL && len == 0, "nothing after the last seq");
  sealstate_free(lines);
  EXPECT(sealstate_verify(store, &json, &len, &error_), SEALSTATE_OK, NULL, "verify");
  CHECK(json != NULL && strstr(json, "\"problems\":[") != NULL && strstr(json, "\"revisions\":") != NULL,
        "verify reports revisions and problems");
  /* The revision written with the other key does not open with this one. */
  CHECK(json != NULL && strstr(json, "\"code\":\"wrong-key\"") != NULL, "verify reports a revision of another key");
  sealstate_free(json);
}

static void test_null_arguments(sealstate_store* store) {
  char* out = NULL;
  size_t len = 0;
  sealstate_lock* lock = NULL;
  EXPECT(sealstate_current(NULL, &out, &len, &error_), SEALSTATE_INVALID_ARGUMENT, "store is NULL", "current(NULL)");
  EXPECT(sealstate_current(store, NULL, &len, &error_), SEALSTATE_INVALID_ARGUMENT, "json_out is NULL",
         "current without output");
  EXPECT(sealstate_current_rev(NULL, &out, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "current_rev(NULL)");
  EXPECT(sealstate_get(store, NULL, &out, &len, &error_), SEALSTATE_INVALID_ARGUMENT, "rev is NULL", "get(NULL rev)");
  EXPECT(sealstate_list(NULL, 0, &out, &len, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "list(NULL)");
  EXPECT(sealstate_commit(NULL, kSnapshot, 1, 0, NULL, NULL, NULL, 0, &out, &error_), SEALSTATE_INVALID_ARGUMENT, NULL,
         "commit(NULL)");
  EXPECT(sealstate_write(store, NULL, 0, NULL, 0, &out, &error_), SEALSTATE_INVALID_ARGUMENT, "json is NULL",
         "write(NULL json)");
  EXPECT(sealstate_set_current(store, NULL, NULL, NULL, &error_), SEALSTATE_INVALID_ARGUMENT, NULL,
         "set_current(NULL rev)");
  EXPECT(sealstate_remove(NULL, "x", NULL, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "remove(NULL)");
  EXPECT(sealstate_lock_acquire(NULL, 0, NULL, NULL, NULL, &lock, &error_), SEALSTATE_INVALID_ARGUMENT, NULL,
         "lock_acquire(NULL)");
  EXPECT(sealstate_lock_id(NULL, &out, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "lock_id(NULL)");
  EXPECT(sealstate_unlock(NULL, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "unlock(NULL)");
  EXPECT(sealstate_lock_info(NULL, &out, &len, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "lock_info(NULL)");
  EXPECT(sealstate_force_unlock(NULL, NULL, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "force_unlock(NULL)");
  EXPECT(sealstate_journal(NULL, 0, &out, &len, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "journal(NULL)");
  EXPECT(sealstate_verify(NULL, &out, &len, &error_), SEALSTATE_INVALID_ARGUMENT, NULL, "verify(NULL)");
  CHECK(sealstate_error_code(NULL) == SEALSTATE_INVALID_ARGUMENT && sealstate_error_message(NULL)[0] == '\0' &&
            sealstate_error_errno(NULL) == 0 && sealstate_error_path(NULL)[0] == '\0',
        "error accessors accept NULL");
  sealstate_close(NULL);
  sealstate_lock_free(NULL);
  sealstate_error_free(NULL);
  sealstate_free(NULL);
}

/* `bad_spec`: a local store whose root is a regular file. */
static void test_io_error(const char* bad_spec) {
  sealstate_store* store = NULL;
  sealstate_error* error = NULL;
  int code = sealstate_open(bad_spec, "network", "prod", NULL, NULL, SEALSTATE_OPEN_CREATE, &store, &error);
  CHECK(code == SEALSTATE_IO_ERROR && sealstate_error_errno(error) != 0 && sealstate_error_path(error)[0] != '\0',
        "an I/O error carries errno and path");
  if (code != SEALSTATE_IO_ERROR) printf("# got %s: %s\n", sealstate_code_name(code), sealstate_error_message(error));
  sealstate_error_free(error);
  sealstate_close(store);
}

static int remove_entry(const char* path, const struct stat* info, int flag, struct FTW* ftw) {
  (void)info;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(int argc, char** argv) {
  char root[1024];
  char file[1100];
  char bad_spec[1200];
  char* rev1 = NULL;
  char* rev2 = NULL;
  FILE* plain;
  test_thread = pthread_self();
  snprintf(root, sizeof root, "%s/sealstate-c-api-XXXXXX", argc > 1 ? argv[1] : "/tmp");
  if (mkdtemp(root) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(spec, sizeof spec, "local:%s/store", root);
  snprintf(file, sizeof file, "%s/plain-file", root);
  snprintf(bad_spec, sizeof bad_spec, "local:%s/plain-file", root);
  plain = fopen(file, "w");
  if (plain != NULL) fclose(plain);

  test_versions_and_keys();
  test_open_errors();
  {
    sealstate_store* store = open_stack("env-key", kKeyA);
    test_snapshots(store, &rev1, &rev2);
    test_pointer(store, rev1, rev2);
    test_wrong_key();
    test_lock(store, rev1);
    test_journal_and_verify(store);
    test_null_arguments(store);
    sealstate_close(store);
  }
  test_io_error(bad_spec);
  sealstate_free(rev1);
  sealstate_free(rev2);

  nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
