// Command touchinput is bench/touch_input.c in Go: it reads the files named
// on the command line through one 256 kB buffer and sums one float of every
// 64-byte cache line. bench/run-verify.sh times it against numpy as the
// floor of any Go program's whole-process time on the machine: Go's runtime
// start plus reading every byte of the input.
package main

import (
	"fmt"
	"io"
	"os"
	"unsafe"
)

func main() {
	var sum float32
	buf := make([]float32, 65536)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 4*len(buf))
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for {
			k, err := f.Read(raw)
			for i := 0; i < k/4; i += 16 {
				sum += buf[i]
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, path, err)
				os.Exit(1)
			}
		}
		_ = f.Close()
	}
	fmt.Println(sum)
}
