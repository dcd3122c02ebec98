package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/evalkit/evalkit/nd"
)

// mxInit applies MXNet's Initializer name dispatch: names ending in
// "weight" get weight(arr); "bias", "beta", "moving_mean", "running_mean",
// "moving_avg", "min", "max" get 0; "gamma", "moving_var", "running_var"
// get 1; anything else is an error, as in MXNet.
func mxInit(name string, arr *nd.Array, weight func([]float32, []int)) error {
	data := arr.Float32s()
	if data == nil {
		return fmt.Errorf("fit: initializer: parameter %q is %s; only float32 parameters are supported", name, arr)
	}
	fill := func(v float32) {
		for i := range data {
			data[i] = v
		}
	}
	switch {
	case strings.HasSuffix(name, "weight"):
		weight(data, arr.Shape())
	case strings.HasSuffix(name, "bias"), strings.HasSuffix(name, "beta"),
		strings.HasSuffix(name, "moving_mean"), strings.HasSuffix(name, "running_mean"),
		strings.HasSuffix(name, "moving_avg"), strings.HasSuffix(name, "min"), strings.HasSuffix(name, "max"),
		strings.HasSuffix(name, "moving_inv_var"):
		fill(0)
	case strings.HasSuffix(name, "gamma"), strings.HasSuffix(name, "moving_var"), strings.HasSuffix(name, "running_var"):
		fill(1)
	default:
		return fmt.Errorf("fit: unknown initialization pattern for %s: default initialization is limited to names ending in \"weight\", \"bias\", \"gamma\" (1.0) and \"beta\" (0.0)", name)
	}
	return nil
}

// Uniform is MXNet's Uniform(scale) initializer: weights uniform in
// [-Scale, Scale], biases and betas 0, gammas 1. Its random stream is a
// seeded PCG, so runs repeat (MXNet's numbers are not reproduced).
type Uniform struct {
	Scale float64
	mu    sync.Mutex
	rng   *rand.Rand
}

// NewUniform returns Uniform(scale) seeded with seed.
func NewUniform(scale float64, seed uint64) *Uniform {
	return &Uniform{Scale: scale, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Init fills arr according to name.
func (u *Uniform) Init(name string, arr *nd.Array) error {
	return mxInit(name, arr, func(d []float32, _ []int) {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.rng == nil {
			u.rng = rand.New(rand.NewPCG(0, 0x9e3779b97f4a7c15))
		}
		for i := range d {
			d[i] = float32((u.rng.Float64()*2 - 1) * u.Scale)
		}
	})
}

// Xavier is MXNet's Xavier(rnd_type, factor_type, magnitude) initializer,
// as insightface uses it (Xavier(rnd_type='gaussian', factor_type='out',
// magnitude=2)). For a weight of shape (out, in, k...) with hw = prod(k):
// fan_in = in·hw, fan_out = out·hw; factor is fan_in ("in"), fan_out ("out")
// or their mean ("avg"); scale = sqrt(magnitude/factor); values are uniform
// in [-scale, scale] ("uniform") or normal with std scale ("gaussian").
type Xavier struct {
	RndType    string // "uniform" or "gaussian"
	FactorType string // "avg", "in" or "out"
	Magnitude  float64
	mu         sync.Mutex
	rng        *rand.Rand
}

// NewXavier returns Xavier seeded with seed.
func NewXavier(rndType, factorType string, magnitude float64, seed uint64) *Xavier {
	return &Xavier{RndType: rndType, FactorType: factorType, Magnitude: magnitude,
		rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Init fills arr according to name.
func (x *Xavier) Init(name string, arr *nd.Array) error {
	var ierr error
	err := mxInit(name, arr, func(d []float32, shape []int) {
		if len(shape) < 2 {
			ierr = fmt.Errorf("fit: Xavier initializer cannot init %s: shape %s has fewer than 2 dimensions", name, nd.ShapeString(shape))
			return
		}
		hw := 1.0
		for _, k := range shape[2:] {
			hw *= float64(k)
		}
		fanIn, fanOut := float64(shape[1])*hw, float64(shape[0])*hw
		var factor float64
		switch x.FactorType {
		case "avg", "":
			factor = (fanIn + fanOut) / 2
		case "in":
			factor = fanIn
		case "out":
			factor = fanOut
		default:
			ierr = fmt.Errorf("fit: Xavier: incorrect factor type %q (want avg, in or out)", x.FactorType)
			return
		}
		scale := math.Sqrt(x.Magnitude / factor)
		x.mu.Lock()
		defer x.mu.Unlock()
		if x.rng == nil {
			x.rng = rand.New(rand.NewPCG(0, 0x9e3779b97f4a7c15))
		}
		switch x.RndType {
		case "uniform", "":
			for i := range d {
				d[i] = float32((x.rng.Float64()*2 - 1) * scale)
			}
		case "gaussian":
			for i := range d {
				d[i] = float32(x.rng.NormFloat64() * scale)
			}
		default:
			ierr = fmt.Errorf("fit: Xavier: unknown random type %q (want uniform or gaussian)", x.RndType)
		}
	})
	if err != nil {
		return err
	}
	return ierr
}
