package store_test

import (
	"os"
	"testing"

	"github.com/livehelp/livehelp/infra/dynamolocal"
)

// TestMain runs the store tests on DynamoDB Local (see package dynamolocal).
func TestMain(m *testing.M) { os.Exit(dynamolocal.RunTests(m)) }
