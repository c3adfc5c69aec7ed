package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Mail is one sent email as a mail reader sees it.
type Mail struct {
	From    string
	To      []string
	Subject string
	Text    string
}

// MailReader lists the mail a deployment sent to an address.
type MailReader interface {
	MailTo(ctx context.Context, to string) ([]Mail, error)
}

// NewMailReader returns the reader for raw: LocalStack's SES endpoint when
// its path ends in /_aws/ses, else the local runner's capture (its base
// URL; the JSON list is at /messages).
func NewMailReader(raw string) (MailReader, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("e2e: %s must be an http(s) URL", EnvMailURL)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	if strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/_aws/ses") {
		return &localStackMail{url: strings.TrimRight(raw, "/"), http: hc}, nil
	}
	return &captureMail{base: strings.TrimRight(raw, "/"), http: hc}, nil
}

// captureMail reads the local runner's SES capture: GET /messages?to=addr
// answers [{id, from, to[], subject, text, ...}].
type captureMail struct {
	base string
	http *http.Client
}

// MailTo lists the captured mail to the address, oldest first.
func (c *captureMail) MailTo(ctx context.Context, to string) ([]Mail, error) {
	var msgs []struct {
		From    string   `json:"from"`
		To      []string `json:"to"`
		Subject string   `json:"subject"`
		Text    string   `json:"text"`
	}
	if err := getJSON(ctx, c.http, c.base+"/messages?to="+url.QueryEscape(to), &msgs); err != nil {
		return nil, err
	}
	out := make([]Mail, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, Mail{From: m.From, To: m.To, Subject: m.Subject, Text: m.Text})
	}
	return out, nil
}

// localStackMail reads LocalStack's sent-mail endpoint: GET /_aws/ses
// answers {"messages": [{Source, Destination{ToAddresses}, Subject,
// Body{text_part}}]}; it filters by sender only, so recipients are
// filtered here.
type localStackMail struct {
	url  string
	http *http.Client
}

// MailTo lists the mail LocalStack recorded to the address.
func (l *localStackMail) MailTo(ctx context.Context, to string) ([]Mail, error) {
	var out struct {
		Messages []struct {
			Source      string `json:"Source"`
			Destination struct {
				ToAddresses []string `json:"ToAddresses"`
			} `json:"Destination"`
			Subject string `json:"Subject"`
			Body    struct {
				Text string `json:"text_part"`
			} `json:"Body"`
		} `json:"messages"`
	}
	if err := getJSON(ctx, l.http, l.url, &out); err != nil {
		return nil, err
	}
	var mails []Mail
	for _, m := range out.Messages {
		if slices.ContainsFunc(m.Destination.ToAddresses, func(a string) bool { return strings.EqualFold(a, to) }) {
			mails = append(mails, Mail{From: m.Source, To: m.Destination.ToAddresses, Subject: m.Subject, Text: m.Body.Text})
		}
	}
	return mails, nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("e2e: read mail: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("e2e: read mail: GET %s: HTTP %d", u, resp.StatusCode)
	}
	return json.Unmarshal(data, v)
}
