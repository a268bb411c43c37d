package redistest

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr puts the server in its own process group, so that signals
// reach any child it forks, and has the kernel kill it when the test
// binary dies, so that no server outlives a crashed or killed test run.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the server's process group.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		_ = p.Signal(sig)
	}
}
