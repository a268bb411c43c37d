package redis

import (
	"github.com/ocredigo/redigo/internal/observability"
)

// observer returns the pool's recorder, made on first use from
// TraceOptions.
func (p *Pool) observer() *observability.Pool {
	p.obsOnce.Do(func() {
		p.obs = observability.NewClient(p.TraceOptions.observability()).NewPool()
	})
	return p.obs
}

// closeConn closes a connection of the pool for reason. This package's
// connections count their own close; for others the pool counts it.
func (p *Pool) closeConn(c Conn, reason string) {
	if cc, ok := c.(*conn); ok {
		cc.closeFor(reason)
		return
	}
	c.Close()
	p.observer().Client().ConnClosed(reason)
}

// countsChanged tells the recorder the pool's connection counts. Called
// with p.mu held: the recorder only updates counters there and records
// for the view path later, from its flusher.
func (p *Pool) countsChanged() {
	p.observer().Counts(p.idle.len(), p.open-p.idle.len())
}
