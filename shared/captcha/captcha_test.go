package captcha_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"testing"
	"time"

	dc "github.com/dchest/captcha"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/shared/captcha"
	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/store"
)

// TestMain runs the tests on DynamoDB Local (see package dynamolocal).
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*captcha.Service, *store.Store, *clock) {
	t.Helper()
	client, table := dynamolocal.NewTestTable(t)
	clk := &clock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	st := store.New(client, table, clk.now)
	return captcha.New(st, clk.now), st, clk
}

// answer reads a challenge's solution the way the image shows it.
func answer(t *testing.T, st *store.Store, site, id string) string {
	t.Helper()
	d, err := st.CaptchaDigits(context.Background(), site, id)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = '0' + v
	}
	return string(b)
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := newService(t)
	id, err := svc.Create(ctx, "s1")
	if err != nil || !captcha.ValidID(id) {
		t.Fatalf("Create = %q, %v", id, err)
	}
	right := answer(t, st, "s1", id)
	spaced := right[:3] + " " + right[3:]

	second, _ := svc.Create(ctx, "s1")
	secondRight := answer(t, st, "s1", second)
	third, _ := svc.Create(ctx, "s1")
	steps := []struct {
		name, site, id, answer, cid string
		ok                          bool
	}{
		{"no answer", "s1", id, "", "c1", false},
		{"no id", "s1", "", right, "c1", false},
		{"another site", "s2", id, right, "c1", false},
		{"right, typed with a space", "s1", id, spaced, "c1", true},
		{"the same message again", "s1", id, right, "c1", true},
		{"replayed for another message", "s1", id, right, "c2", false},
		{"wrong", "s1", second, wrong(secondRight), "c3", false},
		{"right after wrong (burnt)", "s1", second, secondRight, "c3", false},
		{"letters", "s1", third, "abc", "c4", false},
	}
	for _, s := range steps {
		err := svc.Verify(ctx, s.site, s.id, s.answer, s.cid)
		if s.ok && err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
		if !s.ok {
			if !livehelp.IsCode(err, livehelp.EINVALID) || livehelp.ErrorFields(err)["captcha"] == "" {
				t.Errorf("%s: err = %v, want invalid on the captcha field", s.name, err)
			}
		}
	}
	if _, err := st.CaptchaDigits(ctx, "s1", third); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("a challenge answered with letters is still live: %v", err)
	}

	late, _ := svc.Create(ctx, "s1")
	lateAnswer := answer(t, st, "s1", late)
	clk.t = clk.t.Add(captcha.Life)
	if err := svc.Verify(ctx, "s1", late, lateAnswer, "c5"); !livehelp.IsCode(err, livehelp.EINVALID) {
		t.Errorf("expired challenge: %v, want invalid", err)
	}
}

// wrong returns an answer that differs from right.
func wrong(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

func TestDraw(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	id, err := svc.Create(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := svc.WriteImage(ctx, &img, "s1", id); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&img)
	if err != nil || cfg.Width != captcha.Width || cfg.Height != captcha.Height {
		t.Errorf("image: %+v, %v", cfg, err)
	}
	var wav bytes.Buffer
	if err := svc.WriteAudio(ctx, &wav, "s1", id, "ru"); err != nil {
		t.Fatal(err)
	}
	if b := wav.Bytes(); len(b) < 1000 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Errorf("audio is not a WAV file (%d bytes)", wav.Len())
	}
	for _, bad := range []string{"unknownunknownunknow", "../../etc/passwd", ""} {
		if err := svc.WriteImage(ctx, &img, "s1", bad); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
			t.Errorf("WriteImage(%q) = %v, want not_found", bad, err)
		}
	}
	if err := svc.WriteImage(ctx, &img, "s2", id); !livehelp.IsCode(err, livehelp.ENOTFOUND) {
		t.Errorf("another site's challenge drawn: %v", err)
	}
}

// TestLibraryStore runs dchest/captcha's own New and VerifyString on the
// table through SiteStore: single use holds there too.
func TestLibraryStore(t *testing.T) {
	svc, st, _ := newService(t)
	dc.SetCustomStore(svc.ForSite(context.Background(), "s1"))
	id := dc.New()
	right := answer(t, st, "s1", id)
	if !dc.VerifyString(id, right) {
		t.Fatal("the right answer was refused")
	}
	if dc.VerifyString(id, right) {
		t.Error("a challenge verified twice")
	}
	if dc.Reload("nonexistent") {
		t.Error("Reload of an unknown challenge succeeded")
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"123456", "123456", true},
		{" 12 34-56 ", "123456", true},
		{"12a456", "", false},
		{"", "", false},
		{"١٢٣", "", false}, // Arabic-Indic digits are not what the image shows
	}
	for _, c := range cases {
		got, ok := captcha.Normalize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
