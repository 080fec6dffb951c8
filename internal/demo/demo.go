// Package demo opens a demo shop for a first look at ChatBridge: staff logins, a generic
// channel whose replies land in a local receiver, and a simulator that sends realistic
// buyer chats and orders through the signed webhook at a gentle pace.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

//go:embed buyer-chats.json
var chatsJSON []byte

// Chat is one sample buyer message, with the order that puts the buyer in a stage.
type Chat struct {
	StageExpected string `json:"stage_expected"`
	Customer      struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"customer"`
	Text  string `json:"text"`
	Order *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"order"`
}

// Chats returns the sample chats.
func Chats() ([]Chat, error) {
	var chats []Chat
	if err := json.Unmarshal(chatsJSON, &chats); err != nil {
		return nil, fmt.Errorf("demo: sample chats: %w", err)
	}
	return chats, nil
}

// ShopName names the demo shop; its presence means the demo was seeded before.
const ShopName = "示例店铺 Demo Shop"

// Password is every demo login's password.
const Password = "demo12345"

// Deps are what the demo needs.
type Deps struct {
	DB       *store.DB
	Channels *channels.Service
	BaseURL  string // where this server listens
	Out      io.Writer
	Log      *slog.Logger
	Pace     time.Duration // between two buyer messages; default 3 s
}

var staff = []struct {
	username, name, agentNo string
	role                    models.Role
	skills                  string
}{
	{"agent", "小美", "1001", models.RoleAgent, "pre_sale,in_sale"},
	{"aftersale", "小刚", "1002", models.RoleAgent, "after_sale,in_sale"},
	{"supervisor", "王主管", "", models.RoleSupervisor, ""},
	{"packer", "老李", "", models.RolePacker, ""},
}

// Run seeds the demo shop (once) and simulates buyers until ctx ends.
func Run(ctx context.Context, d Deps) error {
	if d.Pace == 0 {
		d.Pace = 3 * time.Second
	}
	receiver, err := startReceiver(ctx, d.Log)
	if err != nil {
		return err
	}
	channelID, secret, err := seed(ctx, d, receiver)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.Out, "  Demo shop %q: log in as agent, aftersale, supervisor or packer (password %s).\n"+
		"  Buyers start writing now; replies are delivered to a local test receiver.\n\n", ShopName, Password)
	chats, err := Chats()
	if err != nil {
		return err
	}
	chats = interleaveStages(chats)
	sim := &Simulator{URL: fmt.Sprintf("%s/webhooks/generic/%d", d.BaseURL, channelID), Secret: secret,
		Client: &http.Client{Timeout: 10 * time.Second}}
	for round := 0; ; round++ {
		for i, chat := range chats {
			if err := sim.Send(ctx, chat, fmt.Sprintf("demo-%d-%d-%d", time.Now().Unix(), round, i)); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				d.Log.Warn("demo buyer message not delivered", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(d.Pace):
			}
		}
	}
}

// seed creates the shop, its staff and a generic channel, or finds them.
func seed(ctx context.Context, d Deps, callbackURL string) (uint64, string, error) {
	config, _ := json.Marshal(generic.Config{CallbackURL: callbackURL})
	var shop models.Shop
	err := d.DB.Gorm().WithContext(ctx).Where("name = ?", ShopName).Take(&shop).Error
	if err == nil {
		var ch models.Channel
		if err := d.DB.Gorm().WithContext(ctx).Where("shop_id = ? AND type = ?", shop.ID, generic.Type).Take(&ch).Error; err != nil {
			return 0, "", fmt.Errorf("demo: channel: %w", err)
		}
		// The receiver listens on a new port each run: point the channel at it.
		if err := d.Channels.UpdateConfig(ctx, ch.ID, config); err != nil {
			return 0, "", err
		}
		loaded, err := d.Channels.Load(ctx, ch.ID)
		return ch.ID, loaded.Secret, err
	}
	created, err := d.DB.CreateShop(ctx, ShopName)
	if err != nil {
		return 0, "", err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return 0, "", err
	}
	for _, s := range staff {
		u := &models.User{ShopID: &created.ID, Username: s.username, PasswordHash: hash, Role: s.role,
			DisplayName: s.name, AgentNo: s.agentNo, Skills: s.skills}
		if err := d.DB.CreateUser(ctx, u); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return 0, "", err
		}
	}
	ch, err := d.Channels.Create(ctx, created.ID, generic.Type, "Demo relay 演示渠道", config)
	if err != nil {
		return 0, "", err
	}
	return ch.Channel.ID, ch.Secret, nil
}

// startReceiver accepts the generic channel's callbacks (the agents' replies).
func startReceiver(ctx context.Context, log *slog.Logger) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo: receiver: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		log.Info("demo receiver got a callback", "body", string(body))
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "http://" + ln.Addr().String() + "/callback", nil
}

// Simulator plays a platform sending signed generic webhooks.
type Simulator struct {
	URL    string
	Secret string
	Client *http.Client
}

// Send delivers the chat's order (if any) and then its message.
func (s *Simulator) Send(ctx context.Context, chat Chat, messageID string) error {
	now := time.Now().UTC()
	if chat.Order != nil {
		order := map[string]any{"event": "order", "order": map[string]any{
			"id": chat.Order.ID, "customer_id": chat.Customer.ID, "status": chat.Order.Status,
			"total": "129.00", "currency": "CNY",
			"items":      []map[string]any{{"sku": "CUP-500", "title": "保温杯 500ml", "quantity": 1}},
			"address":    map[string]string{"name": chat.Customer.Name, "phone": "13800000000", "region": "浙江省 杭州市", "detail": "西湖区文三路 1 号"},
			"updated_at": now.Format(time.RFC3339Nano),
		}}
		if err := s.Post(ctx, order); err != nil {
			return err
		}
	}
	msg := map[string]any{"event": "message", "message": map[string]any{
		"id": messageID, "customer": chat.Customer, "type": "text", "text": chat.Text,
		"sent_at": now.Format(time.RFC3339),
	}}
	return s.Post(ctx, msg)
}

// Post signs and sends one event.
func (s *Simulator) Post(ctx context.Context, event any) error {
	body, err := json.Marshal(event)
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(generic.HeaderTimestamp, ts)
	req.Header.Set(generic.HeaderSignature, generic.Sign(s.Secret, ts, body))
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("webhook answered %d: %s", resp.StatusCode, b)
	}
	return nil
}

// interleaveStages orders the samples pre-sale, in-sale, after-sale, pre-sale... so that
// every stage of the inbox fills within the first few messages. A buyer's own messages
// keep their order.
func interleaveStages(chats []Chat) []Chat {
	byStage := map[string][]Chat{}
	var stages []string
	for _, c := range chats {
		if _, seen := byStage[c.StageExpected]; !seen {
			stages = append(stages, c.StageExpected)
		}
		byStage[c.StageExpected] = append(byStage[c.StageExpected], c)
	}
	out := make([]Chat, 0, len(chats))
	for len(out) < len(chats) {
		for _, st := range stages {
			if q := byStage[st]; len(q) > 0 {
				out = append(out, q[0])
				byStage[st] = q[1:]
			}
		}
	}
	return out
}
