package main

import (
	"io"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/report"
)

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}

func writeNIST(w io.Writer, f identifyFlags, run *identify.Run, ranks []int) error {
	res, err := run.NIST(ranks, f.fpirs)
	if err != nil {
		return err
	}
	if f.plot != "" {
		name := stem(f.probes)
		if f.probes == "" && len(f.merge) > 0 {
			name = stem(f.merge[0])
		}
		if err := plotIdentification(f.plot, name, run.State, res.OpenSet); err != nil {
			return err
		}
	}
	if f.json {
		return writeJSON(w, res)
	}
	return res.WriteText(w)
}

// plotIdentification draws the CMC at every rank to K and, with an open
// set, the DET curve.
func plotIdentification(path, name string, st *identify.State, open *identify.OpenSet) error {
	c := report.IdentificationCurves{Name: name}
	all := make([]int, st.Config().K)
	for i := range all {
		all[i] = i + 1
	}
	cmc, _, err := st.CMC(all)
	if err != nil {
		return err
	}
	for _, p := range cmc {
		c.Ranks, c.Rates = append(c.Ranks, p.Rank), append(c.Rates, p.Rate)
	}
	if open != nil {
		c.FPIR, c.FNIR = open.CurveFPIR, open.CurveFNIR
	}
	return report.WriteIdentificationPNG(path, c)
}
