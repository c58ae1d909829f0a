package sealstate_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"sealstate.dev/sealstate"
)

func TestLockInfoFencingAndForceUnlock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		rev, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		must(t, err)
		info, err := store.LockInfo()
		must(t, err)
		if info.State != "free" || info.Holder != nil {
			t.Fatalf("a free lock: %+v", info)
		}
		lock, err := store.Lock(context.Background(), "apply")
		must(t, err)
		info, err = store.LockInfo()
		must(t, err)
		if info.State != "held" || info.Holder == nil || info.Holder.LockID != lock.ID() || len(lock.ID()) != 32 ||
			info.Holder.Operation != "apply" || info.Holder.PID != int64(os.Getpid()) || info.Holder.Created == nil {
			t.Fatalf("a held lock: %+v %+v", info, info.Holder)
		}
		other := openStack(t, spec, keyVar)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = other.Commit(ctx, snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		wantCode(t, err, sealstate.ErrLocked, sealstate.CodeLocked, "locked by")
		must(t, store.SetCurrent(rev, sealstate.SetCurrentOptions{LockID: lock.ID()}))
		wantCode(t, other.ForceUnlock(strings.Repeat("f", 32)), sealstate.ErrLocked, sealstate.CodeLocked, lock.ID())
		wantCode(t, other.ForceUnlock(""), sealstate.ErrLocked, sealstate.CodeLocked, "")
		must(t, other.ForceUnlock(lock.ID()))
		wantCode(t, store.SetCurrent(rev, sealstate.SetCurrentOptions{LockID: lock.ID()}), sealstate.ErrLocked,
			sealstate.CodeLocked, "")
		wantCode(t, store.Remove("2020-01-01T00:00:00Z", lock.ID()), sealstate.ErrLocked, sealstate.CodeLocked, "")
		must(t, lock.Unlock())
		must(t, lock.Unlock()) // idempotent
		events, err := store.Journal(0)
		must(t, err)
		if events[len(events)-1].Event != "force-unlock" {
			t.Fatal("force-unlock is journaled")
		}
		must(t, store.ForceUnlock("")) // no lock: nothing to do
	})
}

func TestLockWaitsEndWithTheContext(t *testing.T) {
	forEachBackend(t, func(t *testing.T, spec string, store *sealstate.Store) {
		lock, err := store.Lock(context.Background(), "apply")
		must(t, err)
		defer lock.Unlock()
		other := openStack(t, spec, keyVar)

		started := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err = other.Lock(ctx, "")
		wantCode(t, err, sealstate.ErrLocked, sealstate.CodeLocked, "lock id "+lock.ID()+", operation apply")
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(started) < 300*time.Millisecond {
			t.Fatalf("the deadline: %v after %v", err, time.Since(started))
		}

		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		started = time.Now()
		_, err = other.Lock(ctx, "")
		wantCode(t, err, sealstate.ErrCancelled, sealstate.CodeCancelled, "")
		if !errors.Is(err, context.Canceled) || time.Since(started) > 10*time.Second {
			t.Fatalf("the cancellation: %v", err)
		}
		_, err = other.Commit(ctx, snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		wantCode(t, err, sealstate.ErrCancelled, sealstate.CodeCancelled, "")
		if !errors.Is(err, context.Canceled) {
			t.Fatal("a context that has ended fails at once")
		}

		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		_, err = other.Commit(ctx, snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		wantCode(t, err, sealstate.ErrCancelled, sealstate.CodeCancelled, "")
		if _, err := other.Current(); !errors.Is(err, sealstate.ErrNoCurrent) {
			t.Fatal("a cancelled commit writes nothing")
		}
	})
}

// startHolder starts a helper process holding network/prod's lock of spec and returns it, its
// stdin and the lock id it printed.
func startHolder(t *testing.T, spec string) (*exec.Cmd, *os.File, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], spec)
	cmd.Env = append(os.Environ(), helperVar+"=hold-lock")
	stdinReader, stdin, err := os.Pipe()
	must(t, err)
	cmd.Stdin = stdinReader
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	stdinReader.Close()
	id, err := bufio.NewReader(stdout).ReadString('\n')
	must(t, err)
	return cmd, stdin, strings.TrimSpace(id)
}

func TestALockHeldInOneProcessIsWaitedForInAnother(t *testing.T) {
	spec := "local:" + t.TempDir()
	store := openStack(t, spec, keyVar)
	holder, stdin, holderID := startHolder(t, spec)
	defer holder.Wait()
	defer stdin.Close()
	info, err := store.LockInfo()
	must(t, err)
	if info.State != "held" || info.Holder.PID != int64(holder.Process.Pid) || info.Holder.LockID != holderID {
		t.Fatalf("the holder's lock: %+v", info)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = store.Lock(ctx, "")
	wantCode(t, err, sealstate.ErrLocked, sealstate.CodeLocked, fmt.Sprintf("pid %d", holder.Process.Pid))

	time.AfterFunc(500*time.Millisecond, func() { stdin.Write([]byte("release\n")) })
	started := time.Now()
	lock, err := store.Lock(context.Background(), "waiter")
	must(t, err)
	waited := time.Since(started)
	must(t, lock.Unlock())
	if waited < 400*time.Millisecond || waited > 30*time.Second || lock.ID() == holderID {
		t.Fatalf("waited %v for the other process", waited)
	}
	must(t, holder.Wait())
}

func TestAKilledHoldersLockIsBrokenByTheNextWaiter(t *testing.T) {
	spec := "local:" + t.TempDir()
	store := openStack(t, spec, keyVar)
	holder, stdin, _ := startHolder(t, spec)
	defer stdin.Close()
	must(t, holder.Process.Kill())
	holder.Wait()
	info, err := store.LockInfo()
	must(t, err)
	if info.State != "stale" {
		t.Fatalf("a killed holder's lock: %+v", info)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	lock, err := store.Lock(ctx, "")
	must(t, err)
	must(t, lock.Unlock())
}
