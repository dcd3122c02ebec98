package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/model"
)

// Config is one training run's settings. The zero value is not usable:
// start from DefaultConfig (evalkit train's defaults) or DemoConfig.
type Config struct {
	// Data is a Fashion-MNIST (or MNIST) directory with the four IDX files;
	// "" trains on the subset embedded in the binary.
	Data string
	// Out is the directory for checkpoint.npz, metrics.jsonl and curves.png.
	Out string
	// Epochs is the end epoch, exclusive (MXNet's num_epoch), also when
	// resuming.
	Epochs    int
	BatchSize int
	// LR is SGD's learning rate; LRSteps the global steps after which it
	// is multiplied by 0.1 (nil: at 60% and 85% of training).
	LR       float64
	LRSteps  []int
	Momentum float64
	WD       float64
	// Margin is the head: "softmax", "cosface" or "arcface", with scale
	// MarginS (> 0), margin MarginM and EasyMargin (arcface).
	Margin     string
	MarginS    float64
	MarginM    float64
	EasyMargin bool
	// Hidden are the widths of the hidden ReLU layers, EmbSize the
	// embedding width.
	Hidden  []int
	EmbSize int
	// Seed seeds the initialiser, the shuffle, the mirroring and the
	// verification pairs.
	Seed uint64
	// Frequent is the Speedometer period, VerifyEvery the verification
	// period, in batches; Pairs the number of verification pairs (0: 1000
	// for the embedded subset, 6000 otherwise).
	Frequent    int
	VerifyEvery int
	Pairs       int
	// Mirror flips training images at random (insightface's rand_mirror).
	Mirror bool
	// CheckpointEvery also writes the resumable checkpoint every N
	// batches (0: at epoch ends, on interruption and at the end).
	CheckpointEvery int
	// Workers is the number of goroutines per forward/backward (0:
	// GOMAXPROCS; more than GOMAXPROCS is clamped to it).
	Workers int
	// Resume continues from a checkpoint written by Run.
	Resume string
	// Given reports which settings were given explicitly, by evalkit
	// train's flag names ("epochs", "lr", "hidden", …). On Resume, settings
	// not given come from the checkpoint; given ones that may change
	// between runs are applied and the others must agree with it. Nil
	// means none were given.
	Given func(flag string) bool

	// Output receives the text log and evalkit's own lines (nil:
	// io.Discard); JSONLog writes the log as JSON lines instead of MXNet's
	// text.
	Output  io.Writer
	JSONLog bool
	// TensorBoard, when set, is a directory for TensorBoard event files.
	TensorBoard string
	// ExportONNX, when set, is where the trained network is written as an
	// ONNX model (three-channel N×3×28×28 input, the layout face-model
	// pipelines feed; see model.ONNXOptions.RGB), for evaluation through
	// ONNX Runtime (evalkit embed / verify --model) or deployment.
	ExportONNX string
	// MetricsAddr, when set, is the host:port where /metrics is served
	// for Prometheus during the run.
	MetricsAddr string
	// Sinks receive the run's events besides its own outputs.
	Sinks []events.Sink
	// Now is the run's clock (nil: time.Now).
	Now func() time.Time
}

// DefaultConfig returns evalkit train's defaults.
func DefaultConfig() Config {
	return Config{
		Out: "./evalkit-train", Epochs: 10, BatchSize: 64, LR: 0.1, Momentum: 0.9, WD: 5e-4,
		Margin: "arcface", MarginS: 16, MarginM: 0.3, Hidden: []int{256}, EmbSize: 128, Seed: 1,
		Frequent: 20, VerifyEvery: 2000, Mirror: true,
	}
}

// DemoConfig returns evalkit demo's defaults: DefaultConfig with 15 epochs,
// verification every 100 batches, output in ./evalkit-demo.
func DemoConfig() Config {
	c := DefaultConfig()
	c.Out, c.Epochs, c.VerifyEvery = "./evalkit-demo", 15, 100
	return c
}

// MaxPairs bounds Pairs: each pair holds two images and their mirrors as
// float32 (about 12.5 KB at 28×28), so 100,000 pairs take 1.25 GB.
const MaxPairs = 100_000

func (c *Config) given(flag string) bool { return c.Given != nil && c.Given(flag) }

// validate checks the settings, naming the flag and the value.
func (c *Config) validate() error {
	pos := func(name string, v int) error {
		if v <= 0 {
			return fmt.Errorf("--%s must be > 0, got %d", name, v)
		}
		return nil
	}
	for _, e := range []error{pos("epochs", c.Epochs), pos("batch-size", c.BatchSize), pos("frequent", c.Frequent),
		pos("verify-every", c.VerifyEvery), pos("emb-size", c.EmbSize)} {
		if e != nil {
			return e
		}
	}
	if c.Pairs < 0 || c.CheckpointEvery < 0 || c.Workers < 0 {
		return fmt.Errorf("--pairs, --checkpoint-every and --workers must not be negative, got %d, %d, %d", c.Pairs, c.CheckpointEvery, c.Workers)
	}
	if c.Pairs > MaxPairs {
		return fmt.Errorf("--pairs %d is more than %d: each pair holds two images and their mirrors (about 12.5 KB), so %d pairs would need %.1f GB", c.Pairs, MaxPairs, c.Pairs, float64(c.Pairs)*12544/1e9)
	}
	for _, h := range c.Hidden {
		if h <= 0 {
			return fmt.Errorf("--hidden widths must be > 0, got %v", c.Hidden)
		}
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return fmt.Errorf("--lr must be a positive number, got %v", c.LR)
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) || !(c.WD >= 0) || math.IsInf(c.WD, 0) {
		return fmt.Errorf("--momentum must be in [0, 1) and --wd >= 0, got %v and %v", c.Momentum, c.WD)
	}
	for _, s := range c.LRSteps {
		if s <= 0 {
			return fmt.Errorf("--lr-steps must be positive batch numbers, got %d", s)
		}
	}
	kind, err := model.ParseHeadKind(c.Margin)
	if err != nil {
		return err
	}
	if kind != model.Softmax && (!(c.MarginS > 0) || math.IsInf(c.MarginS, 0)) {
		return fmt.Errorf("--margin-s must be a positive number for the %s head, got %v (insightface's default is 64)", kind, c.MarginS)
	}
	if math.IsNaN(c.MarginM) || math.IsInf(c.MarginM, 0) {
		return fmt.Errorf("--margin-m must be a number, got %v", c.MarginM)
	}
	if c.Out == "" {
		return errors.New("--out must name a directory")
	}
	return nil
}

// workers clamps Workers to GOMAXPROCS and says so.
func (c *Config) workers(say func(string)) int {
	n := runtime.GOMAXPROCS(0)
	if c.Workers > n {
		say(fmt.Sprintf("--workers %d is more than the %d usable cores (GOMAXPROCS); using %d: more goroutines only slow training down", c.Workers, n, n))
		return n
	}
	return c.Workers
}
