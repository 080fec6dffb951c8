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

// AgentLoad is an online agent with the number of open chats assigned to them.
type AgentLoad struct {
	UserID  uint64
	Skills  string
	MaxOpen int
	Open    int
}

// OnlineAgents lists a shop's online agents (never supervisors or admins) with their
// current number of open conversations, fewest first.
func (db *DB) OnlineAgents(ctx context.Context, shopID uint64) ([]AgentLoad, error) {
	var rows []AgentLoad
	err := db.q(ctx).Table("users u").
		Select("u.id AS user_id, u.skills, u.max_open, COUNT(c.id) AS open").
		Joins("LEFT JOIN conversations c ON c.assignee_id = u.id AND c.shop_id = u.shop_id AND c.status <> ?", models.StatusResolved).
		Where("u.shop_id = ? AND u.role = ? AND u.status = ?", shopID, models.RoleAgent, models.UserOnline).
		Group("u.id, u.skills, u.max_open").
		Order("open ASC, u.id ASC").
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: online agents of shop %d: %w", shopID, err)
	}
	return rows, nil
}
