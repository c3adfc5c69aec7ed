package sesmail

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/google/go-cmp/cmp"
)

func TestPageEscapesMail(t *testing.T) {
	_, srv := start(t, Config{})
	status, empty := do(t, http.MethodGet, srv.URL+"/", "")
	if status != http.StatusOK || !strings.Contains(empty, "No mail yet.") {
		t.Fatalf("empty page: %d %q", status, empty)
	}
	api := client(srv, 1)
	first := simple("noreply@livehelp.example", []string{"visitor@example.com"}, "First", "plain", "")
	evil := simple(`"<b>Eve</b>" <eve@example.com>`, []string{"visitor@example.com"},
		`<script>alert("subject")</script>`, `<b>bold</b> & <i>more</i>`, `<img src=x onerror=alert(1)>`)
	for _, in := range []*sesv2.SendEmailInput{first, evil} {
		if _, err := api.SendEmail(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	_, page := do(t, http.MethodGet, srv.URL+"/", "")
	for _, raw := range []string{"<script>", "<b>bold</b>", "<img src=x", "<b>Eve</b>"} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	for _, escaped := range []string{
		"&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;",
		"&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;more&lt;/i&gt;",
		"&lt;img src=x onerror=alert(1)&gt;",
		"visitor@example.com",
	} {
		if !strings.Contains(page, escaped) {
			t.Errorf("page lacks %q", escaped)
		}
	}
	if strings.Index(page, "alert(&#34;subject") > strings.Index(page, ">First<") {
		t.Error("page is not newest first")
	}
}

func TestMessagesEndpoint(t *testing.T) {
	_, srv := start(t, Config{})
	if _, body := do(t, http.MethodGet, srv.URL+"/messages", ""); body != "[]" {
		t.Errorf("empty mailbox = %s, want []", body)
	}
	api := client(srv, 1)
	a := simple("noreply@livehelp.example", []string{"Bob <BOB@example.com>"}, "to bob", "x", "")
	b := simple("noreply@livehelp.example", []string{"carol@example.com"}, "to carol", "x", "")
	b.Destination.BccAddresses = []string{"bob@example.com"}
	c := simple("noreply@livehelp.example", []string{"dave@example.com"}, "to dave", "x", "")
	for _, in := range []*sesv2.SendEmailInput{a, b, c} {
		if _, err := api.SendEmail(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range listMessages(t, srv, "?to=bob@example.com") {
		got = append(got, m.Subject)
	}
	if diff := cmp.Diff([]string{"to bob", "to carol"}, got); diff != "" {
		t.Errorf("?to=bob (-want +got):\n%s", diff)
	}
	if status, _ := do(t, http.MethodDelete, srv.URL+"/messages", ""); status != http.StatusNoContent {
		t.Errorf("DELETE /messages = %d, want 204", status)
	}
	if n := len(listMessages(t, srv, "")); n != 0 {
		t.Errorf("%d messages after DELETE", n)
	}
}

func TestCapacity(t *testing.T) {
	s, srv := start(t, Config{Capacity: 3})
	api := client(srv, 1)
	for i := range 5 {
		in := simple("noreply@livehelp.example", []string{"visitor@example.com"}, fmt.Sprint("m", i), "x", "")
		if _, err := api.SendEmail(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range s.Messages() {
		got = append(got, m.Subject)
	}
	if diff := cmp.Diff([]string{"m2", "m3", "m4"}, got); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
}
