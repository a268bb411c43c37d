package observability

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/resp"
	"go.opencensus.io/trace"
)

// Limits of db.query.text and status messages, so that a span never carries
// a large value.
const (
	maxArgText    = 64
	maxQueryText  = 1024
	maxStatusText = 256
	redacted      = "[redacted]"
)

// spanAttributes returns the attributes every command span of the
// connection carries; a SELECT makes them anew (db.namespace).
func (o *Conn) spanAttributes(client *Client) []trace.Attribute {
	if p := o.attrs.Load(); p != nil {
		return *p
	}
	attrs := append(o.Peer().attributes(), client.attrs...)
	o.attrs.Store(&attrs)
	return attrs
}

func (o *Conn) startSpan(ctx context.Context, client *Client, name string, cmd *commandinfo.Command, args []interface{}) *trace.Span {
	_, span := trace.StartSpan(ctx, cmd.Name, trace.WithSpanKind(trace.SpanKindClient))
	if client.queryText != QueryTextOff && span.IsRecordingEvents() {
		// Now: a pipelined command's arguments may be reused by the caller
		// before its reply arrives.
		span.AddAttributes(trace.StringAttribute("db.query.text", QueryTextOf(client.queryText, name, cmd, args)))
	}
	return span
}

// endSpan ends a command's span, adding its attributes at once.
func (o *Conn) endSpan(call *Call, r Result) {
	span := call.span
	if span.IsRecordingEvents() {
		base := o.spanAttributes(o.client.Load())
		attrs := make([]trace.Attribute, 0, len(base)+5)
		attrs = append(attrs, base...)
		attrs = append(attrs,
			trace.StringAttribute("db.operation.name", call.cmd.Name),
			trace.Int64Attribute("redis.bytes_written", int64(call.written)),
			trace.Int64Attribute("redis.bytes_read", int64(r.Read)))
		var kind, errText, statusCode string
		switch {
		case r.Err != nil:
			kind, _ = Classify(r.Err, r.Op)
			errText = r.Err.Error()
		case r.ErrMsg != "":
			kind, errText, statusCode = KindServer, r.ErrMsg, ServerDetail(r.ErrMsg)
		}
		if errText != "" {
			attrs = append(attrs, trace.StringAttribute("error.type", kind))
			if statusCode != "" {
				attrs = append(attrs, trace.StringAttribute("db.response.status_code", statusCode))
			}
			span.SetStatus(trace.Status{Code: statusCodeOf(kind), Message: truncate(redactCallSecrets(errText, call.secrets), maxStatusText)})
		}
		span.AddAttributes(attrs...)
	}
	span.End()
}

// SecretTexts returns the texts of a command's secret arguments, for
// RedactSecrets.
func SecretTexts(cmd *commandinfo.Command, args []interface{}) []string {
	return secretValues(cmd, args)
}

// secretValues returns the texts of a command's secret arguments. Of the
// rules of ACL SETUSER only the passwords and hashes are (>, <, #, !):
// removing "on" or "~*" from an error text would only garble it.
func secretValues(cmd *commandinfo.Command, args []interface{}) []string {
	var out []string
	for i, arg := range args {
		if !cmd.Secret(args, i) {
			continue
		}
		text := argText(arg)
		if cmd.Name == "ACL" && (text == "" || !strings.ContainsRune("><#!", rune(text[0]))) {
			continue
		}
		if text != "" {
			out = append(out, text)
		}
	}
	return out
}

func redactCallSecrets(text string, secrets *[]string) string {
	if secrets == nil {
		return text
	}
	return RedactSecrets(text, *secrets)
}

// RedactSecrets replaces every occurrence of a secret in text: a server
// error may quote the argument it refused (ACL SETUSER's rules).
func RedactSecrets(text string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			text = strings.ReplaceAll(text, secret, redacted)
		}
	}
	return text
}

// setSpanError marks a span failed: error.type is the kind of the error,
// db.response.status_code the prefix of an error reply.
func setSpanError(span *trace.Span, kind, errText, statusCode string) {
	attrs := []trace.Attribute{trace.StringAttribute("error.type", kind)}
	if statusCode != "" {
		attrs = append(attrs, trace.StringAttribute("db.response.status_code", statusCode))
	}
	span.AddAttributes(attrs...)
	span.SetStatus(trace.Status{Code: statusCodeOf(kind), Message: truncate(errText, maxStatusText)})
}

func statusCodeOf(kind string) int32 {
	switch kind {
	case KindTimeout:
		return trace.StatusCodeDeadlineExceeded
	case KindCanceled:
		return trace.StatusCodeCancelled
	case KindDial, KindWrite, KindRead:
		return trace.StatusCodeUnavailable
	case KindPool:
		return trace.StatusCodeResourceExhausted
	}
	return trace.StatusCodeUnknown
}

// truncate cuts s to at most n bytes, at a rune boundary: exporters built
// on protobuf reject invalid UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// QueryTextOf returns the db.query.text of a command: name (as the caller
// wrote it) and its arguments. Sanitized shows the arguments up to the
// first key and ? for the others; full shows every argument. Secret
// arguments (AUTH passwords, ACL rules, ...) are redacted in both.
func QueryTextOf(mode QueryText, name string, cmd *commandinfo.Command, args []interface{}) string {
	var b strings.Builder
	b.WriteString(truncate(name, maxArgText))
	for i, arg := range args {
		if b.Len() >= maxQueryText {
			b.WriteString(" ...")
			break
		}
		b.WriteByte(' ')
		switch {
		case cmd.Secret(args, i):
			b.WriteString(redacted)
		case mode == QueryTextSanitized && i > cmd.FirstKey:
			b.WriteByte('?')
		default:
			text := argText(arg)
			if len(text) > maxArgText {
				text = truncate(text, maxArgText) + "..."
			}
			b.WriteString(text)
		}
	}
	return b.String()
}

// argText formats an argument as the codec sends it.
func argText(arg interface{}) string {
	switch a := arg.(type) {
	case string:
		return a
	case []byte:
		return string(a)
	case int:
		return strconv.Itoa(a)
	case int64:
		return strconv.FormatInt(a, 10)
	case float64:
		return strconv.FormatFloat(a, 'g', -1, 64)
	case bool:
		if a {
			return "1"
		}
		return "0"
	case nil:
		return ""
	case resp.Argument:
		v := a.RedisArg()
		if _, again := v.(resp.Argument); again {
			return fmt.Sprint(v) // the codec unwraps one level only
		}
		return argText(v)
	}
	return fmt.Sprint(arg)
}
