package metric

import (
	"fmt"

	"github.com/evalkit/evalkit/nd"
)

// checkLists is MXNet's check_label_shapes on the two lists: their lengths
// must match. It names the metric and both lengths.
func checkLists(name string, labels, preds []*nd.Array) error {
	if len(labels) != len(preds) {
		return fmt.Errorf("metric %s: shape of labels %d does not match shape of predictions %d (one label array per prediction array)", name, len(labels), len(preds))
	}
	for i := range preds {
		if labels[i] == nil || preds[i] == nil {
			return fmt.Errorf("metric %s: pair %d has a nil array", name, i)
		}
	}
	return nil
}

func shapeMismatch(name string, label, pred *nd.Array, want string) error {
	return fmt.Errorf("metric %s: shape of labels %s does not match shape of predictions %s (%s)",
		name, nd.ShapeString(label.Shape()), nd.ShapeString(pred.Shape()), want)
}

// labelClass reads label i as a class index, rejecting NaN and values that
// do not fit an int32 (numpy turns those into undefined values).
func labelClass(name string, label *nd.Array, i int) (int64, error) {
	v, ok := label.Int(i)
	if !ok {
		return 0, fmt.Errorf("metric %s: label %d is %v, not a class index", name, i, label.Float(i))
	}
	return v, nil
}
