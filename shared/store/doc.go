// Package store keeps Live Help's state in one DynamoDB table (single-table
// design). Every key is built in keys.go; item structs are private to this
// package; every conditional write goes through the expression builder; AWS
// errors are translated at this edge into the livehelp error vocabulary
// (a failed condition becomes ECONFLICT, a missing item ENOTFOUND).
//
// The table's shape is defined once, in template.yaml; a test fails when the
// keys and indexes used here drift from it. No code in this package Scans.
package store
