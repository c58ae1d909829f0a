package sealstate_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"sealstate.dev/sealstate"
)

// wantCode fails unless err is an *Error of code, errors.Is its sentinel (and no other), and
// its message contains needle.
func wantCode(t *testing.T, err error, sentinel error, code sealstate.Code, needle string) *sealstate.Error {
	t.Helper()
	var e *sealstate.Error
	if !errors.As(err, &e) || e.Code != code || !errors.Is(err, sentinel) || !strings.Contains(e.Message, needle) ||
		e.Error() != e.Message {
		t.Fatalf("want %s containing %q, got %v", code, needle, err)
	}
	if code != sealstate.CodeLocked && errors.Is(err, sealstate.ErrLocked) {
		t.Fatalf("%v matches another code's sentinel", err)
	}
	return e
}

func TestSentinelsAreTheCodes(t *testing.T) {
	sentinels := []error{nil, sealstate.ErrInvalidArgument, sealstate.ErrNotFound, sealstate.ErrNoCurrent,
		sealstate.ErrAlreadyExists, sealstate.ErrLocked, sealstate.ErrCancelled, sealstate.ErrConflict,
		sealstate.ErrWrongKey, sealstate.ErrIntegrity, sealstate.ErrFormat, sealstate.ErrIOError,
		sealstate.ErrUnsupported, sealstate.ErrInternal, sealstate.ErrIncomplete}
	for code := sealstate.CodeInvalidArgument; code <= sealstate.CodeIncomplete; code++ {
		err := error(&sealstate.Error{Code: code, Message: "m"})
		for other, sentinel := range sentinels[1:] {
			if errors.Is(err, sentinel) != (sealstate.Code(other+1) == code) {
				t.Fatalf("%s and the sentinel of %s", code, sealstate.Code(other+1))
			}
		}
		if sentinels[code].Error() != "sealstate: "+code.String() || code.String() == "unknown" {
			t.Fatalf("sentinel %d is named %q", code, sentinels[code].Error())
		}
	}
}

func TestInvalidArgument(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		_, err := sealstate.Open("nowhere", "network", "prod", sealstate.Options{})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "NAME:LOCATION")
		_, err = sealstate.Open("bogus:x", "network", "prod", sealstate.Options{})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "local")
		_, err = sealstate.Open(spec, "network", "../x", sealstate.Options{Create: true})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "")
		_, err = sealstate.Open(spec, "network", "prod", sealstate.Options{KeySource: "rot13"})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "rot13")
		_, err = sealstate.Open(spec, "network", "prod", sealstate.Options{KeySource: "env-key",
			KeyConfig: map[string]any{"env-var": "SEALSTATE_GO_TEST_UNSET"}})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "SEALSTATE_GO_TEST_UNSET is not set")
		_, err = store.Get("../x")
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "")
		_, err = store.Write([]byte("{"), sealstate.WriteOptions{})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "sealstate_write: ")
		_, err = store.Write(nil, sealstate.WriteOptions{})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "sealstate_write: ")
		_, err = store.Commit(context.Background(), snapshotJSON("other", "vpc-1"), sealstate.CommitOptions{})
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, `names stack "other"`)
		_, err = store.Lock(context.Background(), strings.Repeat("x", 100000))
		wantCode(t, err, sealstate.ErrInvalidArgument, sealstate.CodeInvalidArgument, "")
	})
}

func TestNotFoundNoCurrentFormatConflictWrongKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		_, err := sealstate.Open(spec, "network", "missing", sealstate.Options{})
		wantCode(t, err, sealstate.ErrNotFound, sealstate.CodeNotFound, "")
		_, err = store.Get("2020-01-01T00:00:00Z")
		wantCode(t, err, sealstate.ErrNotFound, sealstate.CodeNotFound, "2020-01-01T00:00:00Z")
		_, err = store.Current()
		wantCode(t, err, sealstate.ErrNoCurrent, sealstate.CodeNoCurrent, "no current snapshot")
		_, err = store.CurrentRev()
		wantCode(t, err, sealstate.ErrNoCurrent, sealstate.CodeNoCurrent, "")
		future := strings.Replace(string(snapshotJSON("prod", "vpc-1")), `"format-version": 1`, `"format-version": 2`, 1)
		_, err = store.Write([]byte(future), sealstate.WriteOptions{})
		wantCode(t, err, sealstate.ErrFormat, sealstate.CodeFormat, "format-version 2")
		rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		must(t, err)
		err = store.SetCurrent(rev, sealstate.SetCurrentOptions{CompareAndSwap: true})
		wantCode(t, err, sealstate.ErrConflict, sealstate.CodeConflict, "")
		_, err = openStack(t, spec, otherKeyVar).Get(rev)
		wantCode(t, err, sealstate.ErrWrongKey, sealstate.CodeWrongKey, "")
	})
}

func TestIntegrityOfATamperedFileAndADamagedPointer(t *testing.T) {
	root := t.TempDir()
	store := openStack(t, "local:"+root, keyVar)
	rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
	must(t, err)
	path := filepath.Join(root, "network", "prod", "snapshots", rev+".json.enc")
	data, err := os.ReadFile(path)
	must(t, err)
	data[len(data)-5] ^= 1
	must(t, os.WriteFile(path, data, 0o600))
	_, err = store.Get(rev)
	wantCode(t, err, sealstate.ErrIntegrity, sealstate.CodeIntegrity, "")
	must(t, os.WriteFile(filepath.Join(root, "network", "prod", "current"), []byte("not a revision\n"), 0o600))
	_, err = store.CurrentRev()
	wantCode(t, err, sealstate.ErrIntegrity, sealstate.CodeIntegrity, "")
}

func TestIOErrorCarriesErrnoAndPath(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "plain-file")
	must(t, os.WriteFile(plain, nil, 0o600))
	_, err := sealstate.Open("local:"+plain, "network", "prod", sealstate.Options{Create: true})
	e := wantCode(t, err, sealstate.ErrIOError, sealstate.CodeIOError, "")
	if e.Errno == 0 || e.Path == "" || !errors.Is(err, e.Errno) {
		t.Fatalf("errno %d, path %q", e.Errno, e.Path)
	}
	if e.Errno == syscall.ENOENT && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("an ENOENT error is fs.ErrNotExist")
	}
}

// The move of current is journaled before the pointer swap (rollback detection): a commit whose
// "set-current" line cannot be appended fails as an I/O error and leaves current as it was.
func TestCommitFailsCleanlyWhenJournalingFailsBeforeTheSwap(t *testing.T) {
	root := t.TempDir()
	spec := "local:" + root
	store := openStack(t, spec, keyVar)
	for i := 0; i < 4; i++ {
		_, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		must(t, err)
	}
	before, err := store.CurrentRev()
	must(t, err)
	journal, err := os.ReadFile(filepath.Join(root, "network", "prod", "journal"))
	must(t, err)
	lines := strings.SplitAfter(string(journal), "\n")
	writeLine := ""
	for _, line := range lines {
		if strings.Contains(line, `"event":"write"`) {
			writeLine = line
		}
	}
	// Room for the commit's "write" line but not its "set-current" line (before the swap).
	limit := len(journal) + len(writeLine) + 20
	cmd := exec.Command(os.Args[0], spec)
	cmd.Env = append(os.Environ(), helperVar+"=commit-fsize-"+strconv.Itoa(limit))
	out, err := cmd.CombinedOutput()
	must(t, err)
	if !strings.HasPrefix(string(out), "io-error ") || !strings.Contains(string(out), "File too large") {
		t.Fatalf("helper: %s", out)
	}
	revs, err := store.List()
	must(t, err)
	if current, _ := store.CurrentRev(); len(revs) != 4 || current != before {
		t.Fatal("the failed commit took effect")
	}
}
