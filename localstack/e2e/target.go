package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Target is a deployment under test and the test operator's login.
type Target struct {
	RestURL      string // RestApiUrl, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/live
	WebSocketURL string // WebSocketUrl, e.g. wss://def.execute-api.eu-west-1.amazonaws.com/live; "" for none
	Site         string // a site dedicated to these tests
	Email        string // an operator of Site
	Password     string
	Mail         MailReader // nil when sent mail cannot be read
	MailTo       string     // the visitor address replies are sent to
	Strict       bool       // pending features fail instead of skipping
}

// Environment variables FromEnv reads.
const (
	EnvRestURL  = "LIVEHELP_REST_URL"
	EnvWSURL    = "LIVEHELP_WS_URL"
	EnvSite     = "LIVEHELP_SITE"
	EnvEmail    = "LIVEHELP_OPERATOR_EMAIL"
	EnvPassword = "LIVEHELP_OPERATOR_PASSWORD"
	EnvMailURL  = "LIVEHELP_MAIL_URL"
	EnvMailTo   = "LIVEHELP_MAIL_TO"
	EnvStrict   = "LIVEHELP_E2E_STRICT"
)

// NoWebSocket as LIVEHELP_WS_URL says the target has no WebSocket API
// (LocalStack's free plan): the journeys that need one are skipped.
const NoWebSocket = "none"

// SimulatorAddress is SES's mailbox simulator: it accepts mail even from
// an account in the SES sandbox, and delivers nowhere.
const SimulatorAddress = "success@simulator.amazonses.com"

// FromEnv returns the target the environment describes, or ok false when
// LIVEHELP_REST_URL is unset (the caller then starts the local runner).
// A partial description is an error naming what is missing.
func FromEnv(getenv func(string) string) (t *Target, ok bool, err error) {
	if getenv(EnvRestURL) == "" {
		return nil, false, nil
	}
	t = &Target{
		RestURL: strings.TrimRight(getenv(EnvRestURL), "/"), WebSocketURL: strings.TrimRight(getenv(EnvWSURL), "/"),
		Site: getenv(EnvSite), Email: getenv(EnvEmail), Password: getenv(EnvPassword),
		MailTo: getenv(EnvMailTo), Strict: getenv(EnvStrict) == "1",
	}
	var missing []string
	for name, v := range map[string]string{EnvWSURL: t.WebSocketURL, EnvSite: t.Site, EnvEmail: t.Email, EnvPassword: t.Password} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, true, fmt.Errorf("e2e: %s is set, so the suite targets it, but %s %s not: see localstack/README.md",
			EnvRestURL, strings.Join(slices.Sorted(slices.Values(missing)), ", "), map[bool]string{true: "is", false: "are"}[len(missing) == 1])
	}
	if u, err := url.Parse(t.RestURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, true, fmt.Errorf("e2e: %s must be an http(s) URL such as the stack's RestApiUrl", EnvRestURL)
	}
	if t.WebSocketURL == NoWebSocket {
		t.WebSocketURL = ""
	} else if u, err := url.Parse(t.WebSocketURL); err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
		return nil, true, fmt.Errorf("e2e: %s must be a ws(s) URL such as the stack's WebSocketUrl, or %q", EnvWSURL, NoWebSocket)
	}
	if m := getenv(EnvMailURL); m != "" {
		if t.Mail, err = NewMailReader(m); err != nil {
			return nil, true, err
		}
	}
	if t.MailTo == "" {
		t.MailTo = SimulatorAddress
	}
	return t, true, nil
}
