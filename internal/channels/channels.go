// Package channels connects a shop's platform accounts: it validates a channel's
// settings with its adapter, keeps them and the webhook secret encrypted at rest, and
// hands adapters the decrypted channel.
package channels

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// ErrUnknownType is a channel type no adapter serves.
var ErrUnknownType = errors.New("unknown channel type")

// Service creates and loads channels.
type Service struct {
	db       *store.DB
	box      *secretbox.Box
	registry *adapters.Registry
	baseURL  string

	// cache keeps decrypted channels briefly: every webhook needs its channel's secret.
	mu    sync.Mutex
	cache map[uint64]cached
	ttl   time.Duration

	in inThrottle
	// now is the clock of health records (tests move it); nil means time.Now.
	now func() time.Time
}

type cached struct {
	ch      adapters.Channel
	expires time.Time
}

// NewService returns the channel service; baseURL prefixes the webhook URLs it shows.
func NewService(db *store.DB, box *secretbox.Box, registry *adapters.Registry, baseURL string) *Service {
	return &Service{db: db, box: box, registry: registry, baseURL: baseURL, cache: map[uint64]cached{}, ttl: 30 * time.Second}
}

// Created is a new channel with its secret, shown only once.
type Created struct {
	Channel    *models.Channel
	Secret     string
	WebhookURL string
}

// Create validates the settings with the type's adapter and stores the channel.
func (s *Service) Create(ctx context.Context, shopID uint64, typ, name string, config json.RawMessage) (*Created, error) {
	adapter, ok := s.registry.Lookup(typ)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, typ)
	}
	if len(config) == 0 {
		config = json.RawMessage("{}")
	}
	if err := adapter.ValidateConfig(config); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("channels: secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	ch := &models.Channel{
		ShopID: shopID, Type: typ, Name: name,
		ConfigEnc: s.box.Seal(config), SecretEnc: s.box.Seal([]byte(secret)),
	}
	if err := s.db.CreateChannel(ctx, ch); err != nil {
		return nil, err
	}
	return &Created{Channel: ch, Secret: secret, WebhookURL: s.WebhookURL(ch)}, nil
}

// WebhookURL is where the platform must send the channel's callbacks.
func (s *Service) WebhookURL(ch *models.Channel) string {
	return s.baseURL + "/webhooks/" + ch.Type + "/" + strconv.FormatUint(ch.ID, 10)
}

// Load returns a channel decrypted for its adapter, or store.ErrNotFound.
func (s *Service) Load(ctx context.Context, id uint64) (adapters.Channel, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.ch, nil
	}
	m, err := s.db.Channel(ctx, id)
	if err != nil {
		return adapters.Channel{}, err
	}
	ch, err := s.decrypt(m)
	if err != nil {
		return adapters.Channel{}, err
	}
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	s.cache[id] = cached{ch: ch, expires: now.Add(s.ttl)}
	s.mu.Unlock()
	return ch, nil
}

func (s *Service) decrypt(m *models.Channel) (adapters.Channel, error) {
	config, err := s.box.Open(m.ConfigEnc)
	if err != nil {
		return adapters.Channel{}, fmt.Errorf("channels: config of channel %d: %w", m.ID, err)
	}
	secret, err := s.box.Open(m.SecretEnc)
	if err != nil {
		return adapters.Channel{}, fmt.Errorf("channels: secret of channel %d: %w", m.ID, err)
	}
	return adapters.Channel{ID: m.ID, ShopID: m.ShopID, Type: m.Type, Secret: string(secret), Config: config}, nil
}

// UpdateConfig replaces a channel's platform settings (validated by its adapter).
func (s *Service) UpdateConfig(ctx context.Context, id uint64, config json.RawMessage) error {
	m, err := s.db.Channel(ctx, id)
	if err != nil {
		return err
	}
	adapter, ok := s.registry.Lookup(m.Type)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownType, m.Type)
	}
	if err := adapter.ValidateConfig(config); err != nil {
		return err
	}
	if err := s.db.UpdateChannelConfig(ctx, id, s.box.Seal(config)); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
	return nil
}

// Notify target types.
const (
	WeComRobot    = "wecom_robot"
	DingTalkRobot = "dingtalk_robot"
)

// NotifyTargetConfig is a group robot's webhook URL and, for DingTalk's 加签, its secret.
type NotifyTargetConfig struct {
	WebhookURL string `json:"webhook_url"`
	Secret     string `json:"secret"`
}

// CreateNotifyTarget validates and stores a staff notification target, config encrypted.
func (s *Service) CreateNotifyTarget(ctx context.Context, shopID uint64, typ string, cfg NotifyTargetConfig, audience []string) (*models.NotifyTarget, error) {
	if typ != WeComRobot && typ != DingTalkRobot {
		return nil, &models.InvalidError{Field: "type", Reason: "must be wecom_robot or dingtalk_robot"}
	}
	u, err := url.Parse(cfg.WebhookURL)
	if cfg.WebhookURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &models.InvalidError{Field: "config.webhook_url", Reason: "must be the robot's absolute webhook URL"}
	}
	if typ == DingTalkRobot && cfg.Secret == "" {
		return nil, &models.InvalidError{Field: "config.secret", Reason: "is required for a DingTalk robot (加签 secret, SEC...)"}
	}
	if len(audience) == 0 {
		return nil, &models.InvalidError{Field: "audience", Reason: "must name at least one of packer, supervisor, agent"}
	}
	for _, role := range audience {
		if role != string(models.RolePacker) && role != string(models.RoleSupervisor) && role != string(models.RoleAgent) {
			return nil, &models.InvalidError{Field: "audience", Reason: "each must be packer, supervisor or agent"}
		}
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("channels: encode notify target: %w", err)
	}
	nt := &models.NotifyTarget{ShopID: shopID, Type: typ, ConfigEnc: s.box.Seal(raw), Audience: strings.Join(audience, ",")}
	if err := s.db.CreateNotifyTarget(ctx, nt); err != nil {
		return nil, err
	}
	return nt, nil
}
