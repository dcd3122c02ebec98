package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func tarRow(r *ROC) string {
	var cells []string
	for _, far := range StandardFARs {
		cells = append(cells, fmt.Sprintf("%.2f", r.TARAtFAR(far).TAR*100))
	}
	return strings.Join(cells, " ")
}

func TestROCSpecSmall(t *testing.T) {
	labels := []bool{true, true, false, false, true, false, false, false, false, false}
	scores := []float64{.9, .8, .8, .7, .6, .5, .5, .4, .3, .2}
	r, err := NewROC(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	approx := cmpopts.EquateApprox(0, 1e-15)
	if diff := cmp.Diff([]float64{0, 0, 1. / 7, 2. / 7, 2. / 7, 4. / 7, 1}, r.FPR, approx); diff != "" {
		t.Errorf("fpr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{0, 1. / 3, 2. / 3, 2. / 3, 1, 1, 1}, r.TPR, approx); diff != "" {
		t.Errorf("tpr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{math.Inf(1), .9, .8, .7, .6, .5, .2}, r.Thresholds); diff != "" {
		t.Errorf("thresholds (-want +got):\n%s", diff)
	}
	// For 1e-1 the nearest FPR is 1/7, not 0.
	if got, want := tarRow(r), "33.33 33.33 33.33 33.33 33.33 66.67"; got != want {
		t.Errorf("TAR@FAR row %q, want %q", got, want)
	}
}

func TestROCSpecLCG(t *testing.T) {
	scores, labels := spec4Scores()
	r, err := NewROC(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tarRow(r), "91.10 91.60 92.40 95.50 98.10 99.60"; got != want {
		t.Errorf("TAR@FAR row %q, want %q", got, want)
	}
	if got := fmt.Sprintf("%.10f", r.AUC()); got != "0.9988372700" {
		t.Errorf("AUC %s, want 0.9988372700", got)
	}
	if len(r.FPR) != 160 {
		t.Errorf("%d ROC points, want 160", len(r.FPR))
	}
}

// TestROCJSON: a ROC and its readings encode with their infinite
// threshold (json.Marshal failed on it) and decode to the same values.
func TestROCJSON(t *testing.T) {
	r, err := NewROC(specSmall())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"thresholds":["Infinity",0.9,`) {
		t.Errorf("ROC JSON %s", b)
	}
	var back ROC
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, &back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	p := OperatingPoint{FAR: 1e-6, Threshold: math.Inf(1)} // accept none
	if b, err = json.Marshal(p); err != nil || string(b) != `{"far":1e-06,"fpr":0,"tar":0,"threshold":"Infinity"}` {
		t.Errorf("operating point JSON %s, %v", b, err)
	}
	var q OperatingPoint
	if err := json.Unmarshal(b, &q); err != nil || q != p {
		t.Errorf("operating point round trip %+v, %v; want %+v", q, err, p)
	}
}

// FuzzROCUnmarshal: arbitrary JSON never panics, and what decodes
// re-encodes to itself.
func FuzzROCUnmarshal(f *testing.F) {
	f.Add(`{"fpr":[0,1],"tpr":[0,1],"thresholds":["Infinity",0.5],"positives":1,"negatives":1}`)
	f.Add(`{"fpr":[0],"tpr":[],"thresholds":[]}`)
	f.Add(`{"fpr":["NaN"],"tpr":["-Infinity"],"thresholds":[-0]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r ROC
		if json.Unmarshal([]byte(s), &r) != nil {
			return
		}
		b, err := json.Marshal(&r)
		if err != nil {
			t.Fatalf("%s decoded but does not encode: %v", s, err)
		}
		var back ROC
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: re-decoding %s: %v", s, b, err)
		}
		b2, _ := json.Marshal(&back)
		if string(b2) != string(b) {
			t.Fatalf("%s: %s then %s", s, b, b2)
		}
	})
}
