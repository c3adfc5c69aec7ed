package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Proactive-chat settings live in the site's console settings item
// (SITE#<site> / CONSOLE, attributes pmode, pafter, pfields, beside the
// older proactive and without_invite); the mode and the seconds are copied
// to the site item in the same transaction, so the button status (one
// GetItem of the site) can tell the widget whether to load its proactive
// module.

// formFieldItem is one field of the data collection form.
type formFieldItem struct {
	Label    string `dynamodbav:"l"`
	Type     string `dynamodbav:"t"`
	Required bool   `dynamodbav:"r"`
}

type proactiveItem struct {
	Mode   string          `dynamodbav:"pmode"`
	After  int             `dynamodbav:"pafter"`
	Fields []formFieldItem `dynamodbav:"pfields"`
}

// Proactive returns a site's proactive-chat settings (one consistent
// GetItem); a site that never saved any has the mode off.
func (s *Store) Proactive(ctx context.Context, site string) (livehelp.Proactive, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(siteKey(site), skConsole),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("pmode, pafter, pfields")})
	if err != nil {
		return livehelp.Proactive{}, translate("get proactive settings", err)
	}
	var it proactiveItem
	if out.Item != nil {
		if err := unmarshal(out.Item, &it); err != nil {
			return livehelp.Proactive{}, translate("decode proactive settings", err)
		}
	}
	p := livehelp.Proactive{Mode: it.Mode, After: it.After, Fields: []livehelp.FormField{}}
	if p.Mode == "" {
		p.Mode = livehelp.ProactiveOff
	}
	for _, f := range it.Fields {
		p.Fields = append(p.Fields, livehelp.FormField{Label: f.Label, Type: f.Type, Required: f.Required})
	}
	return p, nil
}

// PutProactive checks and saves a site's proactive-chat settings in one
// TransactWriteItems: the console settings item and the copy of mode and
// seconds on the site item. It returns EINVALID for bad settings and
// ENOTFOUND for an unknown site.
func (s *Store) PutProactive(ctx context.Context, site string, p livehelp.Proactive) error {
	p, err := p.Check()
	if err != nil {
		return err
	}
	fields := make([]formFieldItem, 0, len(p.Fields))
	for _, f := range p.Fields {
		fields = append(fields, formFieldItem{Label: f.Label, Type: f.Type, Required: f.Required})
	}
	console, err := expression.NewBuilder().WithUpdate(
		expression.Set(expression.Name("pmode"), expression.Value(p.Mode)).
			Set(expression.Name("pafter"), expression.Value(p.After)).
			Set(expression.Name("pfields"), expression.Value(fields)).
			Set(expression.Name("proactive"), expression.Value(p.Mode != livehelp.ProactiveOff)).
			Set(expression.Name("without_invite"), expression.Value(autoSeconds(p)))).Build()
	if err != nil {
		return err
	}
	siteExpr, err := expression.NewBuilder().WithUpdate(
		expression.Set(expression.Name("pmode"), expression.Value(p.Mode)).
			Set(expression.Name("pafter"), expression.Value(p.After))).
		WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{TableName: tableName(s), Key: key(siteKey(site), skConsole), UpdateExpression: console.Update(),
			ExpressionAttributeNames: console.Names(), ExpressionAttributeValues: console.Values()}},
		{Update: &types.Update{TableName: tableName(s), Key: key(siteKey(site), skSite), UpdateExpression: siteExpr.Update(),
			ConditionExpression: siteExpr.Condition(), ExpressionAttributeNames: siteExpr.Names(), ExpressionAttributeValues: siteExpr.Values()}},
	}
	return s.transact(ctx, "put proactive settings", items, errChanged, notFound("Site"))
}

// autoSeconds is the older without_invite attribute: the seconds in auto
// mode, 0 otherwise.
func autoSeconds(p livehelp.Proactive) int {
	if p.Mode == livehelp.ProactiveAuto {
		return p.After
	}
	return 0
}
