package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// captchaItem is one CAPTCHA challenge of the offline form. Its expiry is
// checked on every read; ttl only collects it later.
type captchaItem struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	Site    string `dynamodbav:"site"`
	Digits  string `dynamodbav:"d"`              // the solution, '0'..'9'
	Expires int64  `dynamodbav:"exp"`            // unix ms
	Used    string `dynamodbav:"used,omitempty"` // client id of the message that solved it
	TTL     int64  `dynamodbav:"ttl"`
}

// Outcomes of SolveCaptcha.
const (
	CaptchaSolved  = "solved"  // the answer is right; the challenge is now used
	CaptchaWrong   = "wrong"   // the answer is wrong; the challenge is burnt
	CaptchaExpired = "expired" // unknown, expired, burnt or used by another message
)

// PutCaptcha stores a new challenge of site: its solution digits (each
// 0–9) and when it expires. It returns ECONFLICT if the id is taken.
func (s *Store) PutCaptcha(ctx context.Context, site, id string, digits []byte, expires time.Time) error {
	it := captchaItem{PK: captchaKey(id), SK: skCaptcha, Site: site, Digits: digitString(digits),
		Expires: expires.UnixMilli(), TTL: expires.Add(time.Hour).Unix()}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName(s), Item: marshal(it),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()})
	return translate("put captcha", err)
}

// CaptchaDigits returns the solution of a challenge of site that is neither
// expired nor used, to draw it (one GetItem). It returns ENOTFOUND
// otherwise.
func (s *Store) CaptchaDigits(ctx context.Context, site, id string) ([]byte, error) {
	if id == "" || len(id) > 64 {
		return nil, notFound("CAPTCHA")
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName(s), Key: key(captchaKey(id), skCaptcha),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, translate("get captcha", err)
	}
	var it captchaItem
	if out.Item == nil || unmarshal(out.Item, &it) != nil ||
		it.Site != site || it.Used != "" || s.now().UnixMilli() >= it.Expires {
		return nil, notFound("CAPTCHA")
	}
	return digitBytes(it.Digits), nil
}

// SolveCaptcha checks answer (digits '0'..'9') against a challenge of site
// and uses it up for the message with clientID, in one conditional
// UpdateItem. A challenge is solved once: again only by the same client
// id, so a retry of the same message is not refused (the message itself
// is stored once). A wrong answer burns the challenge (one DeleteItem
// more), so it cannot be guessed at. It returns CaptchaSolved,
// CaptchaWrong or CaptchaExpired.
func (s *Store) SolveCaptcha(ctx context.Context, site, id, answer, clientID string) (string, error) {
	if id == "" || len(id) > 64 || answer == "" || len(answer) > 32 {
		return CaptchaExpired, nil
	}
	used := expression.Name("used")
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.Name("site").Equal(expression.Value(site))).
		And(expression.Name("exp").GreaterThan(expression.Value(s.now().UnixMilli()))).
		And(expression.Name("d").Equal(expression.Value(answer))).
		And(expression.Or(expression.AttributeNotExists(used), used.Equal(expression.Value(clientID))))
	expr, err := expression.NewBuilder().WithCondition(cond).
		WithUpdate(expression.Set(used, expression.Value(clientID))).Build()
	if err != nil {
		return "", err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tableName(s), Key: key(captchaKey(id), skCaptcha),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	if err == nil {
		return CaptchaSolved, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return "", translate("solve captcha", err)
	}
	var it captchaItem
	if ccf.Item == nil || unmarshal(ccf.Item, &it) != nil || it.Site != site ||
		it.Used != "" || s.now().UnixMilli() >= it.Expires {
		return CaptchaExpired, nil
	}
	return CaptchaWrong, s.burnCaptcha(ctx, id)
}

// TakeCaptcha deletes a challenge of site and returns its solution when it
// was neither expired nor used (one DeleteItem): what a verifier that
// compares the answer itself needs for single use. It returns ENOTFOUND
// otherwise.
func (s *Store) TakeCaptcha(ctx context.Context, site, id string) ([]byte, error) {
	if id == "" || len(id) > 64 {
		return nil, notFound("CAPTCHA")
	}
	out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: key(captchaKey(id), skCaptcha),
		ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		return nil, translate("take captcha", err)
	}
	var it captchaItem
	if out.Attributes == nil || unmarshal(out.Attributes, &it) != nil ||
		it.Site != site || it.Used != "" || s.now().UnixMilli() >= it.Expires {
		return nil, notFound("CAPTCHA")
	}
	return digitBytes(it.Digits), nil
}

// burnCaptcha deletes an unused challenge after a wrong answer; one that a
// message used meanwhile stays, so that message's retry still passes.
func (s *Store) burnCaptcha(ctx context.Context, id string) error {
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("used"))).Build()
	if err != nil {
		return err
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName(s), Key: key(captchaKey(id), skCaptcha),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names()})
	if livehelp.IsCode(translate("", err), livehelp.ECONFLICT) {
		return nil
	}
	return translate("burn captcha", err)
}

// digitString turns digit values (0–9) into '0'..'9' characters.
func digitString(d []byte) string {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = '0' + v%10
	}
	return string(b)
}

// digitBytes turns '0'..'9' characters into digit values.
func digitBytes(s string) []byte {
	b := make([]byte, len(s))
	for i := range len(s) {
		b[i] = s[i] - '0'
	}
	return b
}
