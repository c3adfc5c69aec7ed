package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// fuzzFrameTypes maps actions to the frame each decodes (PROTOCOL.md);
// actions added later are skipped until listed here.
func fuzzFrameTypes() map[string]func() any {
	return map[string]func() any{
		"hello":     func() any { return &helloFrame{} },
		"start":     func() any { return &startFrame{} },
		"send":      func() any { return &sendFrame{} },
		"history":   func() any { return &historyFrame{} },
		"typing":    func() any { return &typingFrame{} },
		"read":      func() any { return &readFrame{} },
		"heartbeat": func() any { return &heartbeatFrame{} },
		"take":      func() any { return &conversationOnlyFrame{} },
		"close":     func() any { return &conversationOnlyFrame{} },
		"unclose":   func() any { return &conversationOnlyFrame{} },
	}
}

// FuzzFrameDecode feeds any WebSocket frame to the chat's decoding: the
// envelope, then the action's own fields with decode. It never panics; a
// refusal is EINVALID naming the action; an accepted frame re-encodes and
// decodes to the same value, so nothing unknown slipped through; and the
// text of an accepted send is what CleanText keeps or refuses, never
// stored unchecked.
func FuzzFrameDecode(f *testing.F) {
	for _, s := range []string{
		`{"action":"ping","id":"1"}`,
		`{"action":"hello","after":3}`,
		`{"action":"start","name":"Dana\r\nX"}`,
		`{"action":"send","conversation":"c1","client_id":"m-1","text":"hi <b>there</b>"}`,
		`{"action":"send","conversation":"c1","client_id":"m-1","text":"hi","admin":true}`,
		`{"action":"send","conversation":["c1"],"client_id":1,"text":null}`,
		`{"action":"history","conversation":"c1","after":-1,"before":9223372036854775807,"limit":1e3}`,
		`{"action":"typing","conversation":"c1","typing":"yes"}`,
		`{"action":"read","conversation":"c1","seq":1.5}`,
		`{"action":"heartbeat","state":"online"}`,
		`{"action":"take","conversation":"../c2"}`,
		`{"action":"close","conversation":"c1","id":"` + strings.Repeat("x", 100) + `"}`,
		`{"action":"send","action":"take","conversation":"c1"}`,
		`{"Action":"SEND"}`,
		`[{"action":"send"}]`,
		"{\"action\":\"send\",\"text\":\"\xff\"}",
	} {
		f.Add(s)
	}
	types := fuzzFrameTypes()
	f.Fuzz(func(t *testing.T, body string) {
		var in inFrame
		if len(body) > maxFrame || json.Unmarshal([]byte(body), &in) != nil || in.Action == "" {
			return // refused before any action: "A frame must be a JSON object with an action."
		}
		in.Raw = json.RawMessage(body)
		newFrame, ok := types[in.Action]
		if !ok {
			return
		}
		v := newFrame()
		if err := decode(in, v); err != nil {
			if livehelp.ErrorCode(err) != livehelp.EINVALID || !strings.Contains(livehelp.ErrorMessage(err), in.Action) {
				t.Fatalf("decode(%s) refused with %v", body, err)
			}
			return
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted %s does not re-encode: %v", body, err)
		}
		again := newFrame()
		if err := decode(inFrame{Action: in.Action, Raw: data}, again); err != nil || !reflect.DeepEqual(v, again) {
			t.Fatalf("accepted %s: round trip gives %+v, %v", body, again, err)
		}
		if sf, ok := v.(*sendFrame); ok {
			if text, err := livehelp.CleanText(sf.Text); err == nil && (text == "" || len(text) > livehelp.MaxMessageText) {
				t.Fatalf("send text %q cleans to %q", sf.Text, text)
			}
		}
	})
}
