package sealstate

/*
#include <sealstate/sealstate_c.h>
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"time"
)

// JournalEvent is one event of the stack's audit journal.
type JournalEvent struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Event  string    `json:"event"` // "write", "set-current", "remove", "force-unlock", ...
	Rev    string    `json:"rev"`
	LockID string    `json:"lock-id"`
	Actor  string    `json:"actor"`
	PID    int64     `json:"pid"`
	Detail string    `json:"detail"`
	// EnvelopeVersion is the envelope version a write used, 0 when not recorded.
	EnvelopeVersion int `json:"envelope-version,omitempty"`
}

// Journal returns the journal's events with Seq > sinceSeq, oldest first.
func (s *Store) Journal(sinceSeq uint64) ([]JournalEvent, error) {
	var out *C.char
	var n C.size_t
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_journal(s.handle, C.uint64_t(sinceSeq), &out, &n, &cerr), cerr); err != nil {
		return nil, err
	}
	events := []JournalEvent{}
	for _, line := range bytes.Split(takeBytes(out, n), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var event JournalEvent
		if err := json.Unmarshal(line, &event); err != nil {
			return nil, &Error{Code: CodeInternal, Message: "sealstate: a journal line is not the documented JSON: " + err.Error()}
		}
		events = append(events, event)
	}
	return events, nil
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Revisions int       `json:"revisions"`
	Problems  []Problem `json:"problems"` // empty: the stack is sound
	Strays    []string  `json:"strays"`   // entries that are not revisions
}

// Problem is one thing Verify found wrong.
type Problem struct {
	Rev     string `json:"rev"`
	Code    string `json:"code"` // the code's name, as Code.String returns it ("wrong-key", ...)
	Message string `json:"message"`
}

// Verify reads, opens and checks every revision, the pointer, the journal and the lock (as
// `sealstate verify`). The stack is sound when the report has no problems; the error is only
// for failures to look at the stack at all.
func (s *Store) Verify() (*VerifyReport, error) {
	var out *C.char
	var n C.size_t
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_verify(s.handle, &out, &n, &cerr), cerr); err != nil {
		return nil, err
	}
	report := &VerifyReport{}
	if err := json.Unmarshal(takeBytes(out, n), report); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "sealstate: the verify report is not the documented JSON: " + err.Error()}
	}
	return report, nil
}
