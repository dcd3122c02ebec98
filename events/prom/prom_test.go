package prom

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}

func TestExporter(t *testing.T) {
	ex := New()
	srv, err := Serve("127.0.0.1:0", ex)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	nv := func(acc, loss float64) []metric.NameValue {
		return []metric.NameValue{{Name: "acc", Value: acc}, {Name: "lossvalue", Value: loss}}
	}
	for _, e := range []events.Event{
		events.LearningRate{Rate: 0.1},
		events.BatchEnd{Position: events.Position{Epoch: 0, Batch: 0, Step: 1}, Samples: 64},
		events.BatchEnd{Position: events.Position{Epoch: 0, Batch: 1, Step: 2}, Samples: 36},
		events.Speed{Speed: 1234.5, Values: nv(0.25, math.Inf(1))},
		events.EpochEnd{Train: nv(0.5, 2)},
		events.Validation{Values: nv(0.75, math.NaN())},
		events.Verification{Target: "lfw", Accuracy: 0.9},
		events.LearningRate{Rate: 0.01},
		events.BatchEnd{Position: events.Position{Epoch: 1, Batch: 0, Step: 3}, Samples: 64},
	} {
		if err := ex.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	body := scrape(t, "http://"+srv.Addr().String()+"/metrics")
	for _, want := range []string{
		"evalkit_train_epoch 1",
		"evalkit_train_batch 0",
		"evalkit_train_step 3",
		"evalkit_train_samples_total 164",
		"evalkit_train_learning_rate 0.01",
		"evalkit_train_speed_samples_per_second 1234.5",
		`evalkit_train_metric{metric="acc"} 0.5`,
		`evalkit_train_metric{metric="lossvalue"} 2`,
		`evalkit_validation_metric{metric="acc"} 0.75`,
		`evalkit_validation_metric{metric="lossvalue"} NaN`,
		`evalkit_verification_accuracy{target="lfw"} 0.9`,
		"# TYPE evalkit_train_samples_total counter",
	} {
		if !strings.Contains(body, "\n"+want+"\n") {
			t.Errorf("exposition lacks %q:\n%s", want, body)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian's prometheus package)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}

func TestServeErrors(t *testing.T) {
	ex := New()
	srv, err := Serve("127.0.0.1:0", ex)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := Serve(srv.Addr().String(), ex); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("second server on %s: %v", srv.Addr(), err)
	}
	if _, err := Serve("256.0.0.1:1", ex); err == nil {
		t.Error("served on an invalid address")
	}
}
