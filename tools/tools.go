//go:build tools

// Package tools pins the developer tools (linter, test runner) that .ci/run
// installs; nothing here is linked into evalkit.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "gotest.tools/gotestsum"
)
