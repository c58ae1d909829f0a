package sealstate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"sealstate.dev/sealstate"
)

func TestVersionsAndKeys(t *testing.T) {
	if strings.Count(sealstate.Version(), ".") != 2 || sealstate.ABIVersion() != 1 {
		t.Fatalf("version %q, ABI %d", sealstate.Version(), sealstate.ABIVersion())
	}
	first, err := sealstate.Keygen()
	must(t, err)
	second, err := sealstate.Keygen()
	must(t, err)
	if len(first) != 44 || !strings.HasSuffix(first, "=") || first == second {
		t.Fatal("Keygen returns fresh 32-byte keys in padded base64")
	}
	if sealstate.CodeWrongKey.String() != "wrong-key" || sealstate.Code(99).String() != "unknown" {
		t.Fatal("codes are named as the library names them")
	}
}

func TestCommitAndReadBackExactly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{Operation: "apply"})
		must(t, err)
		current, err := store.CurrentRev()
		must(t, err)
		if current != rev {
			t.Fatalf("current is %s, committed %s", current, rev)
		}
		data, err := store.Current()
		must(t, err)
		got, err := store.Get(rev)
		must(t, err)
		if !bytes.Equal(data, got) {
			t.Fatal("Current and Get return different bytes")
		}
		decoder := json.NewDecoder(bytes.NewReader(data))
		decoder.UseNumber()
		var snapshot struct {
			Entries []struct {
				Outputs map[string]any `json:"outputs"`
			} `json:"entries"`
		}
		must(t, decoder.Decode(&snapshot))
		outputs := snapshot.Entries[0].Outputs
		if outputs["max-u64"] != json.Number("18446744073709551615") || outputs["min-i64"] != json.Number("-9223372036854775808") {
			t.Fatalf("64-bit integers cross exactly: %v", outputs)
		}
		// What Current returns writes back, byte for byte.
		again, err := store.Write(data, sealstate.WriteOptions{})
		must(t, err)
		gotAgain, err := store.Get(again)
		must(t, err)
		if !bytes.Equal(gotAgain, data) {
			t.Fatal("a written encoding reads back differently")
		}
	})
}

func TestWriteListAndOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		revs, err := store.List()
		must(t, err)
		if len(revs) != 0 {
			t.Fatalf("a new stack lists %v", revs)
		}
		first, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		must(t, err)
		second, err := store.Write(snapshotJSON("prod", "vpc-2"), sealstate.WriteOptions{})
		must(t, err)
		if current, _ := store.CurrentRev(); current != first {
			t.Fatal("Write moved current")
		}
		revs, err = store.List()
		must(t, err)
		newest, err := store.ListNewestFirst()
		must(t, err)
		if !reflect.DeepEqual(revs, []string{first, second}) || !reflect.DeepEqual(newest, []string{second, first}) {
			t.Fatalf("List %v, ListNewestFirst %v", revs, newest)
		}
		data, err := store.Get(second)
		must(t, err)
		if !bytes.Contains(data, []byte(`"vpc-2"`)) {
			t.Fatal("Get returns the written snapshot")
		}
	})
}

func TestSetCurrentCompareAndSwapAndRemove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		first, err := store.Write(snapshotJSON("prod", "vpc-1"), sealstate.WriteOptions{})
		must(t, err)
		second, err := store.Write(snapshotJSON("prod", "vpc-2"), sealstate.WriteOptions{})
		must(t, err)
		must(t, store.SetCurrent(first, sealstate.SetCurrentOptions{CompareAndSwap: true, Expected: ""}))
		err = store.SetCurrent(second, sealstate.SetCurrentOptions{CompareAndSwap: true, Expected: second})
		if !errors.Is(err, sealstate.ErrConflict) {
			t.Fatalf("a stale expected current: %v", err)
		}
		err = store.SetCurrent(second, sealstate.SetCurrentOptions{CompareAndSwap: true})
		if !errors.Is(err, sealstate.ErrConflict) {
			t.Fatalf("expecting no current: %v", err)
		}
		must(t, store.SetCurrent(second, sealstate.SetCurrentOptions{CompareAndSwap: true, Expected: first}))
		must(t, store.SetCurrent(first, sealstate.SetCurrentOptions{}))
		if current, _ := store.CurrentRev(); current != first {
			t.Fatal("SetCurrent without compare-and-swap moves current")
		}
		if err := store.Remove(first, ""); !errors.Is(err, sealstate.ErrInvalidArgument) {
			t.Fatalf("Remove of current: %v", err)
		}
		must(t, store.Remove(second, ""))
		must(t, store.Remove(second, "")) // a missing revision is fine
		if revs, _ := store.List(); !reflect.DeepEqual(revs, []string{first}) {
			t.Fatalf("after Remove: %v", revs)
		}
	})
}

func TestNewKeyJournalAndVerify(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		must(t, err)
		report, err := store.Verify()
		must(t, err)
		if report.Revisions != 1 || len(report.Problems) != 0 || len(report.Strays) != 0 {
			t.Fatalf("a sound stack: %+v", report)
		}
		other := openStack(t, spec, otherKeyVar)
		if _, err := other.Write(snapshotJSON("prod", "vpc-1"), sealstate.WriteOptions{}); !errors.Is(err, sealstate.ErrWrongKey) {
			t.Fatalf("writing with another key: %v", err)
		}
		bad, err := other.Write(snapshotJSON("prod", "vpc-1"), sealstate.WriteOptions{NewKey: true})
		must(t, err)
		report, err = store.Verify()
		must(t, err)
		if report.Revisions != 2 || len(report.Problems) != 1 || report.Problems[0].Rev != bad ||
			report.Problems[0].Code != sealstate.CodeWrongKey.String() {
			t.Fatalf("a revision of another key: %+v", report)
		}
		events, err := store.Journal(0)
		must(t, err)
		if len(events) != 3 || events[0].Seq != 1 || events[0].Event != "write" || events[0].Rev != rev ||
			events[0].EnvelopeVersion != 3 || events[1].Event != "set-current" || events[2].Rev != bad || events[0].Time.IsZero() {
			t.Fatalf("journal: %+v", events)
		}
		later, err := store.Journal(1)
		must(t, err)
		if !reflect.DeepEqual(later, events[1:]) {
			t.Fatalf("journal since 1: %+v", later)
		}
		none, err := store.Journal(1 << 40)
		must(t, err)
		if len(none) != 0 {
			t.Fatal("nothing after the last seq")
		}
	})
}

func TestKeylessStoreListsLocksAndJournals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		must(t, err)
		keyless := openStack(t, spec, "")
		if revs, _ := keyless.List(); !reflect.DeepEqual(revs, []string{rev}) {
			t.Fatal("a keyless store lists")
		}
		lock, err := keyless.Lock(context.Background(), "")
		must(t, err)
		must(t, lock.Unlock())
		if _, err := keyless.Current(); !errors.Is(err, sealstate.ErrInvalidArgument) || !strings.Contains(err.Error(), "no encrypter") {
			t.Fatalf("reading without a key: %v", err)
		}
	})
}

func TestMemoryStoresOfOneNameShareTheStack(t *testing.T) {
	one := openStack(t, "memory:go-test-shared", keyVar)
	two := openStack(t, "memory:go-test-shared", keyVar)
	rev, err := one.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
	must(t, err)
	if current, _ := two.CurrentRev(); current != rev {
		t.Fatal("a second store of the same name sees the commit")
	}
}

func TestClosedStoreRefusesCalls(t *testing.T) {
	store := openStack(t, "memory:go-test-closed", keyVar)
	must(t, store.Close())
	must(t, store.Close())
	if _, err := store.List(); !errors.Is(err, sealstate.ErrInvalidArgument) {
		t.Fatalf("List after Close: %v", err)
	}
	if store.Stack() != "prod" || store.Factory() != "network" {
		t.Fatal("Stack and Factory name the stack")
	}
}

func TestAStoreIsUsedFromSeveralGoroutinesAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		const writers = 8
		revs := make(chan string, writers)
		errs := make(chan error, writers)
		for i := 0; i < writers; i++ {
			go func() {
				rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
				revs <- rev
				errs <- err
			}()
		}
		seen := map[string]bool{}
		for i := 0; i < writers; i++ {
			must(t, <-errs)
			seen[<-revs] = true
		}
		listed, err := store.List()
		must(t, err)
		if len(seen) != writers || len(listed) != writers {
			t.Fatalf("%d concurrent commits gave %d revisions, %d listed", writers, len(seen), len(listed))
		}
	})
}
