package ddbstats

import (
	"maps"
	"slices"
)

// ReadOperations are the operations Reads counts: every call that reads
// items. Scans are reads too; Scans counts them on their own.
var ReadOperations = []string{"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"}

// WriteOperations are the operations Writes counts: every call that can
// write items. A TransactWriteItems or BatchWriteItem is one write call
// however many items it carries; ItemsWritten counts the items.
var WriteOperations = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

// Other operations (table management such as CreateTable or DescribeTable,
// and the PartiQL operations ExecuteStatement, BatchExecuteStatement and
// ExecuteTransaction) appear in the maps of a Report but in neither Reads
// nor Writes.

// Report holds counts by DynamoDB operation name. A missing key means
// zero. It marshals to JSON as the body served by Counter.ServeHTTP.
type Report struct {
	// Calls counts logical calls: one per API call that sent at least
	// one attempt, whether it succeeded or not.
	Calls map[string]int64 `json:"calls,omitempty"`
	// Attempts counts HTTP requests sent, retries included; Attempts
	// minus Calls is the number of retries.
	Attempts map[string]int64 `json:"attempts,omitempty"`
	// Errors counts calls that returned an error after their last attempt
	// (a failed condition check is an error too).
	Errors map[string]int64 `json:"errors,omitempty"`
	// Items counts the items calls addressed: 1 per GetItem, PutItem,
	// UpdateItem and DeleteItem; the keys of a BatchGetItem and the
	// requests of a BatchWriteItem; the items of a TransactGetItems; the
	// Put, Update and Delete actions of a TransactWriteItems (not its
	// ConditionChecks); the ScannedCount a Query or Scan returned (what it
	// read, before any filter; 0 when it failed).
	Items map[string]int64 `json:"items,omitempty"`
}

// Count returns the number of calls of the operation op.
func (r Report) Count(op string) int64 { return r.Calls[op] }

// Reads returns the number of calls of ReadOperations.
func (r Report) Reads() int64 { return sum(r.Calls, ReadOperations) }

// Writes returns the number of calls of WriteOperations.
func (r Report) Writes() int64 { return sum(r.Calls, WriteOperations) }

// Scans returns the number of Scan calls.
func (r Report) Scans() int64 { return r.Calls["Scan"] }

// Retries returns the number of attempts beyond the first, over all calls.
func (r Report) Retries() int64 {
	var n int64
	for op, attempts := range r.Attempts {
		n += attempts - r.Calls[op]
	}
	return n
}

// ItemsRead returns the items addressed by calls of ReadOperations.
func (r Report) ItemsRead() int64 { return sum(r.Items, ReadOperations) }

// ItemsWritten returns the items addressed by calls of WriteOperations.
func (r Report) ItemsWritten() int64 { return sum(r.Items, WriteOperations) }

// Add returns the sum of r and o, e.g. to total the reports of several
// processes. Neither input is modified.
func (r Report) Add(o Report) Report {
	return r.combine(o, 1)
}

// Sub returns r minus o, e.g. the calls made since an earlier Report of
// the same counter. Neither input is modified.
func (r Report) Sub(o Report) Report {
	return r.combine(o, -1)
}

// Operations returns the names of all operations with a call, sorted.
func (r Report) Operations() []string {
	return slices.Sorted(maps.Keys(r.Calls))
}

// combine returns r + sign*o, dropping zero entries.
func (r Report) combine(o Report, sign int64) Report {
	out := r.clone()
	for k := range numKinds {
		for op, n := range *o.counts(k) {
			out.add(k, op, sign*n)
		}
	}
	return out
}

// kind selects one map of a Report.
type kind int

const (
	calls kind = iota
	attempts
	errs
	items
	numKinds
)

// counts returns the map of kind k.
func (r *Report) counts(k kind) *map[string]int64 {
	switch k {
	case calls:
		return &r.Calls
	case attempts:
		return &r.Attempts
	case errs:
		return &r.Errors
	default:
		return &r.Items
	}
}

// add adds n to the count of op in the map of kind k, keeping no zero
// entries (and no empty maps) so that equal reports compare equal.
func (r *Report) add(k kind, op string, n int64) {
	if n == 0 {
		return
	}
	m := r.counts(k)
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[op] += n
	if (*m)[op] == 0 {
		delete(*m, op)
	}
	if len(*m) == 0 {
		*m = nil
	}
}

// clone returns a deep copy of r.
func (r Report) clone() Report {
	return Report{
		Calls:    maps.Clone(r.Calls),
		Attempts: maps.Clone(r.Attempts),
		Errors:   maps.Clone(r.Errors),
		Items:    maps.Clone(r.Items),
	}
}

// sum adds the counts of ops in m.
func sum(m map[string]int64, ops []string) int64 {
	var n int64
	for _, op := range ops {
		n += m[op]
	}
	return n
}
