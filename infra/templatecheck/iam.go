package templatecheck

import (
	"fmt"
	"regexp"
	"strings"
)

// DynamoDB item actions the read/write functions may use. Transactions need
// no actions of their own: TransactWriteItems and TransactGetItems are
// authorized per item by PutItem, UpdateItem, DeleteItem, GetItem and
// ConditionCheckItem.
var tableReadWrite = []string{
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
}

const (
	manageConnections = "execute-api:ManageConnections"
	sendEmail         = "ses:SendEmail"
)

// functionActions are, per function, the most each may be granted.
var functionActions = map[string][]string{
	"StatusFunction":  {"dynamodb:GetItem"},
	"ChatFunction":    with(tableReadWrite, manageConnections),
	"OfflineFunction": with(tableReadWrite, manageConnections),
	"SweepFunction":   with(tableReadWrite, manageConnections),
	"MailerFunction":  with(tableReadWrite, sendEmail),
	"ConsoleFunction": with(tableReadWrite, "dynamodb:BatchWriteItem", manageConnections, sendEmail),
}

// with returns a new list of base followed by more.
func with(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}

// functionNeeds are, per function, the grants without which it cannot work.
var functionNeeds = map[string][]string{
	"StatusFunction":  {"dynamodb:GetItem"},
	"ChatFunction":    {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", manageConnections},
	"OfflineFunction": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", manageConnections},
	"SweepFunction":   {"dynamodb:Query", "dynamodb:UpdateItem", manageConnections},
	"MailerFunction":  {"dynamodb:Query", "dynamodb:UpdateItem", sendEmail},
	"ConsoleFunction": {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", manageConnections, sendEmail},
}

// connectionsARN matches the @connections ARNs of this WebSocket API's live
// stage, for the management API's POST, GET and DELETE.
var connectionsARN = regexp.MustCompile(`^arn:\$\{AWS::Partition\}:execute-api:\$\{AWS::Region\}:\$\{AWS::AccountId\}:\$\{WebSocketApi\}/live/(POST|GET|DELETE)/@connections/\*$`)

// The SES identities the sender may use: the address, or its domain.
const sesEmailIdentity = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderEmail}"

var sesDomainIdentity = map[string]any{"Fn::Sub": []any{
	"arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderDomain}",
	map[string]any{"SenderDomain": map[string]any{"Fn::Select": []any{1, map[string]any{
		"Fn::Split": []any{"@", map[string]any{"Ref": "SenderEmail"}},
	}}}},
}}

// CheckPolicies checks every IAM statement in the template: the functions'
// Policies (which must be explicit statements, not managed policies or SAM
// policy templates) and any AWS::IAM::Role, Policy or ManagedPolicy. Allow
// statements may not use wildcards in actions, NotAction, NotResource or a
// "*" resource; they may grant only DynamoDB on the table (and Query on its
// indexes; never Scan), execute-api:ManageConnections on this WebSocket API's
// live @connections, and ses:SendEmail as SenderEmail. Each function gets at
// most, and at least, what the contract gives it.
func CheckPolicies(t *Template) []error {
	var errs []error
	for _, id := range t.Functions() {
		props := t.Resources[id].Properties
		if _, has := props["Role"]; has {
			errs = append(errs, fmt.Errorf("iam: %s sets Role; use Policies so its grants can be checked", id))
		}
		granted := map[string]string{}
		for i, p := range asList(props["Policies"]) {
			doc := asMap(p)
			if _, ok := doc["Statement"]; !ok {
				errs = append(errs, fmt.Errorf("iam: %s policy %d is %s; use explicit Statement lists, not managed policies or SAM policy templates", id, i, show(p)))
				continue
			}
			errs = append(errs, checkDocument(id, doc, granted)...)
		}
		if allowed, ok := functionActions[id]; ok {
			set := actionSet(allowed)
			for _, a := range sortedKeys(granted) {
				if !set[a] {
					errs = append(errs, fmt.Errorf("iam: %s: action %s is not allowed for this function", id, granted[a]))
				}
			}
		}
		for _, a := range functionNeeds[id] {
			if _, ok := granted[strings.ToLower(a)]; !ok {
				errs = append(errs, fmt.Errorf("iam: %s: lacks %s, which it needs", id, a))
			}
		}
	}
	for _, typ := range []string{"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, id := range t.ResourcesOfType(typ) {
			props := t.Resources[id].Properties
			docs := []any{props["PolicyDocument"]}
			for _, p := range asList(props["Policies"]) {
				docs = append(docs, asMap(p)["PolicyDocument"])
			}
			for _, d := range docs {
				if d != nil {
					errs = append(errs, checkDocument(id, asMap(d), map[string]string{})...)
				}
			}
		}
	}
	return errs
}

// checkDocument checks the statements of one policy document of owner and
// adds the actions they allow to granted, keyed by their lower-case form.
func checkDocument(owner string, doc map[string]any, granted map[string]string) []error {
	var errs []error
	for i, raw := range asList(doc["Statement"]) {
		st := asMap(raw)
		where := fmt.Sprintf("iam: %s statement %d", owner, i)
		if sid, ok := st["Sid"].(string); ok {
			where = fmt.Sprintf("iam: %s statement %s", owner, sid)
		}
		for _, a := range asList(st["Action"]) {
			if s, _ := a.(string); strings.EqualFold(s, "dynamodb:Scan") {
				errs = append(errs, fmt.Errorf("%s: dynamodb:Scan is never allowed", where))
			}
		}
		if st["Effect"] != "Allow" {
			continue
		}
		if _, ok := st["NotAction"]; ok {
			errs = append(errs, fmt.Errorf("%s: NotAction grants everything else", where))
		}
		if _, ok := st["NotResource"]; ok {
			errs = append(errs, fmt.Errorf("%s: NotResource grants everything else", where))
		}
		services := map[string]bool{}
		var actions []string
		for _, a := range asList(st["Action"]) {
			s, _ := a.(string)
			if s == "" || strings.ContainsAny(s, "*?") {
				errs = append(errs, fmt.Errorf("%s: action %s must be one named action", where, show(a)))
				continue
			}
			svc, _, _ := strings.Cut(strings.ToLower(s), ":")
			services[svc] = true
			actions = append(actions, s)
			granted[strings.ToLower(s)] = s
		}
		if len(services) != 1 {
			errs = append(errs, fmt.Errorf("%s: must grant actions of exactly one service, has %v", where, sortedKeys(services)))
			continue
		}
		resources := asList(st["Resource"])
		if len(resources) == 0 {
			errs = append(errs, fmt.Errorf("%s: has no Resource", where))
		}
		for _, r := range resources {
			if r == "*" {
				errs = append(errs, fmt.Errorf(`%s: Resource "*" is not scoped`, where))
			}
		}
		switch svc := sortedKeys(services)[0]; svc {
		case "dynamodb":
			errs = append(errs, checkTableResources(where, actions, resources)...)
		case "execute-api":
			errs = append(errs, checkConnectionResources(where, actions, resources)...)
		case "ses":
			errs = append(errs, checkSenderResources(where, st, actions, resources)...)
		default:
			errs = append(errs, fmt.Errorf("%s: grants %s, which no function needs", where, svc))
		}
	}
	return errs
}

func checkTableResources(where string, actions []string, resources []any) []error {
	var errs []error
	onlyQuery := true
	for _, a := range actions {
		onlyQuery = onlyQuery && strings.EqualFold(a, "dynamodb:Query")
	}
	for _, r := range resources {
		if res, attr, ok := getAtt(r); ok && res == "Table" && attr == "Arn" {
			continue
		}
		if s, ok := subString(r); ok && strings.HasPrefix(s, "${Table.Arn}/index/") && !strings.Contains(strings.TrimPrefix(s, "${Table.Arn}/index/"), "/") {
			if !onlyQuery {
				errs = append(errs, fmt.Errorf("%s: only dynamodb:Query may be granted on %s", where, show(r)))
			}
			continue
		}
		errs = append(errs, fmt.Errorf("%s: DynamoDB resource %s is not the table (!GetAtt Table.Arn) or its indexes (${Table.Arn}/index/...)", where, show(r)))
	}
	return errs
}

func checkConnectionResources(where string, actions []string, resources []any) []error {
	var errs []error
	for _, a := range actions {
		if !strings.EqualFold(a, manageConnections) {
			errs = append(errs, fmt.Errorf("%s: %s is not %s", where, a, manageConnections))
		}
	}
	for _, r := range resources {
		if s, ok := subString(r); !ok || !connectionsARN.MatchString(s) {
			errs = append(errs, fmt.Errorf("%s: %s is not this WebSocketApi's live/{POST,GET,DELETE}/@connections/*", where, show(r)))
		}
	}
	return errs
}

func checkSenderResources(where string, st map[string]any, actions []string, resources []any) []error {
	var errs []error
	for _, a := range actions {
		if !strings.EqualFold(a, sendEmail) {
			errs = append(errs, fmt.Errorf("%s: %s is not %s", where, a, sendEmail))
		}
	}
	for _, r := range resources {
		if s, ok := subString(r); ok && s == sesEmailIdentity {
			continue
		}
		if same(r, sesDomainIdentity) {
			from := asMap(asMap(st["Condition"])["StringEquals"])["ses:FromAddress"]
			if !isRef(from, "SenderEmail") {
				errs = append(errs, fmt.Errorf("%s: the domain identity needs Condition StringEquals ses:FromAddress !Ref SenderEmail", where))
			}
			continue
		}
		errs = append(errs, fmt.Errorf("%s: ses resource %s is not the sender identity (SenderEmail or its domain)", where, show(r)))
	}
	return errs
}

// actionSet returns the lower-cased actions as a set (IAM actions are case
// insensitive).
func actionSet(actions []string) map[string]bool {
	set := make(map[string]bool, len(actions))
	for _, a := range actions {
		set[strings.ToLower(a)] = true
	}
	return set
}
