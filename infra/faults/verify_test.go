package faults_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/devstack/sesmail"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// verdict is what the checks found once the faults stopped.
type verdict struct {
	acknowledged     int
	lost             int // acknowledged, then missing from the table or from a side's history
	duplicated       int // stored more than once (same sender and client id)
	halfWritten      int // a conversation whose sequence and messages disagree
	emailsDuplicated int // an email that went out more than once
	problems         []string
}

// problem records one finding.
func (v *verdict) problem(format string, args ...any) {
	if len(v.problems) < 40 {
		v.problems = append(v.problems, fmt.Sprintf(format, args...))
	}
}

// allMessages reads a conversation's messages straight from the table,
// paging back from the last.
func allMessages(ctx context.Context, st *store.Store, conv string) ([]livehelp.Message, error) {
	var pages [][]livehelp.Message
	before := int64(0)
	for {
		msgs, more, err := st.Messages(ctx, conv, livehelp.Page{Before: before, Limit: livehelp.MaxPageSize})
		if err != nil {
			return nil, err
		}
		pages = append(pages, msgs)
		if !more || len(msgs) == 0 {
			break
		}
		before = msgs[0].Seq
	}
	var out []livehelp.Message
	for i := len(pages) - 1; i >= 0; i-- {
		out = append(out, pages[i]...)
	}
	return out, nil
}

// checkStored checks one conversation in the table: sequences 1..seq with
// no gap, each sender's client id once, and every acknowledged message at
// its sequence.
func (v *verdict) checkStored(ctx context.Context, st *store.Store, conv string, acks []ack) {
	c, err := st.Conversation(ctx, conv)
	if err != nil {
		v.lost += len(acks)
		v.problem("conversation %s: %v", conv, err)
		return
	}
	msgs, err := allMessages(ctx, st, conv)
	if err != nil {
		v.problem("conversation %s: messages: %v", conv, err)
		v.lost += len(acks)
		return
	}
	bySeq := map[int64]livehelp.Message{}
	senders := map[string]int{}
	for i, m := range msgs {
		bySeq[m.Seq] = m
		if m.Seq != int64(i+1) {
			v.halfWritten++
			v.problem("conversation %s: message %d has sequence %d (a gap or a repeat)", conv, i+1, m.Seq)
			break
		}
		if m.ClientID != "" {
			senders[m.Author+"/"+m.Operator+"/"+m.ClientID]++
		}
	}
	if n := int64(len(msgs)); n != c.Seq {
		v.halfWritten++
		v.problem("conversation %s: sequence %d but %d messages", conv, c.Seq, n)
	}
	for k, n := range senders {
		if n > 1 {
			v.duplicated += n - 1
			v.problem("conversation %s: client id %s stored %d times", conv, k, n)
		}
	}
	for _, a := range acks {
		m, ok := bySeq[a.seq]
		if !ok || m.ClientID != a.clientID || (a.kind == "chat" && m.Text != a.text) {
			v.lost++
			v.problem("conversation %s: acknowledged %s %s (seq %d) is not stored there", conv, a.kind, a.clientID, a.seq)
		}
	}
}

// checkVisible checks that a side's history holds every acknowledged
// message of the conversation exactly once.
func (v *verdict) checkVisible(ctx context.Context, side string, ss *session, conv string, acks []ack) {
	var hist []chatclient.Message
	err := ss.do(ctx, func(ctx context.Context, c *chatclient.Client) error {
		var err error
		hist, err = c.History(ctx, conv)
		return err
	})
	if err != nil {
		v.lost += len(acks)
		v.problem("%s cannot read conversation %s: %v", side, conv, err)
		return
	}
	seen := map[int64]int{}
	for _, m := range hist {
		seen[m.Seq]++
	}
	for _, a := range acks {
		i := slices.IndexFunc(hist, func(m chatclient.Message) bool { return m.Seq == a.seq })
		if i < 0 || hist[i].ClientID != a.clientID {
			v.lost++
			v.problem("%s does not see %s %s (seq %d) in %s", side, a.kind, a.clientID, a.seq, conv)
		} else if seen[a.seq] > 1 {
			v.duplicated++
			v.problem("%s sees seq %d of %s %d times", side, a.seq, conv, seen[a.seq])
		}
	}
}

// checkEmails finds emails sent twice: an email that carries a marker (an
// operator's message, a console reply) an earlier email already carried
// went out again. Markers of acknowledged console replies must be in
// exactly one email.
func (v *verdict) checkEmails(mail []sesmail.Message, markers []string, replies []ack) {
	all := append([]string(nil), markers...)
	for _, a := range replies {
		all = append(all, a.text)
	}
	seen := map[string]string{} // marker → id of the first email carrying it
	for _, m := range mail {
		var again []string
		for _, mk := range all {
			if !strings.Contains(m.Text, mk) {
				continue
			}
			if first, ok := seen[mk]; ok {
				again = append(again, mk+" (first in "+first+")")
			} else {
				seen[mk] = m.ID
			}
		}
		if len(again) > 0 {
			v.emailsDuplicated++
			v.problem("email %s to %v repeats %s", m.ID, m.To, strings.Join(again, ", "))
		}
	}
	for _, a := range replies {
		if _, ok := seen[a.text]; !ok {
			v.lost++
			v.problem("console reply %s was answered as sent but no email carries it", a.text)
		}
	}
}

// line is the FAULTS summary.
func (v verdict) line(injected int64) string {
	return fmt.Sprintf("FAULTS injected=%d acknowledged=%d lost=%d duplicated=%d emails_duplicated=%d",
		injected, v.acknowledged, v.lost, v.duplicated, v.emailsDuplicated)
}
