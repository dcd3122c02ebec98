package model

import (
	"errors"
	"fmt"
	"sort"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/nd"
)

// Output and label names of the Module, as insightface's symbol group names
// its outputs: the embedding, the softmax output and the scalar loss.
const (
	EmbeddingOutput = "fc1_output"
	SoftmaxOutput   = "softmax_output"
	LossOutput      = "ce_loss_output"
	LabelName       = "softmax_label"
)

// Module adapts a Network to fit.Module. Its outputs are insightface's:
// Outputs()[0] the (batch, EmbeddingDim) embedding, Outputs()[1] the
// (batch, NumClasses) softmax of the margin-modified logits and
// Outputs()[2] the (1,) mean cross-entropy. Batch data must be float32
// (batch, ...) with InputDim values per row; labels float32, float64 or
// integer (batch,) or (batch, k) (column 0 is used, as AccMetric does).
type Module struct {
	net     *Network
	opt     fit.Optimizer
	names   []string // parameter names, sorted
	arg     map[string]*nd.Array
	grads   map[string]*nd.Array
	outs    []*nd.Array
	outRows int
	loss    []float32
	lab     []float32
}

var (
	_ fit.Module     = (*Module)(nil)
	_ fit.Replicator = (*Module)(nil)
)

// NewModule wraps net.
func NewModule(net *Network) *Module {
	m := &Module{net: net, arg: map[string]*nd.Array{}, grads: map[string]*nd.Array{},
		loss: make([]float32, 1), lab: make([]float32, net.cfg.BatchSize)}
	for _, p := range net.params {
		m.names = append(m.names, p.Name)
		m.arg[p.Name] = nd.Must(nd.FromFloat32(p.Data, p.Shape...))
		m.grads[p.Name] = nd.Must(nd.FromFloat32(p.Grad, p.Shape...))
	}
	sort.Strings(m.names)
	return m
}

// Network returns the wrapped network.
func (m *Module) Network() *Network { return m.net }

// ParamNames returns the parameter names in sorted order, the order Update
// and fit's initialisation visit them.
func (m *Module) ParamNames() []string { return append([]string(nil), m.names...) }

// InitParams fills every parameter with init in sorted name order, as
// MXNet's init_params does.
func (m *Module) InitParams(init fit.Initializer) error {
	if init == nil {
		return errors.New("model: InitParams needs an initializer")
	}
	for _, name := range m.names {
		if err := init.Init(name, m.arg[name]); err != nil {
			return err
		}
	}
	return nil
}

// Forward runs the network on batch.Data[0] with batch.Label[0] as the
// labels (required for training, optional for evaluation).
func (m *Module) Forward(batch *fit.DataBatch, isTrain bool) error {
	if batch == nil || len(batch.Data) == 0 || batch.Data[0] == nil {
		return errors.New("model: forward needs a batch with one data array")
	}
	d := batch.Data[0]
	x := d.Float32s()
	if d.DType() != nd.Float32 {
		return fmt.Errorf("model: data must be float32, got %s", d)
	}
	rows := d.Len()
	if d.NDim() == 0 || rows == 0 || len(x) != rows*m.net.cfg.InputDim {
		return fmt.Errorf("model: data %s does not hold (batch, %d) values", d, m.net.cfg.InputDim)
	}
	if rows > m.net.cfg.BatchSize {
		return fmt.Errorf("model: batch of %d rows exceeds the network's batch_size %d", rows, m.net.cfg.BatchSize)
	}
	var labels []float32
	if len(batch.Label) > 0 && batch.Label[0] != nil {
		l := batch.Label[0]
		if l.NDim() == 0 || l.Len() != rows {
			return fmt.Errorf("model: label %s does not have the data's %d rows", l, rows)
		}
		per := l.Size() / rows
		labels = m.lab[:rows]
		for i := range labels {
			labels[i] = float32(l.Float(i * per))
		}
	}
	if err := m.net.Forward(x, labels, isTrain); err != nil {
		return err
	}
	m.loss[0] = float32(m.net.Loss())
	return nil
}

// Backward computes the gradients of the last training Forward.
func (m *Module) Backward() error { return m.net.Backward() }

// InitOptimizer installs the optimizer Update uses.
func (m *Module) InitOptimizer(opt fit.Optimizer) error {
	if opt == nil {
		return errors.New("model: InitOptimizer needs an optimizer")
	}
	m.opt = opt
	return nil
}

// Optimizer returns the installed optimizer (nil before InitOptimizer).
func (m *Module) Optimizer() fit.Optimizer { return m.opt }

// Update applies one optimizer step to every parameter, in sorted name order.
func (m *Module) Update() error {
	if m.opt == nil {
		return errors.New("model: Update before InitOptimizer")
	}
	for _, name := range m.names {
		if err := m.opt.Update(name, m.arg[name], m.grads[name]); err != nil {
			return err
		}
	}
	return nil
}

// Outputs returns the embedding, softmax and loss of the last Forward. The
// arrays view the network's buffers and change with the next Forward.
func (m *Module) Outputs() []*nd.Array {
	n := m.net
	rows := n.Rows()
	if m.outs == nil || rows != m.outRows {
		m.outs = []*nd.Array{
			nd.Must(nd.FromFloat32(n.emb.y[:rows*n.cfg.EmbeddingDim], rows, n.cfg.EmbeddingDim)),
			nd.Must(nd.FromFloat32(n.probs[:rows*n.cfg.NumClasses], rows, n.cfg.NumClasses)),
			nd.Must(nd.FromFloat32(m.loss, 1)),
		}
		m.outRows = rows
	}
	return m.outs
}

// OutputNames names Outputs.
func (m *Module) OutputNames() []string {
	return []string{EmbeddingOutput, SoftmaxOutput, LossOutput}
}

// LabelNames names the label.
func (m *Module) LabelNames() []string { return []string{LabelName} }

// Params returns the live parameter arrays by name; there are no auxiliary
// states (the aux map is empty).
func (m *Module) Params() (arg, aux map[string]*nd.Array) { return m.arg, map[string]*nd.Array{} }

// Grads returns the live gradient arrays by parameter name.
func (m *Module) Grads() map[string]*nd.Array { return m.grads }

// Replicate returns a new module with the same configuration and a copy of
// the parameter values, for fit's "device" kvstore.
func (m *Module) Replicate() (fit.Module, error) {
	net, err := New(m.net.cfg)
	if err != nil {
		return nil, err
	}
	for i, p := range m.net.params {
		copy(net.params[i].Data, p.Data)
	}
	return NewModule(net), nil
}

// Embed returns the fc1 embeddings of images, a float32 (n, InputDim) or
// (n, ...) array, as an (n, EmbeddingDim) float32 array.
func (m *Module) Embed(images *nd.Array) (*nd.Array, error) {
	if images == nil || images.DType() != nd.Float32 || images.NDim() == 0 {
		return nil, fmt.Errorf("model: Embed needs a float32 (n, %d) array, got %v", m.net.cfg.InputDim, images)
	}
	n := images.Len()
	dst := make([]float32, n*m.net.cfg.EmbeddingDim)
	if err := m.net.Embed(dst, images.Float32s()); err != nil {
		return nil, err
	}
	return nd.FromFloat32(dst, n, m.net.cfg.EmbeddingDim)
}
