package template

import (
	"strings"
	"testing"
)

// base is a minimal valid template; tests append resources to it.
const base = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Name:
    Type: String
    Default: demo
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      Handler: bootstrap
      Runtime: provided.al2023
`

// indent prefixes each line of s with n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestUnsupported(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		cfg  Config
		want string
	}{
		{"queue used by a function", base + indent(`  Environment:
    Variables:
      QUEUE_URL: !Ref MyQueue`, 4) + indent(`MyQueue:
  Type: AWS::SQS::Queue`, 2),
			Config{}, "template: resource MyQueue: type AWS::SQS::Queue is not supported by the local runner (used by Fn.Environment.Variables.QUEUE_URL"},
		{"unknown resource type", base + indent(`Machine:
  Type: AWS::Serverless::StateMachine`, 2),
			Config{}, "template: resource Machine: type AWS::Serverless::StateMachine is not supported by the local runner"},
		{"event type", base + indent(`  Events:
    Q:
      Type: SQS
      Properties: {Queue: arn:aws:sqs:us-east-1:1:q}`, 4),
			Config{}, `template: resource Fn: event Q: event type "SQS" is not supported by the local runner`},
		{"intrinsic", base + indent(`  Environment:
    Variables:
      X: !ImportValue shared-thing`, 4),
			Config{}, "template: resource Fn: Environment.Variables.X: intrinsic Fn::ImportValue is not supported by the local runner"},
		{"attribute", base + indent(`  Environment:
    Variables:
      X: !GetAtt Fn.Version`, 4),
			Config{}, "GetAtt Fn.Version (AWS::Serverless::Function) is not supported by the local runner"},
		{"function property", base + indent(`  Layers: [arn:aws:lambda:us-east-1:1:layer:x:1]`, 4),
			Config{}, "template: resource Fn: property Layers is not supported by the local runner"},
		{"runtime", strings.Replace(base, "provided.al2023", "python3.12", 1),
			Config{}, `runtime "python3.12" is not supported by the local runner`},
		{"api cors", base + indent(`Api:
  Type: AWS::Serverless::Api
  Properties: {StageName: live, Cors: "'*'"}`, 2),
			Config{}, "template: resource Api: property Cors is not supported by the local runner"},
		{"api auth on event", base + indent(`  Events:
    Get:
      Type: Api
      Properties: {Path: /x, Method: get, Auth: {Authorizer: Cognito}}`, 4),
			Config{}, "event Get: Auth is not supported by the local runner"},
		{"http api", base + indent(`Http:
  Type: AWS::ApiGatewayV2::Api
  Properties: {ProtocolType: HTTP, Name: h}`, 2),
			Config{}, `template: resource Http: ProtocolType "HTTP" is not supported by the local runner`},
		{"route authorizer", base + indent(wsResources+`Route:
  Type: AWS::ApiGatewayV2::Route
  Properties: {ApiId: !Ref Ws, RouteKey: $connect, AuthorizationType: CUSTOM, Target: !Sub "integrations/${Integ}"}`, 2),
			Config{}, "template: resource Route: AuthorizationType CUSTOM is not supported by the local runner"},
		{"integration type", base + indent(strings.Replace(wsResources, "AWS_PROXY", "MOCK", 1), 2),
			Config{}, `template: resource Integ: IntegrationType "MOCK" is not supported by the local runner`},
		{"ws api without stage", base + indent(strings.Replace(wsResources, "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Deployment", 1), 2),
			Config{}, "template: resource Ws: no AWS::ApiGatewayV2::Stage for this API"},
		{"transform", strings.Replace(base, "AWS::Serverless-2016-10-31", "AWS::LanguageExtensions", 1),
			Config{}, "template: transform AWS::LanguageExtensions is not supported by the local runner"},
		{"unknown tag", base + indent(`  Description: !Bogus x`, 4),
			Config{}, "unknown YAML tag !Bogus"},
		{"unknown parameter override", base, Config{Parameters: map[string]string{"Nope": "x"}},
			"template: parameter Nope given but not declared"},
		{"parameter without value", strings.Replace(base, "    Default: demo\n", "", 1), Config{},
			"template: parameter Name has no Default and no value was given"},
		{"parameter type", strings.Replace(base, "Type: String", "Type: AWS::SSM::Parameter::Value<String>", 1), Config{},
			"template: parameter Name: type AWS::SSM::Parameter::Value<String> is not supported by the local runner"},
		{"reference to unknown", base + indent(`  Environment: {Variables: {X: !Ref Missing}}`, 4), Config{},
			"reference to unknown parameter or resource Missing"},
		{"endpoint for non-api", base, Config{APIEndpoints: map[string]string{"Fn": "http://127.0.0.1:1"}},
			"template: APIEndpoints: Fn is not an API in the template"},
		{"rest api id not a ref", base + indent(`  Events:
    Get:
      Type: Api
      Properties: {Path: /x, Method: get, RestApiId: abc123}`, 4), Config{},
			"RestApiId must be !Ref to an AWS::Serverless::Api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), tt.cfg)
			if err == nil {
				t.Fatalf("Parse succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// wsResources is a WebSocket API wired to Fn, at resource level.
const wsResources = `Ws:
  Type: AWS::ApiGatewayV2::Api
  Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
Stage:
  Type: AWS::ApiGatewayV2::Stage
  Properties: {ApiId: !Ref Ws, StageName: live}
Integ:
  Type: AWS::ApiGatewayV2::Integration
  Properties:
    ApiId: !Ref Ws
    IntegrationType: AWS_PROXY
    IntegrationUri: !GetAtt Fn.Arn
`

func TestDeadLetterQueueIgnored(t *testing.T) {
	yaml := base + indent(`  DeadLetterQueue: {Type: SNS, TargetArn: !Ref Topic}`, 4) + indent(`Topic:
  Type: AWS::SNS::Topic`, 2)
	tpl, err := Parse([]byte(yaml), Config{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := tpl.Ignored["Topic"]; got != "AWS::SNS::Topic" {
		t.Errorf("Ignored[Topic] = %q, want AWS::SNS::Topic", got)
	}
}

func TestIntegrationByGetAtt(t *testing.T) {
	yaml := base + indent(wsResources+`Route:
  Type: AWS::ApiGatewayV2::Route
  Properties: {ApiId: !Ref Ws, RouteKey: hello, Target: !Join ["", ["integrations/", !Ref Integ]]}
Reply:
  Type: AWS::ApiGatewayV2::RouteResponse
  Properties: {ApiId: !Ref Ws, RouteId: !Ref Route, RouteResponseKey: $default}`, 2)
	tpl, err := Parse([]byte(yaml), Config{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := tpl.WebSocketAPIs[0].Routes
	want := []WebSocketRoute{{LogicalID: "Route", RouteKey: "hello", Function: "Fn", ReturnResponse: true}}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("routes = %+v, want %+v", got, want)
	}
}
