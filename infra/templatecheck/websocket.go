package templatecheck

import (
	"fmt"
	"strings"
)

// The WebSocket wiring of the contract, as the template must write it.
const (
	wsIntegrationURI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ChatFunction.Arn}/invocations"
	wsTarget         = "integrations/${ChatIntegration}"
	wsSourceARN      = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/"
)

// wsRouteKeys are the WebSocket routes, all of which reach ChatFunction.
var wsRouteKeys = []string{"$connect", "$disconnect", "$default"}

// CheckWebSocket checks that ChatFunction is reached by all three WebSocket
// routes: WebSocketApi selects routes on $request.body.action; $connect,
// $disconnect and $default (and no other route) target ChatIntegration, an
// AWS_PROXY integration to ChatFunction; the live stage deploys itself; and
// ChatInvokePermission lets only this API invoke the function.
func CheckWebSocket(t *Template) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("websocket: "+format, args...))
	}
	api := t.Resources["WebSocketApi"]
	if api.Type != "AWS::ApiGatewayV2::Api" || api.Properties["ProtocolType"] != "WEBSOCKET" {
		bad("WebSocketApi must be an AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET")
	}
	if rse := api.Properties["RouteSelectionExpression"]; rse != "$request.body.action" {
		bad("RouteSelectionExpression is %v, want $request.body.action", rse)
	}

	in := t.Resources["ChatIntegration"]
	if in.Type != "AWS::ApiGatewayV2::Integration" || !isRef(in.Properties["ApiId"], "WebSocketApi") {
		bad("ChatIntegration must be an AWS::ApiGatewayV2::Integration of WebSocketApi")
	}
	if in.Properties["IntegrationType"] != "AWS_PROXY" {
		bad("ChatIntegration IntegrationType is %v, want AWS_PROXY", in.Properties["IntegrationType"])
	}
	if uri, _ := subString(in.Properties["IntegrationUri"]); uri != wsIntegrationURI {
		bad("ChatIntegration IntegrationUri is %s, want !Sub %q", show(in.Properties["IntegrationUri"]), wsIntegrationURI)
	}

	seen := map[string]bool{}
	for _, id := range t.ResourcesOfType("AWS::ApiGatewayV2::Route") {
		p := t.Resources[id].Properties
		if !isRef(p["ApiId"], "WebSocketApi") {
			continue
		}
		key, _ := p["RouteKey"].(string)
		seen[key] = true
		if target, _ := subString(p["Target"]); target != wsTarget {
			bad("route %s (%s) targets %s, want !Sub %q", id, key, show(p["Target"]), wsTarget)
		}
	}
	for _, key := range wsRouteKeys {
		if !seen[key] {
			bad("no %s route on WebSocketApi", key)
		}
		delete(seen, key)
	}
	for _, key := range sortedKeys(seen) {
		bad("unexpected route %q; chat actions go through $default", key)
	}

	st := t.Resources["WebSocketStage"]
	if st.Type != "AWS::ApiGatewayV2::Stage" || !isRef(st.Properties["ApiId"], "WebSocketApi") ||
		st.Properties["StageName"] != "live" || st.Properties["AutoDeploy"] != true {
		bad("WebSocketStage must be stage live of WebSocketApi with AutoDeploy true")
	}

	perm := t.Resources["ChatInvokePermission"]
	p := perm.Properties
	fn, _ := refName(p["FunctionName"])
	if res, attr, ok := getAtt(p["FunctionName"]); ok && attr == "Arn" {
		fn = res
	}
	if perm.Type != "AWS::Lambda::Permission" || fn != "ChatFunction" ||
		p["Action"] != "lambda:InvokeFunction" || p["Principal"] != "apigateway.amazonaws.com" {
		bad("ChatInvokePermission must let apigateway.amazonaws.com lambda:InvokeFunction ChatFunction")
	}
	if src, _ := subString(p["SourceArn"]); !strings.HasPrefix(src, wsSourceARN) {
		bad("ChatInvokePermission SourceArn is %s, want !Sub %q...", show(p["SourceArn"]), wsSourceARN)
	}
	return errs
}
