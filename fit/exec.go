package fit

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// ErrNaNLoss is wrapped by the error Fit returns when the loss output is NaN.
var ErrNaNLoss = errors.New("loss is NaN")

// executor runs the module (and its replicas, for the device kvstore) on
// batches: MXNet's DataParallelExecutorGroup reduced to what fit needs.
type executor struct {
	mods     []Module
	outNames []string
	labNames []string
	mu       MetricUpdater // non-nil when mods[0] feeds metrics itself

	// device kvstore
	subs      []DataBatch
	jobs      []chan bool // isTrain per job; workers 1..n-1
	done      chan workerResult
	gradNames []string
	grads     []map[string]*nd.Array
	argNames  []string
	args      []map[string]*nd.Array
	auxNames  []string
	auxs      []map[string]*nd.Array

	// scratch for padding removal
	padLabels, padOutputs []*nd.Array
}

// binding is the shapes an iterator's batches must keep (MXNet binds the
// module to the first data shapes) and their split across devices.
type binding struct {
	batchSize   int
	dataShapes  [][]int
	labelShapes [][]int
	bound       bool
	slices      [][2]int
}

// newBinding checks the iterator's batch size and splits it for devices.
func newBinding(it DataIter, devices int) (*binding, error) {
	bs := it.BatchSize()
	if bs <= 0 {
		return nil, fmt.Errorf("iterator batch size is %d; want a positive number", bs)
	}
	b := &binding{batchSize: bs}
	if devices > 1 {
		sl, err := splitInputSlice(bs, devices)
		if err != nil {
			return nil, err
		}
		b.slices = sl
	}
	return b, nil
}

type workerResult struct {
	dev int
	err error
}

// newExecutor prepares mod for the kvstore kind; for "device" it replicates
// mod devices-1 times.
func newExecutor(mod Module, kvstore string, devices int) (*executor, error) {
	e := &executor{mods: []Module{mod}}
	e.mu, _ = mod.(MetricUpdater)
	switch kvstore {
	case "local", "", "none":
		return e, nil
	case "device":
	default:
		return nil, fmt.Errorf("fit: unknown kvstore %q (want \"local\" or \"device\")", kvstore)
	}
	if devices <= 0 {
		devices = runtime.GOMAXPROCS(0)
	}
	if devices == 1 {
		return e, nil // MXNet: one device needs no kvstore
	}
	rep, ok := mod.(Replicator)
	if !ok {
		return nil, fmt.Errorf("fit: kvstore \"device\" with %d devices needs a module implementing fit.Replicator; %T does not", devices, mod)
	}
	for i := 1; i < devices; i++ {
		r, err := rep.Replicate()
		if err != nil {
			return nil, fmt.Errorf("fit: replicating the module for device %d: %w", i, err)
		}
		if _, ok := r.(Replicator); !ok {
			return nil, fmt.Errorf("fit: replica %d (%T) does not implement fit.Replicator", i, r)
		}
		e.mods = append(e.mods, r)
	}
	for i, m := range e.mods {
		g := m.(Replicator).Grads()
		a, x := m.Params()
		e.grads = append(e.grads, g)
		e.args = append(e.args, a)
		e.auxs = append(e.auxs, x)
		if i == 0 {
			e.gradNames = sortedKeys(g)
			e.argNames = sortedKeys(a)
			e.auxNames = sortedKeys(x)
		}
		for _, set := range []struct {
			what  string
			names []string
			m     map[string]*nd.Array
		}{{"gradient", e.gradNames, g}, {"arg parameter", e.argNames, a}, {"aux parameter", e.auxNames, x}} {
			if len(set.m) != len(set.names) {
				return nil, fmt.Errorf("fit: replica %d has %d %ss, the module has %d", i, len(set.m), set.what, len(set.names))
			}
			for _, n := range set.names {
				arr, ok := set.m[n]
				if !ok {
					return nil, fmt.Errorf("fit: replica %d has no %s %q", i, set.what, n)
				}
				if arr.Float32s() == nil && arr.Float64s() == nil {
					return nil, fmt.Errorf("fit: %s %q is %s; the device kvstore supports float32 and float64", set.what, n, arr)
				}
				if i > 0 {
					if p := pick(e, set.what, n); !nd.SameShape(arr, p) || arr.DType() != p.DType() {
						return nil, fmt.Errorf("fit: replica %d %s %q is %s, the module's is %s", i, set.what, n, arr, p)
					}
				}
			}
		}
	}
	e.subs = make([]DataBatch, devices)
	e.jobs = make([]chan bool, devices)
	e.done = make(chan workerResult, devices)
	for i := 1; i < devices; i++ {
		e.jobs[i] = make(chan bool)
		go e.worker(i)
	}
	return e, nil
}

// pick returns the primary module's array of a kind.
func pick(e *executor, what, name string) *nd.Array {
	switch what {
	case "gradient":
		return e.grads[0][name]
	case "arg parameter":
		return e.args[0][name]
	default:
		return e.auxs[0][name]
	}
}

func sortedKeys(m map[string]*nd.Array) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// splitInputSlice is MXNet's _split_input_slice with equal work loads: each
// device gets round(batch/n) rows (Python's round, half to even), the last
// one the remainder; an empty slice is an error.
func splitInputSlice(batchSize, n int) ([][2]int, error) {
	per := int(math.RoundToEven(float64(batchSize) / float64(n)))
	sizes := make([]int, n)
	sum := 0
	for i := range sizes {
		sizes[i] = per
		sum += per
	}
	if sum < batchSize {
		sizes[n-1] += batchSize - sum
	}
	out := make([][2]int, n)
	begin := 0
	for i, s := range sizes {
		end := min(begin+s, batchSize)
		if begin >= end {
			return nil, fmt.Errorf("fit: batch size %d is too small for %d devices: some slices are empty", batchSize, n)
		}
		out[i] = [2]int{begin, end}
		begin = end
	}
	return out, nil
}

func (e *executor) worker(i int) {
	for isTrain := range e.jobs[i] {
		e.done <- workerResult{i, e.run(i, isTrain)}
	}
}

func (e *executor) run(i int, isTrain bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fit: device %d: module panicked: %v", i, r)
		}
	}()
	m := e.mods[i]
	if err := m.Forward(&e.subs[i], isTrain); err != nil {
		return fmt.Errorf("device %d: forward: %w", i, err)
	}
	if isTrain {
		if err := m.Backward(); err != nil {
			return fmt.Errorf("device %d: backward: %w", i, err)
		}
	}
	return nil
}

// close stops the workers.
func (e *executor) close() {
	for i := 1; i < len(e.jobs); i++ {
		close(e.jobs[i])
	}
	e.jobs = nil
}

// check validates a batch against the bound shapes (set from the first
// batch) and the iterator's batch size.
func (e *executor) check(bd *binding, b *DataBatch) error {
	if b == nil {
		return errors.New("iterator returned a nil batch")
	}
	if b.Pad < 0 || b.Pad > bd.batchSize {
		return fmt.Errorf("batch padding %d is outside [0, %d]", b.Pad, bd.batchSize)
	}
	if !bd.bound {
		for i, a := range b.Data {
			if a == nil {
				return fmt.Errorf("data[%d] is nil", i)
			}
			if a.NDim() == 0 || a.Len() != bd.batchSize {
				return fmt.Errorf("data[%d] has shape %s; want %d rows (the iterator's batch size)", i, nd.ShapeString(a.Shape()), bd.batchSize)
			}
			bd.dataShapes = append(bd.dataShapes, append([]int(nil), a.Shape()...))
		}
		for i, a := range b.Label {
			if a == nil {
				return fmt.Errorf("label[%d] is nil", i)
			}
			if a.NDim() == 0 || a.Len() != bd.batchSize {
				return fmt.Errorf("label[%d] has shape %s; want %d rows (the iterator's batch size)", i, nd.ShapeString(a.Shape()), bd.batchSize)
			}
			bd.labelShapes = append(bd.labelShapes, append([]int(nil), a.Shape()...))
		}
		if e.labNames == nil {
			e.labNames = e.mods[0].LabelNames()
			if len(e.labNames) == 0 {
				e.labNames = defaultNames("label", len(b.Label))
			}
		}
		if len(e.labNames) != len(b.Label) {
			return fmt.Errorf("module names %d labels %v but the batch has %d label arrays", len(e.labNames), e.labNames, len(b.Label))
		}
		bd.bound = true
		return nil
	}
	if len(b.Data) != len(bd.dataShapes) || len(b.Label) != len(bd.labelShapes) {
		return fmt.Errorf("batch has %d data and %d label arrays; the first batch had %d and %d", len(b.Data), len(b.Label), len(bd.dataShapes), len(bd.labelShapes))
	}
	for i, a := range b.Data {
		if a == nil || !sameShape(a.Shape(), bd.dataShapes[i]) {
			return fmt.Errorf("data[%d] has shape %s; bound shape is %s", i, shapeOf(a), nd.ShapeString(bd.dataShapes[i]))
		}
	}
	for i, a := range b.Label {
		if a == nil || !sameShape(a.Shape(), bd.labelShapes[i]) {
			return fmt.Errorf("label[%d] has shape %s; bound shape is %s", i, shapeOf(a), nd.ShapeString(bd.labelShapes[i]))
		}
	}
	return nil
}

func shapeOf(a *nd.Array) string {
	if a == nil {
		return "nil"
	}
	return nd.ShapeString(a.Shape())
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func defaultNames(prefix string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = prefix + strconv.Itoa(i)
	}
	return s
}

// forward runs Forward (and Backward when isTrain) on every device.
func (e *executor) forward(bd *binding, b *DataBatch, isTrain bool) (err error) {
	if len(e.mods) == 1 {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("module panicked: %v", r)
			}
		}()
		if err := e.mods[0].Forward(b, isTrain); err != nil {
			return fmt.Errorf("forward: %w", err)
		}
		if isTrain {
			if err := e.mods[0].Backward(); err != nil {
				return fmt.Errorf("backward: %w", err)
			}
		}
		return nil
	}
	if len(bd.slices) != len(e.mods) {
		return fmt.Errorf("internal: %d slices for %d devices", len(bd.slices), len(e.mods))
	}
	for i, s := range bd.slices {
		sub := &e.subs[i]
		sub.Data = sub.Data[:0]
		sub.Label = sub.Label[:0]
		for _, a := range b.Data {
			v, err := a.Slice(s[0], s[1])
			if err != nil {
				return err
			}
			sub.Data = append(sub.Data, v)
		}
		for _, a := range b.Label {
			v, err := a.Slice(s[0], s[1])
			if err != nil {
				return err
			}
			sub.Label = append(sub.Label, v)
		}
		realRows := bd.batchSize - b.Pad
		sub.Pad = max(0, s[1]-max(s[0], realRows))
	}
	for i := 1; i < len(e.mods); i++ {
		e.jobs[i] <- isTrain
	}
	err = e.run(0, isTrain)
	for i := 1; i < len(e.mods); i++ {
		r := <-e.done
		if r.err != nil && err == nil {
			err = r.err
		}
	}
	return err
}

// checkLoss returns an error wrapping ErrNaNLoss when the guarded output of
// any device is NaN.
func (e *executor) checkLoss(index int, all bool) error {
	for dev, m := range e.mods {
		outs := m.Outputs()
		i := index
		if i < 0 {
			i += len(outs)
		}
		if i < 0 || i >= len(outs) || outs[i] == nil {
			if all {
				return fmt.Errorf("NaN guard: the module has %d outputs, no output %d", len(outs), index)
			}
			continue
		}
		a := outs[i]
		if !all && a.Size() != 1 {
			continue
		}
		if hasNaN(a) {
			name := ""
			if names := m.OutputNames(); i < len(names) {
				name = " " + strconv.Quote(names[i])
			}
			where := ""
			if len(e.mods) > 1 {
				where = fmt.Sprintf(" on device %d", dev)
			}
			return fmt.Errorf("output %d%s%s: %w", i, name, where, ErrNaNLoss)
		}
	}
	return nil
}

func hasNaN(a *nd.Array) bool {
	if f := a.Float32s(); f != nil {
		for _, v := range f {
			if v != v {
				return true
			}
		}
		return false
	}
	if f := a.Float64s(); f != nil {
		for _, v := range f {
			if v != v {
				return true
			}
		}
	}
	return false
}

// update sums the replicas' gradients into the primary module's, applies
// its optimizer step and copies the new weights to the replicas.
func (e *executor) update() error {
	if len(e.mods) > 1 {
		g0 := e.grads[0]
		for _, n := range e.gradNames {
			dst := g0[n]
			for i := 1; i < len(e.mods); i++ {
				addInto(dst, e.grads[i][n])
			}
		}
	}
	if err := e.mods[0].Update(); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if len(e.mods) > 1 {
		a0 := e.args[0]
		for _, n := range e.argNames {
			for i := 1; i < len(e.mods); i++ {
				copyInto(e.args[i][n], a0[n])
			}
		}
	}
	return nil
}

func addInto(dst, src *nd.Array) {
	if d := dst.Float32s(); d != nil {
		s := src.Float32s()
		for i := range d {
			d[i] += s[i]
		}
		return
	}
	d, s := dst.Float64s(), src.Float64s()
	for i := range d {
		d[i] += s[i]
	}
}

// copyInto copies src's values into dst (same dtype family and size,
// checked by the caller).
func copyInto(dst, src *nd.Array) {
	if d := dst.Float32s(); d != nil {
		copy(d, src.Float32s())
		return
	}
	if d := dst.Float64s(); d != nil {
		copy(d, src.Float64s())
		return
	}
	copy(dst.Int64s(), src.Int64s())
}

// syncAux averages the aux parameters across replicas and writes the mean
// to all of them (MXNet's get_params + set_params at epoch end).
func (e *executor) syncAux() {
	if len(e.mods) < 2 {
		return
	}
	k := len(e.mods)
	for _, n := range e.auxNames {
		dst := e.auxs[0][n]
		for i := 1; i < k; i++ {
			addInto(dst, e.auxs[i][n])
		}
		if d := dst.Float32s(); d != nil {
			for j := range d {
				d[j] /= float32(k)
			}
		} else if d := dst.Float64s(); d != nil {
			for j := range d {
				d[j] /= float64(k)
			}
		}
		for i := 1; i < k; i++ {
			copyInto(e.auxs[i][n], dst)
		}
	}
}

// updateMetric feeds m once per device with that device's labels and
// outputs (MXNet's exec_group.update_metric). With skipPad, padding rows
// are dropped from labels and from outputs with one row per sample.
func (e *executor) updateMetric(m metric.Metric, b *DataBatch, skipPad bool) error {
	if m == nil {
		return nil
	}
	if len(e.mods) == 1 {
		return e.updateOne(m, e.mods[0], b.Label, b.Pad, skipPad, e.mu)
	}
	for i, mod := range e.mods {
		var mu MetricUpdater
		if i == 0 {
			mu = e.mu
		} else {
			mu, _ = mod.(MetricUpdater)
		}
		if err := e.updateOne(m, mod, e.subs[i].Label, e.subs[i].Pad, skipPad, mu); err != nil {
			return fmt.Errorf("device %d: %w", i, err)
		}
	}
	return nil
}

func (e *executor) updateOne(m metric.Metric, mod Module, labels []*nd.Array, pad int, skipPad bool, mu MetricUpdater) error {
	outs := mod.Outputs()
	if skipPad && pad > 0 {
		rows := 0
		if len(labels) > 0 {
			rows = labels[0].Len()
		}
		keep := rows - pad
		e.padLabels = e.padLabels[:0]
		for _, a := range labels {
			v, err := a.Slice(0, keep)
			if err != nil {
				return err
			}
			e.padLabels = append(e.padLabels, v)
		}
		e.padOutputs = e.padOutputs[:0]
		for _, a := range outs {
			if a != nil && a.NDim() > 0 && a.Len() == rows {
				v, err := a.Slice(0, keep)
				if err != nil {
					return err
				}
				a = v
			}
			e.padOutputs = append(e.padOutputs, a)
		}
		labels, outs = e.padLabels, e.padOutputs
		mu = nil // the module's own updater cannot see the trimmed outputs
	}
	if mu != nil {
		if err := mu.UpdateMetric(m, labels); err != nil {
			return fmt.Errorf("update metric: %w", err)
		}
		return nil
	}
	if e.outNames == nil {
		e.outNames = mod.OutputNames()
		if len(e.outNames) == 0 {
			e.outNames = defaultNames("output", len(outs))
		}
	}
	if len(e.outNames) != len(outs) {
		return fmt.Errorf("module names %d outputs %v but returned %d", len(e.outNames), e.outNames, len(outs))
	}
	err := m.UpdateDict(metric.Named{Names: e.labNames, Arrays: labels}, metric.Named{Names: e.outNames, Arrays: outs})
	if err != nil {
		return fmt.Errorf("update metric: %w", err)
	}
	return nil
}

// snapshot returns the parameters to checkpoint: the primary module's arg
// arrays and, with several devices, the replicas' mean aux arrays (copies,
// so training is not disturbed), as MXNet's get_params.
func (e *executor) snapshot() (arg, aux map[string]*nd.Array) {
	arg, aux = e.mods[0].Params()
	if len(e.mods) < 2 {
		return arg, aux
	}
	mean := make(map[string]*nd.Array, len(aux))
	k := len(e.mods)
	for _, n := range e.auxNames {
		c := e.auxs[0][n].Clone()
		for i := 1; i < k; i++ {
			addInto(c, e.auxs[i][n])
		}
		if d := c.Float32s(); d != nil {
			for j := range d {
				d[j] /= float32(k)
			}
		} else if d := c.Float64s(); d != nil {
			for j := range d {
				d[j] /= float64(k)
			}
		}
		mean[n] = c
	}
	return arg, mean
}
