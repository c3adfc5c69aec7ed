package browsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"time"
)

// fakeForm is the offline API's form state: form tokens with the time each
// was opened, and the one live CAPTCHA when spam protection is on.
type fakeForm struct {
	spam       bool          // the site wants a CAPTCHA
	minFill    time.Duration // between opening the form and sending it
	opened     map[string]time.Time
	captchaID  string // the live challenge; its answer is captchaAnswer
	challenges int
	imageGets  int
}

const captchaAnswer = "123456"

// formFields are the fields POST /messages knows; any other is refused, as
// the real handler decodes strictly.
var formFields = map[string]bool{"name": true, "email": true, "subject": true, "message": true, "client_id": true,
	"form_token": true, "captcha_id": true, "captcha": true, "website": true}

func formError(w http.ResponseWriter, code int, message string, fields map[string]string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": "invalid", "message": message, "fields": fields}})
}

// visitors issues the visitor token, or binds a resume link's visitor.
// The caller holds f.mu.
func (f *fakeAPI) visitors(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Resume string `json:"resume"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	switch body.Resume {
	case "":
		f.tokens++
		writeJSON(w, 201, map[string]any{"visitor": "v1", "token": "visitor-token-1"})
	case "resume-token-123":
		resp := map[string]any{"visitor": "v1", "token": "visitor-token-1"}
		if f.conv != nil {
			resp["conversation"] = f.conv.view()
		}
		writeJSON(w, 200, resp)
	default:
		writeJSON(w, 401, map[string]any{"error": map[string]any{"code": "unauthorized",
			"message": "This link has expired or is not valid; open the chat to write to us.", "fields": map[string]string{"resume": "expired"}}})
	}
}

// openForm answers GET /captcha: a form token, and a new challenge when
// spam protection is on. The caller holds f.mu.
func (f *fakeAPI) openForm(w http.ResponseWriter) {
	if f.form.opened == nil {
		f.form.opened = map[string]time.Time{}
	}
	tok := fmt.Sprintf("form-%d", len(f.form.opened)+1)
	f.form.opened[tok] = time.Now()
	resp := map[string]any{"form_token": tok, "min_seconds": int((f.form.minFill + time.Second - 1) / time.Second), "captcha": f.form.spam}
	if f.form.spam {
		f.form.challenges++
		f.form.captchaID = fmt.Sprintf("cap-%d", f.form.challenges)
		base := "/v1/sites/demo/captcha/" + f.form.captchaID
		resp["id"], resp["image"], resp["audio"], resp["expires_in"] = f.form.captchaID, base+".png", base+".wav", 600
	}
	writeJSON(w, 200, resp)
}

// captchaImage serves a small grey PNG for any challenge.
func (f *fakeAPI) captchaImage(w http.ResponseWriter, _ *http.Request) {
	f.form.imageGets++
	img := image.NewGray(image.Rect(0, 0, 120, 40))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(10, 10, color.Black)
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(buf.Bytes())
}

// message checks an offline form post as the real handler does (fields,
// form token and its minimum fill time, CAPTCHA), then answers with
// f.offline or 201. The caller holds f.mu.
func (f *fakeAPI) message(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		formError(w, 400, "The form could not be read; reload the page and try again.", nil)
		return
	}
	for k := range body {
		if !formFields[k] {
			formError(w, 400, "The form could not be read; reload the page and try again.", nil)
			return
		}
	}
	body["authorization"] = r.Header.Get("Authorization")
	body["at"] = time.Now()
	f.posts = append(f.posts, body)
	if body["authorization"] != "Bearer visitor-token-1" {
		writeJSON(w, 401, map[string]any{"error": map[string]any{"code": "unauthorized", "message": "A visitor token is required."}})
		return
	}
	tok, _ := body["form_token"].(string)
	opened, ok := f.form.opened[tok]
	switch {
	case !ok:
		formError(w, 400, "The form has expired. Please send your message again.", map[string]string{"form_token": "expired"})
		return
	case time.Since(opened) < f.form.minFill:
		formError(w, 400, "That was quick! Please check your message, then send it again.", map[string]string{"form_token": "too_fast"})
		return
	}
	if f.form.spam {
		id, answer := body["captcha_id"], body["captcha"]
		live := f.form.captchaID
		f.form.captchaID = "" // every answer spends the challenge
		if id != live || answer != captchaAnswer {
			formError(w, 400, "Please check the code in the picture.", map[string]string{"captcha": "The characters did not match. Type the characters of the new picture."})
			return
		}
	}
	if f.offline != nil {
		code, resp := f.offline(body)
		writeJSON(w, code, resp)
		return
	}
	if f.conv == nil {
		f.conv = &fakeConv{ID: "c1", Status: "offline", CIDs: map[string]int{}}
	}
	m := f.conv.add("visitor", body["message"], body["client_id"].(string))
	writeJSON(w, 201, map[string]any{"conversation": f.conv.view(), "message": map[string]any{"seq": m["seq"], "client_id": m["client_id"]},
		"auto_reply": "", "duplicate": false})
}
