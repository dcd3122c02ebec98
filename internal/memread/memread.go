// Package memread is the reference for evalkit's throughput benchmarks: the
// fastest plain read of a float32 buffer this build can do, so a kernel's
// MB/s can be read as a fraction of the machine's read rate in the same run.
package memread

import "unsafe"

// Sum reads every byte of data and returns a checksum. Built with
// GOEXPERIMENT=simd on an AVX2 machine it uses 256-bit loads; otherwise it
// sums uint64 words in four accumulators, the fastest read loop plain Go
// compiles (a float32 sum is bound by add latency, not by memory).
func Sum(data []float32) uint64 { return sum(data) }

func sumWords(data []float32) uint64 {
	if len(data) < 2 {
		var s uint64
		for _, v := range data {
			s += uint64(*(*uint32)(unsafe.Pointer(&v)))
		}
		return s
	}
	words := unsafe.Slice((*uint64)(unsafe.Pointer(&data[0])), len(data)/2)
	var s0, s1, s2, s3 uint64
	i := 0
	for ; i+4 <= len(words); i += 4 {
		w := words[i : i+4 : i+4]
		s0 += w[0]
		s1 += w[1]
		s2 += w[2]
		s3 += w[3]
	}
	for ; i < len(words); i++ {
		s0 += words[i]
	}
	if len(data)%2 == 1 {
		v := data[len(data)-1]
		s0 += uint64(*(*uint32)(unsafe.Pointer(&v)))
	}
	return s0 + s1 + s2 + s3
}

// Kind names the read loop this build uses: "uint64x4" or "avx2".
func Kind() string { return kind() }
