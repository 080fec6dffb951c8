// Package redisconn connects to Redis as configured — one server, a primary watched by
// Redis Sentinel, or a Redis Cluster — as the one redis.UniversalClient that the task
// queues (asynq), live-event pub/sub, locks and limiters share.
package redisconn

import (
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Mode is how Redis is reached.
type Mode string

// The modes.
const (
	Standalone Mode = "standalone"
	Sentinel   Mode = "sentinel"
	Cluster    Mode = "cluster"
)

// Settings are the Redis settings of the configuration (internal/config).
type Settings struct {
	Addr     string
	Username string
	Password string
	DB       int
	// Sentinel: the sentinels' addresses, the name of the primary they watch, and the
	// sentinels' own password when they have one.
	SentinelAddrs    []string
	MasterName       string
	SentinelPassword string
	// Cluster: some of the cluster's nodes; the client learns the rest.
	ClusterAddrs []string
}

// Mode tells which kind of Redis the settings name.
func (s Settings) Mode() Mode {
	switch {
	case len(s.ClusterAddrs) > 0:
		return Cluster
	case len(s.SentinelAddrs) > 0:
		return Sentinel
	default:
		return Standalone
	}
}

// String describes the Redis reached, without secrets, for the start-up banner.
func (s Settings) String() string {
	switch s.Mode() {
	case Cluster:
		return "Redis Cluster via " + strings.Join(s.ClusterAddrs, ", ")
	case Sentinel:
		return fmt.Sprintf("Redis primary %q via Sentinel %s", s.MasterName, strings.Join(s.SentinelAddrs, ", "))
	default:
		return "Redis at " + s.Addr
	}
}

// Options are the client options the settings give.
func (s Settings) Options() *redis.UniversalOptions {
	o := &redis.UniversalOptions{Username: s.Username, Password: s.Password, DB: s.DB}
	switch s.Mode() {
	case Cluster:
		o.Addrs = s.ClusterAddrs
		o.DB = 0 // a cluster has database 0 only (the configuration refuses another)
	case Sentinel:
		o.Addrs, o.MasterName, o.SentinelPassword = s.SentinelAddrs, s.MasterName, s.SentinelPassword
	default:
		o.Addrs = []string{s.Addr}
	}
	return o
}

// New builds the client: a *redis.Client for one server, a failover *redis.Client that
// asks the sentinels for the current primary (and follows a failover), or a
// *redis.ClusterClient. It does not connect; the first command does.
func New(s Settings) redis.UniversalClient {
	o := s.Options()
	switch s.Mode() {
	case Cluster:
		return redis.NewClusterClient(o.Cluster())
	case Sentinel:
		return redis.NewFailoverClient(o.Failover())
	default:
		return redis.NewClient(o.Simple())
	}
}
