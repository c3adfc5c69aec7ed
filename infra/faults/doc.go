// Package faults is a fault-injecting HTTP proxy for the AWS endpoints the
// functions call on the local runner: DynamoDB Local, the WebSocket API's
// @connections management endpoint and the SES v2 capture.
//
// A Proxy listens on 127.0.0.1, forwards each request to its target and
// counts it by operation (X-Amz-Target for DynamoDB, the method for
// @connections, SendEmail for SES). At a set rate it instead injects one of
// these faults, chosen at random among those enabled:
//
//   - Throttle: the service's throttling error with the HTTP status, the
//     x-amzn-ErrorType header and the body the AWS SDK reads, so its
//     retryer backs off and retries: DynamoDB 400
//     ProvisionedThroughputExceededException or ThrottlingException (with
//     __type), @connections 429 LimitExceededException, SES 429
//     TooManyRequestsException;
//   - ServerError: 500 InternalServerError (DynamoDB, with __type),
//     InternalServerErrorException or InternalServiceErrorException;
//   - Timeout: the request is held for Config.Delay and the connection is
//     closed without an answer; the service never saw it;
//   - Drop: the connection is closed at once; the service never saw it;
//   - DropAfter: the request is forwarded (the service does the work) and
//     the connection is closed instead of answering, the ambiguous failure
//     that makes a client retry work that was already done.
//
// The fault test of this package (fault_test.go, in `make test`) runs the
// whole local stack behind three proxies while scripted visitors and
// operators chat and checks that nothing acknowledged is lost, stored twice
// or half written, and that no email goes out twice. infra/bench uses a
// Proxy with no faults to count DynamoDB requests on the wire, a check on
// the SDK middleware counts.
package faults
