// Package browsertest holds the browser tests of the site embed widget.js:
// headless Chromium (Debian's /usr/bin/chromium, never a downloaded one)
// driven through chromedp, on pages served from 127.0.0.1.
//
// Two kinds of tests live here. The widget tests run the real widget.js
// against a small fake of the REST and WebSocket APIs written in the test
// (fake_test.go, fakeform_test.go, fakews_test.go), so every state, error
// and protocol corner can be set up at will: the three button states in
// three languages, the offline form with per-field errors, form tokens and
// CAPTCHAs, an unreachable API, XSS payloads in labels and messages,
// acknowledgements, duplicates, gaps and reconnects, resume links, the
// keyboard alone, 320 px, a strict Content-Security-Policy, the
// back-forward cache. The stack tests run the demo page of the local runner
// (infra/devstack/stack) with the real functions, DynamoDB Local and the
// WebSocket gateway: the button follows operator presence (a test operator
// client, and the real console page), busy offers to wait or leave a
// message and the queue moves, an offline message gets the auto-reply in
// the same conversation, and the host page survives the API going away.
// The console's own browser tests (console_*_test.go) share the helpers.
// go test -short skips the stack tests.
//
// The browser starts with exactly these flags and a fresh profile folder
// per test: --headless --no-sandbox --disable-gpu
// --disable-background-networking --disable-component-update
// --disable-sync --no-first-run --disable-quic. Tests skip when Chromium is
// missing. Screenshots of each widget state are written under the test's
// temporary folder, or under LIVEHELP_SCREENSHOTS when set, to be looked at.
//
// LIVEHELP_MEASURE=1 enables TestMeasureStatus, which sends a steady load
// of status requests through the local runner and reports latency
// percentiles and DynamoDB requests per 1,000 status requests.
package browsertest
