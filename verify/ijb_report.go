package verify

// IJBReport is evalkit ijb's JSON result: the method and target of the
// table row, the pair counts and the curve summary of the template-pair
// scores.
type IJBReport struct {
	Method   string `json:"method"`
	Target   string `json:"target"`
	Pairs    int    `json:"pairs"`
	Genuine  int64  `json:"genuine"`
	Impostor int64  `json:"impostor"`
	CurveSummary
}

// NewIJBReport builds the report of r, the ROC of all template pairs, and
// its summary s.
func NewIJBReport(method, target string, r *ROC, s CurveSummary) IJBReport {
	return IJBReport{Method: method, Target: target, Pairs: int(r.Positives + r.Negatives),
		Genuine: r.Positives, Impostor: r.Negatives, CurveSummary: s}
}
