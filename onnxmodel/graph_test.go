package onnxmodel

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGraphNodes(t *testing.T) {
	for _, c := range []struct {
		file      string
		first     []Node
		mean, std float32
	}{
		{"mxnet_style.onnx", []Node{{"/Constant", "Constant"}, {"_minus0", "Sub"}, {"/Constant_1", "Constant"}, {"_mul0", "Mul"}}, 0, 1},
		{"fixture.onnx", []Node{{"/conv1/Conv", "Conv"}}, 127.5, 127.5},
	} {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtureDir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			nodes, err := graphNodes(data, maxNodes)
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) < len(c.first) || !cmp.Equal(nodes[:len(c.first)], c.first) {
				t.Errorf("nodes = %v, want them to start with %v", nodes, c.first)
			}
			if mean, std := normalization(nodes); mean != c.mean || std != c.std {
				t.Errorf("normalization = %v, %v; want %v, %v", mean, std, c.mean, c.std)
			}
		})
	}
}

func TestNormalizationRule(t *testing.T) {
	for _, c := range []struct {
		names []string
		mean  float32
	}{
		{[]string{"Sub_0", "Mul_1", "Conv_2"}, 0},
		{[]string{"conv", "_minus3", "x", "_mul4"}, 0},
		{[]string{"Sub_0", "Conv_1"}, 127.5},                               // subtraction alone
		{[]string{"a", "b", "c", "d", "e", "f", "g", "Sub", "Mul"}, 127.5}, // beyond the first eight
		{[]string{"sub", "mul"}, 127.5},                                    // names are case-sensitive
	} {
		t.Run(fmt.Sprint(c.names), func(t *testing.T) {
			var nodes []Node
			for _, n := range c.names {
				nodes = append(nodes, Node{Name: n})
			}
			if mean, _ := normalization(nodes); mean != c.mean {
				t.Errorf("%v: mean %v, want %v", c.names, mean, c.mean)
			}
		})
	}
}

func TestGraphNodesRejects(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":          {},
		"text":           []byte("hello, world"),
		"no graph":       {0x08, 0x07},                   // ir_version 7 only
		"truncated":      {0x08, 0x07, 0x3a, 0x05, 0x0a}, // graph claims 5 bytes, has 1
		"bad wire type":  {0x0b},
		"field zero":     {0x00, 0x01},
		"bad node bytes": {0x08, 0x07, 0x3a, 0x03, 0x0a, 0x01, 0xff},
	} {
		if _, err := graphNodes(data, maxNodes); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzGraphNodes(f *testing.F) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "mxnet_style.onnx"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data[:min(len(data), 400)])
	f.Add([]byte{0x08, 0x07, 0x3a, 0x04, 0x0a, 0x02, 0x1a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		nodes, err := graphNodes(b, maxNodes)
		if err == nil && len(nodes) > maxNodes {
			t.Errorf("%d nodes, limit %d", len(nodes), maxNodes)
		}
	})
}
