package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/devstack/template"
)

// recorder is a fake Invoker that records payloads per function.
type recorder struct {
	mu    sync.Mutex
	calls map[string][][]byte
	err   error
}

func (r *recorder) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string][][]byte{}
	}
	r.calls[function] = append(r.calls[function], payload)
	return nil, r.err
}

func (r *recorder) count(function string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls[function])
}

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func TestParseRate(t *testing.T) {
	tests := []struct {
		expr    string
		want    time.Duration
		wantErr string
	}{
		{"rate(1 minute)", time.Minute, ""},
		{"rate(5 minutes)", 5 * time.Minute, ""},
		{" rate(2 hours) ", 2 * time.Hour, ""},
		{"rate(1 hour)", time.Hour, ""},
		{"rate(1 day)", 24 * time.Hour, ""},
		{"rate(3 days)", 72 * time.Hour, ""},
		{"rate(1 minutes)", 0, "unit must be"},
		{"rate(2 minute)", 0, "plural"},
		{"rate(0 minutes)", 0, "positive whole number"},
		{"rate(1.5 hours)", 0, "positive whole number"},
		{"rate(1 second)", 0, "unit must be"},
		{"rate(1minute)", 0, "rate(<number> <unit>)"},
		{"every(1 minute)", 0, "not a rate"},
		{"cron(0 12 * * ? *)", 0, "cron expressions are not supported by the local runner"},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.expr)
		if tt.wantErr == "" && (err != nil || got != tt.want) {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ParseRate(%q) error = %v, want it to contain %q", tt.expr, err, tt.wantErr)
		}
	}
}

func TestEvent(t *testing.T) {
	rec := &recorder{}
	now := time.Date(2026, 5, 6, 7, 8, 9, 500_000_000, time.FixedZone("x", 3600))
	s, err := New(Config{
		Rules:   []Rule{{Name: "lh-SweepFunctionEvery", Function: "SweepFunction", Expression: "rate(1 minute)", Enabled: true}},
		Invoker: rec, Region: "eu-west-1", AccountID: "111122223333",
		Now: func() time.Time { return now }, Logger: quiet(),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Fire(context.Background(), "SweepFunction"); err != nil {
		t.Fatalf("Fire: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.calls["SweepFunction"][0], &got); err != nil {
		t.Fatal(err)
	}
	id, _ := got["id"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("id %q is not a UUID", id)
	}
	delete(got, "id")
	want := map[string]any{
		"version":     "0",
		"detail-type": "Scheduled Event",
		"source":      "aws.events",
		"account":     "111122223333",
		"time":        "2026-05-06T06:08:09Z",
		"region":      "eu-west-1",
		"resources":   []any{"arn:aws:events:eu-west-1:111122223333:rule/lh-SweepFunctionEvery"},
		"detail":      map[string]any{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
}

func TestRunFiresScaledRules(t *testing.T) {
	rec := &recorder{}
	s, err := New(Config{
		Rules: []Rule{
			{Name: "sweep", Function: "SweepFunction", Expression: "rate(1 minute)", Enabled: true},
			{Name: "mail", Function: "MailerFunction", Expression: "rate(2 minutes)", Enabled: true, Input: `{"kind":"x"}`},
			{Name: "off", Function: "OffFunction", Expression: "rate(1 minute)", Enabled: false},
		},
		Invoker: rec, Scale: 0.0005, Logger: quiet(), // 1 minute -> 30 ms
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Run returned %v after cancel", elapsed)
	}
	sweeps, mails := rec.count("SweepFunction"), rec.count("MailerFunction")
	if sweeps < 4 || sweeps > 7 || mails < 2 || mails > 4 || rec.count("OffFunction") != 0 {
		t.Errorf("fired sweep %d (want ~6), mail %d (want ~3), disabled %d (want 0)", sweeps, mails, rec.count("OffFunction"))
	}
	if got := string(rec.calls["MailerFunction"][0]); got != `{"kind":"x"}` {
		t.Errorf("mailer payload %q, want the rule Input", got)
	}
	time.Sleep(60 * time.Millisecond)
	if rec.count("SweepFunction") != sweeps {
		t.Errorf("rules kept firing after Run returned")
	}
}

func TestIntervalOverride(t *testing.T) {
	rec := &recorder{}
	s, err := New(Config{
		Rules:   []Rule{{Name: "d", Function: "Daily", Expression: "rate(1 day)", Enabled: true}},
		Invoker: rec, Interval: 20 * time.Millisecond, Logger: quiet(),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 110*time.Millisecond)
	defer cancel()
	s.Run(ctx)
	if n := rec.count("Daily"); n < 3 {
		t.Errorf("fired %d times with a 20ms interval in 110ms, want at least 3", n)
	}
}

func TestFireAndErrors(t *testing.T) {
	boom := errors.New("boom")
	rec := &recorder{err: boom}
	s, err := New(Config{
		Rules:   []Rule{{Name: "off", Function: "Fn", Expression: "rate(1 minute)", Enabled: false}},
		Invoker: rec, Logger: quiet(),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Fire(context.Background(), "Fn"); !errors.Is(err, boom) || rec.count("Fn") != 1 {
		t.Errorf("Fire on a disabled rule = %v with %d calls, want the invoker error after 1 call", err, rec.count("Fn"))
	}
	if err := s.Fire(context.Background(), "Other"); err == nil || !strings.Contains(err.Error(), "no rule targets function Other") {
		t.Errorf("Fire(Other) = %v", err)
	}
	bad := []Rule{
		{Name: "c", Function: "Fn", Expression: "cron(0 * * * ? *)"},
		{Name: "i", Function: "Fn", Expression: "rate(1 minute)", Input: "{not json"},
	}
	for _, r := range bad {
		if _, err := New(Config{Rules: []Rule{r}, Invoker: rec}); err == nil || !strings.Contains(err.Error(), "schedule: rule "+r.Name+" (Fn)") {
			t.Errorf("New(%+v) = %v, want an error naming the rule", r, err)
		}
	}
}

const tinyTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  SweepFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sweep/
      Handler: bootstrap
      Runtime: provided.al2023
      Events:
        Every: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}
        Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day), Enabled: false, Input: '{"full":true}'}}
`

func TestRulesFromTemplate(t *testing.T) {
	tpl, err := template.Parse([]byte(tinyTemplate), template.Config{Region: "eu-west-1", AccountID: "999988887777", StackName: "lh"})
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	want := []Rule{
		{Name: "lh-SweepFunctionEvery", Function: "SweepFunction", Expression: "rate(1 minute)", Enabled: true},
		{Name: "lh-SweepFunctionNightly", Function: "SweepFunction", Expression: "rate(1 day)", Input: `{"full":true}`},
	}
	if diff := cmp.Diff(want, Rules(tpl)); diff != "" {
		t.Errorf("Rules (-want +got):\n%s", diff)
	}
	rec := &recorder{}
	r, err := New(Config{Template: tpl, Invoker: rec, Logger: quiet()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := r.Fire(context.Background(), "SweepFunction"); err != nil {
		t.Fatalf("Fire: %v", err)
	}
	calls := rec.calls["SweepFunction"]
	if len(calls) != 2 || string(calls[1]) != `{"full":true}` {
		t.Fatalf("calls %q, want the event then the Input", calls)
	}
	var e struct {
		Account   string   `json:"account"`
		Region    string   `json:"region"`
		Resources []string `json:"resources"`
	}
	if err := json.Unmarshal(calls[0], &e); err != nil {
		t.Fatal(err)
	}
	wantEvent := []string{"999988887777", "eu-west-1", "arn:aws:events:eu-west-1:999988887777:rule/lh-SweepFunctionEvery"}
	if diff := cmp.Diff(wantEvent, []string{e.Account, e.Region, strings.Join(e.Resources, ",")}); diff != "" {
		t.Errorf("event account, region, resources (-want +got):\n%s", diff)
	}
}
