// Package webapi holds the HTTP plumbing the REST functions share: JSON
// decoding with size limits, the one mapping from domain errors to responses,
// CORS for per-site origins, and the client address as API Gateway saw it.
package webapi
