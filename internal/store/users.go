package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// CreateUser adds a user; a taken username answers ErrDuplicate.
func (db *DB) CreateUser(ctx context.Context, u *models.User) error {
	if u.Status == "" {
		u.Status = models.UserOffline
	}
	if err := db.q(ctx).Create(u).Error; err != nil {
		if isDuplicate(err) {
			return fmt.Errorf("store: user %q: %w", u.Username, ErrDuplicate)
		}
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// UserByUsername finds a user for login.
func (db *DB) UserByUsername(ctx context.Context, username string) (*models.User, error) {
	var u models.User
	if err := db.q(ctx).Where("username = ?", username).First(&u).Error; err != nil {
		return nil, fmt.Errorf("store: user %q: %w", username, notFound(err))
	}
	return &u, nil
}

// User finds a user by id.
func (db *DB) User(ctx context.Context, id uint64) (*models.User, error) {
	var u models.User
	if err := db.q(ctx).First(&u, id).Error; err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, notFound(err))
	}
	return &u, nil
}

// CountUsers tells whether the store has been bootstrapped.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := db.q(ctx).Model(&models.User{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// SetUserStatus records an agent's presence.
func (db *DB) SetUserStatus(ctx context.Context, id uint64, status models.UserStatus) error {
	err := db.q(ctx).Model(&models.User{}).Where("id = ?", id).Update("status", status).Error
	if err != nil {
		return fmt.Errorf("store: set status of user %d: %w", id, err)
	}
	return nil
}

// OnlineStaff lists the members of staff (of any shop) whose status is online.
func (db *DB) OnlineStaff(ctx context.Context) ([]models.User, error) {
	var out []models.User
	err := db.q(ctx).Where("status = ? AND shop_id IS NOT NULL", models.UserOnline).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: online staff: %w", err)
	}
	return out, nil
}

// ShopStaff lists a shop's users, by role then name.
func (db *DB) ShopStaff(ctx context.Context, shopID uint64) ([]models.User, error) {
	var out []models.User
	err := db.q(ctx).Where("shop_id = ?", shopID).Order("role, username").Limit(1000).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: staff of shop %d: %w", shopID, err)
	}
	return out, nil
}

// UpdateUser writes the given columns of a user.
func (db *DB) UpdateUser(ctx context.Context, id uint64, updates map[string]any) error {
	if err := db.q(ctx).Model(&models.User{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: update user %d: %w", id, err)
	}
	return nil
}
