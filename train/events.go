package train

import "time"

// Start is the event a run emits before training: the data, the schedule
// and the checkpoint it resumes (JSONL "run_start").
type Start struct {
	Time            time.Time `json:"-"`
	Data            string    `json:"data"`
	TrainImages     int       `json:"train_images"`
	TestImages      int       `json:"test_images"`
	Pairs           int       `json:"pairs"`
	Epochs          int       `json:"epochs"`
	BatchesPerEpoch int       `json:"batches_per_epoch"`
	BatchSize       int       `json:"batch_size"`
	LR              float64   `json:"lr"`
	LRSteps         []int     `json:"lr_steps"`
	Resume          string    `json:"resume,omitempty"`
}

// Kind returns "run_start".
func (Start) Kind() string { return "run_start" }

// At returns the start time.
func (s Start) At() time.Time { return s.Time }

// Summary is the event a finished run emits: its final figures (JSONL
// "summary").
type Summary struct {
	Time            time.Time `json:"-"`
	ValidationAcc   float64   `json:"validation_acc"`
	VerificationAcc float64   `json:"verification_acc"`
	VerificationStd float64   `json:"verification_std"`
	AUC             float64   `json:"auc"`
	ElapsedSeconds  float64   `json:"elapsed_seconds"`
}

// Kind returns "summary".
func (Summary) Kind() string { return "summary" }

// At returns the end time.
func (s Summary) At() time.Time { return s.Time }
