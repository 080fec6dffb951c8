// Package auth logs staff in and out: bcrypt-hashed passwords, opaque session tokens kept
// (hashed) in the store so they survive restarts, and a login limiter in Redis shared by
// every API process.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// ErrInvalidCredentials is a wrong username, password or token.
var ErrInvalidCredentials = errors.New("invalid credentials")

// ErrRateLimited means too many failed logins for that username from that address.
var ErrRateLimited = errors.New("too many failed logins, try again later")

// Options tune the service.
type Options struct {
	SessionTTL  time.Duration
	MaxFailures int
	Window      time.Duration
}

// Service checks credentials and sessions.
type Service struct {
	db    *store.DB
	redis redis.UniversalClient
	opts  Options
	now   func() time.Time
	// dummyHash is compared against when the username is unknown, so that the answer
	// takes as long as for a wrong password.
	dummyHash []byte
}

// NewService returns the auth service.
func NewService(db *store.DB, rdb redis.UniversalClient, opts Options) *Service {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return &Service{db: db, redis: rdb, opts: opts, now: time.Now, dummyHash: dummy}
}

// HashPassword hashes a password for storage.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// Login checks a username and password and opens a session, answering its token.
func (s *Service) Login(ctx context.Context, username, password, clientAddr string) (string, *models.User, error) {
	u, err := s.db.UserByUsername(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, fmt.Errorf("auth: %w", err)
	}
	key := limiterKey(u, username, clientAddr)
	failures, err := s.redis.Get(ctx, key).Int()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", nil, fmt.Errorf("auth: login limiter: %w", err)
	}
	if failures >= s.opts.MaxFailures {
		return "", nil, ErrRateLimited
	}
	if !s.passwordMatches(u, password) {
		pipe := s.redis.TxPipeline()
		pipe.Incr(ctx, key)
		pipe.Expire(ctx, key, s.opts.Window)
		if _, perr := pipe.Exec(ctx); perr != nil {
			return "", nil, fmt.Errorf("auth: login limiter: %w", perr)
		}
		return "", nil, ErrInvalidCredentials
	}
	_ = s.redis.Del(ctx, key).Err()
	token, err := s.openSession(ctx, u.ID)
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// limiterKey counts failures per account and address. The store matches usernames
// regardless of case and trailing spaces (and, on MySQL, accents), so an account's
// failures are counted by its id, whatever spelling reached it; an unknown name by
// its lower-case spelling.
func limiterKey(u *models.User, username, clientAddr string) string {
	who := "name:" + strings.ToLower(username)
	if u != nil {
		who = "user:" + strconv.FormatUint(u.ID, 10)
	}
	return "chatbridge:login-failures:" + who + ":" + clientAddr
}

// passwordMatches compares in constant time; for an unknown user (nil) it compares
// against a dummy hash, so the answer takes as long as for a wrong password.
func (s *Service) passwordMatches(u *models.User, password string) bool {
	if u == nil {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

func (s *Service) openSession(ctx context.Context, userID uint64) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("auth: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sess := &models.Session{TokenHash: hashToken(token), UserID: userID, ExpiresAt: s.now().Add(s.opts.SessionTTL).UTC()}
	if err := s.db.CreateSession(ctx, sess); err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	return token, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the user of an unexpired session token.
func (s *Service) Authenticate(ctx context.Context, token string) (*models.User, error) {
	if token == "" {
		return nil, ErrInvalidCredentials
	}
	u, err := s.db.SessionUser(ctx, hashToken(token), s.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}

// Logout ends the session of a token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if err := s.db.DeleteSession(ctx, hashToken(token)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// Bootstrap creates the first admin when the store has no users. With an empty
// password it generates one and answers it, to be shown once.
func (s *Service) Bootstrap(ctx context.Context, username, password string) (created bool, generated string, err error) {
	n, err := s.db.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		raw := make([]byte, 12)
		_, _ = rand.Read(raw)
		password = base64.RawURLEncoding.EncodeToString(raw)
		generated = password
	}
	hash, err := HashPassword(password)
	if err != nil {
		return false, "", err
	}
	admin := &models.User{Username: username, PasswordHash: hash, Role: models.RoleAdmin, DisplayName: "Administrator"}
	if err := s.db.CreateUser(ctx, admin); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return false, "", nil // another process bootstrapped at the same moment
		}
		return false, "", fmt.Errorf("auth: bootstrap admin: %w", err)
	}
	return true, generated, nil
}
