package template

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ref evaluates Ref: a parameter, a pseudo parameter or a resource.
func (r *resolver) ref(name string) (any, error) {
	if v, ok := r.params[name]; ok {
		return v, nil
	}
	switch name {
	case "AWS::Region":
		return r.region, nil
	case "AWS::AccountId":
		return r.account, nil
	case "AWS::Partition":
		return r.partition, nil
	case "AWS::StackName":
		return r.stack, nil
	case "AWS::URLSuffix":
		return r.suffix, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000",
			r.partition, r.region, r.account, r.stack), nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	res, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	switch res.typ {
	case "AWS::SQS::Queue":
		return r.getAtt(name, "QueueUrl")
	case "AWS::SNS::Topic":
		return r.arn("sns", r.mustName(res)), nil
	}
	return r.physicalID(res)
}

// lookup finds a resource that exists in this run.
func (r *resolver) lookup(name string) (*resource, error) {
	res, ok := r.resources[name]
	if !ok {
		if strings.HasPrefix(name, "AWS::") {
			return nil, fmt.Errorf("pseudo parameter %s is not supported by the local runner", name)
		}
		return nil, fmt.Errorf("reference to unknown parameter or resource %s", name)
	}
	if res.excluded {
		return nil, fmt.Errorf("reference to resource %s whose condition %s is false", name, res.condition)
	}
	return res, nil
}

// getAtt evaluates Fn::GetAtt for the attributes the runner can fake.
func (r *resolver) getAtt(name, attr string) (any, error) {
	res, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	unsupported := fmt.Errorf("GetAtt %s.%s (%s) is not supported by the local runner", name, attr, res.typ)
	id, err := r.physicalID(res)
	if err != nil {
		return nil, err
	}
	switch res.typ {
	case "AWS::Serverless::Function":
		if attr == "Arn" {
			return r.arn("lambda", "function:"+id), nil
		}
	case "AWS::DynamoDB::Table":
		switch attr {
		case "Arn":
			return r.arn("dynamodb", "table/"+id), nil
		case "StreamArn":
			return r.arn("dynamodb", "table/"+id+"/stream/1970-01-01T00:00:00.000"), nil
		}
	case "AWS::Serverless::Api":
		if attr == "RootResourceId" {
			return shortID(r.stack+"/"+name+"/root", 10), nil
		}
	case "AWS::ApiGatewayV2::Api":
		switch attr {
		case "ApiId":
			return id, nil
		case "ApiEndpoint":
			scheme := "https"
			if p, _ := res.props["ProtocolType"].(string); p == "WEBSOCKET" {
				scheme = "wss"
			}
			return scheme + "://" + id + ".execute-api." + r.region + "." + r.suffix, nil
		}
	case "AWS::IAM::Role":
		switch attr {
		case "Arn":
			return "arn:" + r.partition + ":iam::" + r.account + ":role/" + id, nil
		case "RoleId":
			return "AROA" + strings.ToUpper(shortID(name, 16)), nil
		}
	case "AWS::SQS::Queue":
		switch attr {
		case "Arn":
			return r.arn("sqs", id), nil
		case "QueueName":
			return id, nil
		case "QueueUrl":
			return "https://sqs." + r.region + "." + r.suffix + "/" + r.account + "/" + id, nil
		}
	case "AWS::SNS::Topic":
		switch attr {
		case "TopicArn":
			return r.arn("sns", id), nil
		case "TopicName":
			return id, nil
		}
	case "AWS::Logs::LogGroup":
		if attr == "Arn" {
			return r.arn("logs", "log-group:"+id+":*"), nil
		}
	}
	return nil, unsupported
}

func (r *resolver) arn(service, rest string) string {
	return "arn:" + r.partition + ":" + service + ":" + r.region + ":" + r.account + ":" + rest
}

// nameProps names, per resource type, the property holding its name.
var nameProps = map[string]string{
	"AWS::Serverless::Function": "FunctionName",
	"AWS::DynamoDB::Table":      "TableName",
	"AWS::IAM::Role":            "RoleName",
	"AWS::SQS::Queue":           "QueueName",
	"AWS::SNS::Topic":           "TopicName",
	"AWS::Logs::LogGroup":       "LogGroupName",
	"AWS::ApiGatewayV2::Stage":  "StageName",
}

// physicalID returns the caller's id for the resource, its name property,
// or a deterministic derived id.
func (r *resolver) physicalID(res *resource) (string, error) {
	if id, ok := r.physical[res.logicalID]; ok {
		return id, nil
	}
	if r.physBusy[res.logicalID] {
		return "", fmt.Errorf("circular reference through the name of %s", res.logicalID)
	}
	r.physBusy[res.logicalID] = true
	defer delete(r.physBusy, res.logicalID)
	var id string
	if prop, ok := nameProps[res.typ]; ok && res.props[prop] != nil {
		name, err := r.resolveString(res.props[prop], res.logicalID+"."+prop)
		if err != nil {
			return "", err
		}
		id = name
	}
	if id == "" {
		switch res.typ {
		case "AWS::Serverless::Api", "AWS::ApiGatewayV2::Api":
			id = shortID(r.stack+"/"+res.logicalID, 10)
		case "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration",
			"AWS::ApiGatewayV2::Deployment", "AWS::ApiGatewayV2::RouteResponse":
			id = shortID(r.stack+"/"+res.logicalID, 7)
		default:
			id = r.stack + "-" + res.logicalID
		}
	}
	r.physical[res.logicalID] = id
	return id, nil
}

// mustName is physicalID for types whose name cannot be circular.
func (r *resolver) mustName(res *resource) string {
	id, err := r.physicalID(res)
	if err != nil {
		return r.stack + "-" + res.logicalID
	}
	return id
}

// shortID derives a stable lower-case alphanumeric id of n characters.
func shortID(seed string, n int) string {
	var out string
	for i := 0; len(out) < n; i++ {
		h := fnv.New64a()
		h.Write([]byte(strconv.Itoa(i) + seed))
		out += strconv.FormatUint(h.Sum64(), 36)
	}
	return out[:n]
}

// cond evaluates a named condition, once.
func (r *resolver) cond(name string) (bool, error) {
	if v, ok := r.condCache[name]; ok {
		return v, nil
	}
	def, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %s", name)
	}
	if r.condBusy[name] {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	r.condBusy[name] = true
	defer delete(r.condBusy, name)
	v, err := r.evalCond(def)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	r.condCache[name] = v
	return v, nil
}

// evalCond evaluates a condition expression.
func (r *resolver) evalCond(v any) (bool, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 && m["Condition"] != nil {
		v = fn{name: "Condition", arg: m["Condition"]}
	}
	f, ok := v.(fn)
	if !ok {
		return false, fmt.Errorf("condition is not Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition")
	}
	if f.name == "Condition" {
		name, ok := f.arg.(string)
		if !ok {
			return false, fmt.Errorf("Condition needs a name")
		}
		return r.cond(name)
	}
	list, ok := f.arg.([]any)
	if !ok {
		return false, fmt.Errorf("%s needs a list", f.name)
	}
	switch f.name {
	case "Fn::Equals":
		if len(list) != 2 {
			return false, fmt.Errorf("Fn::Equals needs two values")
		}
		a, err := r.resolve(list[0], "Fn::Equals")
		if err != nil {
			return false, err
		}
		b, err := r.resolve(list[1], "Fn::Equals")
		if err != nil {
			return false, err
		}
		return fmt.Sprint(a) == fmt.Sprint(b), nil
	case "Fn::Not", "Fn::And", "Fn::Or":
		if f.name == "Fn::Not" && len(list) != 1 {
			return false, fmt.Errorf("Fn::Not needs one condition")
		}
		all, anyTrue := true, false
		for _, c := range list {
			v, err := r.evalCond(c)
			if err != nil {
				return false, err
			}
			all = all && v
			anyTrue = anyTrue || v
		}
		switch f.name {
		case "Fn::Not":
			return !all, nil
		case "Fn::And":
			return all, nil
		}
		return anyTrue, nil
	}
	return false, fmt.Errorf("intrinsic %s is not supported in a condition by the local runner", f.name)
}
