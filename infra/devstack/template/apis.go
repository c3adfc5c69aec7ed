package template

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	restAPIActed   = set("StageName", "BinaryMediaTypes", "Variables")
	restAPIIgnored = set("Name", "Description", "Tags", "TracingEnabled", "MethodSettings",
		"AccessLogSetting", "EndpointConfiguration", "OpenApiVersion", "CacheClusterEnabled",
		"CacheClusterSize", "CanarySetting", "Domain", "MinimumCompressionSize", "ApiKeySourceType",
		"DisableExecuteApiEndpoint", "Mode", "FailOnWarnings", "AlwaysDeploy", "PropagateTags", "Policy")
	wsAPIActed   = set("ProtocolType", "RouteSelectionExpression")
	wsAPIIgnored = set("Name", "Description", "Tags", "ApiKeySelectionExpression",
		"DisableSchemaValidation", "DisableExecuteApiEndpoint", "IpAddressType")
	routeActed   = set("ApiId", "RouteKey", "Target", "RouteResponseSelectionExpression", "AuthorizationType", "ApiKeyRequired")
	routeIgnored = set("OperationName")
	integActed   = set("ApiId", "IntegrationType", "IntegrationUri")
	integIgnored = set("IntegrationMethod", "Description", "CredentialsArn", "TimeoutInMillis",
		"PassthroughBehavior", "PayloadFormatVersion", "ConnectionType")
	stageActed   = set("ApiId", "StageName", "StageVariables")
	stageIgnored = set("AutoDeploy", "DeploymentId", "DefaultRouteSettings", "RouteSettings",
		"AccessLogSettings", "Description", "Tags", "ClientCertificateId")
	routeRespActed = set("ApiId", "RouteId", "RouteResponseKey")
	lambdaARN      = regexp.MustCompile(`arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:/]+)`)
)

// rewrites builds the execute-api rewrites for cfg.APIEndpoints followed
// by cfg.Rewrites.
func (r *resolver) rewrites(cfg Config) ([]Rewriter, error) {
	var out []Rewriter
	for _, id := range sortedKeys(cfg.APIEndpoints) {
		res, ok := r.resources[id]
		if !ok || res.typ != "AWS::Serverless::Api" && res.typ != "AWS::ApiGatewayV2::Api" {
			return nil, fmt.Errorf("template: APIEndpoints: %s is not an API in the template", id)
		}
		phys, err := r.physicalID(res)
		if err != nil {
			return nil, fmt.Errorf("template: resource %s: %w", id, err)
		}
		out = append(out, ExecuteAPIRewriter(phys, r.region, r.suffix, cfg.APIEndpoints[id]))
	}
	return append(out, cfg.Rewrites...), nil
}

// build resolves every acted-on resource into t.
func (r *resolver) build(t *Template, rewrites []Rewriter) error {
	byType := map[string][]*resource{}
	for _, id := range sortedKeys(r.resources) {
		if res := r.resources[id]; !res.excluded {
			byType[res.typ] = append(byType[res.typ], res)
		}
	}
	for _, res := range byType["AWS::Serverless::Function"] {
		f, err := r.buildFunction(res, rewrites)
		if err != nil {
			return err
		}
		t.Functions[f.LogicalID] = f
	}
	apis := map[string]*RestAPI{}
	for _, res := range byType["AWS::Serverless::Api"] {
		api, err := r.buildRestAPI(res)
		if err != nil {
			return err
		}
		apis[api.LogicalID] = api
		t.RestAPIs = append(t.RestAPIs, api)
	}
	for _, id := range sortedKeys(t.Functions) {
		for _, e := range t.Functions[id].APIEvents {
			api, ok := apis[e.RestAPI]
			if !ok {
				return fmt.Errorf("template: resource %s: event %s: RestApiId %s is not an AWS::Serverless::Api in the template", id, e.Name, e.RestAPI)
			}
			api.Routes = append(api.Routes, Route{Method: e.Method, Path: e.Path, Function: id})
		}
	}
	for _, api := range t.RestAPIs {
		sortRoutes(api.Routes)
	}
	if err := r.buildWebSocketAPIs(t, byType); err != nil {
		return err
	}
	for _, res := range byType["AWS::DynamoDB::Table"] {
		props, err := r.resolve(res.props, "")
		if err != nil {
			return fmt.Errorf("template: resource %s: %w", res.logicalID, err)
		}
		name, err := r.physicalID(res)
		if err != nil {
			return fmt.Errorf("template: resource %s: %w", res.logicalID, err)
		}
		t.Tables = append(t.Tables, &Table{LogicalID: res.logicalID, Name: name, Properties: props.(map[string]any)})
	}
	return nil
}

func (r *resolver) buildRestAPI(res *resource) (*RestAPI, error) {
	where := "template: resource " + res.logicalID
	if err := checkProps(res.props, restAPIActed, restAPIIgnored, where); err != nil {
		return nil, err
	}
	p, err := r.resolve(res.props, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	props := p.(map[string]any)
	api := &RestAPI{LogicalID: res.logicalID}
	if api.ID, err = r.physicalID(res); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if api.StageName, err = asString(props["StageName"], "StageName"); err != nil || api.StageName == "" {
		return nil, fmt.Errorf("%s: needs a StageName", where)
	}
	types, err := asStrings(props["BinaryMediaTypes"], "BinaryMediaTypes")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	for _, t := range types {
		api.BinaryMediaTypes = append(api.BinaryMediaTypes, strings.ReplaceAll(t, "~1", "/"))
	}
	if api.Variables, err = stringMap(props["Variables"], "Variables"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return api, nil
}

// buildWebSocketAPIs resolves the WebSocket APIs with their stage and
// routes, following each route's integration to its function.
func (r *resolver) buildWebSocketAPIs(t *Template, byType map[string][]*resource) error {
	funcsByName := map[string]string{}
	for id, f := range t.Functions {
		funcsByName[f.Name] = id
	}
	integrations := map[string]string{} // "integrations/<physical id>" -> function logical id
	for _, res := range byType["AWS::ApiGatewayV2::Integration"] {
		fnID, err := r.integrationTarget(res, funcsByName)
		if err != nil {
			return fmt.Errorf("template: resource %s: %w", res.logicalID, err)
		}
		phys, err := r.physicalID(res)
		if err != nil {
			return fmt.Errorf("template: resource %s: %w", res.logicalID, err)
		}
		integrations["integrations/"+phys] = fnID
	}
	apis := map[string]*WebSocketAPI{}
	for _, res := range byType["AWS::ApiGatewayV2::Api"] {
		api, err := r.buildWebSocketAPI(res)
		if err != nil {
			return err
		}
		apis[res.logicalID] = api
		t.WebSocketAPIs = append(t.WebSocketAPIs, api)
	}
	for _, res := range byType["AWS::ApiGatewayV2::Stage"] {
		if err := r.addStage(res, apis); err != nil {
			return fmt.Errorf("template: resource %s: %w", res.logicalID, err)
		}
	}
	type routeAt struct {
		api *WebSocketAPI
		i   int
	}
	routes := map[string]routeAt{}
	for _, res := range byType["AWS::ApiGatewayV2::Route"] {
		api, route, err := r.buildRoute(res, apis, integrations)
		if err != nil {
			return fmt.Errorf("template: resource %s: %w", res.logicalID, err)
		}
		api.Routes = append(api.Routes, route)
		routes[res.logicalID] = routeAt{api, len(api.Routes) - 1}
	}
	for _, res := range byType["AWS::ApiGatewayV2::RouteResponse"] {
		if err := checkProps(res.props, routeRespActed, nil, "template: resource "+res.logicalID); err != nil {
			return err
		}
		id, _ := refName(res.props["RouteId"])
		at, ok := routes[id]
		if !ok {
			return fmt.Errorf("template: resource %s: RouteId must be !Ref to an AWS::ApiGatewayV2::Route", res.logicalID)
		}
		at.api.Routes[at.i].ReturnResponse = true
	}
	for _, api := range t.WebSocketAPIs {
		if api.StageName == "" {
			return fmt.Errorf("template: resource %s: no AWS::ApiGatewayV2::Stage for this API", api.LogicalID)
		}
		sortWSRoutes(api.Routes)
	}
	return nil
}
