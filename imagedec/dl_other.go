//go:build !(darwin || freebsd || linux || netbsd)

package imagedec

import (
	"errors"
	"runtime"
)

var errNoDlopen = errors.New("loading libjpeg-turbo at run time is supported on Linux, macOS, FreeBSD and NetBSD, not " + runtime.GOOS)

func dlopen(string) (uintptr, error) { return 0, errNoDlopen }

func dlsym(uintptr, string) (uintptr, error) { return 0, errNoDlopen }
