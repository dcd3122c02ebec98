package train

import (
	"github.com/evalkit/evalkit/report"
	"github.com/evalkit/evalkit/verify"
)

// plotCurves writes the curves: accuracies, losses and, when given, the ROC
// of the final verification.
func plotCurves(path string, h *report.History, roc *verify.ROC, rocLabel string) error {
	named := func(s report.Series, name string, points bool) report.Series {
		s.Name, s.Points = name, points
		return s
	}
	fig := report.Figure{
		Title: "evalkit: Fashion-MNIST embedding network",
		Panels: []report.Panel{
			{Title: "accuracy", XLabel: "batch", YLabel: "accuracy", YMin: 0, YMax: 1, LegendBottom: true, Series: []report.Series{
				named(h.Train("acc"), "train acc (margin)", false),
				named(h.Validation("acc"), "validation acc", true),
				named(h.Verification(VerifyTarget), "verification acc", true),
			}},
			{Title: "loss", XLabel: "batch", YLabel: "lossvalue", Series: []report.Series{
				named(h.Train("lossvalue"), "train lossvalue", false),
				named(h.Validation("lossvalue"), "validation lossvalue", true),
			}},
		},
		Cols: 3,
	}
	if roc != nil {
		fig.Panels = append(fig.Panels, report.ROCPanel("verification ROC (held-out pairs)",
			report.Series{Name: rocLabel, X: roc.FPR, Y: roc.TPR}))
	}
	return fig.WritePNGFile(path)
}
