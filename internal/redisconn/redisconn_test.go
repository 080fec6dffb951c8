package redisconn

import (
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestModeAndOptions(t *testing.T) {
	cases := []struct {
		name string
		s    Settings
		mode Mode
		want redis.UniversalOptions
		desc string
	}{
		{"one server", Settings{Addr: "r:6379", Username: "cb", Password: "pw", DB: 3}, Standalone,
			redis.UniversalOptions{Addrs: []string{"r:6379"}, Username: "cb", Password: "pw", DB: 3}, "Redis at r:6379"},
		{"sentinel", Settings{SentinelAddrs: []string{"s1:26379", "s2:26379"}, MasterName: "mymaster", Password: "pw", SentinelPassword: "spw", DB: 2},
			Sentinel, redis.UniversalOptions{Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "mymaster", Password: "pw", SentinelPassword: "spw", DB: 2},
			`Redis primary "mymaster" via Sentinel s1:26379, s2:26379`},
		{"cluster", Settings{ClusterAddrs: []string{"c1:6379", "c2:6379"}, Password: "pw", DB: 5}, Cluster,
			redis.UniversalOptions{Addrs: []string{"c1:6379", "c2:6379"}, Password: "pw"}, "Redis Cluster via c1:6379, c2:6379"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Mode(); got != c.mode {
				t.Fatalf("mode %s, want %s", got, c.mode)
			}
			if got := *c.s.Options(); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("options %+v, want %+v", got, c.want)
			}
			if got := c.s.String(); got != c.desc {
				t.Fatalf("String() = %q, want %q", got, c.desc)
			}
		})
	}
}

// New gives the client type each mode needs, carrying the settings.
func TestNewBuildsTheClientOfTheMode(t *testing.T) {
	one := New(Settings{Addr: "127.0.0.1:1", DB: 4, Password: "pw"})
	defer one.Close()
	if c, ok := one.(*redis.Client); !ok || c.Options().Addr != "127.0.0.1:1" || c.Options().DB != 4 || c.Options().Password != "pw" {
		t.Fatalf("standalone: %T %+v", one, one)
	}
	sen := New(Settings{SentinelAddrs: []string{"127.0.0.1:2"}, MasterName: "m", DB: 1})
	defer sen.Close()
	if c, ok := sen.(*redis.Client); !ok || c.Options().DB != 1 || c.Options().Addr != "FailoverClient" {
		t.Fatalf("sentinel: %T, options %+v", sen, sen)
	}
	cl := New(Settings{ClusterAddrs: []string{"127.0.0.1:3", "127.0.0.1:4"}})
	defer cl.Close()
	if c, ok := cl.(*redis.ClusterClient); !ok || !reflect.DeepEqual(c.Options().Addrs, []string{"127.0.0.1:3", "127.0.0.1:4"}) {
		t.Fatalf("cluster: %T", cl)
	}
}
