package loadtest

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// A tag ends every text the load tool sends, buyer message or agent reply:
// " [lt:RUN:KIND:SEQ:DUE]" with KIND m (buyer message) or r (reply), SEQ its number in
// the run and DUE when it was due, in microseconds since the run started. The live
// event and the callback carry the text unchanged, so whoever sees it can tell which
// run and which message it is and how long ago it was sent, with no lookup; other
// runs' traffic on the same server is ignored.
type tag struct {
	Run  string
	Kind byte
	Seq  int64
	Due  time.Duration
}

// Tag kinds.
const (
	kindMessage byte = 'm'
	kindReply   byte = 'r'
)

func (t tag) String() string {
	return "[lt:" + t.Run + ":" + string(t.Kind) + ":" + strconv.FormatInt(t.Seq, 10) + ":" +
		strconv.FormatInt(t.Due.Microseconds(), 10) + "]"
}

// appendTag puts the tag after the text.
func appendTag(text string, t tag) string { return text + " " + t.String() }

// parseTag finds the run's tag in a text (or a raw JSON frame that contains it). It
// reports false when there is none of that run.
func parseTag(text []byte, run string) (tag, bool) {
	prefix := "[lt:" + run + ":"
	i := bytes.Index(text, []byte(prefix))
	if i < 0 {
		return tag{}, false
	}
	rest := text[i+len(prefix):]
	end := bytes.IndexByte(rest, ']')
	if end < 3 {
		return tag{}, false
	}
	parts := strings.Split(string(rest[:end]), ":")
	if len(parts) != 3 || len(parts[0]) != 1 {
		return tag{}, false
	}
	seq, err1 := strconv.ParseInt(parts[1], 10, 64)
	due, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || seq < 0 {
		return tag{}, false
	}
	return tag{Run: run, Kind: parts[0][0], Seq: seq, Due: time.Duration(due) * time.Microsecond}, true
}
