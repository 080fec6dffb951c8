package seed

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// rows builds multi-row INSERT statements as SQL text. Bulk loading sends each
// statement as one query with its values inline: no server-side prepare per statement
// and no boxing of millions of values for the driver. Strings are single-quoted with
// quotes doubled, which reads the same whatever the server's NO_BACKSLASH_ESCAPES;
// a string holding a backslash or a control character goes as a hex literal instead.
type rows struct {
	head     string // INSERT INTO t (cols) VALUES
	maxRows  int
	maxBytes int

	b     []byte
	n     int  // rows in the statement being built
	first bool // no value yet in the current row
	stmts []string
	total int
}

func newRows(table, columns string, maxRows int) *rows {
	return &rows{head: "INSERT INTO " + table + " (" + columns + ") VALUES ", maxRows: maxRows, maxBytes: 4 << 20}
}

// begin opens a row.
func (r *rows) begin() {
	if r.n == 0 {
		r.b = append(r.b[:0], r.head...)
	} else {
		r.b = append(r.b, ',')
	}
	r.b = append(r.b, '(')
	r.first = true
}

// end closes the row, closing the statement when it is full.
func (r *rows) end() {
	r.b = append(r.b, ')')
	r.n++
	r.total++
	if r.n >= r.maxRows || len(r.b) >= r.maxBytes {
		r.flush()
	}
}

func (r *rows) flush() {
	if r.n > 0 {
		r.stmts = append(r.stmts, string(r.b))
		r.n = 0
	}
}

// statements closes the last statement and answers them all.
func (r *rows) statements() []string {
	r.flush()
	return r.stmts
}

func (r *rows) sep() {
	if !r.first {
		r.b = append(r.b, ',')
	}
	r.first = false
}

func (r *rows) u64(v uint64) {
	r.sep()
	r.b = strconv.AppendUint(r.b, v, 10)
}

func (r *rows) int(v int) {
	r.sep()
	r.b = strconv.AppendInt(r.b, int64(v), 10)
}

func (r *rows) null() {
	r.sep()
	r.b = append(r.b, "NULL"...)
}

// optU64 writes an optional id.
func (r *rows) optU64(v *uint64) {
	if v == nil {
		r.null()
		return
	}
	r.u64(*v)
}

// time writes a DATETIME(6) in UTC.
func (r *rows) time(t time.Time) {
	r.sep()
	r.b = append(r.b, '\'')
	r.b = t.UTC().AppendFormat(r.b, "2006-01-02 15:04:05.000000")
	r.b = append(r.b, '\'')
}

func (r *rows) str(s string) {
	r.sep()
	r.b = appendLiteral(r.b, s)
}

// appendLiteral appends s as a SQL string literal.
func appendLiteral(b []byte, s string) []byte {
	if strings.IndexFunc(s, func(c rune) bool { return c == '\\' || c < 0x20 || c == 0x7f }) >= 0 {
		b = append(b, "X'"...)
		b = hex.AppendEncode(b, []byte(s))
		return append(b, '\'')
	}
	b = append(b, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b = append(b, '\'')
		}
		b = append(b, s[i])
	}
	return append(b, '\'')
}
