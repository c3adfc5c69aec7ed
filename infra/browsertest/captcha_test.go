package browsertest

import (
	"testing"
	"time"
)

// TestWidgetCaptcha runs the offline form of a site with spam protection:
// the CAPTCHA image comes from the API, a wrong answer shows its message
// next to the field with a new challenge, and the widget waits out the
// form's minimum fill time instead of being refused as too fast.
func TestWidgetCaptcha(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	f.set(func(f *fakeAPI) { f.form.spam, f.form.minFill = true, 3*time.Second })
	b := newBrowser(t, 1024, 800)
	b.open(f.pageURL(""))
	b.click(".b")
	b.waitFor("the CAPTCHA image", `$('.img') && !$('.img').parentNode.hidden && $('.img').complete && $('.img').naturalWidth === 120`, 5*time.Second)
	opened := time.Now()
	if src := b.str(`$('.img').src`); src != f.rest()+"/v1/sites/demo/captcha/cap-1.png" {
		t.Errorf("CAPTCHA image %q", src)
	}
	if b.str(`[...S.querySelectorAll('button')].some(e => e.textContent === 'Listen')`) != "true" {
		t.Errorf("no audio alternative to the picture")
	}
	// Filled at once, as a password manager or a fast typist might.
	b.exec(`Object.entries({name: 'Eve', email: 'eve@example.com', subject: 'Hi', message: 'Hello?', captcha: '000000'}).forEach(([k, v]) => { $('#lh-' + k).value = v; })`)
	b.clickText("Send message")
	b.waitFor("the CAPTCHA error", `txt('#lh-captcha-e') === 'The characters did not match. Type the characters of the new picture.'`, 10*time.Second)
	f.mu.Lock()
	first := f.posts[0]
	f.mu.Unlock()
	if waited := first["at"].(time.Time).Sub(opened); waited < 2500*time.Millisecond {
		t.Errorf("the form was posted %v after it opened, before its minimum fill time", waited)
	}
	if first["captcha_id"] != "cap-1" || first["captcha"] != "000000" {
		t.Errorf("first post %v", first)
	}
	b.waitFor("a new challenge", `$('.img').src.endsWith('/cap-2.png') && $('#lh-captcha').value === ''`, 5*time.Second)
	if got := b.str(`$('#lh-captcha').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("captcha aria-invalid %q", got)
	}
	b.shot("form-captcha")
	b.typeInto("#lh-captcha", captchaAnswer)
	b.clickText("Send message")
	b.waitFor("the thank-you", `$('ol') && $('ol').isConnected && $('ol').textContent.includes('Thank you, your message has been sent.')`, 10*time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.posts) != 2 || f.posts[1]["captcha_id"] != "cap-2" || f.posts[1]["form_token"] != "form-1" {
		t.Errorf("posts %v, want a second one with the new challenge and the first form token", f.posts)
	}
}
