package template

import (
	"fmt"
	"sort"
)

// buildWebSocketAPI resolves an AWS::ApiGatewayV2::Api; only the
// WEBSOCKET protocol is supported.
func (r *resolver) buildWebSocketAPI(res *resource) (*WebSocketAPI, error) {
	where := "template: resource " + res.logicalID
	if err := checkProps(res.props, wsAPIActed, wsAPIIgnored, where); err != nil {
		return nil, err
	}
	proto, err := r.resolveString(res.props["ProtocolType"], "ProtocolType")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if proto != "WEBSOCKET" {
		return nil, fmt.Errorf("%s: ProtocolType %q is not supported by the local runner (only WEBSOCKET)", where, proto)
	}
	api := &WebSocketAPI{LogicalID: res.logicalID}
	if api.ID, err = r.physicalID(res); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if api.RouteSelectionExpression, err = r.resolveString(res.props["RouteSelectionExpression"], "RouteSelectionExpression"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if api.RouteSelectionExpression == "" {
		return nil, fmt.Errorf("%s: needs a RouteSelectionExpression", where)
	}
	return api, nil
}

// apiOf returns the WebSocket API that an ApiId property refers to.
func apiOf(v any, apis map[string]*WebSocketAPI) (*WebSocketAPI, error) {
	name, _ := refName(v)
	api, ok := apis[name]
	if !ok {
		return nil, fmt.Errorf("ApiId must be !Ref to a WEBSOCKET AWS::ApiGatewayV2::Api in the template")
	}
	return api, nil
}

// addStage records an AWS::ApiGatewayV2::Stage on its API.
func (r *resolver) addStage(res *resource, apis map[string]*WebSocketAPI) error {
	if err := checkProps(res.props, stageActed, stageIgnored, "stage"); err != nil {
		return err
	}
	api, err := apiOf(res.props["ApiId"], apis)
	if err != nil {
		return err
	}
	if api.StageName != "" {
		return fmt.Errorf("a second stage for %s is not supported by the local runner", api.LogicalID)
	}
	if api.StageName, err = r.resolveString(res.props["StageName"], "StageName"); err != nil {
		return err
	}
	if api.StageName == "" {
		return fmt.Errorf("needs a StageName")
	}
	vars, err := r.resolve(res.props["StageVariables"], "StageVariables")
	if err != nil {
		return err
	}
	api.StageVariables, err = stringMap(vars, "StageVariables")
	return err
}

// buildRoute resolves an AWS::ApiGatewayV2::Route to the function behind
// its integration target.
func (r *resolver) buildRoute(res *resource, apis map[string]*WebSocketAPI, integrations map[string]string) (*WebSocketAPI, WebSocketRoute, error) {
	route := WebSocketRoute{LogicalID: res.logicalID}
	p := res.props
	if err := checkProps(p, routeActed, routeIgnored, "route"); err != nil {
		return nil, route, err
	}
	api, err := apiOf(p["ApiId"], apis)
	if err != nil {
		return nil, route, err
	}
	str := func(key string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = r.resolveString(p[key], key)
		return s
	}
	route.RouteKey = str("RouteKey")
	target := str("Target")
	auth := str("AuthorizationType")
	apiKey := str("ApiKeyRequired")
	route.ReturnResponse = str("RouteResponseSelectionExpression") != ""
	if err != nil {
		return nil, route, err
	}
	if auth != "" && auth != "NONE" {
		return nil, route, fmt.Errorf("AuthorizationType %s is not supported by the local runner", auth)
	}
	if apiKey == "true" {
		return nil, route, fmt.Errorf("ApiKeyRequired is not supported by the local runner")
	}
	if route.RouteKey == "" {
		return nil, route, fmt.Errorf("needs a RouteKey")
	}
	fnID, ok := integrations[target]
	if !ok {
		return nil, route, fmt.Errorf("Target %q is not integrations/<an AWS::ApiGatewayV2::Integration in the template>", target)
	}
	route.Function = fnID
	return api, route, nil
}

// integrationTarget returns the logical id of the function an AWS_PROXY
// integration invokes.
func (r *resolver) integrationTarget(res *resource, funcsByName map[string]string) (string, error) {
	p := res.props
	if err := checkProps(p, integActed, integIgnored, "integration"); err != nil {
		return "", err
	}
	typ, err := r.resolveString(p["IntegrationType"], "IntegrationType")
	if err != nil {
		return "", err
	}
	if typ != "AWS_PROXY" {
		return "", fmt.Errorf("IntegrationType %q is not supported by the local runner (only AWS_PROXY)", typ)
	}
	uri, err := r.resolveString(p["IntegrationUri"], "IntegrationUri")
	if err != nil {
		return "", err
	}
	m := lambdaARN.FindStringSubmatch(uri)
	if m == nil {
		return "", fmt.Errorf("IntegrationUri %q does not name a Lambda function", uri)
	}
	id, ok := funcsByName[m[1]]
	if !ok {
		return "", fmt.Errorf("IntegrationUri %q names function %s, which is not in the template", uri, m[1])
	}
	return id, nil
}

// refName returns the name in a !Ref value.
func refName(v any) (string, bool) {
	f, ok := v.(fn)
	if !ok || f.name != "Ref" {
		return "", false
	}
	s, ok := f.arg.(string)
	return s, ok
}

// stringMap converts a resolved mapping of scalars to map[string]string;
// nil stays nil.
func stringMap(v any, what string) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, err := asMap(v, what)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for _, k := range sortedKeys(m) {
		if out[k], err = asString(m[k], what+"."+k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sortWSRoutes(routes []WebSocketRoute) {
	sort.Slice(routes, func(i, j int) bool { return routes[i].RouteKey < routes[j].RouteKey })
}
