package resp

import "io"

// Client sends one command at a time and reads its reply: for tools and
// tests that talk to a server without the driver.
type Client struct {
	w *Writer
	r *Reader
}

// NewClient returns a Client talking over rw.
func NewClient(rw io.ReadWriter) *Client {
	return &Client{w: NewWriter(rw), r: NewReader(rw)}
}

// Do sends a command and returns its reply; an error reply is returned as
// the error, of type Error.
func (c *Client) Do(name string, args ...interface{}) (interface{}, error) {
	if _, _, err := c.w.WriteCommand(name, args, -1); err != nil {
		return nil, err
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	reply, _, _, err := c.r.ReadReply()
	if err != nil {
		return nil, err
	}
	if e, ok := reply.(Error); ok {
		return nil, e
	}
	return reply, nil
}
