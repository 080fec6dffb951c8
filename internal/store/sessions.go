package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// CreateSession stores a login by the hash of its token.
func (db *DB) CreateSession(ctx context.Context, s *models.Session) error {
	if err := db.q(ctx).Create(s).Error; err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionUser returns the user behind an unexpired session token hash.
func (db *DB) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*models.User, error) {
	var u models.User
	err := db.q(ctx).Table("users").Select("users.*").
		Joins("JOIN sessions s ON s.user_id = users.id").
		Where("s.token_hash = ? AND s.expires_at > ?", tokenHash, now).
		Take(&u).Error
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", notFound(err))
	}
	return &u, nil
}

// DeleteSession ends a login.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := db.q(ctx).Where("token_hash = ?", tokenHash).Delete(&models.Session{}).Error; err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that ended before now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res := db.q(ctx).Where("expires_at <= ?", now).Delete(&models.Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
