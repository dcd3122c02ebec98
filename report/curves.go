package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/evalkit/evalkit/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one line of a chart: Y against X, drawn in order. Points with a
// NaN or infinite coordinate are left out (a loss that was inf at one
// window does not spoil the chart).
type Series struct {
	Name string
	X, Y []float64
	// Points draws a marker at every point, for sparse series such as one
	// value per epoch.
	Points bool
}

// Panel is one chart of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// YMin and YMax fix the Y range when YMax > YMin (e.g. 0..1 for an
	// accuracy); otherwise it fits the data.
	YMin, YMax float64
	// Diagonal draws the y = x chance line, for ROC panels.
	Diagonal bool
	// LegendBottom puts the legend in the lower right corner instead of
	// the upper right (ROC panels always use the lower right).
	LegendBottom bool
	// LogX uses a logarithmic X axis (e.g. FPR over many decades); points
	// with X ≤ 0 are left out.
	LogX bool
}

// Figure is a grid of panels rendered into one image.
type Figure struct {
	// Title is drawn above the panels when set.
	Title string
	// Panels are laid out row by row.
	Panels []Panel
	// Cols is the number of panels per row (default 2).
	Cols int
	// PanelWidth and PanelHeight are each panel's size in pixels (default
	// 480×360).
	PanelWidth, PanelHeight int
}

// TrainingPanel returns a panel of training curves, e.g. the Speedometer
// windows' acc and lossvalue against the global batch number.
func TrainingPanel(title, xLabel, yLabel string, series ...Series) Panel {
	return Panel{Title: title, XLabel: xLabel, YLabel: yLabel, Series: series}
}

// ROCPanel returns a panel of one or more ROC curves (TPR against FPR, both
// 0..1) with the chance diagonal. Each series holds X = FPR, Y = TPR.
func ROCPanel(title string, curves ...Series) Panel {
	return Panel{Title: title, XLabel: "false positive rate", YLabel: "true positive rate",
		Series: curves, YMin: 0, YMax: 1, Diagonal: true}
}

// validate reports the first malformed series.
func (f Figure) validate() error {
	if len(f.Panels) == 0 {
		return errors.New("report: figure has no panels")
	}
	for i, p := range f.Panels {
		for j, s := range p.Series {
			if len(s.X) != len(s.Y) {
				return fmt.Errorf("report: panel %d (%q) series %d (%q) has %d X values and %d Y values", i, p.Title, j, s.Name, len(s.X), len(s.Y))
			}
		}
	}
	if f.Cols < 0 || f.PanelWidth < 0 || f.PanelHeight < 0 || f.PanelWidth > 8000 || f.PanelHeight > 8000 {
		return fmt.Errorf("report: figure layout %d columns of %d×%d pixels is out of range", f.Cols, f.PanelWidth, f.PanelHeight)
	}
	return nil
}

// WritePNG renders the figure as PNG to w.
func (f Figure) WritePNG(w io.Writer) error {
	if err := f.validate(); err != nil {
		return err
	}
	cols := f.Cols
	if cols == 0 {
		cols = 2
	}
	cols = min(cols, len(f.Panels))
	rows := (len(f.Panels) + cols - 1) / cols
	pw, ph := f.PanelWidth, f.PanelHeight
	if pw == 0 {
		pw = 480
	}
	if ph == 0 {
		ph = 360
	}
	const dpi = 96
	px := func(n int) vg.Length { return vg.Length(n) * vg.Inch / dpi }
	titleH := 0
	if f.Title != "" {
		titleH = 36
	}
	img := vgimg.NewWith(vgimg.UseWH(px(cols*pw), px(rows*ph+titleH)), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	if f.Title != "" {
		sty := draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(14)),
			XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - px(titleH)/2}, f.Title)
		dc.Max.Y -= px(titleH)
	}
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	for i, p := range f.Panels {
		pl, err := p.plot()
		if err != nil {
			return fmt.Errorf("report: panel %d (%q): %w", i, p.Title, err)
		}
		plots[i/cols][i%cols] = pl
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(plots, tiles, dc)
	for r := range plots {
		for c, pl := range plots[r] {
			if pl != nil {
				pl.Draw(canvases[r][c])
			}
		}
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// plot builds the gonum plot of one panel.
func (p Panel) plot() (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = p.Title
	pl.X.Label.Text = p.XLabel
	pl.Y.Label.Text = p.YLabel
	pl.Add(plotter.NewGrid())
	if p.LogX {
		pl.X.Scale = plot.LogScale{}
		pl.X.Tick.Marker = plot.LogTicks{}
	}
	if p.Diagonal {
		lo := 0.0
		if p.LogX {
			lo = 1e-4
		}
		d, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: 1, Y: 1}})
		if err != nil {
			return nil, err
		}
		d.Color = color.Gray{Y: 160}
		d.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		pl.Add(d)
	}
	drawn := 0
	for i, s := range p.Series {
		xys := make(plotter.XYs, 0, len(s.X))
		for k := range s.X {
			x, y := s.X[k], s.Y[k]
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || (p.LogX && x <= 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: x, Y: y})
		}
		if len(xys) == 0 {
			continue
		}
		drawn++
		col := seriesColor(i)
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		pl.Add(line)
		if s.Name != "" {
			pl.Legend.Add(s.Name, line)
		}
		if s.Points {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.Color = col
			sc.Radius = vg.Points(2.5)
			pl.Add(sc)
		}
	}
	if p.YMax > p.YMin {
		pl.Y.Min, pl.Y.Max = p.YMin, p.YMax
	}
	if p.Diagonal && !p.LogX {
		pl.X.Min, pl.X.Max = 0, 1
	}
	pl.Legend.Top = !(p.LegendBottom || p.Diagonal)
	if drawn == 0 {
		pl.Title.Text += " (no data)"
	}
	return pl, nil
}

// palette is a colour-blind-safe set (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{213, 94, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255},
}

func seriesColor(i int) color.Color { return palette[i%len(palette)] }

// WritePNGFile renders the figure to path atomically: the image is rendered
// in memory, written to a temporary file in the same directory, synced and
// renamed, so a failure leaves no partial file.
func (f Figure) WritePNGFile(path string) error {
	var buf bytes.Buffer
	if err := f.WritePNG(&buf); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	return nil
}
