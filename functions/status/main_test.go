package main

import (
	"os"
	"testing"

	"github.com/livehelp/livehelp/infra/dynamolocal"
)

// TestMain runs the package's tests with one DynamoDB Local for the binary,
// started only if a test asks for a table (see dynamolocal.RunTests).
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }
