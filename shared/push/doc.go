// Package push delivers frames to WebSocket clients through the API Gateway
// Management API (PostToConnection). A connection that API Gateway reports as
// gone (410) comes back as ErrGone so the caller removes that stale
// connection — never the sender's.
package push
