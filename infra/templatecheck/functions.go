package templatecheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Route is one REST route of a function: an upper-case method (or ANY) and
// an API Gateway resource path such as /v1/sites/{site}/status.
type Route struct {
	Method string
	Path   string
}

// String renders the route as "METHOD /path".
func (r Route) String() string { return r.Method + " " + r.Path }

// contractRoutes are the REST routes of the build contract, per function.
// Functions not listed have none.
var contractRoutes = map[string][]Route{
	"StatusFunction": {{"GET", "/v1/sites/{site}/status"}},
	"OfflineFunction": {
		{"POST", "/v1/sites/{site}/visitors"}, {"OPTIONS", "/v1/sites/{site}/visitors"},
		{"POST", "/v1/sites/{site}/messages"}, {"OPTIONS", "/v1/sites/{site}/messages"},
		{"GET", "/v1/sites/{site}/captcha"}, {"GET", "/v1/sites/{site}/captcha/{file}"},
	},
	"ConsoleFunction": {
		{"ANY", "/v1/console/{proxy+}"}, {"GET", "/console"},
		{"GET", "/console/{proxy+}"}, {"GET", "/widget.js"},
	},
}

// contractSchedules are the functions EventBridge rules invoke, with their
// schedule expression. Functions not listed have no schedule.
var contractSchedules = map[string]string{
	"SweepFunction":  "rate(1 minute)",
	"MailerFunction": "rate(1 minute)",
}

// FunctionID returns the logical id the contract gives the function built
// from functions/<folder>: "status" → "StatusFunction".
func FunctionID(folder string) string {
	if folder == "" {
		return ""
	}
	return strings.ToUpper(folder[:1]) + folder[1:] + "Function"
}

// CheckFunctionFolders compares the folders under root/functions with the
// template's functions: every folder has exactly one function, named per
// the contract, whose CodeUri is "functions/<folder>/" and which sam build
// builds as Go (Metadata.BuildMethod go1.x), and every function's CodeUri is
// such a folder. A missing functions folder is a problem.
func CheckFunctionFolders(t *Template, root string) []error {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return []error{fmt.Errorf("functions: cannot list the function folders: %w", err)}
	}
	var errs []error
	byFolder := map[string][]string{}
	for _, id := range t.Functions() {
		r := t.Resources[id]
		uri, _ := r.Properties["CodeUri"].(string)
		folder, ok := strings.CutPrefix(uri, "functions/")
		folder, slash := strings.CutSuffix(folder, "/")
		if !ok || !slash || folder == "" || strings.Contains(folder, "/") {
			errs = append(errs, fmt.Errorf("functions: %s has CodeUri %q, want functions/<folder>/", id, uri))
			continue
		}
		byFolder[folder] = append(byFolder[folder], id)
		if want := FunctionID(folder); id != want {
			errs = append(errs, fmt.Errorf("functions: %s builds functions/%s/, the contract names it %s", id, folder, want))
		}
		if bm := r.Metadata["BuildMethod"]; bm != "go1.x" {
			errs = append(errs, fmt.Errorf("functions: %s has Metadata.BuildMethod %v, want go1.x", id, bm))
		}
	}
	onDisk := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" {
			continue
		}
		onDisk[name] = true
		if n := len(byFolder[name]); n != 1 {
			errs = append(errs, fmt.Errorf("functions: folder functions/%s/ has %d functions in the template, want 1 (%s)", name, n, FunctionID(name)))
		}
	}
	for _, folder := range sortedKeys(byFolder) {
		if !onDisk[folder] {
			errs = append(errs, fmt.Errorf("functions: %s builds functions/%s/, which does not exist", strings.Join(byFolder[folder], ", "), folder))
		}
	}
	return errs
}

// APIRoutes returns the REST routes of function id, sorted, with the
// RestApiId of each (as rendered by show).
func (t *Template) APIRoutes(id string) (routes []Route, apis []string) {
	for _, name := range sortedKeys(asMap(t.Resources[id].Properties["Events"])) {
		ev := asMap(asMap(t.Resources[id].Properties["Events"])[name])
		if ev["Type"] != "Api" {
			continue
		}
		p := asMap(ev["Properties"])
		method, _ := p["Method"].(string)
		path, _ := p["Path"].(string)
		routes = append(routes, Route{Method: strings.ToUpper(method), Path: path})
		apis = append(apis, show(p["RestApiId"]))
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].String() < routes[j].String() })
	return routes, apis
}

// CheckEvents checks each function's event sources against the contract:
// exactly its REST routes, all on RestApi; the EventBridge schedules of the
// sweep and the mailer (Type Schedule, not ScheduleV2, which LocalStack never
// fires), enabled; and no other event types. It also checks RestApi itself:
// stage live, no Cors block, and binary media types covering the captcha.
func CheckEvents(t *Template) []error {
	var errs []error
	for _, id := range t.Functions() {
		routes, apis := t.APIRoutes(id)
		for _, api := range apis {
			if api != "!Ref RestApi" {
				errs = append(errs, fmt.Errorf("events: %s has an Api event on %s, want !Ref RestApi", id, api))
			}
		}
		errs = append(errs, diffRoutes(id, routes, contractRoutes[id])...)
		var schedules []string
		events := asMap(t.Resources[id].Properties["Events"])
		for _, name := range sortedKeys(events) {
			ev := asMap(events[name])
			p := asMap(ev["Properties"])
			switch ev["Type"] {
			case "Api":
			case "Schedule":
				expr, _ := p["Schedule"].(string)
				schedules = append(schedules, expr)
				if p["Enabled"] == false || p["State"] == "DISABLED" {
					errs = append(errs, fmt.Errorf("events: %s schedule %s is disabled", id, name))
				}
			default:
				errs = append(errs, fmt.Errorf("events: %s event %s has Type %v; only Api and Schedule (EventBridge rules) are expected", id, name, ev["Type"]))
			}
		}
		want := contractSchedules[id]
		switch {
		case want == "" && len(schedules) > 0:
			errs = append(errs, fmt.Errorf("events: %s has a Schedule event; only %s are scheduled", id, strings.Join(sortedKeys(contractSchedules), " and ")))
		case want != "" && (len(schedules) != 1 || schedules[0] != want):
			errs = append(errs, fmt.Errorf("events: %s schedules %q, want one Schedule event %q", id, schedules, want))
		}
	}
	return append(errs, checkRestAPI(t)...)
}

func diffRoutes(id string, got, want []Route) []error {
	var errs []error
	have := map[Route]int{}
	for _, r := range got {
		have[r]++
	}
	for _, r := range want {
		if have[r] == 0 {
			errs = append(errs, fmt.Errorf("events: %s is missing route %s", id, r))
		}
		delete(have, r)
	}
	for _, r := range got {
		if n, extra := have[r]; extra {
			errs = append(errs, fmt.Errorf("events: %s has unexpected route %s (x%d)", id, r, n))
			delete(have, r)
		}
	}
	return errs
}

func checkRestAPI(t *Template) []error {
	api, ok := t.Resources["RestApi"]
	if !ok || api.Type != "AWS::Serverless::Api" {
		return []error{errors.New("events: no AWS::Serverless::Api named RestApi")}
	}
	var errs []error
	if api.Properties["StageName"] != "live" {
		errs = append(errs, fmt.Errorf("events: RestApi StageName is %v, want live", api.Properties["StageName"]))
	}
	if _, has := api.Properties["Cors"]; has {
		errs = append(errs, errors.New("events: RestApi has a Cors block; the functions answer OPTIONS with per-site origins"))
	}
	var types []string
	for _, v := range asList(api.Properties["BinaryMediaTypes"]) {
		if s, ok := v.(string); ok {
			types = append(types, strings.ReplaceAll(s, "~1", "/"))
		}
	}
	for _, media := range []string{"image/png", "audio/wav"} {
		if !coversMedia(types, media) {
			errs = append(errs, fmt.Errorf("events: RestApi BinaryMediaTypes %q do not cover the captcha's %s", types, media))
		}
	}
	return errs
}

// coversMedia reports whether one of the patterns (type/subtype, either
// part possibly *) matches media.
func coversMedia(patterns []string, media string) bool {
	mt, ms, _ := strings.Cut(media, "/")
	for _, p := range patterns {
		pt, ps, _ := strings.Cut(p, "/")
		if (pt == "*" || pt == mt) && (ps == "*" || ps == ms) {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
