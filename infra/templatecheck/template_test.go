package templatecheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repoTemplate is the project's template, relative to this package.
const repoTemplate = "../../template.yaml"

// TestRepoTemplate runs every check on the project's template and function
// folders; each check is a subtest so drift is reported by area.
func TestRepoTemplate(t *testing.T) {
	tpl, err := Load(repoTemplate)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name  string
		check func(*Template) []error
	}{
		{"functions", func(tpl *Template) []error { return CheckFunctionFolders(tpl, "../..") }},
		{"events", CheckEvents},
		{"websocket", CheckWebSocket},
		{"policies", CheckPolicies},
		{"parameters", CheckParameters},
		{"environment", CheckEnvironment},
		{"table", CheckTable},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			for _, err := range c.check(tpl) {
				t.Error(err)
			}
		})
	}
}

func TestRepoTemplatePath(t *testing.T) {
	got, err := RepoTemplate()
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs(repoTemplate)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("RepoTemplate() = %q, want %q", got, want)
	}
}

func TestParseShortForms(t *testing.T) {
	const src = `
Parameters:
  Slots: { Type: Number, Default: 3, MinValue: 1, MaxValue: 9, Description: d }
Resources:
  Thing:
    Type: Custom::Thing
    Condition: On
    DeletionPolicy: Retain
    Properties:
      Ref: !Ref Slots
      Att: !GetAtt Table.Arn
      AttList: !GetAtt [Table, StreamArn]
      Sub: !Sub "${Table.Arn}/index/*"
      SubList: !Sub ["x${D}", { D: !Select [1, !Split ["@", !Ref Slots]] }]
      Long: { "Fn::Join": ["", [a, b]] }
      If: !If [On, !Ref AWS::NoValue, no]
      Alias: &a [1, true]
      Again: *a
`
	tpl, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Ref":     map[string]any{"Ref": "Slots"},
		"Att":     map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}},
		"AttList": map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}},
		"Sub":     map[string]any{"Fn::Sub": "${Table.Arn}/index/*"},
		"SubList": map[string]any{"Fn::Sub": []any{"x${D}", map[string]any{
			"D": map[string]any{"Fn::Select": []any{1, map[string]any{"Fn::Split": []any{"@", map[string]any{"Ref": "Slots"}}}}},
		}}},
		"Long":  map[string]any{"Fn::Join": []any{"", []any{"a", "b"}}},
		"If":    map[string]any{"Fn::If": []any{"On", map[string]any{"Ref": "AWS::NoValue"}, "no"}},
		"Alias": []any{1, true},
		"Again": []any{1, true},
	}
	r := tpl.Resources["Thing"]
	if diff := cmp.Diff(want, r.Properties); diff != "" {
		t.Errorf("Properties (-want +got):\n%s", diff)
	}
	if r.Type != "Custom::Thing" || r.Condition != "On" || r.DeletionPolicy != "Retain" {
		t.Errorf("resource attributes = %+v", r)
	}
	lo, hi := 1.0, 9.0
	wantParam := Parameter{Type: "Number", Description: "d", Default: 3, HasDefault: true, MinValue: &lo, MaxValue: &hi}
	if diff := cmp.Diff(wantParam, tpl.Parameters["Slots"]); diff != "" {
		t.Errorf("Parameter (-want +got):\n%s", diff)
	}
	if got, want := references(r.Properties), []string{"Slots", "Table"}; !cmp.Equal(got, want) {
		t.Errorf("references = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown tag", "Resources:\n  A: { Type: X, Properties: { P: !Reff B } }\n", "unknown tag !Reff"},
		{"getatt without attribute", "Resources:\n  A: { Type: X, Properties: { P: !GetAtt Table } }\n", "not Resource.Attribute"},
		{"duplicate key", "Resources:\n  A: { Type: X }\n  A: { Type: Y }\n", `duplicate key "A"`},
		{"resource without type", "Resources:\n  A: { Properties: {} }\n", "has no Type"},
		{"not a mapping", "- 1\n", "not a mapping"},
		{"bad yaml", "Resources: [\n", "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFunctionEnvMergesGlobals(t *testing.T) {
	const src = `
Globals:
  Function:
    Environment:
      Variables: { TABLE_NAME: !Ref Table, LOG_LEVEL: INFO }
Resources:
  AFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables: { LOG_LEVEL: DEBUG, EXTRA: x }
`
	tpl, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"TABLE_NAME": map[string]any{"Ref": "Table"}, "LOG_LEVEL": "DEBUG", "EXTRA": "x"}
	if diff := cmp.Diff(want, tpl.FunctionEnv("AFunction")); diff != "" {
		t.Errorf("FunctionEnv (-want +got):\n%s", diff)
	}
}

// writeRepo lays out a repository root in a temporary folder: template.yaml
// holding src and one folder per name under functions/. It returns the root.
func writeRepo(t *testing.T, src string, folders ...string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "template.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if err := os.MkdirAll(filepath.Join(root, "functions", f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// readRepoTemplate returns the project's template text.
func readRepoTemplate(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(repoTemplate)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
