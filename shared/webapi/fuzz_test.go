package webapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/shared/livehelp"
	"github.com/livehelp/livehelp/shared/webapi"
)

// fuzzBody is a request body shaped like the REST APIs' (strings, numbers,
// a nested object, a list).
type fuzzBody struct {
	Name     string            `json:"name"`
	Email    string            `json:"email,omitempty"`
	Count    int               `json:"count,omitempty"`
	Closed   *bool             `json:"closed,omitempty"`
	Tags     []string          `json:"tags,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
}

// fuzzMax is the body limit of the fuzzed decodes, small so the fuzzer
// reaches it.
const fuzzMax = 256

// FuzzDecodeJSON feeds any body and content type to DecodeJSON: it never
// panics, every refusal is EINVALID with a message for people, and an
// accepted body holds one JSON object and nothing after it but white
// space (trailing data is refused, however long the body), whose value
// survives a round trip.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"name":"Dana","tags":["a"],"settings":{"k":"v"}}`), "application/json")
	f.Add([]byte(`{"name":"x"} {"name":"y"}`), "application/json; charset=utf-8")
	f.Add([]byte(`{"name":"x","admin":true}`), "text/plain")
	f.Add([]byte(`{"name":1}`), "")
	f.Add([]byte(`[]`), "application/json")
	f.Add([]byte(``), "application/x-www-form-urlencoded")
	f.Add([]byte(`{"name":"\u0000\r\n","count":1e309}`), "application/json")
	f.Add(bytes.Repeat([]byte(" "), fuzzMax+1), "application/json")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		var v fuzzBody
		err := webapi.DecodeJSON(r, fuzzMax, &v)
		if err != nil {
			if code := livehelp.ErrorCode(err); code != livehelp.EINVALID {
				t.Fatalf("DecodeJSON refused with code %q, want invalid: %v", code, err)
			}
			if msg := livehelp.ErrorMessage(err); msg == "" || strings.Contains(msg, "json:") {
				t.Fatalf("refusal message %q is empty or leaks the decoder's error", msg)
			}
			return
		}
		onlyOneValue(t, body)
		roundTrip(t, v)
	})
}

// FuzzDecodeStrict feeds any bytes to DecodeStrict (the chat's frame
// decoder): no panic, and whatever it accepts survives a round trip.
func FuzzDecodeStrict(f *testing.F) {
	f.Add([]byte(`{"name":"a"}`))
	f.Add([]byte(`{"name":"a"}x`))
	f.Add([]byte(`{"name":"a","unknown":1}`))
	f.Add([]byte(`{"name":"a","name":"b"}`))
	f.Add([]byte(`{"Name":"case"}`))
	f.Add([]byte(`null`))
	f.Add([]byte("{\"name\":\"\xff\xfe\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzBody
		if err := webapi.DecodeStrict(data, &v); err != nil {
			return
		}
		onlyOneValue(t, data)
		roundTrip(t, v)
	})
}

// onlyOneValue checks that an accepted body is one JSON value and white
// space: "trailing data" is refused, whatever its first character.
func onlyOneValue(t *testing.T, body []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		t.Fatalf("accepted %q, which is not JSON", body)
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		t.Fatalf("accepted %q: trailing data after the object", body)
	}
}

// roundTrip checks that v encodes and strictly decodes to itself.
func roundTrip(t *testing.T, v fuzzBody) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("accepted value does not encode: %v", err)
	}
	var again fuzzBody
	if err := webapi.DecodeStrict(data, &again); err != nil {
		t.Fatalf("re-encoded %s does not decode: %v", data, err)
	}
	if diff := cmp.Diff(v, again); diff != "" {
		t.Fatalf("round trip (-first +second):\n%s", diff)
	}
}

// FuzzOriginAllowed checks the CORS and $connect origin rule on any Origin
// header: allowed only when it equals an allowed origin (case and a
// trailing slash aside), never for a prefix, suffix or other port.
func FuzzOriginAllowed(f *testing.F) {
	f.Add("https://shop.example")
	f.Add("https://shop.example.evil.example")
	f.Add("https://shop.example:444")
	f.Add("HTTPS://SHOP.EXAMPLE/")
	f.Add("null")
	f.Add("https://evil.example/https://shop.example")
	f.Fuzz(func(t *testing.T, origin string) {
		allowed := []string{"https://shop.example", "http://127.0.0.1:8080"}
		got := webapi.OriginAllowed(origin, allowed)
		norm := strings.TrimRight(strings.ToLower(origin), "/")
		want := norm == "https://shop.example" || norm == "http://127.0.0.1:8080"
		if got != want {
			t.Fatalf("OriginAllowed(%q) = %v, want %v", origin, got, want)
		}
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Origin", origin)
		ok := webapi.AllowOrigin(rec, r, allowed)
		if acao := rec.Header().Get("Access-Control-Allow-Origin"); (acao != "") != (ok && origin != "") || (acao != "" && acao != origin) {
			t.Fatalf("AllowOrigin(%q) = %v with Access-Control-Allow-Origin %q", origin, ok, acao)
		}
	})
}
