// Package verify evaluates face-verification embeddings: insightface's
// k-fold pair protocol with identical numbers, an exact-threshold variant,
// exact and bounded-memory curve metrics (ROC, AUC, EER, TAR@FAR), and the
// IJB-B/C template protocol.
//
// # The insightface protocol
//
// Evaluation sets such as LFW, CFP-FP and AgeDB-30 come as pairs: rows 2i
// and 2i+1 of an embedding matrix form pair i, and issame[i] says whether
// they show the same person. EvaluateEmbeddings reproduces insightface's
// verification.test() and evaluate(): rows (summed with the embeddings of
// the mirrored images, when given) are L2-normalised, pairs are scored by
// squared L2 distance, the pairs are cut into 10 contiguous folds, and each
// fold's threshold is the one of 400 grid points that does best on the other
// nine. The mean and population standard deviation of the fold accuracies
// are what insightface logs as "Accuracy-Flip":
//
//	emb, _ := nd.ReadNpyFile("lfw_emb.npy")       // 12000 × 512 float32
//	flip, _ := nd.ReadNpyFile("lfw_emb_flip.npy") // embeddings of mirrored images
//	bin, _ := dataset.ReadBinFile("lfw.bin")      // for issame
//	res, err := verify.EvaluateEmbeddings(emb, flip, bin.Issame, verify.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	fmt.Printf("[lfw]XNorm: %f\n", res.XNorm)
//	fmt.Printf("[lfw]Accuracy-Flip: %1.5f+-%1.5f\n", res.Accuracy, res.AccuracyStd)
//
// The printed digits equal insightface's: distances, normalisation, means
// and the VAL@FAR interpolation follow numpy's and SciPy's arithmetic
// operation for operation (see docs/compatibility.md). Options selects the
// exact mode (every distinct distance is a candidate threshold, one sort),
// cosine similarity as the score, the number of folds and the FAR target.
// Degenerate input never panics: collapsed embeddings give 0.50000+-0.00000
// as in insightface, a fold without positive or negative pairs is evaluated
// with the rate that has no denominator taken as 0 and named in
// Result.Warnings, and bad shapes or NaN values are errors.
//
// # Curves
//
// Curve accumulates scores (higher means "same") and labels batch by batch;
// its ROC is scikit-learn's roc_curve, computed with a radix sort, and
// ROC.AUC, ROC.EER, ROC.TARAtFAR (insightface's IJB rule: the ROC point of
// nearest FPR) and ROC.TARAtFARInterpolated read it. Curves merge and
// serialise to JSON, so shards can be evaluated apart. Histogram is the
// bounded-memory alternative for unbounded streams, with its error bounds.
//
// # IJB-B/C
//
// AggregateTemplates turns image features into template features as
// insightface's eval_ijbc.py does (flip sum, detector-score weighting, media
// averaging, normalisation); Templates.Scores scores template pairs; and
// TARTable prints the TAR@FAR table as insightface prints it.
package verify
