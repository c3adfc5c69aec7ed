package browsertest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// formState reads the offline form: values, per-field errors, aria-invalid
// and the general note.
type formState struct {
	Values  map[string]string `json:"values"`
	Errors  map[string]string `json:"errors"`
	Invalid map[string]string `json:"invalid"`
	Note    string            `json:"note"`
}

const readForm = `(() => { const o = {values: {}, errors: {}, invalid: {}, note: txt('.g') || ''};
	for (const k of ['name', 'email', 'subject', 'message']) {
		const f = $('#lh-' + k); o.values[k] = f.value; o.invalid[k] = f.getAttribute('aria-invalid');
		const e = $('#' + f.getAttribute('aria-describedby')); if (e.textContent) o.errors[k] = e.textContent;
	}
	return o; })()`

func (b *browser) form() formState {
	b.t.Helper()
	var s formState
	b.evalJSON(readForm, &s)
	return s
}

// fillForm types into the four fields of the offline form.
func (b *browser) fillForm(v map[string]string) {
	b.t.Helper()
	for _, k := range []string{"name", "email", "subject", "message"} {
		if s, ok := v[k]; ok {
			b.exec(`$('#lh-` + k + `').value = ''`)
			b.typeInto("#lh-"+k, s)
		}
	}
}

// TestWidgetOfflineForm walks the offline form: client-side checks, the
// server's per-field errors next to their fields, a failed send that keeps
// the text, then success with the auto-reply and the chat panel opening in
// the same conversation. Every try of one message carries one client_id.
func TestWidgetOfflineForm(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	answers := []struct {
		code int
		body any
	}{
		{400, map[string]any{"error": map[string]any{"code": "invalid", "message": "Some fields need attention.",
			"fields": map[string]string{"email": "This address cannot receive mail.", "subject": "<img src=x onerror=alert(1)> is too long"}}}},
		{503, map[string]any{"error": map[string]any{"code": "internal", "message": "Something went wrong."}}},
		{400, map[string]any{"error": map[string]any{"code": "invalid", "message": "The form has expired. Please send your message again.",
			"fields": map[string]string{"form_token": "expired"}}}},
		{201, map[string]any{"conversation": map[string]any{"id": "c1", "status": "offline", "seq": 1, "read": 0},
			"message": map[string]any{"seq": 1}, "auto_reply": "Thanks! We answer within a day.", "duplicate": false}},
	}
	f.set(func(f *fakeAPI) {
		f.offline = func(body map[string]any) (int, any) {
			a := answers[0]
			answers = answers[1:]
			if a.code == 201 {
				f.conv = &fakeConv{ID: "c1", Status: "offline", CIDs: map[string]int{}}
				f.conv.add("visitor", body["message"], body["client_id"].(string))
			}
			return a.code, a.body
		}
	})
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL(""))
	b.click(".b")
	b.waitFor("the form", `$('#lh-name') && S.activeElement === $('#lh-name')`, 5*time.Second)

	// Empty: four messages, nothing sent.
	b.clickText("Send message")
	got := b.form()
	want := formState{
		Values:  map[string]string{"name": "", "email": "", "subject": "", "message": ""},
		Errors:  map[string]string{"name": "Please fill in this field.", "email": "Please fill in this field.", "subject": "Please fill in this field.", "message": "Please fill in this field."},
		Invalid: map[string]string{"name": "true", "email": "true", "subject": "true", "message": "true"},
		Note:    "Please correct the fields marked below.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty form (-want +got):\n%s", diff)
	}
	if focus := b.str(`S.activeElement && S.activeElement.id`); focus != "lh-name" {
		t.Errorf("focus after a failed check on %q, want the first bad field", focus)
	}
	b.shot("form-client-errors")

	// A malformed email is caught before sending.
	typed := map[string]string{"name": "Ann Visitor", "email": "ann@", "subject": "Order 1234", "message": "Where is my tea?\nIt has been a week."}
	b.fillForm(typed)
	b.clickText("Send message")
	if got := b.form(); got.Errors["email"] != "Please enter a valid email address." || len(got.Errors) != 1 {
		t.Errorf("malformed email: errors %v", got.Errors)
	}
	b.fillForm(map[string]string{"email": "ann@example.com"})
	typed["email"] = "ann@example.com"

	// 400: the server's messages next to their fields, as text.
	b.clickText("Send message")
	b.waitFor("the server's field errors", `txt('#lh-email-e') === "This address cannot receive mail."`, 5*time.Second)
	got = b.form()
	if diff := cmp.Diff(map[string]string{"email": "This address cannot receive mail.", "subject": "<img src=x onerror=alert(1)> is too long"}, got.Errors); diff != "" {
		t.Errorf("server field errors (-want +got):\n%s", diff)
	}
	if got.Note != "Some fields need attention." || got.Invalid["email"] != "true" || got.Invalid["name"] != "false" {
		t.Errorf("after 400: note %q invalid %v", got.Note, got.Invalid)
	}
	if diff := cmp.Diff(typed, got.Values); diff != "" {
		t.Errorf("typed text after 400 (-want +got):\n%s", diff)
	}
	if n := b.num(`S.querySelectorAll('img:not(.img)').length`); n != 0 {
		t.Errorf("a field error made %v img elements", n)
	}
	b.shot("form-server-errors")

	// 503: not sent yet, everything kept.
	b.clickText("Send message")
	b.waitFor("the could-not-send note", `(txt('.g') || '').includes('could not be sent yet')`, 5*time.Second)
	if got := b.form(); !cmp.Equal(typed, got.Values) || len(got.Errors) != 0 {
		t.Errorf("after 503: values %v errors %v", got.Values, got.Errors)
	}

	// The form token expired: the widget gets a new one; the next try goes.
	b.clickText("Send message")
	b.waitFor("the expired note", `txt('.g') === 'The form has expired. Please send your message again.'`, 5*time.Second)
	if got := b.form(); !cmp.Equal(typed, got.Values) {
		t.Errorf("after an expired form: values %v", got.Values)
	}

	// 201: the auto-reply, then the chat in the same conversation.
	b.clickText("Send message")
	b.waitFor("the auto-reply in the chat", `$('ol') && $('ol').isConnected && $('ol').textContent.includes('Thanks! We answer within a day.')`, 5*time.Second)
	hello := f.waitFrames("hello", 1, 5*time.Second)
	b.waitFor("the sent message in the conversation", `[...S.querySelectorAll('li.me')].some(li => li.textContent.includes('Where is my tea?'))`, 5*time.Second)
	if hello[0]["action"] != "hello" {
		t.Errorf("hello frame %v", hello[0])
	}
	if conv := b.str(`localStorage.getItem('livehelp:demo:conv')`); conv != "c1" {
		t.Errorf("stored conversation %q, want c1", conv)
	}
	b.shot("form-sent-chat")

	f.mu.Lock()
	posts := f.posts
	f.mu.Unlock()
	if len(posts) != 4 {
		t.Fatalf("%d posts, want 4", len(posts))
	}
	var tokens []any
	for i, p := range posts {
		tokens = append(tokens, p["form_token"])
		if p["client_id"] != posts[0]["client_id"] || p["client_id"] == "" {
			t.Errorf("post %d client_id %v, first %v: a retry must reuse it", i, p["client_id"], posts[0]["client_id"])
		}
		if p["authorization"] != "Bearer visitor-token-1" {
			t.Errorf("post %d authorization %v", i, p["authorization"])
		}
		if p["message"] != "Where is my tea?\nIt has been a week." || p["email"] != "ann@example.com" {
			t.Errorf("post %d body %v", i, p)
		}
	}
	if diff := cmp.Diff([]any{"form-1", "form-1", "form-1", "form-2"}, tokens); diff != "" {
		t.Errorf("form tokens (-want +got):\n%s", diff)
	}
	b.checkHostUnharmed()
}

// TestWidgetAPIDown checks an unreachable API: the button says Leave a
// message, the form says the message could not be sent yet and keeps what
// was typed, the host page keeps working, and a later try goes through.
func TestWidgetAPIDown(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.setStatus("online", nil) // what it would say if it were reachable
	f.setDown(true)
	b := newBrowser(t, 1024, 760)
	b.open(f.pageURL(""))
	b.waitFor("Leave a message", `txt('.b') === 'Leave a message'`, 5*time.Second)
	b.click(".b")
	b.waitFor("the form", `$('#lh-name') && !$('.p').hidden`, 5*time.Second)
	typed := map[string]string{"name": "Bob", "email": "bob@example.com", "subject": "Hello", "message": "Are you open on Sunday?"}
	b.fillForm(typed)
	b.clickText("Send message")
	b.waitFor("the could-not-send note", `txt('.g') === 'Your message could not be sent yet. Please try again in a moment; what you typed is kept.'`, 10*time.Second)
	if got := b.form(); !cmp.Equal(typed, got.Values) {
		t.Errorf("typed text lost: %v", got.Values)
	}
	b.shot("api-down-form")

	// The host page still works: its ticker runs and its button answers.
	b.checkHostUnharmed()
	b.exec(`document.getElementById('add').click()`)
	if got := b.str(`document.getElementById('basket').textContent`); got != "Basket: 1" {
		t.Errorf("the host page's button gives %q", got)
	}

	// The API comes back: the same form sends.
	f.setDown(false)
	b.clickText("Send message")
	b.waitFor("the thank-you after recovery", `$('ol') && $('ol').isConnected && $('ol').textContent.includes('Thank you, your message has been sent.')`, 10*time.Second)
	b.checkHostUnharmed()
}
