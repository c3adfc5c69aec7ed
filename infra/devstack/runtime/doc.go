// Package runtime runs Lambda functions built as Go bootstrap binaries as
// local processes, each talking to its own local implementation of the AWS
// Lambda Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{id}/response
//	POST /2018-06-01/runtime/invocation/{id}/error
//	POST /2018-06-01/runtime/init/error
//
// A [Pool] owns the processes of one function. It starts a process on the
// first invocation, reuses an idle warm process for the next one, and
// starts more processes (up to Config.MaxProcs) while invocations overlap,
// the way Lambda scales execution environments. Each process gets the
// standard Lambda environment (AWS_LAMBDA_FUNCTION_NAME, _HANDLER,
// AWS_LAMBDA_RUNTIME_API, ...) plus the caller's variables.
//
// Failures are typed: an error the function reports is a *[FunctionError];
// an invocation that outlives the timeout is a *[TimeoutError] and its
// process is killed; a process that exits or reports an init error is
// reported to the invocation it was serving and replaced on the next
// invocation. Each process runs in its own process group, which is killed
// as a whole, so [Pool.Close] leaves nothing running. A function process
// whose runner disappears also exits by itself: aws-lambda-go stops when
// its call to "next" fails.
//
// The package is for Unix hosts (Linux, macOS).
package runtime
