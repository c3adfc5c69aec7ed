// Command hello is a package for the build tests.
package main

import "fmt"

func main() { fmt.Println("hello from build") }
