// Command jobevent stands in for ./lambda/jobevent in the build tests: a main
// package of this module that the construct compiles like the real one.
package main

import "fmt"

func main() { fmt.Println("jobevent") }
