// Package build compiles function packages into Lambda bootstrap binaries
// for the local host, as the local runner needs them.
//
// [Build] runs
//
//	CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -buildvcs=false -o <out>/<name>/bootstrap ./<pkgDir>
//
// in the module root, for the host's GOOS and GOARCH (the deployed binaries
// are linux/arm64; the runner runs them on the developer's machine). Go's
// build cache makes rebuilds of unchanged packages quick; -buildvcs=false
// keeps a fresh or dirty Git checkout from failing the build. [All]
// builds several packages, two at a time. A failed build returns an
// *[Error] that carries the compiler's output.
package build
