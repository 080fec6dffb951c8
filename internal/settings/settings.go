// Package settings serves a shop's settings to every part of ChatBridge that follows
// them (routing, reminders, reports), cached briefly in each process because they are
// read on hot paths and change rarely.
package settings

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Service reads and changes shop settings.
type Service struct {
	db  *store.DB
	ttl time.Duration

	mu    sync.Mutex
	cache map[uint64]cached
}

type cached struct {
	s       models.ShopSettings
	expires time.Time
}

// NewService returns a settings service; a change made on another process is seen
// within ttl.
func NewService(db *store.DB, ttl time.Duration) *Service {
	return &Service{db: db, ttl: ttl, cache: map[uint64]cached{}}
}

// Get returns a shop's settings, defaults filled in.
func (s *Service) Get(ctx context.Context, shopID uint64) (models.ShopSettings, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[shopID]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.s, nil
	}
	v, err := s.db.ShopSettings(ctx, shopID)
	if err != nil {
		return v, err
	}
	s.put(shopID, v, now)
	return v, nil
}

// ReplaceSection sets one section from its JSON (validated) and answers the whole.
func (s *Service) ReplaceSection(ctx context.Context, shopID uint64, section string, raw json.RawMessage) (models.ShopSettings, error) {
	v, err := s.db.UpdateShopSettings(ctx, shopID, func(cur *models.ShopSettings) error {
		return cur.ReplaceSection(section, raw)
	})
	if err != nil {
		return v, err
	}
	s.put(shopID, v, time.Now())
	return v, nil
}

func (s *Service) put(shopID uint64, v models.ShopSettings, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	s.cache[shopID] = cached{s: v, expires: now.Add(s.ttl)}
}
