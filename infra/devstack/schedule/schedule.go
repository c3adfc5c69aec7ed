package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/livehelp/livehelp/infra/devstack/template"
)

// Invoker invokes a function by its logical id with a JSON payload.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Rule is one Schedule event of a function.
type Rule struct {
	// Name is the EventBridge rule name, used in the event's resources.
	Name string
	// Function is the logical id of the target function.
	Function string
	// Expression is the schedule, such as "rate(1 minute)".
	Expression string
	// Enabled is false for a disabled rule, which only Fire triggers.
	Enabled bool
	// Input, when not empty, is the JSON document sent instead of the
	// scheduled event.
	Input string
}

// Config configures a Runner.
type Config struct {
	// Template, when set, contributes a rule for every Schedule event of
	// its functions, and its region and account.
	Template *template.Template
	// Rules are further rules to fire.
	Rules []Rule
	// Invoker runs the functions.
	Invoker Invoker
	// Region and AccountID fill the event (defaults us-east-1 and
	// 123456789012).
	Region, AccountID string
	// Scale multiplies every rule's period (default 1), so a test can run
	// "rate(1 minute)" every 60 ms with Scale 0.001.
	Scale float64
	// Interval, when positive, replaces every rule's period.
	Interval time.Duration
	// Now returns the event time (default time.Now).
	Now func() time.Time
	// Logger logs fired rules and failed invocations (default
	// slog.Default()).
	Logger *slog.Logger
}

// Runner fires rules. Its methods are safe for concurrent use.
type Runner struct {
	cfg     Config
	periods []time.Duration // per rule, after Scale and Interval
}

// New validates every rule's expression and Input and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.Invoker == nil {
		return nil, errors.New("schedule: Config.Invoker is nil")
	}
	if t := cfg.Template; t != nil {
		cfg.Rules = append(Rules(t), cfg.Rules...)
		if cfg.Region == "" {
			cfg.Region = t.Region
		}
		if cfg.AccountID == "" {
			cfg.AccountID = t.AccountID
		}
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Scale <= 0 {
		cfg.Scale = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Runner{cfg: cfg}
	for _, r := range cfg.Rules {
		period, err := ParseRate(r.Expression)
		if err != nil {
			return nil, fmt.Errorf("schedule: rule %s (%s): %w", r.Name, r.Function, err)
		}
		if r.Input != "" && !json.Valid([]byte(r.Input)) {
			return nil, fmt.Errorf("schedule: rule %s (%s): Input is not JSON", r.Name, r.Function)
		}
		if cfg.Interval > 0 {
			period = cfg.Interval
		} else {
			period = time.Duration(float64(period) * cfg.Scale)
		}
		if period <= 0 {
			period = time.Millisecond
		}
		s.periods = append(s.periods, period)
	}
	return s, nil
}

// Rules returns a rule for every Schedule event of the template's
// functions, ordered by function then event name.
func Rules(t *template.Template) []Rule {
	ids := make([]string, 0, len(t.Functions))
	for id := range t.Functions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var rules []Rule
	for _, id := range ids {
		for _, e := range t.Functions[id].Schedules {
			rules = append(rules, Rule{Name: e.RuleName, Function: id, Expression: e.Expression, Enabled: e.Enabled, Input: e.Input})
		}
	}
	return rules
}

// ParseRate parses an EventBridge rate expression: rate(1 minute),
// rate(N minutes), rate(1 hour), rate(N hours), rate(1 day), rate(N days).
// As in EventBridge, the unit is singular for 1 and plural otherwise.
// cron(...) expressions are reported as unsupported.
func ParseRate(expr string) (time.Duration, error) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "cron(") {
		return 0, fmt.Errorf("%s: cron expressions are not supported by the local runner; use rate(...)", expr)
	}
	inner, hasPrefix := strings.CutPrefix(expr, "rate(")
	inner, hasSuffix := strings.CutSuffix(inner, ")")
	if !hasPrefix || !hasSuffix {
		return 0, fmt.Errorf("%q is not a rate(...) expression", expr)
	}
	fields := strings.Fields(inner)
	if len(fields) != 2 {
		return 0, fmt.Errorf("%q: want rate(<number> <unit>)", expr)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q: the value must be a positive whole number", expr)
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit := fields[1]
	if n > 1 {
		var plural bool
		if unit, plural = strings.CutSuffix(unit, "s"); !plural {
			return 0, fmt.Errorf("%q: use the plural unit for values above 1", expr)
		}
	}
	d, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unit must be minute(s), hour(s) or day(s)", expr)
	}
	return time.Duration(n) * d, nil
}

// Run fires the enabled rules on their periods until ctx ends, then waits
// for the invocations in flight and returns nil.
func (s *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for i, r := range s.cfg.Rules {
		if !r.Enabled {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, r, s.periods[i], &wg)
		}()
	}
	<-ctx.Done()
	wg.Wait()
	return nil
}

// loop fires one rule every period; each firing runs on its own, as
// EventBridge does not wait for the previous invocation.
func (s *Runner) loop(ctx context.Context, r Rule, period time.Duration, wg *sync.WaitGroup) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.fire(ctx, r); err != nil && ctx.Err() == nil {
					s.cfg.Logger.Warn("schedule: invocation failed", "rule", r.Name, "function", r.Function, "err", err.Error())
				}
			}()
		}
	}
}

// Fire fires every rule that targets function now, enabled or not, and
// waits for the invocations. It reports the invocation errors.
func (s *Runner) Fire(ctx context.Context, function string) error {
	var errs []error
	found := false
	for _, r := range s.cfg.Rules {
		if r.Function != function {
			continue
		}
		found = true
		if err := s.fire(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("schedule: rule %s: %w", r.Name, err))
		}
	}
	if !found {
		return fmt.Errorf("schedule: no rule targets function %s", function)
	}
	return errors.Join(errs...)
}

func (s *Runner) fire(ctx context.Context, r Rule) error {
	payload := []byte(r.Input)
	if r.Input == "" {
		payload = s.event(r, s.cfg.Now())
	}
	s.cfg.Logger.Debug("schedule: firing", "rule", r.Name, "function", r.Function)
	_, err := s.cfg.Invoker.Invoke(ctx, r.Function, payload)
	return err
}

// event builds the EventBridge "Scheduled Event" for r at t.
func (s *Runner) event(r Rule, t time.Time) []byte {
	e := events.CloudWatchEvent{
		Version:    "0",
		ID:         newUUID(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  s.cfg.AccountID,
		Time:       t.UTC().Truncate(time.Second),
		Region:     s.cfg.Region,
		Resources:  []string{"arn:aws:events:" + s.cfg.Region + ":" + s.cfg.AccountID + ":rule/" + r.Name},
		Detail:     json.RawMessage(`{}`),
	}
	b, _ := json.Marshal(e) // cannot fail: plain strings and a valid RawMessage
	return b
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
