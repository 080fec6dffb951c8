// Package wecomkftest is a fake of WeCom's customer-service API for tests: an
// httptest server speaking gettoken, kf/sync_msg, kf/send_msg, kf/customer/batchget,
// media/upload and media/get as WeCom documents them, and a builder of genuine
// encrypted callbacks.
package wecomkftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/wecomkf"
)

// Corp is the corp the fake serves and the credentials it accepts.
type Corp struct {
	CorpID, Secret, Token, EncodingAESKey string
}

// DefaultCorp is a corp with the official sample's key.
var DefaultCorp = Corp{
	CorpID: "ww-test-corp", Secret: "kf-secret-1", Token: "QDG6eK",
	EncodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
}

// Msg is a msg_list item as sync_msg serves it.
type Msg = map[string]any

// Sent is a send_msg the fake accepted.
type Sent struct {
	ToUser, OpenKfID, MsgID, MsgType, Text, MediaID string
}

// Fake is the fake WeCom.
type Fake struct {
	*httptest.Server
	Corp Corp

	mu           sync.Mutex
	tokens       map[string]bool
	tokenFetches int
	syncTokens   map[string]bool
	log          []Msg
	names        map[string]string
	sent         []Sent
	media        map[string][]byte
	syncCalls    []map[string]any
	fail         int
	throttle     bool
	reject       bool
	emptyMore    bool
}

// New starts a fake WeCom for corp until the test ends.
func New(t testing.TB, corp Corp) *Fake {
	f := &Fake{Corp: corp, tokens: map[string]bool{}, syncTokens: map[string]bool{}, names: map[string]string{}, media: map[string][]byte{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Config is a channel config pointing at the fake (open_kfid may be empty).
func (f *Fake) Config(openKfID string) wecomkf.Config {
	return wecomkf.Config{CorpID: f.Corp.CorpID, Secret: f.Corp.Secret, Token: f.Corp.Token,
		EncodingAESKey: f.Corp.EncodingAESKey, OpenKfID: openKfID, APIBaseURL: f.URL}
}

// BuyerWrites appends buyer messages to what sync_msg serves and returns the sync
// token WeCom's callback will carry.
func (f *Fake) BuyerWrites(msgs ...Msg) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, msgs...)
	tok := fmt.Sprintf("ENCsync%d", len(f.log))
	f.syncTokens[tok] = true
	return tok
}

// Name sets the WeChat nickname batchget answers for a buyer.
func (f *Fake) Name(externalUserID, nickname string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[externalUserID] = nickname
}

// Callback builds WeCom's encrypted kf_msg_or_event callback to target (a URL or a
// path), signed at the given time.
func (f *Fake) Callback(t testing.TB, target, syncToken, openKfID string, at time.Time) *http.Request {
	t.Helper()
	plain := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime>"+
		"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"+
		"<Token><![CDATA[%s]]></Token><OpenKfId><![CDATA[%s]]></OpenKfId></xml>",
		f.Corp.CorpID, at.Unix(), syncToken, openKfID)
	return f.Sealed(t, target, plain, f.Corp, at)
}

// Sealed builds a POST of plain encrypted and signed with corp's token and key.
func (f *Fake) Sealed(t testing.TB, target, plain string, corp Corp, at time.Time) *http.Request {
	t.Helper()
	c, err := wecomkf.NewCrypter(corp.Token, corp.EncodingAESKey, corp.CorpID)
	if err != nil {
		t.Fatal(err)
	}
	ts, nonce := strconv.FormatInt(at.Unix(), 10), strconv.FormatInt(at.UnixNano()%1e9, 10)
	enc, sig, err := c.Seal([]byte(plain), ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt>"+
		"<AgentID><![CDATA[]]></AgentID></xml>", corp.CorpID, enc)
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	u := target + sep + "msg_signature=" + sig + "&timestamp=" + ts + "&nonce=" + nonce
	req := httptest.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if strings.HasPrefix(target, "http") {
		req, err = http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
	}
	req.Header.Set("Content-Type", "text/xml")
	return req
}

// TokenFetches counts gettoken calls.
func (f *Fake) TokenFetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenFetches
}

// ExpireTokens makes WeCom drop every access token it issued (42001 next time).
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

// SentMessages lists the accepted send_msg calls.
func (f *Fake) SentMessages() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// SyncCalls lists the bodies sync_msg received.
func (f *Fake) SyncCalls() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.syncCalls...)
}

// EmptyPageNext makes the next sync_msg answer has_more=1 with an empty msg_list, as
// WeCom may.
func (f *Fake) EmptyPageNext() { f.mu.Lock(); f.emptyMore = true; f.mu.Unlock() }

// Media stores a file media/get serves.
func (f *Fake) Media(id string, data []byte) { f.mu.Lock(); f.media[id] = data; f.mu.Unlock() }

// Sent implements adaptertest.FakeAPI.
func (f *Fake) Sent() []adaptertest.SentReply {
	var out []adaptertest.SentReply
	for _, s := range f.SentMessages() {
		out = append(out, adaptertest.SentReply{Key: s.MsgID, BuyerID: s.ToUser, Text: s.Text})
	}
	return out
}

// FailNext makes the next n sends answer -1 (system busy).
func (f *Fake) FailNext(n int) { f.mu.Lock(); f.fail = n; f.mu.Unlock() }

// ThrottleNext makes the next send answer 45009; WeCom gives no wait hint.
func (f *Fake) ThrottleNext(time.Duration) { f.mu.Lock(); f.throttle = true; f.mu.Unlock() }

// RejectNext makes the next send answer 95001 (over 5 replies in the window).
func (f *Fake) RejectNext() bool { f.mu.Lock(); f.reject = true; f.mu.Unlock(); return true }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg})
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	if r.URL.Path == "/cgi-bin/gettoken" {
		f.getToken(w, q.Get("corpid"), q.Get("corpsecret"))
		return
	}
	tok := q.Get("access_token")
	if tok == "" {
		apiErr(w, 41001, "access_token missing")
		return
	}
	if !f.tokens[tok] {
		apiErr(w, 42001, "access_token expired")
		return
	}
	switch r.URL.Path {
	case "/cgi-bin/kf/sync_msg":
		f.syncMsg(w, r)
	case "/cgi-bin/kf/send_msg":
		f.sendMsg(w, r)
	case "/cgi-bin/kf/customer/batchget":
		f.batchGet(w, r)
	case "/cgi-bin/media/upload":
		f.upload(w, r)
	case "/cgi-bin/media/get":
		data, ok := f.media[q.Get("media_id")]
		if !ok {
			apiErr(w, 40007, "invalid media_id")
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
	default:
		http.NotFound(w, r)
	}
}

func (f *Fake) getToken(w http.ResponseWriter, corpID, secret string) {
	if corpID != f.Corp.CorpID {
		apiErr(w, 40013, "invalid corpid")
		return
	}
	if secret != f.Corp.Secret {
		apiErr(w, 40001, "invalid credential")
		return
	}
	f.tokenFetches++
	tok := fmt.Sprintf("access-%d", f.tokenFetches)
	f.tokens[tok] = true
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": 7200})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		apiErr(w, 47001, "data format error")
		return false
	}
	return true
}

func (f *Fake) syncMsg(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if !decodeBody(w, r, &req) {
		return
	}
	f.syncCalls = append(f.syncCalls, req)
	if tok, _ := req["token"].(string); tok != "" && !f.syncTokens[tok] {
		apiErr(w, 95007, "invalid msg token")
		return
	}
	start := 0
	if c, _ := req["cursor"].(string); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "cur"))
		if err != nil || n < 0 || n > len(f.log) {
			apiErr(w, 95000, "invalid cursor")
			return
		}
		start = n
	}
	if f.emptyMore {
		f.emptyMore = false
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": fmt.Sprintf("cur%d", start), "has_more": 1, "msg_list": []Msg{}})
		return
	}
	limit := 1000
	if l, ok := req["limit"].(float64); ok && l > 0 && l < 1000 {
		limit = int(l)
	}
	kf, _ := req["open_kfid"].(string)
	var list []Msg
	end := start
	for ; end < len(f.log) && len(list) < limit; end++ {
		if kf == "" || f.log[end]["open_kfid"] == kf {
			list = append(list, f.log[end])
		}
	}
	more := 0
	if end < len(f.log) {
		more = 1
	}
	if list == nil {
		list = []Msg{}
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": fmt.Sprintf("cur%d", end), "has_more": more, "msg_list": list})
}

func (f *Fake) sendMsg(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToUser   string `json:"touser"`
		OpenKfID string `json:"open_kfid"`
		MsgID    string `json:"msgid"`
		MsgType  string `json:"msgtype"`
		Text     struct {
			Content string `json:"content"`
		} `json:"text"`
		Image struct {
			MediaID string `json:"media_id"`
		} `json:"image"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case f.throttle:
		f.throttle = false
		apiErr(w, 45009, "api freq out of limit")
		return
	case f.reject:
		f.reject = false
		apiErr(w, 95001, "send msg count reach limit")
		return
	case f.fail > 0:
		f.fail--
		apiErr(w, -1, "system busy")
		return
	case req.ToUser == "" || req.OpenKfID == "" || len(req.MsgID) > 32:
		apiErr(w, 40003, "invalid touser, open_kfid or msgid")
		return
	case req.MsgType == "image" && f.media[req.Image.MediaID] == nil:
		apiErr(w, 40007, "invalid media_id")
		return
	}
	f.sent = append(f.sent, Sent{ToUser: req.ToUser, OpenKfID: req.OpenKfID, MsgID: req.MsgID, MsgType: req.MsgType,
		Text: req.Text.Content, MediaID: req.Image.MediaID})
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": req.MsgID})
}

func (f *Fake) batchGet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []string `json:"external_userid_list"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	list := []map[string]any{}
	invalid := []string{}
	for _, id := range req.IDs {
		if name, ok := f.names[id]; ok {
			list = append(list, map[string]any{"external_userid": id, "nickname": name, "avatar": "", "gender": 0, "unionid": ""})
		} else {
			invalid = append(invalid, id)
		}
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "customer_list": list, "invalid_external_userid": invalid})
}

func (f *Fake) upload(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("type") != "image" {
		apiErr(w, 40005, "invalid type")
		return
	}
	file, _, err := r.FormFile("media")
	if err != nil {
		apiErr(w, 41005, "media data missing")
		return
	}
	defer file.Close()
	var buf bytes.Buffer
	_, _ = io.Copy(&buf, file)
	id := fmt.Sprintf("media-%d", len(f.media)+1)
	f.media[id] = buf.Bytes()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "type": "image", "media_id": id, "created_at": "1380000000"})
}

// TextMsg is a buyer's text as sync_msg lists it.
func TextMsg(msgID, openKfID, externalUserID, text string, sent time.Time) Msg {
	return Msg{"msgid": msgID, "open_kfid": openKfID, "external_userid": externalUserID, "send_time": sent.Unix(),
		"origin": 3, "msgtype": "text", "text": map[string]any{"content": text}}
}

// ImageMsg is a buyer's image as sync_msg lists it.
func ImageMsg(msgID, openKfID, externalUserID, mediaID string, sent time.Time) Msg {
	return Msg{"msgid": msgID, "open_kfid": openKfID, "external_userid": externalUserID, "send_time": sent.Unix(),
		"origin": 3, "msgtype": "image", "image": map[string]any{"media_id": mediaID}}
}

// ServicerMsg is a message a servicer sent from the WeCom client (origin 5).
func ServicerMsg(msgID, openKfID, externalUserID, text string, sent time.Time) Msg {
	m := TextMsg(msgID, openKfID, externalUserID, text, sent)
	m["origin"], m["servicer_userid"] = 5, "zhangsan"
	return m
}

// EventMsg is a system event (origin 4) such as enter_session.
func EventMsg(msgID, openKfID, externalUserID, eventType string, sent time.Time) Msg {
	return Msg{"msgid": msgID, "send_time": sent.Unix(), "origin": 4, "msgtype": "event",
		"event": map[string]any{"event_type": eventType, "open_kfid": openKfID, "external_userid": externalUserID, "scene": "123"}}
}
