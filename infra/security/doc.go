// Package security holds the security tests of Live Help, run by `make
// test` against the local runner (infra/devstack/stack) with real HTTP and
// WebSocket clients from 127.0.0.1 (and other loopback addresses, to be
// other clients for the rate limits). Each test attacks one rule of
// DESIGN.md §5:
//
//   - $connect refuses foreign origins and missing, tampered, expired,
//     revoked and wrong-kind tokens (origin_test.go);
//   - a visitor cannot read, post to, type in or resume another visitor's
//     conversation, whether its id is guessed, a token swapped or a resume
//     link tampered with; an operator cannot reach another site's
//     conversations (isolation_test.go);
//   - console and admin endpoints refuse missing, tampered, expired and
//     revoked sessions, and operators cannot use admin endpoints
//     (session_test.go);
//   - CR/LF and MIME tricks in names, subjects and addresses never reach
//     an email header (email_test.go);
//   - CAPTCHA answers are single-use (captcha_test.go);
//   - rate limits answer 429 and spare other clients (ratelimit_test.go);
//   - internal errors never reveal AWS messages, addresses or stack traces
//     when DynamoDB fails or is unreachable (leak_test.go).
//
// The fuzz runner (fuzzall) and the target finder (fuzztargets) live in
// sub-packages. XSS in the widget and the console is checked in the
// browser by infra/browsertest.
package security
