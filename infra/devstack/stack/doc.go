// Package stack starts the whole Live Help system locally, without Docker,
// from template.yaml: DynamoDB Local with the template's table, every
// function built and run against the local Lambda Runtime API, the REST API,
// the WebSocket API with its @connections endpoint, the schedules, an SES v2
// capture, and a demo page that embeds the widget.
//
// `make dev` (infra/devstack) and the end-to-end and browser tests use it:
//
//	s, err := stack.Start(ctx, stack.Options{Params: map[string]string{"OperatorsListExpiration": "3"}})
//	defer s.Close()
//	// s.RestURL, s.WebSocketURL, s.ConsoleURL, s.DemoURL, s.MailURL, s.Demo
package stack
