//go:build unix

// Command touchinput is bench/touch_input.c in Go: it maps the files named
// on the command line read-only (MAP_POPULATE, as evalkit does) and reads
// one float of every 64-byte cache line. bench/run-verify.sh times it
// against numpy as the floor of any Go program's whole-process time on the
// machine: Go's runtime start plus touching every page of the input.
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

func main() {
	var sum float32
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		st, err := f.Stat()
		if err != nil || st.Size() < 4 {
			fmt.Fprintln(os.Stderr, path, "is not a readable file of at least 4 bytes")
			os.Exit(1)
		}
		mem, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
		if err != nil {
			fmt.Fprintln(os.Stderr, path, err)
			os.Exit(1)
		}
		fl := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), len(mem)/4)
		for i := 32; i < len(fl); i += 16 {
			sum += fl[i]
		}
		_ = f.Close()
	}
	fmt.Println(sum)
}
