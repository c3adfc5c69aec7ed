// Package auth issues and verifies the product's credentials: signed tokens
// (visitor tokens, operator sessions, resume links) and operator passwords.
//
// Tokens are HMAC-SHA256 signed, carry an expiry, and are bound to a kind so a
// token of one kind (say a resume link) is never accepted as another (say an
// operator session). The key and the clock are injected.
package auth
