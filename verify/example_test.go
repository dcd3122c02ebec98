package verify_test

import (
	"fmt"

	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/verify"
)

// Four pairs of 2-d embeddings, two folds: the first pair of each fold is
// the same person. Fold 1's threshold, tuned on fold 0's pairs (same-pair
// distance 0.0122), is 0.02, too strict for its own same pair (distance
// 0.0388): its accuracy is 0.5 and the mean 0.75.
func ExampleEvaluateEmbeddings() {
	emb := nd.Must(nd.FromFloat32([]float32{
		1, 0, 0.9, 0.1, // same, close
		1, 0, 0, 1, // different, far
		0, 1, 0.2, 1, // same, close
		0, 1, 1, 0.1, // different, far
	}, 8, 2))
	issame := []bool{true, false, true, false}
	res, err := verify.EvaluateEmbeddings(emb, nil, issame, verify.Options{Folds: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("[lfw]XNorm: %f\n", res.XNorm)
	fmt.Printf("[lfw]Accuracy: %1.5f+-%1.5f\n", res.Accuracy, res.AccuracyStd)
	fmt.Printf("best thresholds: %.2f\n", res.BestThresholds)
	// Output:
	// [lfw]XNorm: 0.991291
	// [lfw]Accuracy: 0.75000+-0.25000
	// best thresholds: [0.04 0.02]
}

// TAR@FAR as insightface's IJB evaluation reads it, and interpolated.
func ExampleROC_TARAtFAR() {
	scores := []float64{.9, .8, .8, .7, .6, .5, .5, .4, .3, .2}
	genuine := []bool{true, true, false, false, true, false, false, false, false, false}
	roc, err := verify.NewROC(scores, genuine)
	if err != nil {
		fmt.Println(err)
		return
	}
	eer, _ := roc.EER()
	fmt.Printf("AUC %.4f EER %.4f\n", roc.AUC(), eer)
	fmt.Printf("TAR@FAR=0.1: nearest %.4f, interpolated %.4f\n",
		roc.TARAtFAR(0.1).TAR, roc.TARAtFARInterpolated(0.1).TAR)
	fmt.Print(verify.TARTable("demo-IJBC", roc, verify.StandardFARs))
	// Output:
	// AUC 0.8810 EER 0.2857
	// TAR@FAR=0.1: nearest 0.6667, interpolated 0.5667
	// +-----------+-------+-------+--------+-------+-------+-------+
	// |  Methods  | 1e-06 | 1e-05 | 0.0001 | 0.001 |  0.01 |  0.1  |
	// +-----------+-------+-------+--------+-------+-------+-------+
	// | demo-IJBC | 33.33 | 33.33 | 33.33  | 33.33 | 33.33 | 66.67 |
	// +-----------+-------+-------+--------+-------+-------+-------+
}
