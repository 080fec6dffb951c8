package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// api calls ChatBridge's REST API the way its web app does.
type api struct {
	base   string
	client *http.Client
}

// apiError is an answer other than the one expected.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s answered %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// do sends a JSON request with the token (when set) and decodes a want-status answer
// into out.
func (a *api) do(ctx context.Context, token, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return &apiError{Method: method, Path: path, Status: resp.StatusCode, Body: strings.TrimSpace(string(raw))}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

func (a *api) login(ctx context.Context, username, password string) (token, userID string, err error) {
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	err = a.do(ctx, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password}, http.StatusOK, &out)
	return out.Token, out.User.ID, err
}

// channelSetup is a generic channel of the load shop, as the platform side knows it.
type channelSetup struct {
	ID      string
	Secret  string
	Webhook string // URL to POST buyer messages to
}

// agentSetup is an agent of the load shop, logged in.
type agentSetup struct {
	Username string
	UserID   string
	Token    string
}

// shopSetup is what the load run created.
type shopSetup struct {
	ShopID   string
	Channels []channelSetup
	Agents   []agentSetup
}

// setUp creates the load shop through the API as an admin would: the shop, agents with
// every skill (logged in and online) and generic channels whose callback URL is the
// receiver's (callbackBase + "/callback/<index>").
func setUp(ctx context.Context, a *api, o *Options, run, callbackBase string) (*shopSetup, error) {
	admin, _, err := a.login(ctx, o.AdminUser, o.AdminPassword)
	if err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	var shop struct {
		ID string `json:"id"`
	}
	if err := a.do(ctx, admin, http.MethodPost, "/api/v1/shops", map[string]string{"name": "load " + run}, http.StatusCreated, &shop); err != nil {
		return nil, err
	}
	s := &shopSetup{ShopID: shop.ID}
	for i := range o.Channels {
		var ch struct {
			ID     string `json:"id"`
			Secret string `json:"secret"`
		}
		req := map[string]any{"shop_id": shop.ID, "type": "generic", "name": fmt.Sprintf("load %s channel %d", run, i),
			"config": map[string]string{"callback_url": fmt.Sprintf("%s/callback/%d", callbackBase, i)}}
		if err := a.do(ctx, admin, http.MethodPost, "/api/v1/channels", req, http.StatusCreated, &ch); err != nil {
			return nil, err
		}
		s.Channels = append(s.Channels, channelSetup{ID: ch.ID, Secret: ch.Secret, Webhook: a.base + "/webhooks/generic/" + ch.ID})
	}
	password := randomHex(12)
	for i := range o.Agents {
		username := fmt.Sprintf("load-%s-agent-%d", run, i)
		req := map[string]any{"shop_id": shop.ID, "username": username, "password": password, "role": "agent",
			"display_name": fmt.Sprintf("客服%d", i+1), "agent_no": fmt.Sprintf("%03d", i+1),
			"skills": []string{"pre_sale", "in_sale", "after_sale"}}
		if err := a.do(ctx, admin, http.MethodPost, "/api/v1/users", req, http.StatusCreated, nil); err != nil {
			return nil, err
		}
		token, id, err := a.login(ctx, username, password)
		if err != nil {
			return nil, fmt.Errorf("agent login: %w", err)
		}
		if err := a.do(ctx, token, http.MethodPost, "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil); err != nil {
			return nil, err
		}
		s.Agents = append(s.Agents, agentSetup{Username: username, UserID: id, Token: token})
	}
	return s, nil
}

// goOffline sets the agents offline at the end, so later runs' chats are not routed to
// agents nobody plays any more.
func goOffline(ctx context.Context, a *api, s *shopSetup) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, ag := range s.Agents {
		_ = a.do(ctx, ag.Token, http.MethodPost, "/api/v1/me/status", map[string]string{"status": "offline"}, http.StatusOK, nil)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
