package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"github.com/evalkit/evalkit/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ROCCurve is one curve of a ROC plot: false-positive rates and
// true-positive rates of equal length (a verify.ROC's FPR and TPR).
type ROCCurve struct {
	Name     string
	FPR, TPR []float64
}

// ROCPlotOptions configures WriteROCPNG. The zero value draws a log-scale
// FPR axis, as insightface's IJB ROC plots do, from the decade below the
// smallest non-zero FPR to 1, and TPR from 0 to 1, 16 × 12 cm.
type ROCPlotOptions struct {
	// Title is drawn above the plot ("ROC" when empty).
	Title string
	// LinearFPR draws the FPR axis linearly from 0 to 1.
	LinearFPR bool
	// MinFPR and MaxFPR bound a log FPR axis (insightface's IJB plot uses
	// 1e-6 and 0.1); 0 means automatic.
	MinFPR, MaxFPR float64
	// MinTPR bounds the TPR axis from below (insightface's IJB plot: 0.3).
	MinTPR float64
	// ZoomTPR, when MinTPR is 0, starts the TPR axis just below the curves'
	// lowest TPR at the FPR axis minimum, at 1 − c for the smallest c in
	// {1, 0.5, 0.2, 0.1, 0.05, …} that leaves a tenth of c as margin: a model
	// whose TPR stays above 0.995 is drawn from 0.99, not as a flat line at
	// the top of a 0–1 axis.
	ZoomTPR bool
	// MarkFARs draws a dotted vertical line at each of these FPRs.
	MarkFARs []float64
	// Width and Height of the image; 0 means 16 × 12 cm.
	Width, Height vg.Length
}

var rocColors = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
}

// ROCPlot builds the plot of curves. Points left of the FPR axis minimum
// (FPR 0 on a log axis) are drawn at the minimum, points below MinTPR at
// MinTPR.
func ROCPlot(curves []ROCCurve, opts ROCPlotOptions) (*plot.Plot, error) {
	if len(curves) == 0 {
		return nil, fmt.Errorf("report: ROC plot needs at least one curve")
	}
	minPos := math.Inf(1)
	for _, c := range curves {
		if len(c.FPR) != len(c.TPR) || len(c.FPR) < 2 {
			return nil, fmt.Errorf("report: ROC curve %q has %d FPRs and %d TPRs; want equal lengths of at least 2", c.Name, len(c.FPR), len(c.TPR))
		}
		for i, f := range c.FPR {
			t := c.TPR[i]
			if !(f >= 0 && f <= 1) || !(t >= 0 && t <= 1) {
				return nil, fmt.Errorf("report: ROC curve %q point %d is (%v, %v), outside [0, 1]", c.Name, i, f, t)
			}
			if f > 0 && f < minPos {
				minPos = f
			}
		}
	}
	p := plot.New()
	p.Title.Text = opts.Title
	if p.Title.Text == "" {
		p.Title.Text = "ROC"
	}
	p.X.Label.Text = "False positive rate"
	p.Y.Label.Text = "True positive rate"
	xmin, xmax := 0.0, 1.0
	if !opts.LinearFPR {
		xmax = opts.MaxFPR
		if !(xmax > 0 && xmax <= 1) {
			xmax = 1
		}
		xmin = opts.MinFPR
		if !(xmin > 0) {
			xmin = 1e-6
			if !math.IsInf(minPos, 1) {
				xmin = math.Pow(10, math.Floor(math.Log10(minPos)))
			}
		}
		if xmin >= xmax {
			xmin = xmax / 10
		}
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	ymin := math.Min(math.Max(opts.MinTPR, 0), 0.99)
	if opts.ZoomTPR && opts.MinTPR == 0 {
		ymin = zoomedMinTPR(curves, xmin)
	}
	p.Add(plotter.NewGrid())
	for _, f := range opts.MarkFARs {
		if !(f >= xmin && f <= xmax) || f <= 0 && !opts.LinearFPR {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: f, Y: ymin}, {X: f, Y: 1}})
		if err != nil {
			return nil, err
		}
		l.Color = color.Gray{Y: 128}
		l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
	}
	for i, c := range curves {
		xy := make(plotter.XYs, len(c.FPR))
		for j := range c.FPR {
			x := c.FPR[j]
			if x < xmin {
				x = xmin
			}
			xy[j] = plotter.XY{X: x, Y: math.Max(c.TPR[j], ymin)}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("report: ROC curve %q: %w", c.Name, err)
		}
		l.Color = rocColors[i%len(rocColors)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		if c.Name != "" {
			p.Legend.Add(c.Name, l)
		}
	}
	// Adding plotters widened the axes to the data; fix them last.
	p.X.Min, p.X.Max = xmin, xmax
	p.Y.Min, p.Y.Max = ymin, 1
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(6)
	p.Legend.YOffs = vg.Points(6)
	return p, nil
}

// zoomedMinTPR returns the ZoomTPR axis minimum: the curves' lowest TPR at
// FPR xmin (the highest TPR among their points at or left of it) gives the
// miss rate m, and the axis starts at 1 − c for the smallest c of 1, 0.5,
// 0.2, 0.1, 0.05, …, 0.001 with c ≥ 1.1·m.
func zoomedMinTPR(curves []ROCCurve, xmin float64) float64 {
	low := 1.0
	for _, c := range curves {
		edge := 0.0
		for i, f := range c.FPR {
			if f <= xmin {
				edge = math.Max(edge, c.TPR[i])
			}
		}
		low = math.Min(low, edge)
	}
	m := 1.1 * (1 - low)
	c := 1.0
	for k := 0; k < 3; k++ {
		for _, step := range []float64{5, 2, 1} {
			next := step * math.Pow10(-k-1)
			if next < m {
				return 1 - c
			}
			c = next
		}
	}
	return 1 - c
}

// WriteROCPNG draws curves (see ROCPlot) into a PNG file, atomically: the
// image goes to a temporary file beside path that is renamed over path, so
// a failure leaves any previous file untouched.
func WriteROCPNG(path string, curves []ROCCurve, opts ROCPlotOptions) error {
	p, err := ROCPlot(curves, opts)
	if err != nil {
		return err
	}
	w, h := opts.Width, opts.Height
	if w <= 0 {
		w = 16 * vg.Centimeter
	}
	if h <= 0 {
		h = 12 * vg.Centimeter
	}
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return fmt.Errorf("report: rendering %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	return nil
}
