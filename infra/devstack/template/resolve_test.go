package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const intrinsics = `Transform: [AWS::Serverless-2016-10-31]
Parameters:
  Env: {Type: String, Default: dev}
  Hosts: {Type: CommaDelimitedList, Default: "a.example,b.example"}
Mappings:
  Sizes:
    dev: {slots: "3"}
Conditions:
  IsDev: {"Fn::Equals": [{"Ref": Env}, dev]}
  IsProd: !Not [{Condition: IsDev}]
  Both: !And [!Condition IsDev, !Equals [!Ref "AWS::Region", us-east-1]]
  Either: !Or [!Condition IsProd, !Equals [x, y]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub "${AWS::StackName}-chat"}
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: v1}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      Handler: bootstrap
      Runtime: provided.al2
      FunctionName: !Sub "${AWS::StackName}-fn"
      Environment:
        Variables:
          REF_LONG: {"Ref": Env}
          SUB_LONG: {"Fn::Sub": "${Env}-${AWS::AccountId}"}
          SUB_LITERAL: !Sub "${!NotAVar}/${Env}"
          SUB_VARS: !Sub ["${A}+${B}", {A: !Ref Env, B: !Select [1, !Ref Hosts]}]
          GETATT_LIST: !GetAtt [Table, Arn]
          TABLE: !Ref Table
          SELF_ARN: !GetAtt Fn.Arn
          JOIN: !Join ["|", [x, !Ref "AWS::Partition", !Ref "AWS::URLSuffix"]]
          SPLIT: !Select [2, !Split ["/", "a/b/c"]]
          MAP: !FindInMap [Sizes, !Ref Env, slots]
          IF_BOTH: !If [Both, yes, no]
          IF_EITHER: !If [Either, yes, no]
          B64: !Base64 hi
          ENDPOINT: !GetAtt Ws.ApiEndpoint
          STAGE: !Ref Stage
          EXTRA: !Sub "https://${Ws}.execute-api.${AWS::Region}.${AWS::URLSuffix}/v1/@connections"
          KEEP: !Sub "https://${Ws}.execute-api.${AWS::Region}.${AWS::URLSuffix}.evil/x"
          NUMBER: 42
`

func TestIntrinsics(t *testing.T) {
	tpl, err := Parse([]byte(intrinsics), Config{
		StackName:    "lh",
		AccountID:    "111122223333",
		PhysicalIDs:  map[string]string{"Ws": "wsid"},
		APIEndpoints: map[string]string{"Ws": "http://127.0.0.1:7000"},
		Rewrites:     []Rewriter{func(s string) string { return map[string]string{"42": "forty-two"}[s] + s }},
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	fn := tpl.Functions["Fn"]
	want := map[string]string{
		"REF_LONG":    "dev",
		"SUB_LONG":    "dev-111122223333",
		"SUB_LITERAL": "${NotAVar}/dev",
		"SUB_VARS":    "dev+b.example",
		"GETATT_LIST": "arn:aws:dynamodb:us-east-1:111122223333:table/lh-chat",
		"TABLE":       "lh-chat",
		"SELF_ARN":    "arn:aws:lambda:us-east-1:111122223333:function:lh-fn",
		"JOIN":        "x|aws|amazonaws.com",
		"SPLIT":       "c",
		"MAP":         "3",
		"IF_BOTH":     "yes",
		"IF_EITHER":   "no",
		"B64":         "aGk=",
		"ENDPOINT":    "ws://127.0.0.1:7000",
		"STAGE":       "v1",
		"EXTRA":       "http://127.0.0.1:7000/v1/@connections",
		"KEEP":        "https://wsid.execute-api.us-east-1.amazonaws.com.evil/x",
		"NUMBER":      "forty-two42",
	}
	if diff := cmp.Diff(want, fn.Environment); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if fn.Name != "lh-fn" || fn.Runtime != "provided.al2" {
		t.Errorf("name %q runtime %q, want lh-fn provided.al2", fn.Name, fn.Runtime)
	}
	if got := tpl.Tables[0].Name; got != "lh-chat" {
		t.Errorf("table name %q, want lh-chat", got)
	}
}

func TestExecuteAPIRewriter(t *testing.T) {
	rw := ExecuteAPIRewriter("abc", "us-east-1", "amazonaws.com", "http://127.0.0.1:8080/")
	tests := []struct{ in, want string }{
		{"https://abc.execute-api.us-east-1.amazonaws.com/live", "http://127.0.0.1:8080/live"},
		{"wss://abc.execute-api.us-east-1.amazonaws.com/live", "ws://127.0.0.1:8080/live"},
		{"https://abc.execute-api.us-east-1.amazonaws.com", "http://127.0.0.1:8080"},
		{"a=https://abc.execute-api.us-east-1.amazonaws.com/x,b", "a=http://127.0.0.1:8080/x,b"},
		{"https://abc.execute-api.us-east-1.amazonaws.com.evil/live", "https://abc.execute-api.us-east-1.amazonaws.com.evil/live"},
		{"https://xabc.execute-api.us-east-1.amazonaws.com/live", "https://xabc.execute-api.us-east-1.amazonaws.com/live"},
		{"https://abd.execute-api.us-east-1.amazonaws.com/live", "https://abd.execute-api.us-east-1.amazonaws.com/live"},
	}
	for _, tt := range tests {
		if got := rw(tt.in); got != tt.want {
			t.Errorf("rewrite(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShortIDStable(t *testing.T) {
	a, b := shortID("lh/Ws", 10), shortID("lh/Ws", 10)
	if a != b || len(a) != 10 || a == shortID("lh/Rest", 10) {
		t.Errorf("shortID not stable or not distinct: %q %q", a, b)
	}
}
