package templatecheck

import (
	"path/filepath"
	"strings"
	"testing"
)

// contractFolders are the function folders of the build contract.
var contractFolders = []string{"status", "chat", "offline", "sweep", "mailer", "console"}

// edit replaces the first n occurrences (all when n < 0) of old with new.
type edit struct {
	old, new string
	n        int
}

// TestChecksCatchDrift breaks a copy of the project's template in a
// temporary repository, one way per case, and expects Check to name the
// problem. The unbroken copy must pass, so each failure is the edit's.
func TestChecksCatchDrift(t *testing.T) {
	const (
		domainCondition = "              Condition:\n                StringEquals:\n                  ses:FromAddress: !Ref SenderEmail\n"
		endpoint        = `WEBSOCKET_ENDPOINT: !Sub "https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live"`
	)
	tests := []struct {
		name  string
		edits []edit
		want  string
	}{
		{name: "unchanged"},
		// IAM
		{"scan granted", []edit{{"                - dynamodb:ConditionCheckItem\n", "                - dynamodb:ConditionCheckItem\n                - dynamodb:Scan\n", 1}}, "dynamodb:Scan is never allowed"},
		{"wildcard resource", []edit{{"Resource: !GetAtt Table.Arn\n", "Resource: \"*\"\n", 1}}, `Resource "*" is not scoped`},
		{"wildcard action", []edit{{"Action: dynamodb:Query", "Action: dynamodb:*", 1}}, "must be one named action"},
		{"status may only read", []edit{{"Action: dynamodb:GetItem", "Action: [dynamodb:GetItem, dynamodb:PutItem]", 1}}, "StatusFunction: action dynamodb:PutItem is not allowed"},
		{"another table", []edit{{`!Sub "${Table.Arn}/index/*"`, `!Sub "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/other"`, 1}}, "is not the table"},
		{"item writes on an index", []edit{{"              Resource: !GetAtt Table.Arn\n            - Sid: TableQuery", "              Resource: !Sub \"${Table.Arn}/index/*\"\n            - Sid: TableQuery", 1}}, "only dynamodb:Query may be granted"},
		{"connections of any stage", []edit{{"/live/POST/@connections/*", "/*/POST/@connections/*", 1}}, "live/{POST,GET,DELETE}/@connections"},
		{"connections without api", []edit{{"${WebSocketApi}/live/DELETE/@connections/*", "*/live/DELETE/@connections/*", 1}}, "@connections"},
		{"status pushes", []edit{{"              Resource: !GetAtt Table.Arn\n      Events:\n        Status:", "              Resource: !GetAtt Table.Arn\n            - Effect: Allow\n              Action: execute-api:ManageConnections\n              Resource: !Sub \"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/live/POST/@connections/*\"\n      Events:\n        Status:", 1}}, "StatusFunction: action execute-api:ManageConnections is not allowed"},
		{"mailer cannot send", []edit{{"Action: ses:SendEmail", "Action: ses:SendRawEmail", 1}}, "MailerFunction: lacks ses:SendEmail"},
		{"any ses identity", []edit{{"identity/${SenderEmail}\"", "identity/*\"", 1}}, "is not the sender identity"},
		{"domain without from condition", []edit{{domainCondition, "", 1}}, "needs Condition StringEquals ses:FromAddress"},
		{"sam policy template", []edit{{"      Policies:\n", "      Policies:\n        - DynamoDBReadPolicy: { TableName: !Ref Table }\n", 1}}, "use explicit Statement lists"},
		{"unneeded service", []edit{{"Action: dynamodb:GetItem", "Action: s3:GetObject", 1}}, "grants s3"},
		// events
		{"status path", []edit{{"Path: /v1/sites/{site}/status", "Path: /v1/site/{site}/status", 1}}, "StatusFunction is missing route GET /v1/sites/{site}/status"},
		{"implicit api", []edit{{"            RestApiId: !Ref RestApi\n            Path: /v1/sites/{site}/status", "            Path: /v1/sites/{site}/status", 1}}, "StatusFunction has an Api event on <nil>, want !Ref RestApi"},
		{"extra route", []edit{{"Path: /widget.js, Method: GET", "Path: /widget.js, Method: POST", 1}}, "ConsoleFunction has unexpected route POST /widget.js"},
		{"no options route", []edit{{`Path: "/v1/sites/{site}/messages", Method: OPTIONS`, `Path: "/v1/sites/{site}/messages", Method: GET`, 1}}, "missing route OPTIONS /v1/sites/{site}/messages"},
		{"slower sweep", []edit{{"Schedule: rate(1 minute)", "Schedule: rate(5 minutes)", 1}}, `SweepFunction schedules ["rate(5 minutes)"]`},
		{"scheduler not rules", []edit{{"          Type: Schedule\n", "          Type: ScheduleV2\n", 1}}, "only Api and Schedule (EventBridge rules)"},
		{"cors block", []edit{{"      StageName: live\n      # Setting", "      StageName: live\n      Cors: \"'*'\"\n      # Setting", 1}}, "has a Cors block"},
		{"no binary media", []edit{{`BinaryMediaTypes: ["*/*"]`, `BinaryMediaTypes: ["image/png"]`, 1}}, "do not cover the captcha's audio/wav"},
		// WebSocket
		{"route renamed", []edit{{"RouteKey: $disconnect", "RouteKey: leave", 1}}, "no $disconnect route"},
		{"route elsewhere", []edit{{`Target: !Sub "integrations/${ChatIntegration}"`, `Target: !Sub "integrations/${OtherIntegration}"`, 1}}, "want !Sub \"integrations/${ChatIntegration}\""},
		{"permission for any api", []edit{{`${AWS::AccountId}:${WebSocketApi}/*"`, `${AWS::AccountId}:*/*"`, 1}}, "ChatInvokePermission SourceArn"},
		{"http integration", []edit{{"IntegrationType: AWS_PROXY", "IntegrationType: AWS", 1}}, "want AWS_PROXY"},
		{"manual deploys", []edit{{"AutoDeploy: true", "AutoDeploy: false", 1}}, "AutoDeploy true"},
		// table
		{"index key renamed", []edit{{"GSI1SK", "GSI1SORT", -1}}, "the contract says"},
		{"ttl renamed", []edit{{"AttributeName: ttl", "AttributeName: expires", 1}}, "TTLAttribute:expires"},
		{"no pitr", []edit{{"PointInTimeRecoveryEnabled: true", "PointInTimeRecoveryEnabled: false", 1}}, "point-in-time recovery is not enabled"},
		{"table deleted with stack", []edit{{"DeletionPolicy: Retain", "DeletionPolicy: Delete", 1}}, "must both be Retain"},
		{"table named", []edit{{"      BillingMode: PAY_PER_REQUEST\n", "      BillingMode: PAY_PER_REQUEST\n      TableName: livehelp\n", 1}}, "has a TableName"},
		{"unused attribute", []edit{{"        - { AttributeName: GSI2SK, AttributeType: S }\n", "        - { AttributeName: GSI2SK, AttributeType: S }\n        - { AttributeName: GSI3PK, AttributeType: S }\n", 1}}, `AttributeDefinition "GSI3PK"`},
		// parameters and environment
		{"parameter without default", []edit{{"    Default: 20\n", "", 1}}, "HeartbeatSeconds: has no Default"},
		{"default drifted", []edit{{"    Default: 60\n", "    Default: 90\n", 1}}, `OperatorsListExpiration: Default is "90", the contract says "60"`},
		{"default breaks pattern", []edit{{"    Default: \"\"\n    Description: >-\n      Comma-separated", "    Default: example.com\n    Description: >-\n      Comma-separated", 1}}, "AllowedOrigins: Default \"example.com\" does not match AllowedPattern"},
		{"unbounded number", []edit{{"    MaxValue: 50\n", "", 1}}, "DefaultSlots: a Number needs MinValue and MaxValue"},
		{"undefined parameter", []edit{{"HEARTBEAT_SECONDS: !Ref HeartbeatSeconds", "HEARTBEAT_SECONDS: !Ref HeartbeatSecs", 1}}, "refers to HeartbeatSecs, which is neither"},
		{"wrong stage endpoint", []edit{{endpoint, strings.Replace(endpoint, "/live", "/prod", 1), 1}}, "ChatFunction WEBSOCKET_ENDPOINT is"},
		{"missing websocket url", []edit{{"          WEBSOCKET_URL: !Sub \"wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live\"\n", "", 1}}, "StatusFunction lacks WEBSOCKET_URL"},
		{"no table name", []edit{{"        TABLE_NAME: !Ref Table\n", "", 1}}, "lacks TABLE_NAME"},
		// functions
		{"code elsewhere", []edit{{"CodeUri: functions/chat/", "CodeUri: functions/chat2/", 1}}, "functions/chat2/, which does not exist"},
		{"not built as go", []edit{{"      BuildMethod: go1.x\n", "      BuildMethod: makefile\n", 1}}, "want go1.x"},
	}
	src := readRepoTemplate(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := src
			for _, e := range tt.edits {
				if !strings.Contains(text, e.old) {
					t.Fatalf("template no longer contains %q; update this case", e.old)
				}
				text = strings.Replace(text, e.old, e.new, e.n)
			}
			root := writeRepo(t, text, contractFolders...)
			tpl, err := Load(filepath.Join(root, "template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			errs := Check(tpl, root)
			if tt.want == "" {
				for _, err := range errs {
					t.Errorf("unexpected problem: %v", err)
				}
				return
			}
			for _, err := range errs {
				if strings.Contains(err.Error(), tt.want) {
					return
				}
			}
			t.Errorf("no problem contains %q; got %d:", tt.want, len(errs))
			for _, err := range errs {
				t.Log(err)
			}
		})
	}
}

// TestFunctionFolders pairs the template's functions with folders on disk.
func TestFunctionFolders(t *testing.T) {
	tests := []struct {
		name    string
		folders []string
		want    []string // substrings, one per expected problem
	}{
		{"contract folders", contractFolders, nil},
		{"ignored folders", append([]string{".cache", "_old", "testdata"}, contractFolders...), nil},
		{"missing folder", []string{"status", "chat", "offline", "sweep", "console"}, []string{"MailerFunction builds functions/mailer/, which does not exist"}},
		{"extra folder", append([]string{"extra"}, contractFolders...), []string{"folder functions/extra/ has 0 functions in the template, want 1 (ExtraFunction)"}},
		{"no functions folder", nil, []string{"cannot list the function folders"}},
	}
	src := readRepoTemplate(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeRepo(t, src, tt.folders...)
			tpl, err := Load(filepath.Join(root, "template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			errs := CheckFunctionFolders(tpl, root)
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d problems %v, want %d", len(errs), errs, len(tt.want))
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, err, tt.want[i])
				}
			}
		})
	}
}

func TestFunctionID(t *testing.T) {
	for folder, want := range map[string]string{
		"status": "StatusFunction", "chat": "ChatFunction", "offline": "OfflineFunction",
		"sweep": "SweepFunction", "mailer": "MailerFunction", "console": "ConsoleFunction", "": "",
	} {
		if got := FunctionID(folder); got != want {
			t.Errorf("FunctionID(%q) = %q, want %q", folder, got, want)
		}
	}
}
