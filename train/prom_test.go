package train

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/evalkit/evalkit/events"
)

// syncBuffer is a bytes.Buffer safe for the run and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// promServer is a Prometheus server scraping one target every 100 ms.
type promServer struct {
	api string
	cmd *exec.Cmd
}

func startPrometheus(t *testing.T, bin, target string) *promServer {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 100ms\n  scrape_timeout: 90ms\nscrape_configs:\n  - job_name: evalkit\n    static_configs:\n      - targets: ['%s']\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	web := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var logs syncBuffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+web, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	p := &promServer{api: "http://" + web, cmd: cmd}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.api + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 60 s: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// query runs an instant query and returns each series' value by the
// value of label (or "" for series without it).
func (p *promServer) query(q, label string) (map[string]float64, error) {
	resp, err := http.Get(p.api + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Status != "success" {
		return nil, fmt.Errorf("query %s: %v: %s", q, err, b)
	}
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		v, err := strconv.ParseFloat(fmt.Sprint(s.Value[1]), 64)
		if err != nil {
			return nil, err
		}
		out[s.Metric[label]] = v
	}
	return out, nil
}

// gate holds the run at its summary until Prometheus has scraped the final
// values, then reads them back through the query API.
type gate struct {
	t      *testing.T
	bin    string
	output *syncBuffer
	prom   *promServer
	want   float64 // samples trained
	got    map[string]map[string]float64
	lr     float64
}

var servingLine = regexp.MustCompile(`serving Prometheus metrics at http://(127\.0\.0\.1:\d+)/metrics`)

func (g *gate) Emit(e events.Event) error {
	switch e := e.(type) {
	case Start:
		m := servingLine.FindStringSubmatch(g.output.String())
		if m == nil {
			return fmt.Errorf("no serving line in %q", g.output.String())
		}
		g.prom = startPrometheus(g.t, g.bin, m[1])
	case events.LearningRate:
		g.lr = e.Rate
	case Summary:
		deadline := time.Now().Add(60 * time.Second)
		for {
			v, err := g.prom.query("evalkit_train_samples_total", "")
			if err != nil {
				return err
			}
			if v[""] == g.want {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("prometheus has evalkit_train_samples_total %v after 60 s, want %v", v, g.want)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err := promtoolCheck(servingLine.FindStringSubmatch(g.output.String())[1]); err != nil {
			return err
		}
		g.got = map[string]map[string]float64{}
		for _, q := range []struct{ name, label string }{
			{"evalkit_train_epoch", ""}, {"evalkit_train_step", ""}, {"evalkit_train_learning_rate", ""},
			{"evalkit_validation_metric", "metric"}, {"evalkit_verification_accuracy", "target"},
			{"evalkit_train_speed_samples_per_second", ""},
		} {
			v, err := g.prom.query(q.name, q.label)
			if err != nil {
				return err
			}
			g.got[q.name] = v
		}
	}
	return nil
}

// A real Prometheus server scrapes a short training run; the values read
// back through its query API are the run's.
func TestPrometheusScrapesRun(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not installed (Debian's prometheus package; .ci/run installs it)")
	}
	var out syncBuffer
	g := &gate{t: t, bin: bin, output: &out, want: 2 * 5000}
	c := smallConfig(t)
	c.Epochs, c.MetricsAddr, c.Output, c.Sinks = 2, "127.0.0.1:0", &out, []events.Sink{g}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := Run(ctx, c)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for name, want := range map[string]map[string]float64{
		"evalkit_train_epoch":           {"": 1},
		"evalkit_train_step":            {"": 100},
		"evalkit_train_learning_rate":   {"": g.lr},
		"evalkit_validation_metric":     {"acc": res.ValAcc, "lossvalue": g.got["evalkit_validation_metric"]["lossvalue"]},
		"evalkit_verification_accuracy": {"fashion": res.VerifyAcc},
	} {
		for k, v := range want {
			if got, ok := g.got[name][k]; !ok || got != v {
				t.Errorf("%s{%s} = %v (present %v), want %v", name, k, got, ok, v)
			}
		}
	}
	lr := 0.1
	lr *= 0.1 // two cuts (lr steps at 60% and 85% of 100 batches), in float64
	lr *= 0.1
	if g.lr != lr || len(g.got["evalkit_validation_metric"]) != 2 {
		t.Errorf("final learning rate %v; validation series %v", g.lr, g.got["evalkit_validation_metric"])
	}
	if sp := g.got["evalkit_train_speed_samples_per_second"][""]; !(sp > 0) {
		t.Errorf("speed %v", sp)
	}
}

// promtoolCheck runs promtool check metrics on the exposition at addr.
func promtoolCheck(addr string) error {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		return nil // checked in events/prom when present
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("promtool check metrics: %v: %s\n%s", err, out, body)
	}
	return nil
}
