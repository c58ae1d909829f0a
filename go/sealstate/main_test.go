package sealstate_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"sealstate.dev/sealstate"
)

// helperVar makes the test binary a helper process (see runHelper) instead of running tests.
const helperVar = "SEALSTATE_GO_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperVar) != "" {
		os.Exit(runHelper(os.Getenv(helperVar), os.Args[len(os.Args)-1]))
	}
	if err := setKeys(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// runHelper is a second process for the tests, on network/prod of spec: "hold-lock" takes the
// lock, prints its id and holds it until a line arrives on stdin; "commit-fsize-LIMIT" commits
// with RLIMIT_FSIZE at LIMIT bytes and prints the error's code name and message (or "ok").
func runHelper(command, spec string) int {
	store, err := sealstate.Open(spec, "network", "prod",
		sealstate.Options{KeySource: "env-key", KeyConfig: map[string]any{"env-var": keyVar}})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer store.Close()
	switch {
	case command == "hold-lock":
		lock, err := store.Lock(context.Background(), "child-holds")
		if err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println(lock.ID())
		bufio.NewReader(os.Stdin).ReadString('\n')
		return exitStatus(lock.Unlock())
	default:
		var limit uint64
		if _, err := fmt.Sscanf(command, "commit-fsize-%d", &limit); err != nil {
			fmt.Println("unknown helper command", command)
			return 2
		}
		signal.Ignore(syscall.SIGXFSZ) // EFBIG instead of being killed
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
			fmt.Println(err)
			return 1
		}
		_, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
		if e, ok := err.(*sealstate.Error); ok {
			fmt.Println(e.Code, e.Message)
		} else {
			fmt.Println("ok", err)
		}
		return 0
	}
}

func exitStatus(err error) int {
	if err != nil {
		fmt.Println(err)
		return 1
	}
	return 0
}
