package fit

import (
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// DataBatch is one mini-batch, MXNet's io.DataBatch.
//
// Data and Label hold one array per network input and label, each with the
// batch along axis 0. Pad counts the rows at the end of the last batch of an
// epoch that the iterator filled by wrapping around; MXNet's update_metric
// ignores it (padded rows are counted in the metrics), and so does Fit unless
// the SkipPadding option is given.
type DataBatch struct {
	// Data holds the network inputs, each (batch, ...).
	Data []*nd.Array
	// Label holds the labels, each (batch, ...), in the order of the
	// module's LabelNames.
	Label []*nd.Array
	// Pad is the number of padding rows at the end of the batch.
	Pad int
}

// DataIter yields the batches of one epoch, MXNet's io.DataIter.
//
// Next returns the next batch, or (nil, io.EOF) at the end of the epoch;
// any other error stops Fit and is returned wrapped with the epoch and batch
// index. The batch and its arrays may be reused by the iterator once Next is
// called again: Fit runs forward, backward, update and the metric update of a
// batch before it asks for the next (MXNet's prefetch order), and callbacks
// must not keep the batch. Reset rewinds to the start of the data; Fit calls
// it at the end of every epoch (and Score at its start). BatchSize is the
// number of rows of every batch, padding included.
type DataIter interface {
	Next() (*DataBatch, error)
	Reset() error
	BatchSize() int
}

// Module is a trainable network as Fit drives it: MXNet's mx.mod.Module
// reduced to the calls fit and score make. A Module is used by one goroutine
// at a time.
//
// Outputs follow the network's output list, so metrics index it exactly as in
// MXNet: for insightface, Outputs()[0] is the embedding, Outputs()[1] the
// softmax (read by AccMetric) and the last output the (1,) scalar loss (read by
// LossValueMetric).
//
// Params returns the module's own parameter arrays (live storage, not
// copies), by name: arg holds the learned weights, aux the auxiliary states
// such as batch-norm running statistics. The maps and arrays must stay the
// same for the life of the module; Fit writes initial values into them in
// place (see Initializer and the ArgParams option), and checkpoints read them
// between batches.
type Module interface {
	// Forward runs the network on batch. isTrain selects training
	// behaviour (dropout, batch-norm statistics updates) and keeps what
	// Backward needs.
	Forward(batch *DataBatch, isTrain bool) error
	// Backward computes the gradients of the last training Forward.
	Backward() error
	// Update applies one optimiser step to the parameters using the
	// gradients of the last Backward and the optimizer set by
	// InitOptimizer.
	Update() error
	// Outputs returns the outputs of the last Forward, in the network's
	// output order. The arrays may be reused by the next Forward.
	Outputs() []*nd.Array
	// OutputNames names Outputs, e.g. "fc1_output", "softmax_output";
	// metrics with output names select by them.
	OutputNames() []string
	// LabelNames names DataBatch.Label, e.g. "softmax_label".
	LabelNames() []string
	// Params returns the module's live parameter arrays (see Module).
	Params() (arg, aux map[string]*nd.Array)
	// InitOptimizer installs the optimizer Update uses. Fit calls it once,
	// after the parameters are initialised.
	InitOptimizer(opt Optimizer) error
}

// MetricUpdater is implemented by a Module that feeds its metric itself,
// MXNet's Module.update_metric. Fit and Score otherwise call
// m.UpdateDict with LabelNames/labels and OutputNames/Outputs.
type MetricUpdater interface {
	UpdateMetric(m metric.Metric, labels []*nd.Array) error
}

// Replicator is implemented by a Module that can be trained with the
// "device" kvstore. Replicate returns an independent copy of the module with
// the same architecture and parameter values but its own gradients, outputs
// and auxiliary states, as MXNet's executor group holds one executor per
// device.
//
// With KVStore("device") and n devices, Fit replicates the module n-1 times
// after initialising it, splits every batch along axis 0 as MXNet does, runs
// Forward and Backward of each slice on its own replica in its own
// goroutine, sums the replicas' gradients into the first module's (the one
// passed to Fit), calls its Update, and copies the updated arg parameters
// back into every replica. The metric is updated once per slice, in device
// order, as MXNet's executor group does. At each epoch end the aux
// parameters are averaged across replicas and written to all of them (MXNet's
// get_params / set_params).
type Replicator interface {
	Replicate() (Module, error)
	// Grads returns the module's live gradient arrays by arg parameter
	// name; the same maps and arrays for the life of the module.
	Grads() map[string]*nd.Array
}

// Optimizer is the parameter update rule a Module's Update applies, e.g.
// SGD with momentum and weight decay. Implementations keep their own
// per-parameter state (momentum buffers) keyed by name.
//
// An Optimizer that also implements encoding.BinaryMarshaler and
// encoding.BinaryUnmarshaler has its state saved and restored by
// checkpoints (MXNet's .states file). The learning rate is reachable from
// callbacks through BatchEndParam.Optimizer, so a schedule such as
// insightface's ×0.1 steps can change it between batches.
type Optimizer interface {
	// Update applies one step to weight given grad, for the parameter
	// called name.
	Update(name string, weight, grad *nd.Array) error
	// LearningRate returns the current learning rate.
	LearningRate() float64
	// SetLearningRate sets the learning rate used by following updates.
	SetLearningRate(lr float64)
}

// Initializer fills a parameter that has no initial value, MXNet's
// Initializer called as initializer(name, arr). It writes into arr in place
// and returns an error for a name it has no rule for.
type Initializer interface {
	Init(name string, arr *nd.Array) error
}

// InitializerFunc adapts a function to Initializer.
type InitializerFunc func(name string, arr *nd.Array) error

// Init calls f(name, arr).
func (f InitializerFunc) Init(name string, arr *nd.Array) error { return f(name, arr) }
