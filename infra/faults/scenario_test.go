package faults_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livehelp/livehelp/shared/store"
)

// participants are the two sides of one conversation.
type participants struct {
	conv              string
	visitor, operator *session
	markers           []string // the operator's messages, which unread-reply emails carry
}

// chat runs one scripted conversation: a visitor starts it and sends
// visitorLines messages while the operator it was assigned to sends
// operatorLines replies. The visitor has an email address on their profile
// and never reads the replies, so the mailer emails them.
func chat(ctx context.Context, e *faultEnv, l *ledger, consoles map[string]*session, i int) (*participants, error) {
	s := e.s
	tok, visitor, err := tokenFor(ctx, s, faultSite)
	if err != nil {
		return nil, fmt.Errorf("visitor %d token: %w", i, err)
	}
	if err := addEmail(ctx, e, visitor, fmt.Sprintf("chat%d@visitors.example", i)); err != nil {
		return nil, err
	}
	vs := visitorSession(s, fmt.Sprintf("visitor %d", i), faultSite, tok)
	conv, err := start(ctx, vs, fmt.Sprintf("Visitor %d", i))
	if err != nil {
		vs.close()
		return nil, err
	}
	p := &participants{conv: conv.ID, visitor: vs, operator: consoles[conv.Operator]}
	if p.operator == nil {
		return p, fmt.Errorf("%w: conversation %s went to unknown operator %q", errPermanent, conv.ID, conv.Operator)
	}
	for j := range operatorLines {
		p.markers = append(p.markers, fmt.Sprintf("[op-%d-%d]", i, j))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Go(func() {
		for j := range visitorLines {
			if err := l.send(ctx, vs, conv.ID, "visitor", fmt.Sprintf("v%d-%d", i, j), fmt.Sprintf("[vis-%d-%d]", i, j)); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Go(func() {
		for j, text := range p.markers {
			time.Sleep(150 * time.Millisecond)
			if err := l.send(ctx, p.operator, conv.ID, conv.Operator, fmt.Sprintf("o%d-%d", i, j), text); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	var all error
	for err := range errs {
		all = errors.Join(all, err)
	}
	return p, all
}

// addEmail records a visitor's email address on their profile, as an
// operator's <add email> does; the test's store goes straight to DynamoDB
// Local, without faults.
func addEmail(ctx context.Context, e *faultEnv, visitor, email string) error {
	return e.s.Store.TouchProfile(ctx, store.ProfileUpdate{Site: faultSite, Visitor: visitor, Email: email})
}

// schedules fires the sweep and the mailer over and over, as EventBridge
// does every minute, with two mailers at once every other time (a late
// run overlapping the next), until stopped.
type schedules struct {
	cancel     context.CancelFunc
	done       chan struct{}
	n, errored atomic.Int64
}

func startSchedules(ctx context.Context, e *faultEnv) *schedules {
	ctx, cancel := context.WithCancel(ctx)
	sc := &schedules{cancel: cancel, done: make(chan struct{})}
	fire := func(fn string) {
		sc.n.Add(1)
		if err := e.s.Fire(ctx, fn); err != nil && ctx.Err() == nil {
			sc.errored.Add(1)
		}
	}
	go func() {
		defer close(sc.done)
		var wg sync.WaitGroup
		for tick := 0; ctx.Err() == nil; tick++ {
			wg.Go(func() { fire("SweepFunction") })
			wg.Go(func() { fire("MailerFunction") })
			if tick%2 == 1 {
				wg.Go(func() { fire("MailerFunction") })
			}
			select {
			case <-ctx.Done():
			case <-time.After(700 * time.Millisecond):
			}
		}
		wg.Wait()
	}()
	return sc
}

// stop stops firing and waits for the runs in flight.
func (sc *schedules) stop() {
	sc.cancel()
	<-sc.done
}

func (sc *schedules) fired() int64  { return sc.n.Load() }
func (sc *schedules) failed() int64 { return sc.errored.Load() }

// checkAll runs every check of the verdict: each conversation in the table
// and in both sides' history, then the captured mail.
func checkAll(ctx context.Context, t *testing.T, e *faultEnv, l *ledger, convs map[string]*participants,
	consoles map[string]*session, markers []string, v *verdict) {
	t.Helper()
	byConv := map[string][]ack{}
	var replies []ack
	for _, a := range l.all() {
		if a.kind == "reply" {
			replies = append(replies, a)
			continue
		}
		byConv[a.conv] = append(byConv[a.conv], a)
	}
	ids := make([]string, 0, len(byConv))
	for id := range byConv {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var anyConsole *session
	for _, c := range consoles {
		anyConsole = c
		break
	}
	for _, id := range ids {
		acks := byConv[id]
		v.checkStored(ctx, e.s.Store, id, acks)
		p := convs[id]
		if p == nil {
			v.problem("conversation %s was acknowledged but has no participants", id)
			continue
		}
		if p.operator == nil {
			p.operator = anyConsole
		}
		v.checkVisible(ctx, "the visitor", p.visitor, id, acks)
		v.checkVisible(ctx, "the operator", p.operator, id, acks)
		p.visitor.close()
	}
	mail := e.s.Mail.Messages()
	v.checkEmails(mail, markers, replies)
	unread := 0
	for _, m := range mail {
		if slices.ContainsFunc(markers, func(mk string) bool { return strings.Contains(m.Text, mk) }) {
			unread++
		}
	}
	pending, err := e.s.Store.DueTimers(ctx, store.TimerMail, time.Now().Add(24*time.Hour), 1000)
	t.Logf("%d unread-reply emails for %d conversations; %d mail timers still pending (%v)", unread, len(convs), len(pending), err)
}
