//go:build unix

// Command onnxbare measures bare ONNX Runtime throughput for
// bench/run-onnx.sh: one session, one pre-filled input tensor of 2·batch
// rows (images and their mirrors, as evalkit runs them), Run in a loop; no
// decoding, no preprocessing, no evaluation. It prints images per second
// (each image counted once, with its mirror) per second of wall-clock time
// and per second of CPU time (user + system) of the loop.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"github.com/evalkit/evalkit/internal/ort"
)

func main() {
	model := flag.String("model", "", "ONNX model, N×3×112×112 input")
	images := flag.Int("images", 160, "images to embed (rounded up to whole batches)")
	batch := flag.Int("batch", 32, "images per run (each with its mirror)")
	threads := flag.Int("threads", 2, "intra-op threads")
	noSpin := flag.Bool("nospin", false, "keep idle intra-op threads from spinning")
	flag.Parse()
	if err := run(*model, *images, *batch, *threads, *noSpin); err != nil {
		fmt.Fprintln(os.Stderr, "onnxbare:", err)
		os.Exit(1)
	}
}

func run(path string, images, batch, threads int, noSpin bool) error {
	rt, err := ort.Load("")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	opt := ort.Options{IntraOpThreads: threads}
	if noSpin {
		opt.Config = map[string]string{"session.intra_op.allow_spinning": "0"}
	}
	s, err := rt.NewSession(data, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := rt.NewTensor([]int64{int64(2 * batch), 3, 112, 112})
	if err != nil {
		return err
	}
	defer x.Close()
	r := rand.New(rand.NewPCG(1, 2))
	d := x.Float32s()
	for i := range d {
		d[i] = r.Float32()*2 - 1
	}
	runs := (images + batch - 1) / batch
	cpu0 := cpuSeconds()
	start := time.Now()
	for range runs {
		out, err := s.Run(context.Background(), []*ort.Tensor{x})
		if err != nil {
			return err
		}
		out[0].Close()
	}
	sec := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpu0
	fmt.Printf("%.3f %.3f\n", float64(runs*batch)/sec, float64(runs*batch)/cpu)
	return nil
}

// cpuSeconds is the process's user + system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
