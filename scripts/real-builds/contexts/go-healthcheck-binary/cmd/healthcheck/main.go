package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		fmt.Println("healthcheck 1")
		return
	}
	fmt.Println("healthy")
}
