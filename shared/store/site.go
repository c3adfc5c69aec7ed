package store

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// siteItem is a site's configuration and its operators' presence summary, in
// one item so the button status is one GetItem.
type siteItem struct {
	PK      string                  `dynamodbav:"PK"`
	SK      string                  `dynamodbav:"SK"`
	GSI1PK  string                  `dynamodbav:"GSI1PK"`
	GSI1SK  string                  `dynamodbav:"GSI1SK"`
	Name    string                  `dynamodbav:"name"`
	URL     string                  `dynamodbav:"url"`
	Origins []string                `dynamodbav:"origins"`
	Lang    string                  `dynamodbav:"lang"`
	Labels  map[string]labelsItem   `dynamodbav:"labels"`
	Reply   string                  `dynamodbav:"auto_reply"`
	Spam    bool                    `dynamodbav:"spam"`
	Slots   int                     `dynamodbav:"slots"`
	Ops     map[string]presenceItem `dynamodbav:"ops"`
	Updated int64                   `dynamodbav:"updated"`
	PMode   string                  `dynamodbav:"pmode,omitempty"`  // proactive mode, written by PutProactive
	PAfter  int                     `dynamodbav:"pafter,omitempty"` // proactive auto seconds
}

type labelsItem struct {
	Online  string `dynamodbav:"on"`
	Busy    string `dynamodbav:"busy"`
	Offline string `dynamodbav:"off"`
}

// presenceItem is one operator's entry in a site's presence summary.
type presenceItem struct {
	Name      string `dynamodbav:"n"`
	State     string `dynamodbav:"s"`
	SeenUntil int64  `dynamodbav:"u"` // unix ms
	Load      int    `dynamodbav:"l"`
	Slots     int    `dynamodbav:"k"`
	IdleSince int64  `dynamodbav:"i"` // unix ms
}

func (it *siteItem) site() *livehelp.Site {
	s := &livehelp.Site{
		ID: strings.TrimPrefix(it.PK, "SITE#"), Name: it.Name, URL: it.URL,
		AllowedOrigins: it.Origins, DefaultLang: it.Lang, AutoReply: it.Reply,
		SpamProtection: it.Spam, Slots: it.Slots, Updated: time.UnixMilli(it.Updated).UTC(),
		Labels: map[string]livehelp.Labels{}, Presence: map[string]livehelp.Presence{},
		Proactive: it.PMode, ProactiveAfter: it.PAfter,
	}
	if s.Proactive == "" {
		s.Proactive = livehelp.ProactiveOff
	}
	for l, lb := range it.Labels {
		s.Labels[l] = livehelp.Labels{Online: lb.Online, Busy: lb.Busy, Offline: lb.Offline}
	}
	for id, p := range it.Ops {
		s.Presence[id] = livehelp.Presence{Name: p.Name, State: p.State, Load: p.Load, Slots: p.Slots,
			SeenUntil: time.UnixMilli(p.SeenUntil).UTC(), IdleSince: time.UnixMilli(p.IdleSince).UTC()}
	}
	return s
}

func labelsItems(in map[string]livehelp.Labels) map[string]labelsItem {
	out := make(map[string]labelsItem, len(in))
	for l, lb := range in {
		out[l] = labelsItem{Online: lb.Online, Busy: lb.Busy, Offline: lb.Offline}
	}
	return out
}

// CreateSite stores a new site. It returns ECONFLICT if the id is taken and
// EINVALID for a malformed id.
func (s *Store) CreateSite(ctx context.Context, site *livehelp.Site) error {
	if !livehelp.ValidSiteID(site.ID) {
		return livehelp.Invalid("The site id is not valid.", map[string]string{"id": "Use 1 to 63 lower-case letters, digits and dashes."})
	}
	it := siteItem{
		PK: siteKey(site.ID), SK: skSite, GSI1PK: sitesIndexKey(), GSI1SK: siteKey(site.ID),
		Name: site.Name, URL: site.URL, Origins: nonNil(site.AllowedOrigins), Lang: site.DefaultLang,
		Labels: labelsItems(site.Labels), Reply: site.AutoReply, Spam: site.SpamProtection, Slots: site.Slots,
		Ops: map[string]presenceItem{}, Updated: s.now().UnixMilli(),
	}
	cond := expression.AttributeNotExists(expression.Name(attrPK))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: tableName(s), Item: marshal(it),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return livehelp.Errorf(livehelp.ECONFLICT, "A site with id %q already exists.", site.ID)
	}
	return translate("create site "+site.ID, err)
}

// UpdateSiteSettings replaces a site's settings, keeping its presence summary.
// It returns ENOTFOUND for an unknown site.
func (s *Store) UpdateSiteSettings(ctx context.Context, site *livehelp.Site) error {
	upd := expression.Set(expression.Name("name"), expression.Value(site.Name)).
		Set(expression.Name("url"), expression.Value(site.URL)).
		Set(expression.Name("origins"), expression.Value(nonNil(site.AllowedOrigins))).
		Set(expression.Name("lang"), expression.Value(site.DefaultLang)).
		Set(expression.Name("labels"), expression.Value(labelsItems(site.Labels))).
		Set(expression.Name("auto_reply"), expression.Value(site.AutoReply)).
		Set(expression.Name("spam"), expression.Value(site.SpamProtection)).
		Set(expression.Name("slots"), expression.Value(site.Slots)).
		Set(expression.Name("updated"), expression.Value(s.now().UnixMilli()))
	cond := expression.AttributeExists(expression.Name(attrPK))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: tableName(s), Key: key(siteKey(site.ID), skSite),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return notFound("Site")
	}
	return translate("update site "+site.ID, err)
}

// Site returns a site with its presence summary in one GetItem. consistent
// asks for a strongly consistent read (routing); the button does without.
// It returns ENOTFOUND for an unknown site.
func (s *Store) Site(ctx context.Context, id string, consistent bool) (*livehelp.Site, error) {
	if !livehelp.ValidSiteID(id) {
		return nil, notFound("Site")
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: tableName(s), Key: key(siteKey(id), skSite), ConsistentRead: aws.Bool(consistent),
	})
	if err != nil {
		return nil, translate("get site "+id, err)
	}
	if out.Item == nil {
		return nil, notFound("Site")
	}
	var it siteItem
	if err := unmarshal(out.Item, &it); err != nil {
		return nil, translate("decode site "+id, err)
	}
	return it.site(), nil
}

// Sites lists every site (a Query on the sites index, paginated).
func (s *Store) Sites(ctx context.Context) ([]*livehelp.Site, error) {
	keyCond := expression.Key(attrGSI1PK).Equal(expression.Value(sitesIndexKey()))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: tableName(s), IndexName: aws.String(indexGSI1),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var sites []*livehelp.Site
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate("list sites", err)
		}
		for _, m := range page.Items {
			var it siteItem
			if err := unmarshal(m, &it); err != nil {
				return nil, translate("decode site", err)
			}
			sites = append(sites, it.site())
		}
	}
	return sites, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
