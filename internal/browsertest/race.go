//go:build race

package browsertest

func init() {
	if patience == 1 {
		patience = 3
	}
}
