// Package wsgw is the local runner's stand-in for an API Gateway WebSocket
// API stage: it accepts WebSocket clients on /<stage>, turns their lifecycle
// and frames into Lambda proxy events (events.APIGatewayWebsocketProxyRequest)
// for the functions the template integrates, and serves the @connections
// management API that functions call through the AWS SDK
// (apigatewaymanagementapi with BaseEndpoint = WEBSOCKET_ENDPOINT).
//
// # Behaviour copied from API Gateway
//
// Quotas (apigateway-execution-service-websocket-limits-table.html): 128 KB
// message payload, 10-minute idle timeout, 2-hour maximum connection
// duration; a larger message closes the connection with code 1009. The three
// are configurable so tests can shorten them.
//
// $connect (apigateway-websocket-api-route-keys-connect-disconnect.html): the
// upgrade stays pending until the $connect integration completes, and a
// failed $connect makes no connection. Here a 2xx statusCode completes the
// upgrade; any other statusCode is returned as the HTTP status of the
// handshake (with the function's headers and body); an invocation error
// answers 500. While $connect runs the connection ID exists but
// PostToConnection, GetConnection and DeleteConnection answer 410
// GoneException (re:Post knowledge-center/410-gone-api-gateway: "a message
// was posted ... before the connection was established"). A
// Sec-WebSocket-Protocol header in the $connect response selects the
// subprotocol. Origin is not checked: that is the function's job, as in AWS.
//
// Routes (websocket-api-develop-routes.html): the route selection expression
// $request.body.<path> (or ${request.body.<path>}) is evaluated against
// each text frame; non-JSON frames, a missing field and values that name no
// route go to $default; non-string values are stringified. With no matching
// route and no $default the client receives
// {"message": "Forbidden", "connectionId":"…", "requestId":"…"}, and when an
// integration fails it receives the same notice with "Internal server
// error" (or "Endpoint request timed out"), which is what API Gateway sends
// (aws-samples/simple-websockets-chat-app issues 24 and 42).
//
// Binary frames (websocket-api-develop-binary-media-types.html) are not
// supported by API Gateway: the client is disconnected with code 1003.
//
// $disconnect is delivered once per connection, after the socket has
// closed, best-effort (a failed invocation is logged, not retried). Its
// requestContext carries disconnectStatusCode and disconnectReason: the
// client's own close code and reason when it closes; 1001 "Going away" for
// the idle timeout, the maximum duration and Shutdown (as captured from AWS
// after a 10-minute idle); 1000 "Connection Closed Normally" after
// DeleteConnection (aws/chalice issue 2060); 1009 for an oversize message,
// 1003 for a binary frame and 1006 when the client vanished without a close
// frame. Its headers are the four API Gateway sends (Host, x-api-key,
// X-Forwarded-For, x-restapi).
//
// Management API (wire format from the SDK's restJson1 schemas):
// POST sends the body as one frame and answers 200; GET answers
// {"connectedAt", "identity": {"sourceIp", "userAgent"}, "lastActiveAt"} in
// ISO 8601; DELETE answers 204 and then closes the socket. Errors carry
// x-amzn-ErrorType (GoneException 410, PayloadTooLargeException 413,
// ForbiddenException 403) and a {"message"} body, so the SDK returns typed
// errors such as *types.GoneException.
//
// # Local choices
//
//   - Requests to the management API are not authenticated (SigV4 is not
//     checked).
//   - Route responses are discarded: the template configures no two-way
//     routes, so API Gateway would not send the integration's body back.
//   - Each connection's frames are invoked one at a time in arrival order.
//     API Gateway promises no ordering across concurrent invocations; this is
//     what a client usually sees with a warm function, and it keeps tests
//     deterministic. $disconnect follows the connection's last MESSAGE.
//   - The 128 KB limit applies to whole messages; the 32 KB frame limit is not
//     enforced. Posted data that is not valid UTF-8 is sent as a binary frame
//     (a text frame must be UTF-8); everything else as a text frame.
//   - The idle timer counts data frames in either direction; pings do not.
//   - A $connect response without a valid statusCode, or one that cannot be
//     decoded, answers 502, like a malformed Lambda proxy response.
//   - Header names in the $connect event are in Go's canonical form.
//   - Once Shutdown starts, new handshakes get 503 and open connections are
//     closed with 1001 "Going away".
//
// Stats exposes connection and frame counters for benchmarks.
package wsgw
