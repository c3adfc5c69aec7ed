package chatclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/bench/chatclient"
)

// fakeChat is a tiny chat server: ping → pong, history pages of a
// 250-message conversation, "boom" → an error frame, "bye" → close,
// "burst" → 20 message frames.
func fakeChat(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != "good" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			_, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			var f chatclient.Frame
			_ = json.Unmarshal(data, &f)
			for _, out := range answer(f) {
				b, _ := json.Marshal(out)
				if err := c.Write(r.Context(), websocket.MessageText, b); err != nil {
					return
				}
			}
			if f.Str("action") == "bye" {
				c.Close(websocket.StatusNormalClosure, "")
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// answer returns the fake server's frames for one client frame.
func answer(f chatclient.Frame) []chatclient.Frame {
	re := f.Str("id")
	switch f.Str("action") {
	case "ping":
		return []chatclient.Frame{{"type": "pong", "re": re}}
	case "boom":
		return []chatclient.Frame{{"type": "error", "re": re, "code": "internal", "message": "Something went wrong."}}
	case "burst":
		var out []chatclient.Frame
		for i := range 20 {
			out = append(out, chatclient.Frame{"type": "message", "n": i})
		}
		return append(out, chatclient.Frame{"type": "done", "re": re})
	case "history":
		before := f.Int("before")
		if before == 0 {
			before = 251
		}
		var msgs []any
		for seq := max(1, before-100); seq < before; seq++ {
			msgs = append(msgs, map[string]any{"seq": seq, "client_id": fmt.Sprint("c", seq), "author": "visitor", "text": "t"})
		}
		return []chatclient.Frame{{"type": "history", "re": re, "messages": msgs, "more": before-100 > 1}}
	}
	return nil
}

func TestRequestsAndErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := fakeChat(t)
	if _, resp, err := chatclient.Dial(ctx, url, map[string][]string{"token": {"bad"}}, chatclient.Options{}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a refused handshake: %v, %v", resp, err)
	}
	c, _, err := chatclient.Dial(ctx, url, map[string][]string{"token": {"good"}}, chatclient.Options{Keep: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if f, err := c.Request(ctx, chatclient.Frame{"action": "ping"}); err != nil || f.Str("type") != "pong" {
		t.Errorf("ping: %v, %v", f, err)
	}
	_, err = c.Request(ctx, chatclient.Frame{"action": "boom"})
	var fe *chatclient.FrameError
	if !errors.As(err, &fe) || fe.Code != "internal" || fe.Message != "Something went wrong." {
		t.Errorf("boom: %v, want a FrameError", err)
	}

	// Keep bounds what is stored, not the indexes.
	from := c.Len()
	if _, err := c.Request(ctx, chatclient.Frame{"action": "burst"}); err != nil {
		t.Fatal(err)
	}
	if got := c.Len() - from; got != 21 {
		t.Errorf("Len grew by %d, want 21", got)
	}
	if n := len(c.Frames()); n != 5 {
		t.Errorf("%d frames kept, want 5", n)
	}
	if f, i, err := c.Wait(ctx, from, chatclient.Type("message")); err != nil || f.Int("n") != 16 || i != c.Len()-5 {
		t.Errorf("Wait from a dropped index = %v at %d, %v; want the oldest kept (n 16)", f, i, err)
	}

	hist, err := c.History(ctx, "conv")
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, m := range hist {
		seqs = append(seqs, m.Seq)
	}
	want := make([]int64, 250)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if diff := cmp.Diff(want, seqs); diff != "" {
		t.Errorf("History pages (-want +got):\n%s", diff)
	}

	if err := c.Send(ctx, chatclient.Frame{"action": "bye"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Wait(ctx, c.Len(), chatclient.Type("never")); !errors.Is(err, chatclient.ErrClosed) {
		t.Errorf("Wait after the server closed: %v, want ErrClosed", err)
	}
	if !c.Closed() {
		t.Error("Closed() = false after the server closed")
	}
}
