//go:build !linux

package redistest

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr does nothing: process groups and a parent-death signal are
// set up on Linux only, where the tests run.
func setProcAttr(cmd *exec.Cmd) {}

// signalGroup signals the server process itself, falling back to Kill
// where the signal is not supported.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := p.Signal(sig); err != nil {
		_ = p.Kill()
	}
}
