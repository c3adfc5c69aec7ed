// Package fuzztargets finds the module's fuzz targets by reading its test
// files, for the fuzz runner (infra/security/fuzzall) and for the test
// that every target has a seed corpus.
package fuzztargets

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Target is one fuzz target.
type Target struct {
	// Package is the package path relative to the module root, as go test
	// takes it: "./shared/email".
	Package string
	// Dir is the package's directory.
	Dir string
	// Name is the function name, e.g. FuzzParseAddress.
	Name string
}

// skipDirs are folders that hold no module code.
var skipDirs = map[string]bool{".git": true, ".cache": true, "node_modules": true, "bin": true, ".aws-sam": true}

// Find returns every `func FuzzXxx(*testing.F)` in the *_test.go files
// under root, sorted by package and name.
func Find(root string) ([]Target, error) {
	var out []Target
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (skipDirs[d.Name()] || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil // a file being edited; go test reports it
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Fuzz") || !takesF(fn) {
				continue
			}
			dir := filepath.Dir(path)
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return err
			}
			out = append(out, Target{Package: "./" + filepath.ToSlash(rel), Dir: dir, Name: fn.Name.Name})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// takesF reports whether fn's one parameter is a *testing.F.
func takesF(fn *ast.FuncDecl) bool {
	ps := fn.Type.Params.List
	if len(ps) != 1 {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "F"
}

// Corpus returns the seed files of t in testdata/fuzz/<Name>/.
func (t Target) Corpus() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(t.Dir, "testdata", "fuzz", t.Name))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
		}
	}
	return files, nil
}
