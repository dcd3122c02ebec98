package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/internal/jsonnum"
	"github.com/evalkit/evalkit/internal/pyfmt"
	"github.com/evalkit/evalkit/metric"
	_ "github.com/evalkit/evalkit/metric/insightface" // registers accmetric, lossvaluemetric
	"github.com/evalkit/evalkit/nd"
)

type scoreFlags struct {
	cpuProfile string
	metrics    []string
	labels     []string
	preds      []string
	batchSize  int
	json       bool
	list       bool
}

func newScoreCmd() *cobra.Command {
	var f scoreFlags
	cmd := &cobra.Command{
		Use:   "score --metric SPEC --labels FILE.npy --preds FILE.npy",
		Short: "Compute MXNet-compatible metrics over saved labels and predictions",
		Long: `score computes metrics over labels and predictions saved as .npy files, exactly
as MXNet 1.9.1's mx.metric would over the same arrays.

--metric takes a registry name (acc, top_k_acc, f1, ...), name:key=value,...
(top_k_acc:top_k=5, perplexity:ignore_label=-1, f1:average=micro), or a JSON
config; repeat it for a composite. --labels and --preds may repeat: in order
they form the label list and the prediction list of each update (insightface's
AccMetric reads preds[1]). --batch-size splits every array along axis 0 into
batches, one update each.`,
		Example: `  evalkit score --metric acc --metric top_k_acc:top_k=5 \
      --labels examples/classify/labels.npy --preds examples/classify/probs.npy
  evalkit score --metric f1:average=micro --json \
      --labels examples/binary/labels.npy --preds examples/binary/probs.npy --batch-size 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.list {
				for _, n := range metric.Names() {
					fmt.Fprintln(cmd.OutOrStdout(), n)
				}
				return nil
			}
			return withCPUProfile(f.cpuProfile, func() error { return runScore(cmd.OutOrStdout(), f) })
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.metrics, "metric", nil, "metric spec (repeatable): name, name:key=value,..., or JSON config")
	fl.StringArrayVar(&f.labels, "labels", nil, "labels .npy file (repeatable, in order)")
	fl.StringArrayVar(&f.preds, "preds", nil, "predictions .npy file (repeatable, in order)")
	fl.IntVar(&f.batchSize, "batch-size", 0, "split arrays along axis 0 into batches of N rows, one update each (0: one update)")
	fl.BoolVar(&f.json, "json", false, `print {"local": [...], "global": [...]} as JSON (NaN as null)`)
	fl.BoolVar(&f.list, "list", false, "list the registered metric names and exit")
	addCPUProfileFlag(cmd, &f.cpuProfile)
	return cmd
}

func runScore(w io.Writer, f scoreFlags) error {
	if len(f.metrics) == 0 {
		return fmt.Errorf("score: give at least one --metric (see evalkit score --list)")
	}
	if len(f.preds) == 0 {
		return fmt.Errorf("score: give at least one --preds FILE.npy")
	}
	if f.batchSize < 0 {
		return fmt.Errorf("score: --batch-size must be 0 or positive, got %d", f.batchSize)
	}
	var children []metric.Metric
	for _, s := range f.metrics {
		m, err := metric.ParseSpec(s)
		if err != nil {
			return fmt.Errorf("score: --metric %s: %w", s, err)
		}
		children = append(children, m)
	}
	var m metric.Metric = metric.NewComposite(metric.Options{}, children...)
	var release []func() error
	defer func() {
		for _, r := range release {
			_ = r() // read-only mappings: nothing to lose
		}
	}()
	labels, err := readArrays("--labels", f.labels, &release)
	if err != nil {
		return err
	}
	preds, err := readArrays("--preds", f.preds, &release)
	if err != nil {
		return err
	}
	local, global, err := scoreArrays(m, labels, preds, f.batchSize)
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if f.json {
		return writeScoreJSON(w, local, global)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "metric\tlocal\tglobal")
	for i := range local {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", local[i].Name, pyfmt.Repr(local[i].Value), pyfmt.Repr(global[i].Value))
	}
	return tw.Flush()
}

// readArrays reads the .npy files of a flag. Large float arrays are mapped
// read-only (nd.MapNpyFile) rather than copied into fresh heap pages —
// metrics never write into their inputs — and their release functions are
// appended to *release.
func readArrays(flag string, paths []string, release *[]func() error) ([]*nd.Array, error) {
	out := make([]*nd.Array, len(paths))
	for i, p := range paths {
		a, rel, err := nd.MapNpyFile(p)
		if err != nil {
			return nil, fmt.Errorf("score: %s %s: %w", flag, p, err)
		}
		*release = append(*release, rel)
		out[i] = a
	}
	return out, nil
}

// scoreArrays feeds the arrays to m and returns its values. Mapped input
// files rewritten in place meanwhile give an error naming the file, not
// SIGBUS (nd.GuardMapped).
func scoreArrays(m metric.Metric, labels, preds []*nd.Array, bs int) (local, global []metric.NameValue, err error) {
	err = nd.GuardMapped(func() error {
		if err := feed(m, labels, preds, bs); err != nil {
			return err
		}
		local, global = metric.LocalValues(m), metric.GlobalValues(m)
		return nil
	})
	return local, global, err
}

// feed runs one update over whole arrays, or one per batch of rows.
func feed(m metric.Metric, labels, preds []*nd.Array, bs int) error {
	if bs == 0 {
		return m.Update(labels, preds)
	}
	all := append(append([]*nd.Array(nil), labels...), preds...)
	n := all[0].Len()
	for _, a := range all {
		if a.NDim() == 0 || a.Len() != n {
			return fmt.Errorf("--batch-size needs every array to have the same number of rows; got %s and %s", all[0], a)
		}
	}
	for lo := 0; lo < n; lo += bs {
		hi := min(lo+bs, n)
		l, err := sliceAll(labels, lo, hi)
		if err != nil {
			return err
		}
		p, err := sliceAll(preds, lo, hi)
		if err != nil {
			return err
		}
		if err := m.Update(l, p); err != nil {
			return fmt.Errorf("batch rows [%d:%d]: %w", lo, hi, err)
		}
	}
	return nil
}

func sliceAll(as []*nd.Array, lo, hi int) ([]*nd.Array, error) {
	out := make([]*nd.Array, len(as))
	for i, a := range as {
		s, err := a.Slice(lo, hi)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// jsonNV is one name and value of score's --json output; a non-finite value
// follows internal/jsonnum's rule ("NaN", "Infinity", "-Infinity").
type jsonNV struct {
	Name  string        `json:"name"`
	Value jsonnum.Float `json:"value"`
}

func toJSONNV(nv []metric.NameValue) []jsonNV {
	out := make([]jsonNV, len(nv))
	for i, p := range nv {
		out[i] = jsonNV{p.Name, jsonnum.Float(p.Value)}
	}
	return out
}

func writeScoreJSON(w io.Writer, local, global []metric.NameValue) error {
	b, err := json.MarshalIndent(struct {
		Local  []jsonNV `json:"local"`
		Global []jsonNV `json:"global"`
	}{toJSONNV(local), toJSONNV(global)}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, strings.TrimSpace(string(b)))
	return err
}
