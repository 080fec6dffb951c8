// Package kuaidi100 follows parcels through 快递100 (api.kuaidi100.com): the real-time
// query (poll/query.do), the subscription to its push service (poll) and the push
// callback, each signed as its documentation and demos say.
package kuaidi100

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/models"
)

// Name is the provider's name in URLs and settings.
const Name = models.ProviderKuaidi100

// DefaultBaseURL is 快递100's API host.
const DefaultBaseURL = "https://poll.kuaidi100.com"

// reply is the exact answer 快递100 needs to a push; anything else makes it push again
// (3 times, 35 minutes apart).
var reply = []byte(`{"result":true,"returnCode":"200","message":"成功"}`)

// Config is a shop's 快递100 account.
type Config struct {
	// Customer and Key are the enterprise account's credentials (授权码 customer and key).
	Customer string `json:"customer"`
	Key      string `json:"key"`
	// Salt signs the pushes; ChatBridge generates it when the account is saved.
	Salt string `json:"salt"`
	// APIBaseURL replaces 快递100's host (proxies, test doubles).
	APIBaseURL string `json:"api_base_url,omitempty"`
}

// Provider speaks 快递100.
type Provider struct {
	http *http.Client
}

// New returns the provider; client's timeout bounds each call.
func New(client *http.Client) *Provider { return &Provider{http: client} }

var _ logistics.Provider = (*Provider)(nil)

// Name implements logistics.Provider.
func (*Provider) Name() string { return Name }

// codes maps canonical carriers to 快递100's company codes.
var codes = map[string]string{
	logistics.CarrierSF: "shunfeng", logistics.CarrierYTO: "yuantong", logistics.CarrierZTO: "zhongtong",
	logistics.CarrierSTO: "shentong", logistics.CarrierYunda: "yunda", logistics.CarrierJD: "jd",
	logistics.CarrierEMS: "ems", logistics.CarrierPost: "youzhengguonei", logistics.CarrierJT: "jtexpress",
	logistics.CarrierDBL: "debangkuaidi", logistics.CarrierBest: "huitongkuaidi", logistics.CarrierZJS: "zhaijisong",
	logistics.CarrierDHL: "dhl", logistics.CarrierUPS: "ups", logistics.CarrierFedEx: "fedex", logistics.CarrierUSPS: "usps",
}

// CarrierCode implements logistics.Provider. A carrier it is not mapped for is left
// to 快递100's own detection (the subscription's autoCom); its first push names the
// company, which the parcel keeps as its ref for later queries.
func (*Provider) CarrierCode(code string) (string, bool) {
	return codes[code], true
}

// PrepareConfig implements logistics.Provider.
func (*Provider) PrepareConfig(raw, prev json.RawMessage) (json.RawMessage, error) {
	var c, old Config
	if err := decodeStrict(raw, &c); err != nil {
		return nil, &models.InvalidError{Field: "config", Reason: err.Error()}
	}
	if prev != nil {
		_ = json.Unmarshal(prev, &old)
	}
	c.Customer, c.Key = strings.TrimSpace(c.Customer), strings.TrimSpace(c.Key)
	if c.Key == "" {
		c.Key = old.Key
	}
	if c.Salt == "" {
		c.Salt = old.Salt // the parcels subscribed so far push with it
	}
	switch {
	case c.Customer == "":
		return nil, &models.InvalidError{Field: "config.customer", Reason: "is required (the account's 授权码 customer)"}
	case c.Key == "":
		return nil, &models.InvalidError{Field: "config.key", Reason: "is required (the account's 授权key)"}
	}
	if c.APIBaseURL != "" {
		u, err := url.Parse(c.APIBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &models.InvalidError{Field: "config.api_base_url", Reason: "must be an absolute http(s) URL"}
		}
	}
	if c.Salt == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		c.Salt = hex.EncodeToString(b)
	}
	return json.Marshal(c)
}

// PublicConfig implements logistics.Provider: the customer id and host, never the key
// or the salt.
func (*Provider) PublicConfig(raw json.RawMessage) map[string]any {
	var c Config
	_ = json.Unmarshal(raw, &c)
	out := map[string]any{"customer": c.Customer}
	if c.APIBaseURL != "" {
		out["api_base_url"] = c.APIBaseURL
	}
	return out
}

func config(acct logistics.Account) (Config, error) {
	var c Config
	if err := json.Unmarshal(acct.Config, &c); err != nil {
		return c, &logistics.PermanentError{Err: fmt.Errorf("kuaidi100: account %d settings: %w", acct.ID, err)}
	}
	if c.APIBaseURL == "" {
		c.APIBaseURL = DefaultBaseURL
	}
	c.APIBaseURL = strings.TrimRight(c.APIBaseURL, "/")
	return c, nil
}

// Subscribe implements logistics.Provider: it subscribes the parcel to 快递100's push
// service with the callback URL and the account's salt. A repeated subscription
// (501 重复订阅) means it is subscribed already.
func (p *Provider) Subscribe(ctx context.Context, acct logistics.Account, ref logistics.ParcelRef, callbackURL string) (string, error) {
	c, err := config(acct)
	if err != nil {
		return "", err
	}
	com := company(ref)
	params := pollParameters{CallbackURL: callbackURL, Salt: c.Salt, Phone: ref.Phone}
	if com == "" {
		params.AutoCom = "1"
	}
	param, err := json.Marshal(pollParam{Company: com, Number: ref.Number, Key: c.Key, Parameters: params})
	if err != nil {
		return "", fmt.Errorf("kuaidi100: encode subscription: %w", err)
	}
	body, err := p.post(ctx, c.APIBaseURL+"/poll", url.Values{"schema": {"json"}, "param": {string(param)}})
	if err != nil {
		return "", err
	}
	var res pollResponse
	if err := json.Unmarshal(body, &res); err != nil {
		return "", fmt.Errorf("kuaidi100: subscription answer %q: %w", truncate(body), err)
	}
	switch res.ReturnCode {
	case "200", "501":
		return com, nil
	case "500", "502", "503":
		return "", fmt.Errorf("kuaidi100: subscription failed (%s %s)", res.ReturnCode, res.Message)
	default: // 600/601 credentials, 700/701 refused company or number
		return "", &logistics.PermanentError{Err: fmt.Errorf("kuaidi100: subscription refused (%s %s)", res.ReturnCode, res.Message)}
	}
}

// Query implements logistics.Provider with the real-time query. 快递100 asks not to use
// it for status tracking at high frequency; ChatBridge queries subscribed parcels only
// as a safety net.
func (p *Provider) Query(ctx context.Context, acct logistics.Account, ref logistics.ParcelRef) (logistics.Snapshot, error) {
	c, err := config(acct)
	if err != nil {
		return logistics.Snapshot{}, err
	}
	com := company(ref)
	if com == "" {
		return logistics.Snapshot{}, &logistics.PermanentError{Err: fmt.Errorf(
			"kuaidi100: the carrier of %s is not known yet; 快递100 names it in its first push", ref.Number)}
	}
	param, err := json.Marshal(queryParam{Com: com, Num: ref.Number, Phone: ref.Phone, Show: "0", Order: "desc"})
	if err != nil {
		return logistics.Snapshot{}, fmt.Errorf("kuaidi100: encode query: %w", err)
	}
	form := url.Values{"customer": {c.Customer}, "sign": {Sign(string(param), c.Key, c.Customer)}, "param": {string(param)}}
	body, err := p.post(ctx, c.APIBaseURL+"/poll/query.do", form)
	if err != nil {
		return logistics.Snapshot{}, err
	}
	var res trackResult
	if err := json.Unmarshal(body, &res); err != nil {
		return logistics.Snapshot{}, fmt.Errorf("kuaidi100: query answer %q: %w", truncate(body), err)
	}
	if res.Result != nil && !*res.Result || res.ReturnCode != "" && res.ReturnCode != "200" {
		return queryFailure(ref.Number, res)
	}
	snap, err := res.snapshot("data")
	if err != nil {
		return snap, fmt.Errorf("kuaidi100: query answer: %w", err)
	}
	if snap.Number == "" {
		snap.Number = ref.Number
	}
	if snap.Carrier == "" {
		snap.Carrier = com
	}
	snap.Ref = snap.Carrier
	return snap, nil
}

// company is 快递100's code of the parcel's carrier: the mapped one, else the one 快递100
// detected and named in a push (kept as the parcel's ref).
func company(ref logistics.ParcelRef) string {
	if ref.Carrier != "" {
		return ref.Carrier
	}
	return ref.Ref
}

// queryFailure reads a failed query: "no result yet" is an empty history, bad
// credentials or parameters are permanent, the rest is retried.
func queryFailure(number string, res trackResult) (logistics.Snapshot, error) {
	err := fmt.Errorf("kuaidi100: query %s failed (%s %s)", number, res.ReturnCode, res.Message)
	switch res.ReturnCode {
	case "500": // 查询无结果，请隔段时间再查
		return logistics.Snapshot{Number: number}, nil
	case "400", "408", "503", "601":
		return logistics.Snapshot{}, &logistics.PermanentError{Err: err}
	default:
		return logistics.Snapshot{}, err
	}
}

// post sends a form and answers the body of a 200; other statuses are errors (401 and
// 403 permanent, the rest retried).
func (p *Provider) post(ctx context.Context, endpoint string, form url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &logistics.PermanentError{Err: fmt.Errorf("kuaidi100: %w", err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kuaidi100: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("kuaidi100: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("kuaidi100: HTTP %d: %s", resp.StatusCode, truncate(body))
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return nil, &logistics.PermanentError{Err: err}
		}
		return nil, err
	}
	return body, nil
}

// ParsePush implements logistics.Provider: the form's param is verified against its
// sign with the account's salt before it is read.
func (p *Provider) ParsePush(acct logistics.Account, _ *http.Request, body []byte) ([]logistics.Snapshot, error) {
	c, err := config(acct)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &adapters.BadRequestError{Reason: "body is not a form: " + err.Error()}
	}
	param := form.Get("param")
	if param == "" {
		return nil, &adapters.BadRequestError{Field: "param", Reason: "is required"}
	}
	if sign := form.Get("sign"); sign == "" || !VerifyPush(param, c.Salt, sign) {
		return nil, fmt.Errorf("kuaidi100: push sign does not match: %w", adapters.ErrUnauthorized)
	}
	var pp pushParam
	if err := json.Unmarshal([]byte(param), &pp); err != nil {
		return nil, &adapters.BadRequestError{Field: "param", Reason: "is not JSON: " + err.Error()}
	}
	if pp.LastResult == nil {
		return nil, &adapters.BadRequestError{Field: "param.lastResult", Reason: "is required"}
	}
	if pp.LastResult.Nu == "" {
		return nil, &adapters.BadRequestError{Field: "param.lastResult.nu", Reason: "is required"}
	}
	snap, err := pp.LastResult.snapshot("param.lastResult")
	if err != nil {
		field, reason, _ := strings.Cut(err.Error(), ": ")
		return nil, &adapters.BadRequestError{Field: field, Reason: reason}
	}
	if pp.ComNew != "" {
		snap.Carrier = pp.ComNew
	}
	snap.Ref = snap.Carrier // the company, for queries of a parcel whose carrier was detected
	snap.Lost = pp.Status == pushAbort
	return []logistics.Snapshot{snap}, nil
}

// PushReply implements logistics.Provider: 快递100 wants the same exact answer for a
// push stored now and one stored before.
func (*Provider) PushReply(bool) (string, []byte) {
	return "application/json; charset=utf-8", reply
}

func truncate(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("has trailing data")
	}
	return nil
}
