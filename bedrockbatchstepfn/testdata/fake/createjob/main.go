// Command createjob stands in for ./lambda/createjob in the build tests: a main
// package of this module that the construct compiles like the real one.
package main

import "fmt"

func main() { fmt.Println("createjob") }
