package observability

import (
	"context"
	"sync"
	"sync/atomic"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/commandinfo"
	"go.opencensus.io/tag"
)

// DefaultName is the name tag of clients that set none.
const DefaultName = "default"

// Tag contexts are built once per (name, command) and reused: building one
// costs more than the recording it serves.

// tagCtx boxes a context for atomic.Pointer.
type tagCtx struct{ ctx context.Context }

// names holds what the driver keeps per client name: the in-driver
// aggregates and the tag contexts of the view path.
type names struct {
	name   string
	series *nameSeries
	cmd    []atomic.Pointer[tagCtx] // by commandinfo ID
}

var byName sync.Map // name -> *names

func namesFor(name string) *names {
	if name == "" {
		name = DefaultName
	}
	if n, ok := byName.Load(name); ok {
		return n.(*names)
	}
	n, _ := byName.LoadOrStore(name, &names{
		name:   name,
		series: newNameSeries(),
		cmd:    make([]atomic.Pointer[tagCtx], commandinfo.Count()),
	})
	return n.(*names)
}

// Forget stops publishing the series of name (a cluster node that left):
// clients still holding it keep counting into series no one reads, and a
// client made later with the name starts from zero.
func Forget(name string) { byName.Delete(name) }

// command returns the tag context of (name, cmd).
func (n *names) command(cmd *commandinfo.Command) context.Context {
	slot := &n.cmd[cmd.ID]
	if t := slot.Load(); t != nil {
		return t.ctx
	}
	ctx := mustTags(tag.Upsert(redigo.KeyName, n.name), tag.Upsert(redigo.KeyCommand, cmd.Name))
	slot.Store(&tagCtx{ctx})
	return ctx
}

// otherTags caches the tag contexts of rarer recordings (errors, connection
// and pool events), whose tag values all come from bounded sets.
var otherTags sync.Map // tagKey -> context.Context

type tagKey struct {
	name, cmd, kind, detail, state string
	node, result, role             string // of the cluster's metrics
}

func (k tagKey) context() context.Context {
	if ctx, ok := otherTags.Load(k); ok {
		return ctx.(context.Context)
	}
	mutators := []tag.Mutator{tag.Upsert(redigo.KeyName, k.name)}
	for _, t := range []struct {
		key   tag.Key
		value string
	}{{redigo.KeyCommand, k.cmd}, {redigo.KeyKind, k.kind}, {redigo.KeyDetail, k.detail}, {redigo.KeyState, k.state},
		{redigo.KeyNode, k.node}, {redigo.KeyResult, k.result}, {redigo.KeyRole, k.role}} {
		if t.value != "" {
			mutators = append(mutators, tag.Upsert(t.key, t.value))
		}
	}
	ctx, _ := otherTags.LoadOrStore(k, mustTags(mutators...))
	return ctx.(context.Context)
}

func mustTags(mutators ...tag.Mutator) context.Context {
	ctx, err := tag.New(context.Background(), mutators...)
	if err != nil {
		// Only invalid values fail, and every value is a fixed ASCII
		// word or the client name, which Options checks.
		panic("observability: " + err.Error())
	}
	return ctx
}

// ValidName reports whether name can be a tag value.
func ValidName(name string) bool {
	if len(name) > 255 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return false
		}
	}
	return true
}
