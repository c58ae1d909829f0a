import sys

import sealstate

# The key: 32 random bytes, base64, in an environment variable. Never in code or logs.
store = sealstate.Store.open(f"local:{sys.argv[1] if len(sys.argv) > 1 else '/var/lib/sealstate'}",
                             "network", "prod", key_source="env-key",
                             key_config={"env-var": "SEALSTATE_EXAMPLE_KEY"}, create=True)
with store:
    # Snapshots are dicts (sealstate's JSON model); integers keep all 64 bits.
    snapshot = {
        "format-version": 1,
        "factory": {"name": "network", "version": "v1.4.0", "content-revision": "9f2c1e"},
        "stack": "prod",
        "generated-at": "2026-05-12T15:30:00Z",
        "entries": [{"address": "resource.vpc", "entry-kind": "leaf", "category": "resource",
                     "binding": {"alias": "aws", "kind": "vpc"},
                     "outputs": {"id": "vpc-0a1b2c3d", "owner-account": 18446744073709551615}}],
    }
    try:
        # Hold the lock (waiting up to 30 s) while writing and moving current, fenced by its id.
        with store.lock(timeout=30, operation="apply") as lock:
            rev = store.write(snapshot, lock_id=lock.id)
            store.set_current(rev, lock_id=lock.id)
    except sealstate.Locked as e:  # one class per code: WrongKey, Integrity, Conflict, ...
        sys.exit(f"someone else is applying: {e}")
    current = store.current()
    print(f"committed revision {rev} of network/prod; vpc id {current['entries'][0]['outputs']['id']}")
    sys.exit(0 if current == snapshot else 1)
