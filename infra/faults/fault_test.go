package faults_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
	"github.com/livehelp/livehelp/infra/faults"
	"github.com/livehelp/livehelp/shared/livehelp"
)

// The scripted load of TestFaults.
const (
	faultRate      = 0.2 // of every request to DynamoDB, @connections and SES
	chatVisitors   = 8   // visitors who chat, each with an email address
	visitorLines   = 6   // messages each of them sends
	operatorLines  = 3   // replies their operator sends in each conversation
	formVisitors   = 3   // visitors who leave an offline message (5 per address per 10 min)
	operators      = 3
	operatorSlots  = 4
	faultSite      = "faults"
	unreadDelaySec = "3" // UnreadEmailDelaySeconds: unread replies are emailed after 3 s
)

// TestFaults runs the whole system with 20% of the requests to DynamoDB,
// the @connections endpoint and the mail capture failing (throttling, 500s,
// timeouts, dropped connections before and after the service did the work)
// while visitors and operators chat, visitors leave offline messages,
// operators answer them by email, and sweeps and mailers run, two at a
// time. Then, with the faults off, every acknowledged message must be
// stored exactly once, in an unbroken sequence, and be in both sides'
// history, and no email may have gone out twice.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack behind fault proxies (about a minute)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	e := startFaultEnv(ctx, t, map[string]string{"OperatorsListExpiration": "600", "UnreadEmailDelaySeconds": unreadDelaySec})
	s := e.s
	if err := s.Store.CreateSite(ctx, &livehelp.Site{ID: faultSite, Name: "Faults", AllowedOrigins: []string{s.DemoOrigin},
		DefaultLang: "en", Slots: operatorSlots}); err != nil {
		t.Fatal(err)
	}

	// Setup without faults: operators online, visitors with tokens.
	consoles := map[string]*session{}
	var firstOpToken string
	for i := range operators {
		email := fmt.Sprintf("op%d@faults.example", i)
		cred, err := s.CreateOperator(ctx, faultSite, email, fmt.Sprintf("Operator %d", i), livehelp.RoleOperator, operatorSlots, "")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := chatclient.Login(ctx, s.RestURL, email, cred.Password)
		if err != nil {
			t.Fatal(err)
		}
		if firstOpToken == "" {
			firstOpToken = tok
		}
		ss := operatorSession(s, "operator "+cred.OperatorID, tok)
		if _, err := ss.client(ctx); err != nil {
			t.Fatal(err)
		}
		defer ss.close()
		consoles[cred.OperatorID] = ss
	}
	e.checkWired(t)

	led := newLedger()
	sched := startSchedules(ctx, e)
	e.setRate(faultRate)
	// The ambiguous failures, surely: a message write, a push and an
	// email that happened although their answers were lost.
	e.ddb.InjectNext("TransactWriteItems", faults.DropAfter, 2)
	e.conns.InjectNext("PostToConnection", faults.DropAfter, 1)
	e.mail.InjectNext("SendEmail", faults.DropAfter, 1)
	t.Logf("faults on: rate %.0f%%, seeds dynamodb %d, connections %d, ses %d", faultRate*100, e.ddb.Seed(), e.conns.Seed(), e.mail.Seed())

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		gaveUp   []error
		convs    = map[string]*participants{}
		markers  []string
		replyErr = make(chan error, formVisitors)
	)
	fail := func(err error) {
		if errors.Is(err, errPermanent) {
			t.Errorf("refused, not failed: %v", err)
			return
		}
		mu.Lock()
		gaveUp = append(gaveUp, err)
		mu.Unlock()
	}
	for i := range chatVisitors {
		wg.Go(func() {
			p, err := chat(ctx, e, led, consoles, i)
			if p != nil {
				mu.Lock()
				convs[p.conv] = p
				markers = append(markers, p.markers...)
				mu.Unlock()
			}
			if err != nil {
				fail(err)
			}
		})
	}
	for i := range formVisitors {
		wg.Go(func() {
			tok, visitor, err := tokenFor(ctx, s, faultSite)
			if err != nil {
				fail(err)
				return
			}
			email := fmt.Sprintf("form%d@visitors.example", i)
			if err := offlineForm(ctx, s, led, faultSite, tok, visitor, email, fmt.Sprintf("[form-%d]", i)); err != nil {
				fail(err)
				return
			}
			mu.Lock()
			convs[livehelp.ConversationID(faultSite, visitor)] = &participants{visitor: visitorSession(s, "form visitor", faultSite, tok)}
			mu.Unlock()
			replyErr <- consoleReply(ctx, s, led, firstOpToken, visitor, email, fmt.Sprintf("[reply-%d]", i))
		})
	}
	wg.Wait()
	close(replyErr)
	for err := range replyErr {
		if err != nil {
			fail(err)
		}
	}

	// The unread replies fall due; mailers keep running under faults, then
	// without.
	time.Sleep(4 * time.Second)
	e.setRate(0)
	sched.stop()
	for range 2 {
		_ = s.Fire(ctx, "MailerFunction")
	}
	injected := e.injected()

	v := &verdict{}
	for _, a := range led.all() {
		v.acknowledged++
		_ = a
	}
	checkAll(ctx, t, e, led, convs, consoles, markers, v)
	for _, c := range led.conflicts {
		v.duplicated++
		v.problem("%s", c)
	}
	line := v.line(injected)
	fmt.Println(line)
	t.Log(line)
	t.Logf("requests by operation: dynamodb %v; connections %v; ses %v", e.ddb.Stats().Requests, e.conns.Stats().Requests, e.mail.Stats().Requests)
	t.Logf("faults by kind: dynamodb %v; connections %v; ses %v; %d emails captured; schedules fired %d (%d failed)",
		e.ddb.Stats().Injected, e.conns.Stats().Injected, e.mail.Stats().Injected, len(s.Mail.Messages()), sched.fired(), sched.failed())
	for _, err := range gaveUp {
		t.Logf("not acknowledged after %d attempts (allowed under faults, not a loss): %v", attempts, err)
	}
	for _, p := range v.problems {
		t.Errorf("%s", p)
	}
	if injected == 0 || v.acknowledged == 0 {
		t.Errorf("injected %d faults and acknowledged %d writes: the test exercised nothing", injected, v.acknowledged)
	}
	if v.lost+v.duplicated+v.emailsDuplicated+v.halfWritten > 0 {
		t.Errorf("lost %d, duplicated %d, half-written %d, emails duplicated %d (SES answers lost after sending: %d)",
			v.lost, v.duplicated, v.halfWritten, v.emailsDuplicated, e.mail.Stats().Injected[faults.DropAfter])
	}
}
