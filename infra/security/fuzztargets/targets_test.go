package fuzztargets_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/infra/security/fuzztargets"
)

func TestFindReadsTestFiles(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/x_test.go": "package a\nimport \"testing\"\nfunc FuzzOne(f *testing.F) {}\nfunc FuzzNotATarget(t *testing.T) {}\nfunc TestX(t *testing.T) {}\n",
		"a/y.go":      "package a\nimport \"testing\"\nfunc FuzzInCode(f *testing.F) {}\n",
		"b/c/z_test.go": "package c\nimport \"testing\"\ntype s struct{}\nfunc (s) FuzzMethod(f *testing.F) {}\n" +
			"func FuzzTwo(f *testing.F) {}\n",
		"b/c/testdata/fuzz/FuzzTwo/seed": "go test fuzz v1\nstring(\"x\")\n",
		".cache/q_test.go":               "package q\nimport \"testing\"\nfunc FuzzCached(f *testing.F) {}\n",
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := fuzztargets.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []fuzztargets.Target{
		{Package: "./a", Dir: filepath.Join(root, "a"), Name: "FuzzOne"},
		{Package: "./b/c", Dir: filepath.Join(root, "b", "c"), Name: "FuzzTwo"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}
	if seeds, err := got[1].Corpus(); err != nil || !slices.Equal(seeds, []string{"seed"}) {
		t.Errorf("Corpus of FuzzTwo = %v, %v", seeds, err)
	}
	if _, err := got[0].Corpus(); err == nil {
		t.Error("Corpus of FuzzOne (no folder) did not fail")
	}
}

// TestEveryTargetHasSeeds holds the module to its fuzzing rule: each fuzz
// target has a seed corpus in testdata/fuzz/<FuzzXxx>/, and the parsers of
// outside input that have targets keep them.
func TestEveryTargetHasSeeds(t *testing.T) {
	root, err := dynamolocal.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	targets, err := fuzztargets.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tg := range targets {
		names[tg.Package+" "+tg.Name] = true
		if seeds, err := tg.Corpus(); err != nil || len(seeds) == 0 {
			t.Errorf("%s %s has no seed corpus in testdata/fuzz/%s/", tg.Package, tg.Name, tg.Name)
		}
	}
	for _, want := range []string{
		"./shared/webapi FuzzDecodeJSON", "./shared/webapi FuzzDecodeStrict", "./shared/webapi FuzzOriginAllowed",
		"./shared/email FuzzParseAddress", "./shared/email FuzzHeaderSafe", "./shared/email FuzzSendHeaders",
		"./shared/email FuzzUnreadMessage", "./shared/livehelp FuzzParseLanguages", "./shared/livehelp FuzzCleanText",
		"./shared/livehelp FuzzCleanName", "./shared/livehelp FuzzCannedFromFiles", "./shared/livehelp FuzzCannedExport",
		"./shared/livehelp FuzzSnoozeChoice", "./shared/auth FuzzVerify", "./functions/status FuzzStatus",
		"./functions/chat FuzzFrameDecode", "./functions/offline FuzzParseForm",
	} {
		if !names[want] {
			t.Errorf("fuzz target %s is gone", want)
		}
	}
}
