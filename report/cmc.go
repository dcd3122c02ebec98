package report

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/evalkit/evalkit/internal/atomicfile"
)

// IdentificationCurves are the curves of a 1:N identification plot: the
// CMC (identification rate at ranks 1…) and, for open-set searches, the
// DET-style curve of FNIR against FPIR.
type IdentificationCurves struct {
	// Name labels the plots ("" for none).
	Name string
	// Ranks and Rates are the CMC's points.
	Ranks []int
	Rates []float64
	// FPIR and FNIR are the DET curve's points (empty for closed-set
	// searches).
	FPIR, FNIR []float64
}

// CMCPlot draws the CMC: identification rate against rank, on a log rank
// axis when the ranks span more than a decade.
func CMCPlot(c IdentificationCurves) (*plot.Plot, error) {
	if len(c.Ranks) == 0 || len(c.Ranks) != len(c.Rates) {
		return nil, fmt.Errorf("report: CMC needs equal numbers of ranks and rates, got %d and %d", len(c.Ranks), len(c.Rates))
	}
	p := plot.New()
	p.Title.Text = "CMC"
	if c.Name != "" {
		p.Title.Text += " — " + c.Name
	}
	p.X.Label.Text = "Rank"
	p.Y.Label.Text = "Identification rate"
	xy := make(plotter.XYs, len(c.Ranks))
	for i := range c.Ranks {
		if c.Ranks[i] < 1 || !(c.Rates[i] >= 0 && c.Rates[i] <= 1) {
			return nil, fmt.Errorf("report: CMC point %d is (rank %d, rate %v)", i, c.Ranks[i], c.Rates[i])
		}
		xy[i] = plotter.XY{X: float64(c.Ranks[i]), Y: c.Rates[i]}
	}
	if c.Ranks[len(c.Ranks)-1] > 10*c.Ranks[0] {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Add(plotter.NewGrid())
	l, s, err := plotter.NewLinePoints(xy)
	if err != nil {
		return nil, err
	}
	l.Color, s.Color = rocColors[0], rocColors[0]
	l.Width = vg.Points(1.5)
	p.Add(l, s)
	p.Y.Min, p.Y.Max = 0, 1
	return p, nil
}

// DETPlot draws FNIR against FPIR on log axes, NIST's open-set plot.
// Points with a zero coordinate are drawn at the axes' minima.
func DETPlot(c IdentificationCurves) (*plot.Plot, error) {
	if len(c.FPIR) < 2 || len(c.FPIR) != len(c.FNIR) {
		return nil, fmt.Errorf("report: DET curve needs equal numbers (at least 2) of FPIRs and FNIRs, got %d and %d", len(c.FPIR), len(c.FNIR))
	}
	minX, minY := 1.0, 1.0
	for i := range c.FPIR {
		if !(c.FPIR[i] >= 0 && c.FPIR[i] <= 1) || !(c.FNIR[i] >= 0 && c.FNIR[i] <= 1) {
			return nil, fmt.Errorf("report: DET point %d is (%v, %v), outside [0, 1]", i, c.FPIR[i], c.FNIR[i])
		}
		if c.FPIR[i] > 0 {
			minX = math.Min(minX, c.FPIR[i])
		}
		if c.FNIR[i] > 0 {
			minY = math.Min(minY, c.FNIR[i])
		}
	}
	minX = math.Pow(10, math.Floor(math.Log10(minX)))
	minY = math.Pow(10, math.Floor(math.Log10(minY)))
	if minX >= 1 {
		minX = 0.1
	}
	if minY >= 1 {
		minY = 0.1
	}
	p := plot.New()
	p.Title.Text = "DET (open set)"
	if c.Name != "" {
		p.Title.Text += " — " + c.Name
	}
	p.X.Label.Text = "False positive identification rate (FPIR)"
	p.Y.Label.Text = "False negative identification rate (FNIR)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	xy := make(plotter.XYs, len(c.FPIR))
	for i := range c.FPIR {
		xy[i] = plotter.XY{X: math.Max(c.FPIR[i], minX), Y: math.Max(c.FNIR[i], minY)}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, err
	}
	l.Color = rocColors[1]
	l.Width = vg.Points(1.5)
	p.Add(l)
	p.X.Min, p.X.Max = minX, 1
	p.Y.Min, p.Y.Max = minY, 1
	return p, nil
}

// WriteIdentificationPNG writes the CMC, and beside it the DET curve when
// c has one, to a PNG file (atomically).
func WriteIdentificationPNG(path string, c IdentificationCurves) error {
	plots := []*plot.Plot{}
	cmc, err := CMCPlot(c)
	if err != nil {
		return err
	}
	plots = append(plots, cmc)
	if len(c.FPIR) > 0 {
		det, err := DETPlot(c)
		if err != nil {
			return err
		}
		plots = append(plots, det)
	}
	w, h := vg.Length(len(plots))*14*vg.Centimeter, 12*vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Centimeter, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return atomicfile.WriteBytes(path, buf.Bytes())
}
