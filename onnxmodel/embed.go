package onnxmodel

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/evalkit/evalkit/internal/ort"
)

// Embeddings holds the embeddings of N images, row-major.
type Embeddings struct {
	N, Dim int
	Emb    []float32 // N × Dim
	Flip   []float32 // N × Dim, of the mirrored images; nil without EmbedOptions.Flip
}

// EmbedOptions configures Embed.
type EmbedOptions struct {
	// Flip also embeds every image's horizontal mirror, in the same run.
	Flip bool
	// Workers is the number of goroutines decoding and preprocessing the
	// next batches while the model runs; 0 means half the CPUs (at least 1).
	Workers int
	// Progress, when set, is called after every batch with the number of
	// images embedded so far.
	Progress func(done int)
}

// Embed embeds every image of src (and its mirror with opt.Flip). See
// EmbedFunc for the pipeline.
func (m *Model) Embed(ctx context.Context, src Source, opt EmbedOptions) (*Embeddings, error) {
	e := &Embeddings{N: src.Len(), Dim: m.dim}
	err := m.EmbedFunc(ctx, src, opt, func(start int, emb, flip []float32) error {
		if e.Emb == nil {
			e.Dim = m.dim
			e.Emb = make([]float32, e.N*e.Dim)
			if opt.Flip {
				e.Flip = make([]float32, e.N*e.Dim)
			}
		}
		copy(e.Emb[start*e.Dim:], emb)
		if opt.Flip {
			copy(e.Flip[start*e.Dim:], flip)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e.Emb == nil {
		e.Emb = []float32{}
		if opt.Flip {
			e.Flip = []float32{}
		}
	}
	return e, nil
}

// EmbedFunc embeds the images of src in batches and hands each batch's
// embeddings to sink in order: start is the index of the batch's first
// image, emb (and flip, with opt.Flip) hold its rows, valid only during the
// call. Decoding and preprocessing of the next batches run in opt.Workers
// goroutines while the model runs, with at most Workers+2 batches in memory,
// however many images src holds. Cancelling ctx stops the pipeline, the
// model's run included, and returns ctx's error.
func (m *Model) EmbedFunc(ctx context.Context, src Source, opt EmbedOptions, sink func(start int, emb, flip []float32) error) error {
	n := src.Len()
	if n == 0 {
		return ctx.Err()
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = max(1, runtime.GOMAXPROCS(0)/2)
	}
	p := &pipeline{m: m, src: src, flip: opt.Flip}
	nslots := workers + 2
	defer p.release()
	pool := make(chan *slot, nslots)
	for range nslots {
		s, err := p.newSlot(m.batch)
		if err != nil {
			return err
		}
		pool <- s
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan *job, nslots)
	order := make(chan *job, nslots)
	var wg sync.WaitGroup
	defer wg.Wait() // before p.release: workers write into the slots
	wg.Go(func() {
		defer close(order)
		defer close(work)
		for start := 0; start < n; start += m.batch {
			var s *slot
			select {
			case s = <-pool:
			case <-ctx.Done():
				return
			}
			j := &job{start: start, n: min(m.batch, n-start), slot: s, ready: make(chan error, 1)}
			for _, ch := range []chan *job{order, work} {
				select {
				case ch <- j:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	for range workers {
		wg.Go(func() {
			var sc scratch
			for j := range work {
				j.ready <- p.fill(ctx, j, &sc)
			}
		})
	}
	done := 0
	for j := range order {
		var err error
		select {
		case err = <-j.ready:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err == nil {
			err = p.run(ctx, j, sink)
		}
		p.closeExtra(j)
		if err != nil {
			cancel()
			return err
		}
		pool <- j.slot
		done += j.n
		if opt.Progress != nil {
			opt.Progress(done)
		}
	}
	return ctx.Err()
}

// pipeline holds what one EmbedFunc call shares between its goroutines.
type pipeline struct {
	m     *Model
	src   Source
	flip  bool
	mu    sync.Mutex
	slots []*slot
	out   []float32 // the runner's reordering buffer
}

// slot holds input tensors for one batch: a dynamic-batch graph takes the
// images and their mirrors in one tensor; a fixed-batch graph takes them in
// two runs.
type slot struct {
	t []*ort.Tensor
}

// job is one batch in flight.
type job struct {
	start, n int
	slot     *slot
	extra    []*ort.Tensor // smaller tensors of a last, partial batch
	ready    chan error
}

// scratch is a worker's pixel buffers.
type scratch struct {
	rgb, full []uint8
}

func (p *pipeline) shape(rows int) []int64 {
	m := p.m
	if m.lay == nchw {
		return []int64{int64(rows), 3, int64(m.h), int64(m.w)}
	}
	return []int64{int64(rows), int64(m.h), int64(m.w), 3}
}

// rows is the row count of one input tensor for a batch of b images.
func (p *pipeline) rows(b int) int {
	if p.m.fixedBatch == 0 && p.flip {
		return 2 * b
	}
	return b
}

func (p *pipeline) newTensors(b int) ([]*ort.Tensor, error) {
	count := 1
	if p.m.fixedBatch > 0 && p.flip {
		count = 2
	}
	var ts []*ort.Tensor
	for range count {
		t, err := p.m.rt.NewTensor(p.shape(p.rows(b)))
		if err != nil {
			for _, t := range ts {
				t.Close()
			}
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func (p *pipeline) newSlot(b int) (*slot, error) {
	ts, err := p.newTensors(b)
	if err != nil {
		return nil, err
	}
	s := &slot{t: ts}
	p.mu.Lock()
	p.slots = append(p.slots, s)
	p.mu.Unlock()
	return s, nil
}

func (p *pipeline) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.slots {
		for _, t := range s.t {
			t.Close()
		}
	}
	p.slots = nil
}

func (p *pipeline) closeExtra(j *job) {
	for _, t := range j.extra {
		t.Close()
	}
	j.extra = nil
}

// tensors returns the input tensors of job j: the slot's, or for a last
// batch smaller than a dynamic graph's batch size, tensors of its size.
func (p *pipeline) tensors(j *job) ([]*ort.Tensor, error) {
	if j.n == p.m.batch || p.m.fixedBatch > 0 {
		return j.slot.t, nil
	}
	if j.extra == nil {
		ts, err := p.newTensors(j.n)
		if err != nil {
			return nil, err
		}
		j.extra = ts
	}
	return j.extra, nil
}

// fill decodes and preprocesses the images of job j into its input tensors.
func (p *pipeline) fill(ctx context.Context, j *job, sc *scratch) error {
	ts, err := p.tensors(j)
	if err != nil {
		return err
	}
	m := p.m
	size := 3 * m.w * m.h
	if cap(sc.rgb) < size {
		sc.rgb = make([]uint8, size)
	}
	rgb := sc.rgb[:size]
	scale := float32(1 / float64(m.std))
	data := make([][]float32, len(ts))
	for k, t := range ts {
		data[k] = t.Float32s()
	}
	for i := range j.n {
		if err := ctx.Err(); err != nil {
			return err
		}
		img, err := p.src.Image(j.start + i)
		if err != nil {
			return err
		}
		if img == nil || img.Bounds().Empty() {
			return fmt.Errorf("image %d is empty", j.start+i)
		}
		sc.full = rgb8(rgb, img, m.w, m.h, sc.full)
		writeInput(data[0][i*size:(i+1)*size], rgb, m.w, m.h, m.lay, m.mean, scale, false)
		if p.flip {
			d, r := data[0], j.n+i // mirrors follow the images in one tensor
			if len(data) == 2 {
				d, r = data[1], i
			}
			writeInput(d[r*size:(r+1)*size], rgb, m.w, m.h, m.lay, m.mean, scale, true)
		}
	}
	if m.fixedBatch > 0 { // zero the padding rows of a last, partial batch
		for _, d := range data {
			clear(d[j.n*size:])
		}
	}
	return nil
}

// run runs the model on job j and hands its rows to sink.
func (p *pipeline) run(ctx context.Context, j *job, sink func(start int, emb, flip []float32) error) error {
	ts, err := p.tensors(j)
	if err != nil {
		return err
	}
	var emb, flip []float32
	for k, t := range ts {
		outs, err := p.m.sess.Run(ctx, []*ort.Tensor{t})
		if err != nil {
			return fmt.Errorf("model: images %d–%d: %w", j.start, j.start+j.n-1, err)
		}
		out := outs[0]
		sh := out.Shape()
		want := int64(p.rows(j.n))
		if p.m.fixedBatch > 0 {
			want = int64(p.m.fixedBatch)
		}
		if len(sh) != 2 || sh[0] != want || sh[1] <= 0 || (p.m.dim > 0 && sh[1] != int64(p.m.dim)) {
			for _, o := range outs {
				o.Close()
			}
			return fmt.Errorf("model: output shape %v for %d input rows; want %d×%d", sh, want, want, p.m.dim)
		}
		if p.m.dim == 0 {
			p.m.dim = int(sh[1])
		}
		d := p.m.dim
		need := j.n * d
		if p.flip {
			need *= 2
		}
		if cap(p.out) < need {
			p.out = make([]float32, need)
		}
		buf := p.out[:need]
		v := out.Float32s()
		switch {
		case len(ts) == 2: // fixed batch: run 0 images, run 1 mirrors
			copy(buf[k*j.n*d:(k+1)*j.n*d], v[:j.n*d])
		default:
			copy(buf, v[:need])
		}
		for _, o := range outs {
			o.Close()
		}
		emb = buf[:j.n*d]
		if p.flip {
			flip = buf[j.n*d:]
		}
	}
	return sink(j.start, emb, flip)
}
