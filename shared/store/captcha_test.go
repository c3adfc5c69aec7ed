package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// offClock is a settable clock for the offline-form and mailer tests.
type offClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *offClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *offClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// newOfflineStore returns a store on a fresh table with a pinned clock and
// the site "s1".
func newOfflineStore(t *testing.T) (*store.Store, *offClock) {
	t.Helper()
	client, table := dynamolocal.NewTestTable(t)
	clk := &offClock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	st := store.New(client, table, clk.Now)
	if err := st.CreateSite(context.Background(), &livehelp.Site{ID: "s1", Name: "Site one", URL: "https://s1.example/help"}); err != nil {
		t.Fatal(err)
	}
	return st, clk
}

func TestCaptchaSingleUse(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	put := func(id string) {
		t.Helper()
		if err := st.PutCaptcha(ctx, "s1", id, []byte{4, 0, 7, 1, 9, 2}, clk.Now().Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	put("A")
	if err := st.PutCaptcha(ctx, "s1", "A", []byte{1}, clk.Now().Add(time.Minute)); !livehelp.IsCode(err, livehelp.ECONFLICT) {
		t.Fatalf("a taken id: %v, want conflict", err)
	}
	d, err := st.CaptchaDigits(ctx, "s1", "A")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]byte{4, 0, 7, 1, 9, 2}, d); diff != "" {
		t.Errorf("digits (-want +got):\n%s", diff)
	}
	if _, err := st.CaptchaDigits(ctx, "s2", "A"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("another site's challenge: %v, want not_found", err)
	}

	steps := []struct {
		name, site, id, answer, cid, want string
	}{
		{"other site", "s2", "A", "407192", "c1", store.CaptchaExpired},
		{"right answer", "s1", "A", "407192", "c1", store.CaptchaSolved},
		{"retry of the same message", "s1", "A", "407192", "c1", store.CaptchaSolved},
		{"replay by another message", "s1", "A", "407192", "c2", store.CaptchaExpired},
		{"unknown id", "s1", "nope", "407192", "c1", store.CaptchaExpired},
	}
	for _, s := range steps {
		got, err := st.SolveCaptcha(ctx, s.site, s.id, s.answer, s.cid)
		if err != nil || got != s.want {
			t.Errorf("%s: SolveCaptcha = %q, %v; want %q", s.name, got, err, s.want)
		}
	}
	if _, err := st.CaptchaDigits(ctx, "s1", "A"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("a used challenge is still drawn: %v", err)
	}

	put("B")
	if got, err := st.SolveCaptcha(ctx, "s1", "B", "000000", "c3"); err != nil || got != store.CaptchaWrong {
		t.Fatalf("wrong answer: %q, %v", got, err)
	}
	if got, _ := st.SolveCaptcha(ctx, "s1", "B", "407192", "c3"); got != store.CaptchaExpired {
		t.Errorf("the right answer after a wrong one: %q, want expired (burnt)", got)
	}

	put("C")
	clk.Add(10 * time.Minute)
	if got, _ := st.SolveCaptcha(ctx, "s1", "C", "407192", "c4"); got != store.CaptchaExpired {
		t.Errorf("an expired challenge: %q, want expired", got)
	}
	if _, err := st.CaptchaDigits(ctx, "s1", "C"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("an expired challenge is still drawn: %v", err)
	}
}

func TestCaptchaConcurrentSolveOnce(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	if err := st.PutCaptcha(ctx, "s1", "R", []byte{1, 2, 3, 4, 5, 6}, clk.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Go(func() {
			got, err := st.SolveCaptcha(ctx, "s1", "R", "123456", "cid-"+string(rune('a'+i)))
			if err != nil {
				t.Error(err)
			}
			results[i] = got
		})
	}
	wg.Wait()
	solved := 0
	for _, r := range results {
		if r == store.CaptchaSolved {
			solved++
		}
	}
	if solved != 1 {
		t.Errorf("%d of 8 concurrent answers were accepted, want exactly 1 (%v)", solved, results)
	}
}

func TestTakeCaptcha(t *testing.T) {
	ctx := context.Background()
	st, clk := newOfflineStore(t)
	if err := st.PutCaptcha(ctx, "s1", "T", []byte{9, 9}, clk.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	d, err := st.TakeCaptcha(ctx, "s1", "T")
	if err != nil || string(d) != "\x09\x09" {
		t.Fatalf("TakeCaptcha = %v, %v", d, err)
	}
	if _, err := st.TakeCaptcha(ctx, "s1", "T"); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("second take: %v, want not_found", err)
	}
}
