#include <stdio.h>
#include <string.h>
#include <sealstate/sealstate_c.h>

/* Prints a failed call's code name and message, and frees the error. */
static int fail(const char* what, int code, sealstate_error* error) {
  fprintf(stderr, "%s (%s): %s\n", what, sealstate_code_name(code), sealstate_error_message(error));
  sealstate_error_free(error);
  return 1;
}

int main(int argc, char** argv) {
  char spec[4096];
  snprintf(spec, sizeof spec, "local:%s", argc > 1 ? argv[1] : "/var/lib/sealstate");
  sealstate_store* store = NULL;
  sealstate_error* error = NULL;
  /* The key: 32 random bytes, base64, in an environment variable. Never in code or logs. */
  int code = sealstate_open(spec, "network", "prod", "env-key", "{\"env-var\": \"SEALSTATE_EXAMPLE_KEY\"}",
                            SEALSTATE_OPEN_CREATE, &store, &error);
  if (code != SEALSTATE_OK) return fail("open", code, error);

  /* Snapshots cross the C ABI as their JSON encoding. */
  const char* snapshot =
      "{\"format-version\": 1, \"factory\": {\"name\": \"network\", \"version\": \"v1.4.0\", "
      "\"content-revision\": \"9f2c1e\"}, \"stack\": \"prod\", \"generated-at\": \"2026-05-12T15:30:00Z\", "
      "\"entries\": [{\"address\": \"resource.vpc\", \"entry-kind\": \"leaf\", \"category\": \"resource\", "
      "\"binding\": {\"alias\": \"aws\", \"kind\": \"vpc\"}, \"outputs\": {\"id\": \"vpc-0a1b2c3d\"}}]}";
  char* rev = NULL;
  /* Commit: lock (waiting up to 30 s), write a new encrypted snapshot, point current at it, unlock. */
  code = sealstate_commit(store, snapshot, strlen(snapshot), 30000, "apply", NULL, NULL, 0, &rev, &error);
  if (code != SEALSTATE_OK) return fail("commit", code, error);

  char* current = NULL;
  size_t length = 0;
  code = sealstate_current(store, &current, &length, &error);
  if (code != SEALSTATE_OK) return fail("current", code, error);
  printf("committed revision %s of network/prod; current is %zu bytes of JSON\n", rev, length);
  int found = strstr(current, "vpc-0a1b2c3d") != NULL;
  sealstate_free(current); /* every returned buffer: sealstate_free */
  sealstate_free(rev);
  sealstate_close(store);
  return found ? 0 : 1;
}
