package main

import (
	"fmt"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/nd"
)

// ijbFromScores reads saved template-pair scores and their labels.
func ijbFromScores(f ijbFlags, target string) (ijbInput, error) {
	scores, err := readScores(f.scores)
	if err != nil {
		return ijbInput{}, err
	}
	var labels []bool
	switch {
	case f.labels != "":
		if labels, err = dataset.ReadIssameFile(f.labels); err != nil {
			return ijbInput{}, err
		}
	case f.metaDir != "":
		meta, err := dataset.ReadIJBMeta(f.metaDir, target)
		if err != nil {
			return ijbInput{}, err
		}
		labels = meta.Pairs.Labels
	default:
		return ijbInput{}, fmt.Errorf("ijb: --scores needs --labels or --meta-dir")
	}
	if len(labels) != len(scores) {
		return ijbInput{}, fmt.Errorf("ijb: %d scores but %d pair labels", len(scores), len(labels))
	}
	return ijbInput{scores: scores, labels: labels, method: stem(f.scores)}, nil
}

// readScores reads template-pair scores into a fresh float64 slice (the
// curve partitions them in place). float32 scores in a .npy are widened
// through a small buffer, so they cost no float32 copy; anything else is
// loaded whole (for float64, ReadNpyFile's chunked decode into the result
// measured faster here than reading the file straight into fresh pages).
func readScores(spec string) ([]float64, error) {
	rows, err := openRows(spec)
	if err != nil {
		return nil, fmt.Errorf("ijb: scores: %w", err)
	}
	if rows != nil && rows.DType() != nd.Float32 {
		_ = rows.Close() // read-only: nothing to lose
		rows = nil
	}
	if rows == nil {
		a, err := loadArray(spec, false)
		if err != nil {
			return nil, fmt.Errorf("ijb: scores: %w", err)
		}
		if err := checkScoresShape(a.Shape()); err != nil {
			return nil, err
		}
		if s := a.Float64s(); s != nil {
			return s, nil
		}
		return a.AppendFloat64(make([]float64, 0, a.Size())), nil
	}
	defer func() { _ = rows.Close() }() // read-only: nothing to lose
	sh := rows.Shape()
	if err := checkScoresShape(sh); err != nil {
		return nil, err
	}
	out := make([]float64, sh[0])
	buf := make([]float32, min(len(out), 1<<14))
	for off := 0; off < len(out); off += len(buf) {
		k := min(len(buf), len(out)-off)
		if err := rows.ReadFloat32(buf[:k], off); err != nil {
			return nil, fmt.Errorf("ijb: scores: %w", err)
		}
		for i, v := range buf[:k] {
			out[off+i] = float64(v)
		}
	}
	return out, nil
}

func checkScoresShape(sh []int) error {
	if len(sh) != 1 && !(len(sh) == 2 && sh[1] == 1) {
		return fmt.Errorf("ijb: scores have shape %s, want (pairs,)", nd.ShapeString(sh))
	}
	return nil
}
