// Package wecomkf is the channel for WeCom customer service (微信客服): buyers write
// from WeChat to the shop's customer-service account. WeCom's callback only says that
// something is waiting; the messages are pulled with sync_msg and replies go out with
// send_msg, under WeCom's rule of at most 5 replies within 48 hours of the buyer's
// last message.
//
// One channel is one corp's customer-service app (its secret, callback token and
// key): WeCom calls one URL for every customer-service account of the corp. The
// account a buyer wrote to travels in the buyer's id, "open_kfid|external_userid", so
// a reply leaves from the account the buyer wrote to.
package wecomkf

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Type is the channel type served here.
const Type = "wecom_kf"

// DefaultAPIBase is WeCom's API host.
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// MaxSkew bounds the age of a signed callback: the sync token it carries lives 10
// minutes, so an older callback could give nothing the timed pull does not.
const MaxSkew = 10 * time.Minute

// Config is a WeCom customer-service channel's settings.
type Config struct {
	CorpID         string `json:"corp_id"`
	Secret         string `json:"secret"` // the 微信客服 secret
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	// OpenKfID, when set, limits pulls to one customer-service account and is the
	// account replies leave from for buyers whose id carries none.
	OpenKfID   string `json:"open_kfid,omitempty"`
	APIBaseURL string `json:"api_base_url,omitempty"`
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with corp_id, secret, token and encoding_aes_key"}
	}
	for _, f := range []struct{ name, value string }{
		{"corp_id", cfg.CorpID}, {"secret", cfg.Secret}, {"token", cfg.Token}, {"encoding_aes_key", cfg.EncodingAESKey},
	} {
		if strings.TrimSpace(f.value) == "" {
			return cfg, &adapters.BadRequestError{Field: "config." + f.name, Reason: "is required"}
		}
	}
	if _, err := DecodeAESKey(cfg.EncodingAESKey); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config.encoding_aes_key", Reason: "must be the 43-character EncodingAESKey from the WeCom console"}
	}
	return cfg, adapters.CheckAPIBaseURL(cfg.APIBaseURL)
}

func (c Config) base() string {
	return adapters.APIBase(c.APIBaseURL, DefaultAPIBase)
}

// tokenKey names the corp+secret's access token in the shared cache; the secret is
// hashed so that it never appears in Redis.
func (c Config) tokenKey() string {
	sum := sha256.Sum256([]byte(c.Secret))
	return "wecom:" + c.CorpID + ":" + hex.EncodeToString(sum[:8])
}

// Adapter implements adapters.Adapter for WeCom customer service.
type Adapter struct {
	deps adapters.Deps
}

// New returns the adapter built on the shared services.
func New(d adapters.Deps) *Adapter {
	return &Adapter{deps: d.WithDefaults()}
}

// Type implements adapters.Adapter.
func (a *Adapter) Type() string { return Type }

// ValidateConfig requires the corp id, the 微信客服 secret, the callback token and a
// well-formed EncodingAESKey.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

// ConfigFields describes the settings for the web's channel form.
func (a *Adapter) ConfigFields() []adapters.ConfigField {
	return []adapters.ConfigField{
		{Key: "corp_id", Label: "Corp ID", LabelZH: "企业ID", Required: true, Help: "My company → Company information (我的企业 → 企业信息)."},
		{Key: "secret", Label: "Customer service secret", LabelZH: "微信客服 Secret", Secret: true, Required: true,
			Help: "WeChat customer service → API (微信客服 → API): the secret of customer service, not of another app."},
		{Key: "token", Label: "Callback token", LabelZH: "回调 Token", Secret: true, Required: true,
			Help: "The Token set with the callback URL (接收事件服务器)."},
		{Key: "encoding_aes_key", Label: "EncodingAESKey", LabelZH: "EncodingAESKey", Secret: true, Required: true,
			Help: "The 43-character key set with the callback URL."},
		{Key: "open_kfid", Label: "Customer service account (open_kfid)", LabelZH: "客服账号 open_kfid",
			Help: "Optional: pull only this account's chats. Empty: every account the secret may use."},
		{Key: "api_base_url", Label: "API base URL", LabelZH: "API 地址", Help: "Optional: replaces " + DefaultAPIBase + " (a proxy)."},
	}
}

// Traits are WeCom customer service's sending rules: 5 replies within 48 hours of the
// buyer's last message.
func (a *Adapter) Traits() adapters.Traits {
	return adapters.Traits{ReplyWindow: 48 * time.Hour, MaxRepliesInWindow: 5, SendsImages: true}
}

// PollEvery is the timed pull that catches up a lost callback.
func (a *Adapter) PollEvery() time.Duration { return 5 * time.Minute }

// Ack answers WeCom with an empty 200: it reads the body as a passive reply, and
// customer service takes none.
func (a *Adapter) Ack(bool) adapters.Reply {
	return adapters.Reply{ContentType: "text/plain; charset=utf-8", Body: []byte{}}
}

// signed are a callback's query parameters.
type signed struct {
	signature, timestamp, nonce string
}

func signedQuery(r *http.Request) signed {
	q := r.URL.Query()
	return signed{signature: q.Get("msg_signature"), timestamp: q.Get("timestamp"), nonce: q.Get("nonce")}
}

// check verifies the signature over encrypted and the timestamp's age, then decrypts.
func (a *Adapter) open(cfg Config, s signed, encrypted string) ([]byte, error) {
	c, err := NewCrypter(cfg.Token, cfg.EncodingAESKey, cfg.CorpID)
	if err != nil {
		return nil, fmt.Errorf("wecom_kf: %w", err)
	}
	if err := c.Verify(s.signature, s.timestamp, s.nonce, encrypted); err != nil {
		return nil, fmt.Errorf("%w: %v", adapters.ErrUnauthorized, err)
	}
	ts, err := strconv.ParseInt(s.timestamp, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: timestamp %q is not Unix seconds", adapters.ErrUnauthorized, s.timestamp)
	}
	if skew := a.deps.Now().Sub(time.Unix(ts, 0)); skew > MaxSkew || skew < -MaxSkew {
		return nil, fmt.Errorf("%w: timestamp is %s from now", adapters.ErrUnauthorized, skew.Round(time.Second))
	}
	msg, err := c.Decrypt(encrypted)
	if err != nil {
		// Signed by whoever holds the token, yet not sealed with the channel's key and
		// corp id: not a callback of this channel.
		return nil, fmt.Errorf("%w: %v", adapters.ErrUnauthorized, err)
	}
	return msg, nil
}

// VerifyURL answers WeCom's check of the callback URL: the decrypted echostr, exactly.
func (a *Adapter) VerifyURL(_ context.Context, ch adapters.Channel, r *http.Request) (adapters.Reply, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.Reply{}, err
	}
	// base64 holds no spaces: a '+' decoded as one by a relay that did not escape it
	// is put back.
	echostr := strings.ReplaceAll(r.URL.Query().Get("echostr"), " ", "+")
	if echostr == "" {
		return adapters.Reply{}, &adapters.BadRequestError{Field: "echostr", Reason: "is required"}
	}
	plain, err := a.open(cfg, signedQuery(r), echostr)
	if err != nil {
		return adapters.Reply{}, err
	}
	return adapters.Reply{ContentType: "text/plain; charset=utf-8", Body: plain}, nil
}

// envelope is the POSTed XML around the ciphertext.
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	Encrypt    string `xml:"Encrypt"`
	AgentID    string `xml:"AgentID"`
}

// callback is a decrypted customer-service callback.
type callback struct {
	ToUserName string `xml:"ToUserName"`
	CreateTime int64  `xml:"CreateTime"`
	MsgType    string `xml:"MsgType"`
	Event      string `xml:"Event"`
	Token      string `xml:"Token"`
	OpenKfID   string `xml:"OpenKfId"`
}

// ParseWebhook verifies and decrypts a callback. A kf_msg_or_event callback asks for
// a pull with its sync token; WeCom carries the messages only in the pull.
func (a *Adapter) ParseWebhook(_ context.Context, ch adapters.Channel, r *http.Request, body []byte) ([]adapters.Event, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, &adapters.BadRequestError{Field: "body", Reason: "must be WeCom's XML with <Encrypt>"}
	}
	if env.Encrypt == "" {
		return nil, &adapters.BadRequestError{Field: "Encrypt", Reason: "is required"}
	}
	plain, err := a.open(cfg, signedQuery(r), env.Encrypt)
	if err != nil {
		return nil, err
	}
	return parseCallback(plain)
}

func parseCallback(plain []byte) ([]adapters.Event, error) {
	var cb callback
	if err := xml.Unmarshal(plain, &cb); err != nil {
		return nil, &adapters.BadRequestError{Field: "Encrypt", Reason: "decrypts to no XML callback"}
	}
	if cb.MsgType != "event" || cb.Event != "kf_msg_or_event" {
		return []adapters.Event{}, nil // another app's event: nothing for the inbox
	}
	if len(cb.Token) > 128 {
		return nil, &adapters.BadRequestError{Field: "Token", Reason: "is longer than 128 bytes"}
	}
	return []adapters.Event{{Poll: &adapters.PollRequest{Hint: cb.Token}}}, nil
}

// ErrNoAccount means a reply has no customer-service account to leave from.
var ErrNoAccount = errors.New("wecom_kf: the buyer's id names no customer-service account (open_kfid) and the channel sets none")

// splitCustomer reads "open_kfid|external_userid"; an id without the account uses the
// channel's.
func splitCustomer(cfg Config, id string) (openKfID, externalUserID string, err error) {
	if kf, user, ok := strings.Cut(id, "|"); ok {
		return kf, user, nil
	}
	if cfg.OpenKfID == "" {
		return "", "", ErrNoAccount
	}
	return cfg.OpenKfID, id, nil
}

// CustomerID is how a buyer of account openKfID is named in ChatBridge.
func CustomerID(openKfID, externalUserID string) string { return openKfID + "|" + externalUserID }
