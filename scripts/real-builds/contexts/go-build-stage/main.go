package main

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-selftest" {
		// What a runtime image must still give the program: CA roots and time zones.
		roots, err := x509.SystemCertPool()
		if err != nil {
			fmt.Println("no CA roots:", err)
			os.Exit(1)
		}
		if _, err := time.LoadLocation("Europe/Paris"); err != nil {
			fmt.Println("no time zones:", err)
			os.Exit(1)
		}
		fmt.Println("ok", runtime.Version(), len(roots.Subjects()) > 0)
		return
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })
	http.ListenAndServe(":8080", nil)
}
