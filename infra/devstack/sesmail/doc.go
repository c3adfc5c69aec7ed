// Package sesmail is the local runner's SES v2 endpoint: it implements the
// SendEmail operation (POST /v2/email/outbound-emails, restJson1 protocol)
// well enough for the real aws-sdk-go-v2 sesv2 client, and keeps the mail
// in memory instead of sending it, with a page to read it.
//
// Functions reach it without special code: the runner sets
// AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:<port> and config.LoadDefaultConfig
// picks it up.
//
// SendEmail accepts Content.Simple (Subject, Body.Text and/or Body.Html,
// each {Data, Charset}) and Content.Raw (a base64 MIME message, kept
// verbatim; subject, sender, recipients and the first text/plain and
// text/html parts are read from it for display). It checks what SES checks
// before accepting a message: a sender (FromEmailAddress, or the raw
// message's From header), 1 to 50 recipients across To, Cc and Bcc, RFC 5322
// addresses, exactly one kind of content. A rejected request gets 400 with
// x-amzn-ErrorType: BadRequestException, so the SDK returns
// *types.BadRequestException. Content.Template is rejected the same way.
// A successful send answers {"MessageId": "..."} with an SES-shaped ID.
//
// Any other SES v2 operation (matched against the SDK's HTTP bindings) gets
// a 400 BadRequestException naming it, for example "GetAccount is not
// supported by the local SES capture"; other /v2/ paths get 404
// NotFoundException.
//
// Test endpoints on the same listener:
//
//	GET    /            HTML page of the mailbox, newest first (html/template escapes every field)
//	GET    /messages    JSON [{id, from, to[], cc[], bcc[], replyTo[], subject, text, html, raw, time}], oldest first; ?to=addr filters
//	DELETE /messages    empties the mailbox
//	POST   /faults      {"failNext": n, "rate": 0..1, "fault": "internal"|"throttle"}
//
// The mailbox is bounded (Config.Capacity, 1000 by default); the oldest
// messages are dropped first. Fault injection (FailNext, SetFailureRate or
// POST /faults) makes SendEmail answer 500 InternalServiceErrorException or
// 429 TooManyRequestsException before any validation; the SDK's standard
// retryer retries both, so a caller sees an error only when its attempts run
// out. Logs carry message IDs and recipient counts, never addresses or
// bodies.
package sesmail
