package push

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	api "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// ErrGone reports a connection that no longer exists.
var ErrGone = errors.New("push: connection gone")

// ConnectionsAPI is the part of the Management API client that Pusher uses.
type ConnectionsAPI interface {
	PostToConnection(ctx context.Context, in *api.PostToConnectionInput, opts ...func(*api.Options)) (*api.PostToConnectionOutput, error)
	DeleteConnection(ctx context.Context, in *api.DeleteConnectionInput, opts ...func(*api.Options)) (*api.DeleteConnectionOutput, error)
}

// Pusher sends frames to connections.
type Pusher struct {
	api ConnectionsAPI
}

// New returns a Pusher using client.
func New(client ConnectionsAPI) *Pusher { return &Pusher{api: client} }

// NewClient returns a Management API client for the WebSocket API whose
// management base URL is endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}).
func NewClient(cfg aws.Config, endpoint string) *api.Client {
	return api.NewFromConfig(cfg, func(o *api.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// Send posts data to one connection. It returns an error wrapping ErrGone when
// the connection is gone.
func (p *Pusher) Send(ctx context.Context, connID string, data []byte) error {
	_, err := p.api.PostToConnection(ctx, &api.PostToConnectionInput{ConnectionId: aws.String(connID), Data: data})
	if err != nil {
		var gone *types.GoneException
		if errors.As(err, &gone) {
			return fmt.Errorf("push: post to %s: %w", connID, ErrGone)
		}
		return fmt.Errorf("push: post to %s: %w", connID, err)
	}
	return nil
}

// Close asks API Gateway to close a connection. A connection already gone is
// not an error.
func (p *Pusher) Close(ctx context.Context, connID string) error {
	_, err := p.api.DeleteConnection(ctx, &api.DeleteConnectionInput{ConnectionId: aws.String(connID)})
	var gone *types.GoneException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("push: close %s: %w", connID, err)
	}
	return nil
}

// Result is the outcome of a fan-out.
type Result struct {
	Delivered int      // connections that accepted the frame
	Gone      []string // connections reported gone: remove them
	Failed    []string // connections that failed for another reason
}

// Fanout posts data to every connection in ids concurrently (at most 16 at a
// time) and reports which were delivered, gone or failed.
func (p *Pusher) Fanout(ctx context.Context, ids []string, data []byte) Result {
	var (
		mu  sync.Mutex
		res Result
		wg  sync.WaitGroup
		sem = make(chan struct{}, 16)
	)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := p.Send(ctx, id, data)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				res.Delivered++
			case errors.Is(err, ErrGone):
				res.Gone = append(res.Gone, id)
			default:
				res.Failed = append(res.Failed, id)
			}
		}()
	}
	wg.Wait()
	return res
}
