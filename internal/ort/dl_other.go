//go:build !(darwin || freebsd || linux || netbsd)

package ort

import (
	"errors"
	"runtime"
)

func init() {
	dlError = errors.New("loading libraries at run time is not supported on " + runtime.GOOS)
}

func dlopen(string) (uintptr, error) { return 0, dlError }

func dlsym(uintptr, string) (uintptr, error) { return 0, dlError }
