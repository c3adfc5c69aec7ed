package faults_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	api "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/devstack/sesmail"
	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/infra/faults"
)

func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }

// startProxy starts a proxy for the test.
func startProxy(t *testing.T, cfg faults.Config) *faults.Proxy {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	p, err := faults.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestDynamoDBFaultsAreRetriedAsThrottlesAndErrors(t *testing.T) {
	_, table := dynamolocal.NewTestTable(t)
	endpoint := os.Getenv(dynamolocal.EnvEndpoint)
	tests := []struct {
		kind      faults.Kind
		wantCodes []string // any of these
	}{
		{faults.Throttle, []string{"ProvisionedThroughputExceededException", "ThrottlingException"}},
		{faults.ServerError, []string{"InternalServerError"}},
		{faults.Drop, []string{""}},
		{faults.Timeout, []string{""}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			p := startProxy(t, faults.Config{Target: endpoint, Service: faults.DynamoDB, Rate: 1, Kinds: []faults.Kind{tt.kind},
				Delay: 50 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			db, err := dynamolocal.NewClient(ctx, p.URL(), func(o *dynamodb.Options) { o.RetryMaxAttempts = 3 })
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("a")})
			if err == nil {
				t.Fatal("GetItem succeeded through a proxy failing every request")
			}
			if code := errorCode(err); !contains(tt.wantCodes, code) {
				t.Errorf("error code %q (%v), want one of %q", code, err, tt.wantCodes)
			}
			st := p.Stats()
			if diff := cmp.Diff(map[string]int64{"GetItem": 3}, st.Requests); diff != "" {
				t.Errorf("requests (-want +got): %s (the SDK must retry each fault)", diff)
			}
			if st.TotalInjected() != 3 || st.Injected[tt.kind] != 3 {
				t.Errorf("injected %v, want 3 %s", st.Injected, tt.kind)
			}
		})
	}
}

func TestDropAfterDoesTheWork(t *testing.T) {
	_, table := dynamolocal.NewTestTable(t)
	direct := os.Getenv(dynamolocal.EnvEndpoint)
	p := startProxy(t, faults.Config{Target: direct, Service: faults.DynamoDB, Rate: 1, Kinds: []faults.Kind{faults.DropAfter}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	viaProxy, err := dynamolocal.NewClient(ctx, p.URL(), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := viaProxy.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key("done")}); err == nil {
		t.Fatal("PutItem answered through a proxy that drops every answer")
	}
	db, err := dynamolocal.NewClient(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("done"), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Errorf("the item the dropped PutItem wrote: %v, %v; want it stored", out, err)
	}
}

func TestPassThroughCountsOperations(t *testing.T) {
	_, table := dynamolocal.NewTestTable(t)
	p := startProxy(t, faults.Config{Target: os.Getenv(dynamolocal.EnvEndpoint), Service: faults.DynamoDB})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := dynamolocal.NewClient(ctx, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key("p")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("p")}); err != nil {
		t.Fatal(err)
	}
	st := p.ResetStats()
	if diff := cmp.Diff(map[string]int64{"PutItem": 2, "GetItem": 1}, st.Requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if st.TotalInjected() != 0 || p.Stats().TotalRequests() != 0 {
		t.Errorf("injected %d with rate 0, or counts not reset", st.TotalInjected())
	}

	// A forced fault applies at rate 0, to its operation only, once.
	p.InjectNext("GetItem", faults.ServerError, 1)
	for range 2 {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key("q")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("q")}); err != nil {
			t.Fatal(err)
		}
	}
	st = p.Stats()
	if diff := cmp.Diff(map[string]int64{"PutItem": 2, "GetItem": 3}, st.Requests); diff != "" {
		t.Errorf("requests after InjectNext (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[faults.Kind]int64{faults.ServerError: 1}, st.Injected); diff != "" {
		t.Errorf("injected after InjectNext (-want +got):\n%s", diff)
	}
}

func TestRESTServicesGetTheirErrors(t *testing.T) {
	mail := httptest.NewServer(sesmail.New(sesmail.Config{}))
	defer mail.Close()
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK) // a connection that takes every frame
	}))
	defer gw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 2}
	tests := []struct {
		service faults.Service
		kind    faults.Kind
		want    string
		call    func(url string) error
	}{
		{faults.SES, faults.Throttle, "TooManyRequestsException", func(url string) error {
			c := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = &url })
			_, err := c.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@example.com"),
				Destination: &sestypes.Destination{ToAddresses: []string{"b@example.com"}},
				Content:     &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("t")}}}}})
			return err
		}},
		{faults.Connections, faults.Throttle, "LimitExceededException", func(url string) error {
			c := api.NewFromConfig(cfg, func(o *api.Options) { o.BaseEndpoint = aws.String(url + "/live") })
			_, err := c.PostToConnection(ctx, &api.PostToConnectionInput{ConnectionId: aws.String("c1"), Data: []byte("{}")})
			return err
		}},
		{faults.Connections, faults.ServerError, "InternalServerErrorException", func(url string) error {
			c := api.NewFromConfig(cfg, func(o *api.Options) { o.BaseEndpoint = aws.String(url + "/live") })
			_, err := c.PostToConnection(ctx, &api.PostToConnectionInput{ConnectionId: aws.String("c1"), Data: []byte("{}")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.service.String()+"/"+string(tt.kind), func(t *testing.T) {
			target := mail.URL
			if tt.service == faults.Connections {
				target = gw.URL
			}
			p := startProxy(t, faults.Config{Target: target, Service: tt.service, Rate: 1, Kinds: []faults.Kind{tt.kind}})
			err := tt.call(p.URL())
			if code := errorCode(err); code != tt.want {
				t.Errorf("error %v (code %q), want %s", err, code, tt.want)
			}
			if got := p.Stats().TotalInjected(); got != 2 {
				t.Errorf("%d faults injected, want 2 (the SDK retries once)", got)
			}
			p.SetRate(0)
			if err := tt.call(p.URL()); err != nil {
				t.Errorf("with rate 0: %v", err)
			}
		})
	}
}

// key is a test item's primary key.
func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "x"}}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s || (x != "" && strings.EqualFold(x, s)) {
			return true
		}
	}
	return false
}
