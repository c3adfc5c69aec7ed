// Package template loads an AWS SAM template.yaml into the model the local
// runner (devstack) acts on: parameters, functions with their environment,
// Api and Schedule events, the REST API, the WebSocket API with its routes
// and stage, and the DynamoDB tables.
//
// The YAML is read with gopkg.in/yaml.v3 node walking, so the short-form
// intrinsic tags (!Ref, !Sub, !GetAtt, !Join, !If, ...) and their long forms
// (Ref, Fn::Sub, ...) are both understood. Intrinsics are evaluated by a
// resolver configured through [Config]: parameters take their defaults or
// the caller's overrides, pseudo parameters (AWS::Region, AWS::AccountId,
// ...) take configured fake values, and references to resources take a
// physical id that the caller may supply or that is derived
// deterministically. Resolved environment values then pass through URL
// rewrite hooks, which the runner uses to point execute-api URLs at its
// local servers.
//
// The loader is strict: a resource type, property, event type or intrinsic
// that the runner would have to act on but does not implement is an error
// that names it. Resource types that only matter in AWS (IAM, permissions,
// log groups, alarms, dead-letter targets) are listed explicitly as ignored
// in local runs; any other type is an error, never a silent skip.
package template
