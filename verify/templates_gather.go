package verify

import "fmt"

// Gather returns the features of templates ids, in the order given, as
// len(ids) rows of Dim values (a fresh slice): the gallery or probe matrix
// of a 1:N search. A template without images is an error naming it.
func (t *Templates) Gather(ids []int64) ([]float64, error) {
	out := make([]float64, 0, len(ids)*t.Dim)
	for _, id := range ids {
		row, ok := t.Row(id)
		if !ok {
			return nil, fmt.Errorf("template %d has no images in the template file", id)
		}
		out = append(out, row...)
	}
	return out, nil
}
