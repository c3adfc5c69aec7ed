package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// ConsoleSettings are a site's settings that only the console reads: for
// now the proactive-chat placeholder (off by default; DESIGN.md §2).
type ConsoleSettings struct {
	Proactive          bool // operators may invite visitors on the site
	WithoutInviteAfter int  // seconds on the site before operators are alerted; 0 is off
}

type consoleSettingsItem struct {
	PK                 string `dynamodbav:"PK"`
	SK                 string `dynamodbav:"SK"`
	Proactive          bool   `dynamodbav:"proactive"`
	WithoutInviteAfter int    `dynamodbav:"without_invite"`
}

// ConsoleSettings returns a site's console settings; a site that never
// saved any gets the defaults.
func (s *Store) ConsoleSettings(ctx context.Context, site string) (ConsoleSettings, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(siteKey(site), skConsole), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return ConsoleSettings{}, translate("get console settings", err)
	}
	var it consoleSettingsItem
	if out.Item != nil {
		if err := unmarshal(out.Item, &it); err != nil {
			return ConsoleSettings{}, translate("decode console settings", err)
		}
	}
	return ConsoleSettings{Proactive: it.Proactive, WithoutInviteAfter: it.WithoutInviteAfter}, nil
}

// PutConsoleSettings saves a site's console settings.
func (s *Store) PutConsoleSettings(ctx context.Context, site string, c ConsoleSettings) error {
	it := consoleSettingsItem{PK: siteKey(site), SK: skConsole, Proactive: c.Proactive, WithoutInviteAfter: c.WithoutInviteAfter}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it)})
	return translate("put console settings", err)
}
