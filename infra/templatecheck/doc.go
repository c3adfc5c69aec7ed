// Package templatecheck reads the project's SAM template (template.yaml, the
// single source of truth for the wiring) and checks it against the build
// contract and the design: one function per functions/<name> folder, the REST
// routes, WebSocket routes and schedules each function needs, least-privilege
// IAM (no Scan, no "*" resources, DynamoDB only on the table and its indexes,
// execute-api only on this WebSocket API's @connections, SES only as the
// sender), the single-table schema, and the parameters the functions'
// environment refers to.
//
// Load parses a template with gopkg.in/yaml.v3, expanding CloudFormation's
// short-form tags (!Ref, !Sub, !GetAtt, ...) into their long forms, so the
// checks see the same values whichever form the template uses.
//
// Other packages use TableSchema to compare their key and index names with
// the template, for example the store's tests:
//
//	path, err := templatecheck.RepoTemplate()
//	...
//	table, err := templatecheck.TableSchema(path)
//	...
//	if table.PartitionKey.Name != "PK" { ... }
//
// Check (and the Check* functions it runs) returns every problem found, so a
// test can report all drift at once and can assert which problem a broken
// template produces.
package templatecheck
