package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/verify"
)

// embeddingInput is verify's --embeddings and --flip-embeddings: read a
// block of rows at a time from .npy files (nd.NpyRows), the fastest way
// through a large file, or else held whole (mapped .npy, .npz members).
type embeddingInput struct {
	rows, flipRows *nd.NpyRows
	arr, flipArr   *nd.Array
}

// openEmbeddings opens the embeddings (and the flips when flipSpec is not
// empty), streamed when stream is set and both files allow it.
func openEmbeddings(spec, flipSpec string, stream bool) (*embeddingInput, error) {
	e := &embeddingInput{}
	if stream {
		rows, err := openRows(spec)
		if err != nil {
			return nil, fmt.Errorf("verify: embeddings: %w", err)
		}
		e.rows = rows
		if rows != nil && flipSpec != "" {
			if e.flipRows, err = openRows(flipSpec); err != nil {
				e.close()
				return nil, fmt.Errorf("verify: flipped embeddings: %w", err)
			}
			if e.flipRows == nil {
				e.close()
				e = &embeddingInput{}
			}
		}
		if e.rows != nil {
			return e, nil
		}
	}
	var err error
	if e.arr, err = loadArray(spec, true); err != nil {
		return nil, fmt.Errorf("verify: embeddings: %w", err)
	}
	if flipSpec != "" {
		if e.flipArr, err = loadArray(flipSpec, true); err != nil {
			return nil, fmt.Errorf("verify: flipped embeddings: %w", err)
		}
	}
	return e, nil
}

// openRows opens a .npy for reading by rows, or returns nil for a file that
// must be loaded whole (a .npz member, or a .npy nd.NpyRows cannot stream).
func openRows(spec string) (*nd.NpyRows, error) {
	if strings.Contains(spec, ".npz:") || strings.ToLower(filepath.Ext(spec)) == ".npz" {
		return nil, nil
	}
	r, err := nd.OpenNpyRows(spec)
	if errors.Is(err, nd.ErrNotRows) {
		return nil, nil
	}
	return r, err
}

func (e *embeddingInput) shape() []int {
	if e.rows != nil {
		return e.rows.Shape()
	}
	return e.arr.Shape()
}

// pairScores scores pairs (rows 2i, 2i+1) as verify.PairScores does.
func (e *embeddingInput) pairScores(score verify.Score) ([]float64, float64, error) {
	if e.rows == nil {
		return verify.PairScores(e.arr, e.flipArr, score)
	}
	var flip verify.RowReader // a nil *nd.NpyRows must not become a non-nil interface
	if e.flipRows != nil {
		flip = e.flipRows
	}
	return verify.PairScoresFrom(e.rows, flip, score)
}

func (e *embeddingInput) close() {
	for _, r := range []*nd.NpyRows{e.rows, e.flipRows} {
		if r != nil {
			_ = r.Close() // read-only: nothing to lose
		}
	}
}
