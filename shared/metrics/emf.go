package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// maxMetrics is EMF's limit on metrics per directive.
const maxMetrics = 100

// Record is the content of one EMF line: one invocation of one function.
type Record struct {
	// Function is the Function dimension.
	Function string
	// RequestID is the Lambda request id ("" outside Lambda).
	RequestID string
	// Time stamps the line.
	Time time.Time
	// Values holds every metric by name, DynamoDBRequests and each
	// DynamoDB operation included.
	Values map[string]float64
}

// emfMetric names one metric of a directive.
type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// emfDirective is one entry of _aws.CloudWatchMetrics.
type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

// emfMeta is the _aws member.
type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// MarshalLine encodes r as one EMF JSON line ending in a newline. Metrics
// are listed in name order, DynamoDBRequests first; beyond EMF's 100 per
// directive, the rest go in further directives. Metric names must not be
// "_aws", "Function" or "RequestId".
func (r Record) MarshalLine() ([]byte, error) {
	names := slices.Sorted(maps.Keys(r.Values))
	if i := slices.Index(names, DynamoDBRequests); i > 0 {
		names = append([]string{DynamoDBRequests}, slices.Delete(names, i, i+1)...)
	}
	doc := map[string]any{"Function": r.Function}
	if r.RequestID != "" {
		doc["RequestId"] = r.RequestID
	}
	var dirs []emfDirective
	for i, name := range names {
		if _, reserved := doc[name]; reserved || name == "_aws" || name == "Function" || name == "RequestId" {
			return nil, fmt.Errorf("metrics: %q is a reserved name", name)
		}
		if i%maxMetrics == 0 {
			dirs = append(dirs, emfDirective{Namespace: Namespace, Dimensions: [][]string{{"Function"}}})
		}
		d := &dirs[len(dirs)-1]
		d.Metrics = append(d.Metrics, emfMetric{Name: name, Unit: "Count"})
		doc[name] = r.Values[name]
	}
	if dirs == nil {
		dirs = []emfDirective{}
	}
	doc["_aws"] = emfMeta{Timestamp: r.Time.UnixMilli(), CloudWatchMetrics: dirs}
	line, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return append(line, '\n'), nil
}

// ErrNotEMF is returned by Decode for a line that is not an EMF document of
// the LiveHelp namespace.
var ErrNotEMF = errors.New("metrics: not a LiveHelp EMF line")

// Decode reads one line written by MarshalLine (or any EMF line of the
// LiveHelp namespace with a Function dimension). Values holds the metrics
// the directives declare; other members are ignored.
func Decode(line []byte) (Record, error) {
	line = bytes.TrimSpace(line)
	if !bytes.HasPrefix(line, []byte("{")) || !bytes.Contains(line, []byte(`"_aws"`)) {
		return Record{}, ErrNotEMF
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(line, &doc); err != nil {
		return Record{}, fmt.Errorf("metrics: decode: %w", err)
	}
	var meta emfMeta
	if err := json.Unmarshal(doc["_aws"], &meta); err != nil {
		return Record{}, fmt.Errorf("metrics: decode _aws: %w", err)
	}
	rec := Record{Time: time.UnixMilli(meta.Timestamp), Values: map[string]float64{}}
	if err := json.Unmarshal(doc["Function"], &rec.Function); err != nil || rec.Function == "" {
		return Record{}, ErrNotEMF
	}
	if raw, ok := doc["RequestId"]; ok {
		_ = json.Unmarshal(raw, &rec.RequestID)
	}
	found := false
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace != Namespace {
			continue
		}
		found = true
		for _, m := range d.Metrics {
			var v float64
			if err := json.Unmarshal(doc[m.Name], &v); err != nil {
				return Record{}, fmt.Errorf("metrics: decode %s: %w", m.Name, err)
			}
			rec.Values[m.Name] = v
		}
	}
	if !found {
		return Record{}, ErrNotEMF
	}
	return rec, nil
}
