package security_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
)

// formIDs numbers offline messages' client ids across tests.
var formIDs atomic.Int64

// openedForm is the answer to GET …/captcha: the form token and, with spam
// protection on, a challenge.
type openedForm struct {
	FormToken  string `json:"form_token"`
	MinSeconds int    `json:"min_seconds"`
	Captcha    bool   `json:"captcha"`
	ID         string `json:"id"`
	Image      string `json:"image"`
}

// openForm opens the offline form from client (its address counts for the
// rate limits).
func openForm(ctx context.Context, t *testing.T, client *http.Client, ts *testSite) openedForm {
	t.Helper()
	status, body, err := chatclient.DoWith(ctx, client, http.MethodGet, ts.s.RestURL+"/v1/sites/"+ts.id+"/captcha", ts.s.DemoOrigin, "", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("open form: %d %s %v", status, body, err)
	}
	var f openedForm
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// waitFill waits out the forms' minimum fill time.
func waitFill(forms ...openedForm) {
	longest := 0
	for _, f := range forms {
		longest = max(longest, f.MinSeconds)
	}
	time.Sleep(time.Duration(longest)*time.Second + 200*time.Millisecond)
}

// formMessage is the body of POST …/messages.
func formMessage(f openedForm, email, clientID string) map[string]string {
	if clientID == "" {
		clientID = fmt.Sprintf("sec-form-%d", formIDs.Add(1))
	}
	return map[string]string{"name": "Dana", "email": email, "subject": "A question", "message": "Where is my parcel?",
		"client_id": clientID, "form_token": f.FormToken}
}

// postForm posts an offline message as the visitor holding token, from
// client, and returns the status and body.
func postForm(ctx context.Context, t *testing.T, client *http.Client, ts *testSite, token string, body map[string]string) (int, []byte) {
	t.Helper()
	status, data, err := chatclient.DoWith(ctx, client, http.MethodPost, ts.s.RestURL+"/v1/sites/"+ts.id+"/messages", ts.s.DemoOrigin, token, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, data
}
