// Command onnxbare measures bare ONNX Runtime throughput for
// bench/run-onnx.sh: one session, one pre-filled input tensor of 2·batch
// rows (images and their mirrors, as evalkit runs them), Run in a loop; no
// decoding, no preprocessing, no evaluation. It prints images per second
// (each image counted once, with its mirror).
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/evalkit/evalkit/internal/ort"
)

func main() {
	model := flag.String("model", "", "ONNX model, N×3×112×112 input")
	images := flag.Int("images", 160, "images to embed (rounded up to whole batches)")
	batch := flag.Int("batch", 32, "images per run (each with its mirror)")
	threads := flag.Int("threads", 2, "intra-op threads")
	flag.Parse()
	if err := run(*model, *images, *batch, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "onnxbare:", err)
		os.Exit(1)
	}
}

func run(path string, images, batch, threads int) error {
	rt, err := ort.Load("")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s, err := rt.NewSession(data, ort.Options{IntraOpThreads: threads})
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
	start := time.Now()
	for range runs {
		out, err := s.Run(context.Background(), []*ort.Tensor{x})
		if err != nil {
			return err
		}
		out[0].Close()
	}
	sec := time.Since(start).Seconds()
	fmt.Printf("%.3f\n", float64(runs*batch)/sec)
	return nil
}
