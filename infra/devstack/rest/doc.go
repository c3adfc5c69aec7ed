// Package rest serves a REST API the way API Gateway (v1) does with Lambda
// proxy integrations, for the local runner.
//
// A [Handler] answers under /<stage>/...: it matches the method and path
// against the routes taken from the template's Api events (literal
// segments, {param} segments, a greedy trailing {proxy+}, the ANY method),
// builds an events.APIGatewayProxyRequest exactly as API Gateway would
// (the path without the stage, single- and multi-value headers and query
// parameters, path parameters, the request context with the source IP,
// and the body, base64-encoded when it is not text), invokes the
// function through an [Invoker] and writes the
// events.APIGatewayProxyResponse it returns.
//
// Errors look like API Gateway's: an unknown route is 403
// {"message":"Missing Authentication Token"}, a failed or timed-out
// function or a malformed response is 502 {"message": "Internal server
// error"}, an integration that outlives the 29-second limit is 504, and a
// body over 10 MB is 413.
package rest
