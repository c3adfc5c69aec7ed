package push

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	api "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// fakeAPI is a hand-written fake of the Management API.
type fakeAPI struct {
	gone   map[string]bool
	broken map[string]bool
	got    chan string
}

func (f *fakeAPI) PostToConnection(_ context.Context, in *api.PostToConnectionInput, _ ...func(*api.Options)) (*api.PostToConnectionOutput, error) {
	id := *in.ConnectionId
	switch {
	case f.gone[id]:
		return nil, &types.GoneException{Message: new(string)}
	case f.broken[id]:
		return nil, errors.New("throttled")
	}
	f.got <- id + ":" + string(in.Data)
	return &api.PostToConnectionOutput{}, nil
}

func (f *fakeAPI) DeleteConnection(_ context.Context, in *api.DeleteConnectionInput, _ ...func(*api.Options)) (*api.DeleteConnectionOutput, error) {
	if f.gone[*in.ConnectionId] {
		return nil, &types.GoneException{}
	}
	return &api.DeleteConnectionOutput{}, nil
}

func TestFanout(t *testing.T) {
	f := &fakeAPI{gone: map[string]bool{"b": true}, broken: map[string]bool{"c": true}, got: make(chan string, 10)}
	p := New(f)
	res := p.Fanout(context.Background(), []string{"a", "b", "c", "d"}, []byte("hi"))
	close(f.got)
	var delivered []string
	for s := range f.got {
		delivered = append(delivered, s)
	}
	sort.Strings(delivered)
	if diff := cmp.Diff([]string{"a:hi", "d:hi"}, delivered); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Result{Delivered: 2, Gone: []string{"b"}, Failed: []string{"c"}}, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if err := p.Send(context.Background(), "b", nil); !errors.Is(err, ErrGone) {
		t.Errorf("Send to gone = %v, want ErrGone", err)
	}
	if err := p.Close(context.Background(), "b"); err != nil {
		t.Errorf("Close of gone connection = %v, want nil", err)
	}
}
