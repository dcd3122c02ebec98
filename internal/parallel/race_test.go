//go:build race

package parallel

func init() { raceEnabled = true }
