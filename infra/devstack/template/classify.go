package template

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ignoredTypes are resource types that only matter in AWS; a local run
// does not act on them.
var ignoredTypes = map[string]bool{
	"AWS::IAM::Role":                       true,
	"AWS::IAM::Policy":                     true,
	"AWS::IAM::ManagedPolicy":              true,
	"AWS::Lambda::Permission":              true,
	"AWS::Logs::LogGroup":                  true,
	"AWS::Logs::MetricFilter":              true,
	"AWS::CloudWatch::Alarm":               true,
	"AWS::CloudWatch::CompositeAlarm":      true,
	"AWS::CloudWatch::Dashboard":           true,
	"AWS::ApiGateway::Account":             true,
	"AWS::ApiGatewayV2::Deployment":        true,
	"AWS::SES::EmailIdentity":              true,
	"AWS::SES::ConfigurationSet":           true,
	"AWS::SQS::QueuePolicy":                true,
	"AWS::SNS::TopicPolicy":                true,
	"AWS::CertificateManager::Certificate": true,
}

// deadLetterTypes are ignored only while no resource the runner acts on
// uses them other than as a dead-letter target.
var deadLetterTypes = map[string]bool{
	"AWS::SQS::Queue": true,
	"AWS::SNS::Topic": true,
}

// supportedTypes are the resource types the runner acts on.
var supportedTypes = map[string]bool{
	"AWS::Serverless::Function":        true,
	"AWS::Serverless::Api":             true,
	"AWS::ApiGatewayV2::Api":           true,
	"AWS::ApiGatewayV2::Route":         true,
	"AWS::ApiGatewayV2::Integration":   true,
	"AWS::ApiGatewayV2::Stage":         true,
	"AWS::ApiGatewayV2::RouteResponse": true,
	"AWS::DynamoDB::Table":             true,
}

// classify sorts resources into acted-on and ignored ones; every other
// type is an error naming it.
func (r *resolver) classify(t *Template) error {
	uses := r.deadLetterUses()
	var errs []error
	for _, id := range sortedKeys(r.resources) {
		res := r.resources[id]
		switch {
		case res.excluded || supportedTypes[res.typ]:
		case ignoredTypes[res.typ]:
			t.Ignored[id] = res.typ
		case deadLetterTypes[res.typ] && len(uses[id]) == 0:
			t.Ignored[id] = res.typ
		case deadLetterTypes[res.typ]:
			errs = append(errs, fmt.Errorf("template: resource %s: type %s is not supported by the local runner (used by %s; only dead-letter targets are ignored)",
				id, res.typ, strings.Join(uses[id], ", ")))
		default:
			errs = append(errs, fmt.Errorf("template: resource %s: type %s is not supported by the local runner", id, res.typ))
		}
	}
	return errors.Join(errs...)
}

// deadLetterUses lists, per resource name, where resources the runner
// acts on refer to it other than as a dead-letter target.
func (r *resolver) deadLetterUses() map[string][]string {
	uses := map[string][]string{}
	for _, id := range sortedKeys(r.resources) {
		res := r.resources[id]
		if res.excluded || !supportedTypes[res.typ] {
			continue
		}
		walkRefs(res.props, "", func(name, path string) {
			if res.typ == "AWS::Serverless::Function" && isDeadLetterPath(path) {
				return
			}
			uses[name] = append(uses[name], id+"."+path)
		})
	}
	for k := range uses {
		sort.Strings(uses[k])
	}
	return uses
}

var deadLetterPath = regexp.MustCompile(`^(DeadLetterQueue|EventInvokeConfig|Events\.[^.]+\.Properties\.DeadLetterConfig)(\.|\[|$)`)

func isDeadLetterPath(path string) bool { return deadLetterPath.MatchString(path) }

// walkRefs calls visit for each resource or parameter name referenced by
// Ref, Fn::GetAtt or Fn::Sub within v.
func walkRefs(v any, path string, visit func(name, path string)) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			walkRefs(t[k], joinPath(path, k), visit)
		}
	case []any:
		for i, e := range t {
			walkRefs(e, fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case fn:
		switch t.name {
		case "Ref":
			if s, ok := t.arg.(string); ok {
				visit(s, path)
			}
		case "Fn::GetAtt":
			if l, ok := t.arg.([]any); ok && len(l) > 0 {
				if s, ok := l[0].(string); ok {
					visit(s, path)
				}
			}
		case "Fn::Sub":
			tmpl := t.arg
			if l, ok := t.arg.([]any); ok && len(l) > 0 {
				tmpl = l[0]
				walkRefs(l[1:], path, visit)
			}
			if s, ok := tmpl.(string); ok {
				for _, m := range subVars.FindAllStringSubmatch(s, -1) {
					visit(m[1], path)
				}
			}
			return
		}
		walkRefs(t.arg, path, visit)
	}
}

var subVars = regexp.MustCompile(`\$\{([^!}.][^}.]*)[}.]`)
