package template

import (
	"strings"
	"time"
)

// Config configures how a template is resolved for a local run. The zero
// value is usable: pseudo parameters take the defaults documented on each
// field and resources take derived physical ids.
type Config struct {
	// Parameters overrides parameter defaults by parameter name. A name
	// the template does not declare is an error.
	Parameters map[string]string
	// Region is AWS::Region (default us-east-1).
	Region string
	// AccountID is AWS::AccountId (default 123456789012).
	AccountID string
	// Partition is AWS::Partition (default aws).
	Partition string
	// StackName is AWS::StackName (default devstack).
	StackName string
	// URLSuffix is AWS::URLSuffix (default amazonaws.com).
	URLSuffix string
	// PhysicalIDs gives the physical id of resources by logical id: what
	// !Ref returns for them (a table name, an API id, a function name).
	// Resources not listed get a deterministic derived id.
	PhysicalIDs map[string]string
	// APIEndpoints maps the logical id of a REST or WebSocket API to the
	// local base URL that serves it, such as "http://127.0.0.1:8080".
	// Resolved environment values that contain the API's execute-api URL
	// (https:// or wss://) are rewritten to that base (http:// or ws://),
	// keeping the stage path.
	APIEndpoints map[string]string
	// Rewrites are applied in order to every resolved environment value,
	// after the APIEndpoints rewrites.
	Rewrites []Rewriter
}

// Rewriter rewrites one resolved string value; it returns the value
// unchanged when it does not apply.
type Rewriter func(string) string

// Template is a resolved SAM template, reduced to what the local runner
// acts on.
type Template struct {
	// Region, AccountID, Partition, StackName and URLSuffix are the pseudo
	// parameter values used during resolution.
	Region, AccountID, Partition, StackName, URLSuffix string
	// Parameters holds every parameter's resolved value; list parameters
	// are comma-joined.
	Parameters map[string]string
	// Functions holds the AWS::Serverless::Function resources by logical id.
	Functions map[string]*Function
	// RestAPIs holds the AWS::Serverless::Api resources (explicit, or the
	// implicit ServerlessRestApi), sorted by logical id.
	RestAPIs []*RestAPI
	// WebSocketAPIs holds the AWS::ApiGatewayV2::Api resources with
	// ProtocolType WEBSOCKET, sorted by logical id.
	WebSocketAPIs []*WebSocketAPI
	// Tables holds the AWS::DynamoDB::Table resources, sorted by logical id.
	Tables []*Table
	// Ignored maps the logical id of each resource that is ignored in
	// local runs (IAM, permissions, log groups, ...) to its type.
	Ignored map[string]string
}

// Function is an AWS::Serverless::Function with Globals.Function merged
// and its properties resolved.
type Function struct {
	// LogicalID is the resource's logical id, such as ChatFunction.
	LogicalID string
	// Name is the physical function name (FunctionName or derived).
	Name string
	// ARN is the function's fake ARN.
	ARN string
	// CodeURI is the CodeUri property: the package directory relative to
	// the template, such as "functions/chat/".
	CodeURI string
	// Handler is the Handler property (bootstrap for provided runtimes).
	Handler string
	// Runtime is the Runtime property, such as provided.al2023.
	Runtime string
	// Architectures is the Architectures property (x86_64 when absent).
	Architectures []string
	// Timeout is the Timeout property (3 s when absent).
	Timeout time.Duration
	// MemorySize is the MemorySize property in MB (128 when absent).
	MemorySize int
	// ReservedConcurrency is ReservedConcurrentExecutions, 0 when absent.
	ReservedConcurrency int
	// Environment is Environment.Variables, resolved and rewritten.
	Environment map[string]string
	// APIEvents are the function's events of type Api, sorted by name.
	APIEvents []APIEvent
	// Schedules are the function's events of type Schedule, sorted by name.
	Schedules []ScheduleEvent
}

// APIEvent is a function event of type Api.
type APIEvent struct {
	// Name is the event's key under Events.
	Name string
	// Path is the resource path, such as /v1/sites/{site}/status.
	Path string
	// Method is the upper-case HTTP method, or ANY.
	Method string
	// RestAPI is the logical id of the API (RestApiId, or
	// ServerlessRestApi when absent).
	RestAPI string
}

// ScheduleEvent is a function event of type Schedule.
type ScheduleEvent struct {
	// Name is the event's key under Events.
	Name string
	// RuleName is the EventBridge rule name (the Name property, or
	// "<StackName>-<LogicalID><EventName>").
	RuleName string
	// Expression is the Schedule property, such as "rate(1 minute)".
	Expression string
	// Enabled is false when Enabled is false or State is DISABLED.
	Enabled bool
	// Input is the Input property: a JSON document sent instead of the
	// scheduled event, or "".
	Input string
}

// Route is one REST route: an HTTP method (or ANY), a resource path with
// {param} and {proxy+} segments, and the logical id of the function it
// invokes.
type Route struct {
	// Method is an upper-case HTTP method or ANY.
	Method string
	// Path is the resource path, such as /v1/sites/{site}/status.
	Path string
	// Function is the logical id of the function, such as StatusFunction.
	Function string
}

// RestAPI is an AWS::Serverless::Api with the routes of the Api events
// that target it.
type RestAPI struct {
	// LogicalID is the resource's logical id, such as RestApi.
	LogicalID string
	// ID is the API's physical id (as in its execute-api host name).
	ID string
	// StageName is the StageName property.
	StageName string
	// BinaryMediaTypes is the BinaryMediaTypes property.
	BinaryMediaTypes []string
	// Variables holds the stage variables (the Variables property).
	Variables map[string]string
	// Routes are the routes, sorted by path then method.
	Routes []Route
}

// WebSocketAPI is an AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET,
// its routes and its stage.
type WebSocketAPI struct {
	// LogicalID is the resource's logical id, such as WebSocketApi.
	LogicalID string
	// ID is the API's physical id (as in its execute-api host name).
	ID string
	// RouteSelectionExpression is, for example, $request.body.action.
	RouteSelectionExpression string
	// StageName is the StageName of its AWS::ApiGatewayV2::Stage.
	StageName string
	// StageVariables holds the stage's StageVariables.
	StageVariables map[string]string
	// Routes are the routes, sorted by route key.
	Routes []WebSocketRoute
}

// WebSocketRoute is an AWS::ApiGatewayV2::Route resolved through its
// integration to a function.
type WebSocketRoute struct {
	// LogicalID is the route resource's logical id.
	LogicalID string
	// RouteKey is $connect, $disconnect, $default or a custom key.
	RouteKey string
	// Function is the logical id of the function the integration invokes.
	Function string
	// ReturnResponse is true when the route sends the function's result
	// back to the client (a RouteResponseSelectionExpression or an
	// AWS::ApiGatewayV2::RouteResponse is present).
	ReturnResponse bool
}

// Table is an AWS::DynamoDB::Table with its properties resolved (scalars
// are strings, as in the template).
type Table struct {
	// LogicalID is the resource's logical id, such as Table.
	LogicalID string
	// Name is the physical table name (TableName or derived).
	Name string
	// Properties are the resolved properties.
	Properties map[string]any
}

// ExecuteAPIRewriter returns a Rewriter that replaces the execute-api URL
// of apiID (https:// and wss://) in a value by base, an http:// URL, using
// ws:// for the wss:// form. The path after the host (the stage) is kept.
func ExecuteAPIRewriter(apiID, region, urlSuffix, base string) Rewriter {
	host := apiID + ".execute-api." + region + "." + urlSuffix
	httpBase := strings.TrimSuffix(base, "/")
	wsBase := "ws" + strings.TrimPrefix(httpBase, "http")
	pairs := [][2]string{
		{"https://" + host, httpBase},
		{"wss://" + host, wsBase},
	}
	return func(s string) string {
		for _, p := range pairs {
			s = replaceHost(s, p[0], p[1])
		}
		return s
	}
}

// replaceHost replaces each occurrence of from in s that is not followed
// by a host-name character, so "https://abc.example.com" does not match
// inside "https://abc.example.com.evil".
func replaceHost(s, from, to string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, from)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(from)
		if end < len(s) && isHostChar(s[end]) {
			b.WriteString(s[:end])
		} else {
			b.WriteString(s[:i])
			b.WriteString(to)
		}
		s = s[end:]
	}
}

func isHostChar(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c == ':' ||
		'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
