package template

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func loadFixture(t *testing.T, cfg Config) *Template {
	t.Helper()
	tpl, err := Load(filepath.Join("testdata", "livehelp.yaml"), cfg)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tpl
}

func TestLoadFunctions(t *testing.T) {
	tpl := loadFixture(t, Config{
		PhysicalIDs:  map[string]string{"Table": "livehelp-local"},
		APIEndpoints: map[string]string{"WebSocketApi": "http://127.0.0.1:9001", "RestApi": "http://127.0.0.1:9000/"},
	})
	chat := tpl.Functions["ChatFunction"]
	want := &Function{
		LogicalID:     "ChatFunction",
		Name:          "devstack-ChatFunction",
		ARN:           "arn:aws:lambda:us-east-1:123456789012:function:devstack-ChatFunction",
		CodeURI:       "functions/chat/",
		Handler:       "bootstrap",
		Runtime:       "provided.al2023",
		Architectures: []string{"arm64"},
		Timeout:       10 * time.Second,
		MemorySize:    512,
		Environment: map[string]string{
			"TABLE_NAME":         "livehelp-local",
			"LOG_LEVEL":          "DEBUG",
			"WEBSOCKET_ENDPOINT": "http://127.0.0.1:9001/live",
			"HEARTBEAT_SECONDS":  "20",
			"DEBUG_ONLY":         "yes",
		},
	}
	if diff := cmp.Diff(want, chat); diff != "" {
		t.Errorf("ChatFunction (-want +got):\n%s", diff)
	}

	tests := []struct {
		fn   string
		want map[string]string
	}{
		{"StatusFunction", map[string]string{
			"TABLE_NAME": "livehelp-local", "LOG_LEVEL": "DEBUG", "STATUS_CACHE_SECONDS": "5",
			"API_URL": "http://127.0.0.1:9000/live",
		}},
		{"ConsoleFunction", map[string]string{
			"TABLE_NAME": "livehelp-local", "LOG_LEVEL": "DEBUG",
			"WEBSOCKET_ENDPOINT":        "http://127.0.0.1:9001/live",
			"WEBSOCKET_URL":             "ws://127.0.0.1:9001/live",
			"ALLOWED_ORIGINS":           "",
			"OPERATORS_LIST_EXPIRATION": "60",
		}},
		{"SweepFunction", map[string]string{
			"TABLE_NAME": "livehelp-local", "LOG_LEVEL": "DEBUG", "SENDER_EMAIL": "help@example.com",
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tpl.Functions[tt.fn].Environment); diff != "" {
			t.Errorf("%s environment (-want +got):\n%s", tt.fn, diff)
		}
	}
	sweep := tpl.Functions["SweepFunction"]
	if sweep.Timeout != time.Minute || sweep.ReservedConcurrency != 1 || sweep.MemorySize != 256 {
		t.Errorf("SweepFunction timeout %v, reserved %d, memory %d; want 1m0s, 1, 256", sweep.Timeout, sweep.ReservedConcurrency, sweep.MemorySize)
	}
	wantSchedules := []ScheduleEvent{
		{Name: "Every", RuleName: "devstack-SweepFunctionEvery", Expression: "rate(1 minute)", Enabled: true},
		{Name: "Nightly", RuleName: "nightly-sweep", Expression: "rate(1 day)", Enabled: false, Input: `{"full":true}`},
	}
	if diff := cmp.Diff(wantSchedules, sweep.Schedules); diff != "" {
		t.Errorf("SweepFunction schedules (-want +got):\n%s", diff)
	}
}

func TestLoadParameterOverrides(t *testing.T) {
	tpl := loadFixture(t, Config{
		Parameters: map[string]string{"Stage": "prod", "AllowedOrigins": "https://a.example, https://b.example", "HeartbeatSeconds": "7"},
		Region:     "eu-west-1",
		StackName:  "lh",
	})
	if got := tpl.Parameters["Stage"]; got != "prod" {
		t.Errorf("Parameters[Stage] = %q, want prod", got)
	}
	env := tpl.Functions["ConsoleFunction"].Environment
	if got, want := env["ALLOWED_ORIGINS"], "https://a.example,https://b.example"; got != want {
		t.Errorf("ALLOWED_ORIGINS = %q, want %q", got, want)
	}
	ws := tpl.WebSocketAPIs[0].ID
	if got, want := env["WEBSOCKET_URL"], "wss://"+ws+".execute-api.eu-west-1.amazonaws.com/live"; got != want {
		t.Errorf("WEBSOCKET_URL without APIEndpoints = %q, want %q", got, want)
	}
	chat := tpl.Functions["ChatFunction"].Environment
	if _, ok := chat["DEBUG_ONLY"]; ok {
		t.Errorf("DEBUG_ONLY present in prod; AWS::NoValue should remove it")
	}
	if chat["LOG_LEVEL"] != "INFO" || chat["HEARTBEAT_SECONDS"] != "7" || chat["TABLE_NAME"] != "lh-Table" {
		t.Errorf("chat env = %v; want LOG_LEVEL INFO, HEARTBEAT_SECONDS 7, TABLE_NAME lh-Table", chat)
	}
	if _, ok := tpl.Ignored["ChatErrors"]; !ok {
		t.Errorf("prod: alarm ChatErrors not listed as ignored: %v", tpl.Ignored)
	}
}

func TestLoadAPIs(t *testing.T) {
	tpl := loadFixture(t, Config{PhysicalIDs: map[string]string{"RestApi": "rest123456", "WebSocketApi": "ws12345678"}})
	wantRest := []*RestAPI{{
		LogicalID:        "RestApi",
		ID:               "rest123456",
		StageName:        "live",
		BinaryMediaTypes: []string{"image/png"},
		Routes: []Route{
			{Method: "GET", Path: "/console", Function: "ConsoleFunction"},
			{Method: "ANY", Path: "/v1/console/{proxy+}", Function: "ConsoleFunction"},
			{Method: "GET", Path: "/v1/sites/{site}/status", Function: "StatusFunction"},
		},
	}}
	if diff := cmp.Diff(wantRest, tpl.RestAPIs); diff != "" {
		t.Errorf("RestAPIs (-want +got):\n%s", diff)
	}
	wantWS := []*WebSocketAPI{{
		LogicalID:                "WebSocketApi",
		ID:                       "ws12345678",
		RouteSelectionExpression: "$request.body.action",
		StageName:                "live",
		Routes: []WebSocketRoute{
			{LogicalID: "ConnectRoute", RouteKey: "$connect", Function: "ChatFunction"},
			{LogicalID: "DefaultRoute", RouteKey: "$default", Function: "ChatFunction", ReturnResponse: true},
			{LogicalID: "DisconnectRoute", RouteKey: "$disconnect", Function: "ChatFunction"},
		},
	}}
	if diff := cmp.Diff(wantWS, tpl.WebSocketAPIs); diff != "" {
		t.Errorf("WebSocketAPIs (-want +got):\n%s", diff)
	}
	wantIgnored := map[string]string{
		"ChatDeadLetters":      "AWS::SQS::Queue",
		"ChatInvokePermission": "AWS::Lambda::Permission",
		"ChatFunctionRole":     "AWS::IAM::Role",
		"ConsoleFunctionRole":  "AWS::IAM::Role",
		"StatusFunctionRole":   "AWS::IAM::Role",
		"SweepFunctionRole":    "AWS::IAM::Role",
	}
	if diff := cmp.Diff(wantIgnored, tpl.Ignored); diff != "" {
		t.Errorf("Ignored (-want +got):\n%s", diff)
	}
	if len(tpl.Tables) != 1 {
		t.Fatalf("Tables = %d, want 1", len(tpl.Tables))
	}
	table := tpl.Tables[0]
	wantTags := []any{map[string]any{"Key": "stage", "Value": "dev"}}
	if diff := cmp.Diff(wantTags, table.Properties["Tags"]); table.Name != "devstack-Table" || diff != "" {
		t.Errorf("table %s, tags (-want +got):\n%s", table.Name, diff)
	}
}

// TestLoadRepositoryTemplate loads the real template.yaml once it exists
// and checks the names the contract fixes.
func TestLoadRepositoryTemplate(t *testing.T) {
	path := filepath.Join("..", "..", "..", "template.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skip("template.yaml not written yet")
	}
	tpl, err := Load(path, Config{APIEndpoints: map[string]string{
		"WebSocketApi": "http://127.0.0.1:9001", "RestApi": "http://127.0.0.1:9000",
	}})
	if err != nil {
		t.Fatalf("Load(template.yaml): %v", err)
	}
	for _, id := range []string{"StatusFunction", "ChatFunction", "OfflineFunction", "SweepFunction", "MailerFunction", "ConsoleFunction"} {
		f, ok := tpl.Functions[id]
		if !ok {
			t.Errorf("function %s missing", id)
			continue
		}
		if f.Environment["TABLE_NAME"] == "" {
			t.Errorf("%s: TABLE_NAME empty", id)
		}
		if e, ok := f.Environment["WEBSOCKET_ENDPOINT"]; ok && e != "http://127.0.0.1:9001/live" {
			t.Errorf("%s: WEBSOCKET_ENDPOINT = %q, want the local rewrite", id, e)
		}
	}
	if len(tpl.WebSocketAPIs) != 1 || len(tpl.WebSocketAPIs[0].Routes) != 3 {
		t.Fatalf("WebSocketAPIs = %+v, want one with 3 routes", tpl.WebSocketAPIs)
	}
	for _, r := range tpl.WebSocketAPIs[0].Routes {
		if r.Function != "ChatFunction" {
			t.Errorf("route %s -> %s, want ChatFunction", r.RouteKey, r.Function)
		}
	}
	if len(tpl.RestAPIs) != 1 || tpl.RestAPIs[0].StageName != "live" {
		t.Errorf("RestAPIs = %+v, want one with stage live", tpl.RestAPIs)
	}
}
