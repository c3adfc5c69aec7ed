// Command bye is a package for the build tests.
package main

import "fmt"

func main() { fmt.Println("bye from build") }
