package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/email"
	"github.com/livehelp/livehelp/shared/livehelp"
)

func formJSON(t testing.TB, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseForm(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"name": "Dana", "email": "dana@example.org", "subject": "Parcel",
			"message": "Where is my parcel?", "client_id": "c-1", "form_token": "t"}
	}
	cases := []struct {
		name   string
		change map[string]any
		fields []string // fields with an error; nil: valid
	}{
		{"valid", nil, nil},
		{"everything empty", map[string]any{"name": " ", "email": "", "subject": "\t", "message": "\n \n", "client_id": ""},
			[]string{"client_id", "email", "message", "name", "subject"}},
		{"bad email", map[string]any{"email": "dana@"}, []string{"email"}},
		{"email with a header", map[string]any{"email": "dana@example.org\r\nBcc: x@example.net"}, []string{"email"}},
		{"email with a display name", map[string]any{"email": "Dana <dana@example.org>"}, []string{"email"}},
		{"name too long", map[string]any{"name": strings.Repeat("é", 101)}, []string{"name"}},
		{"name at the limit", map[string]any{"name": strings.Repeat("é", 100)}, nil},
		{"subject too long", map[string]any{"subject": strings.Repeat("s", 201)}, []string{"subject"}},
		{"message too long", map[string]any{"message": strings.Repeat("я", 2049)}, []string{"message"}},
		{"message at the limit", map[string]any{"message": strings.Repeat("я", 2048)}, nil},
		{"control characters", map[string]any{"message": "a\x00b"}, []string{"message"}},
		{"bad client id", map[string]any{"client_id": "a b"}, []string{"client_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base()
			for k, v := range c.change {
				m[k] = v
			}
			_, err := parseForm(formJSON(t, m))
			var got []string
			for k := range livehelp.ErrorFields(err) {
				got = append(got, k)
			}
			if c.fields == nil && err != nil {
				t.Fatalf("err = %v", err)
			}
			if c.fields != nil && !livehelp.IsCode(err, livehelp.EINVALID) {
				t.Fatalf("err = %v, want invalid", err)
			}
			for k, msg := range livehelp.ErrorFields(err) {
				if len(msg) < 15 || !strings.HasSuffix(msg, ".") {
					t.Errorf("field %s: %q is not a sentence a person can act on", k, msg)
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(c.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFormCleans(t *testing.T) {
	f, err := parseForm(formJSON(t, map[string]any{"name": "  Dana\r\nBcc: x@example.net ", "email": " dana@example.org ",
		"subject": "Re:\u2028 <b>hi</b>\x85", "message": "line 1\r\nline 2\r\n", "client_id": "c", "form_token": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	want := form{Name: "Dana Bcc: x@example.net", Email: "dana@example.org", Subject: "Re: <b>hi</b>",
		Message: "line 1\nline 2", ClientID: "c", FormToken: "t"}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("cleaned form (-want +got):\n%s", diff)
	}
	for _, body := range []string{`{"name": 1}`, `[]`, `{"unknown": "x"}`, `{} {}`, ``, `{"captcha": "` + strings.Repeat("1", 33) + `"}`} {
		if _, err := parseForm([]byte(body)); !livehelp.IsCode(err, livehelp.EINVALID) {
			t.Errorf("parseForm(%q) = %v, want invalid", body, err)
		}
	}
}

// FuzzParseForm feeds the form parser arbitrary bodies: it never panics,
// and what it accepts keeps every promise made to the store and to email
// headers. Seeds live in testdata/fuzz/FuzzParseForm.
func FuzzParseForm(f *testing.F) {
	f.Add([]byte(`{"name":"Dana","email":"dana@example.org","subject":"Hi","message":"Hello","client_id":"c1","form_token":"t"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseForm(body)
		if err != nil {
			if !livehelp.IsCode(err, livehelp.EINVALID) {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		for name, v := range map[string]string{"name": got.Name, "subject": got.Subject} {
			if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == 0x85 }) {
				t.Fatalf("%s %q is empty or breaks a line", name, v)
			}
			if v != strings.TrimSpace(v) || strings.Contains(v, "  ") {
				t.Fatalf("%s %q is not on one line with single spaces", name, v)
			}
		}
		if utf8.RuneCountInString(got.Name) > maxNameRunes || utf8.RuneCountInString(got.Subject) > maxSubjectRunes {
			t.Fatalf("name or subject over the limit: %q %q", got.Name, got.Subject)
		}
		if a, err := email.ParseAddress(got.Email); err != nil || a != got.Email {
			t.Fatalf("accepted address %q does not parse: %v", got.Email, err)
		}
		if clean, err := livehelp.CleanText(got.Message); err != nil || clean != got.Message {
			t.Fatalf("accepted text %q is not clean: %v", got.Message, err)
		}
		if !livehelp.ValidClientID(got.ClientID) {
			t.Fatalf("accepted client id %q", got.ClientID)
		}
		again, err := parseForm(formJSON(t, map[string]any{"name": got.Name, "email": got.Email, "subject": got.Subject,
			"message": got.Message, "client_id": got.ClientID, "form_token": got.FormToken, "captcha_id": got.CaptchaID,
			"captcha": got.Captcha, "website": got.Website}))
		if err != nil {
			t.Fatalf("a cleaned form is refused: %v", err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("cleaning twice changes the form (-once +twice):\n%s", diff)
		}
	})
}
