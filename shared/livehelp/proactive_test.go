package livehelp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCheckAnswers enforces the data collection form on the server side.
func TestCheckAnswers(t *testing.T) {
	form := []FormField{{Label: "Name", Type: "text", Required: true}, {Label: "Email", Type: "email", Required: true},
		{Label: "Phone", Type: "tel"}, {Label: "Question", Type: "textarea"}}
	for _, tt := range []struct {
		name   string
		values []string
		want   []string
		errs   map[string]string
	}{
		{"all good", []string{" Ann ", "ann@example.com", "", "line 1\nline 2"}, []string{"Ann", "ann@example.com", "", "line 1\nline 2"}, nil},
		{"required empty", []string{"", "ann@example.com"}, nil, map[string]string{"values.0": "Please fill in this field."}},
		{"missing answers", nil, nil, map[string]string{"values.0": "Please fill in this field.", "values.1": "Please fill in this field."}},
		{"bad email", []string{"Ann", "ann"}, nil, map[string]string{"values.1": "Please enter a valid email address."}},
		{"control in text", []string{"A\nnn", "a@b.co"}, nil, map[string]string{"values.0": "Use at most 200 characters of plain text."}},
		{"too many", []string{"Ann", "a@b.co", "", "", "x"}, nil, map[string]string{"values": "There are more answers than fields."}},
	} {
		got, err := CheckAnswers(form, tt.values)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: answers (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.errs, ErrorFields(err)); diff != "" {
			t.Errorf("%s: errors (-want +got):\n%s", tt.name, diff)
		}
	}
}
