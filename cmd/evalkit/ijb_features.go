package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/verify"
)

// ijbFromFeatures runs eval_ijbc.py's steps from image features: template
// aggregation and the cosine score of every template pair.
func ijbFromFeatures(f ijbFlags, target string, ph *phases) (ijbInput, error) {
	if f.metaDir == "" {
		return ijbInput{}, fmt.Errorf("ijb: --features needs --meta-dir")
	}
	pp, err := dataset.IJBPairsPath(f.metaDir, target)
	if err != nil {
		return ijbInput{}, err
	}
	// Mapping the features (the kernel fills the page tables) and counting
	// the pair file's lines run while the per-image files are parsed.
	var feats *nd.Array
	releaseFeats := func() error { return nil }
	var pairs *dataset.IJBPairReader
	var featsErr, pairsErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		feats, releaseFeats, featsErr = loadArrayRelease(f.features, true) // aggregation only reads them
	}()
	go func() {
		defer wg.Done()
		pairs, pairsErr = dataset.OpenIJBPairs(pp)
	}()
	meta, err := dataset.ReadIJBImageMeta(f.metaDir, target, dataset.IJBReadOptions{NoLandmarkPoints: true})
	wg.Wait()
	if pairs != nil {
		defer func() { _ = pairs.Close() }() // read-only: nothing to lose
	}
	switch {
	case err != nil:
		return ijbInput{}, err
	case featsErr != nil:
		return ijbInput{}, fmt.Errorf("ijb: features: %w", featsErr)
	case pairsErr != nil:
		return ijbInput{}, pairsErr
	}
	ph.done("meta files, features mapped")
	tm, err := ijbTemplates(f, target, meta, feats)
	// Unmapping gigabytes of features takes the kernel tens of
	// milliseconds: done now, beside the pair scoring, not after the report.
	go func() { _ = releaseFeats() }() // read-only: nothing to lose
	if err != nil {
		return ijbInput{}, err
	}
	ph.done("template aggregation")
	// the pair file is parsed and scored block by block, never held whole
	scores, labels, err := tm.ScorePairSource(pairs)
	if err != nil {
		return ijbInput{}, err
	}
	if len(scores) == 0 {
		return ijbInput{}, fmt.Errorf("ijb: %s has no template pairs", pp)
	}
	ph.done("read + score template pairs")
	return ijbInput{scores: scores, labels: labels, method: stem(f.features)}, nil
}

// ijbTemplates aggregates the image features of meta into templates as
// eval_ijbc.py does (flip halves, detector-score weighting, media
// averaging), with the flags' options; --protocol 11 and 1n share it.
func ijbTemplates(f ijbFlags, target string, meta *dataset.IJBMeta, feats *nd.Array) (*verify.Templates, error) {
	if feats.NDim() != 2 || feats.Dim(0) != len(meta.TemplateMedia.Images) {
		return nil, fmt.Errorf("ijb: features have shape %s; want one row per image of the template file (%d)", nd.ShapeString(feats.Shape()), len(meta.TemplateMedia.Images))
	}
	opts := verify.TemplateOptions{FlipHalves: !f.noFlip, NormalizeImages: f.normImages}
	if !f.noDetector {
		if meta.Landmarks == nil {
			return nil, fmt.Errorf("ijb: detector-score weighting needs %s/%s_name_5pts_score.txt (or pass --no-detector-score)", f.metaDir, strings.ToLower(target))
		}
		opts.DetectorScores = meta.Landmarks.Scores
	}
	return verify.AggregateTemplates(feats, meta.TemplateMedia.Templates, meta.TemplateMedia.Media, opts)
}
