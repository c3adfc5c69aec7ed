package dynamolocal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreSDK lets cmp compare SDK structs, which embed an unexported marker.
var ignoreSDK = cmpopts.IgnoreUnexported(dynamodb.CreateTableInput{}, types.AttributeDefinition{},
	types.KeySchemaElement{}, types.GlobalSecondaryIndex{}, types.LocalSecondaryIndex{},
	types.Projection{}, types.StreamSpecification{})

func keys(hash, rng string) []types.KeySchemaElement {
	k := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != "" {
		k = append(k, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	return k
}

func attrs(nameTypes ...string) []types.AttributeDefinition {
	var defs []types.AttributeDefinition
	for i := 0; i+1 < len(nameTypes); i += 2 {
		defs = append(defs, types.AttributeDefinition{
			AttributeName: aws.String(nameTypes[i]), AttributeType: types.ScalarAttributeType(nameTypes[i+1]),
		})
	}
	return defs
}

// contractTable is the table the contract specifies.
var contractTable = &Table{
	TTLAttribute: "ttl",
	Input: &dynamodb.CreateTableInput{
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: attrs("PK", "S", "SK", "S", "GSI1PK", "S", "GSI1SK", "S", "GSI2PK", "S", "GSI2SK", "S"),
		KeySchema:            keys("PK", "SK"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			{IndexName: aws.String("GSI1"), KeySchema: keys("GSI1PK", "GSI1SK"),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}},
			{IndexName: aws.String("GSI2"), KeySchema: keys("GSI2PK", "GSI2SK"),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}},
		},
	},
}

func TestTableFromTemplate(t *testing.T) {
	tests := []struct {
		name, path, id string
		want           *Table
	}{
		{"contract fixture", "testdata/template.yaml", "Table", contractTable},
		{"streams, include projection, TTL off", "testdata/template.yaml", "Archive", &Table{
			Input: &dynamodb.CreateTableInput{
				BillingMode:          types.BillingModePayPerRequest,
				AttributeDefinitions: attrs("id", "S", "at", "N"),
				KeySchema:            keys("id", ""),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
					IndexName: aws.String("ByTime"), KeySchema: keys("at", ""),
					Projection: &types.Projection{
						ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"title", "size"},
					},
				}},
				StreamSpecification: &types.StreamSpecification{
					StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages,
				},
			},
		}},
		{"repository template.yaml", "", "Table", contractTable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				root, err := ModuleRoot()
				if err != nil {
					t.Fatal(err)
				}
				path = filepath.Join(root, "template.yaml")
			}
			got, err := TableFromTemplate(path, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreSDK); diff != "" {
				t.Errorf("TableFromTemplate(%s, %s) mismatch (-want +got):\n%s", path, tt.id, diff)
			}
			in, err := TableInputFromTemplate(path, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want.Input, in, ignoreSDK); diff != "" {
				t.Errorf("TableInputFromTemplate(%s, %s) mismatch (-want +got):\n%s", path, tt.id, diff)
			}
		})
	}
}

// minimal is a valid table; error cases replace one of its lines.
const minimal = `Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: PK, AttributeType: S }
        - { AttributeName: SK, AttributeType: S }
      KeySchema:
        - { AttributeName: PK, KeyType: HASH }
        - { AttributeName: SK, KeyType: RANGE }
      TimeToLiveSpecification: { AttributeName: ttl, Enabled: true }
`

func TestTableFromTemplateErrors(t *testing.T) {
	tests := []struct {
		name, old, new, id, want string
	}{
		{"missing resource", "", "", "Nope", "Resources.Nope: missing"},
		{"wrong type", "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "T", "want AWS::DynamoDB::Table"},
		{"unknown property", "      BillingMode: PAY_PER_REQUEST", "      KinesisStreamSpecification: {}",
			"T", "Resources.T.Properties.KinesisStreamSpecification (line 5): unsupported table property"},
		{"provisioned throughput", "      BillingMode: PAY_PER_REQUEST", "      ProvisionedThroughput: {}",
			"T", "ProvisionedThroughput (line 5): unsupported table property"},
		{"provisioned billing", "PAY_PER_REQUEST", "PROVISIONED", "T", `"PROVISIONED" is not supported, only PAY_PER_REQUEST`},
		{"short-form intrinsic", "AttributeName: PK, AttributeType", "AttributeName: !Ref KeyName, AttributeType",
			"T", "AttributeDefinitions[0].AttributeName (line 7): intrinsic function !Ref is not supported"},
		{"long-form intrinsic", "      KeySchema:\n", "      KeySchema: {\"Fn::If\": [C, [], []]}\n      Unused:\n",
			"T", "intrinsic function Fn::If is not supported"},
		{"bad attribute type", "AttributeName: SK, AttributeType: S", "AttributeName: SK, AttributeType: X",
			"T", `"X" is not one of S, N, B`},
		{"undefined key attribute", "        - { AttributeName: SK, AttributeType: S }\n", "",
			"T", "no definition for key attribute(s) SK"},
		{"range before hash", "KeyType: HASH", "KeyType: RANGE", "T", "want a HASH key optionally followed by a RANGE key"},
		{"no key schema", "      KeySchema:\n        - { AttributeName: PK, KeyType: HASH }\n        - { AttributeName: SK, KeyType: RANGE }\n",
			"", "T", "Properties.KeySchema: missing"},
		{"unknown key property", "KeyType: HASH }", "KeyType: HASH, Extra: 1 }", "T", "KeySchema[0].Extra (line 10): unsupported property"},
		{"unknown index property", "      TimeToLiveSpecification:",
			"      GlobalSecondaryIndexes:\n        - IndexName: G\n          KeySchema: [{ AttributeName: SK, KeyType: HASH }]\n" +
				"          Projection: { ProjectionType: ALL }\n          ProvisionedThroughput: {}\n      TimeToLiveSpecification:",
			"T", "GlobalSecondaryIndexes[0].ProvisionedThroughput (line 16): unsupported property"},
		{"list expected", "      KeySchema:\n", "      KeySchema: PK\n      Unused:\n", "T", "KeySchema (line 9): want a list"},
		{"TTL not boolean", "Enabled: true", "Enabled: maybe", "T", `"maybe" is not a boolean`},
		{"not YAML", "Resources:", "Resources: [", "T", "parse YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := minimal
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("bad test: %q not in the minimal template", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := TableFromTemplate(path, tt.id)
			if err == nil {
				t.Fatalf("TableFromTemplate = %+v, want error containing %q", got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("TableFromTemplate error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestTableFromTemplateMinimal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := TableFromTemplate(path, "T")
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{TTLAttribute: "ttl", Input: &dynamodb.CreateTableInput{
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: attrs("PK", "S", "SK", "S"),
		KeySchema:            keys("PK", "SK"),
	}}
	if diff := cmp.Diff(want, got, ignoreSDK); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if _, err := TableFromTemplate(filepath.Join(t.TempDir(), "absent.yaml"), "T"); err == nil {
		t.Error("TableFromTemplate of a missing file: no error")
	}
}
