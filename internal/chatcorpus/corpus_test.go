package chatcorpus

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/models"
)

func TestSameSeedSameText(t *testing.T) {
	draw := func() []string {
		r := rand.New(rand.NewPCG(7, 11))
		var out []string
		for range 200 {
			st := models.Stages[r.IntN(3)]
			a := Address(r)
			c, n := Tracking(r)
			out = append(out, BuyerText(r, st), AgentText(r, st), BuyerName(r), a.Region+a.Detail+a.Phone, c+n)
		}
		return out
	}
	a, b := draw(), draw()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs: %q vs %q", i, a[i], b[i])
		}
	}
}

func TestTextIsFilledMostlyChineseAndPolite(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	han := 0
	const n = 3000
	for i := range n {
		st := models.Stages[i%3]
		buyer, agent := BuyerText(r, st), AgentText(r, st)
		for _, s := range []string{buyer, agent, Greeting(r, "示例店铺", "1001")} {
			if strings.ContainsAny(s, "{}") {
				t.Fatalf("unfilled slot in %q", s)
			}
		}
		if p := inbox.ForbiddenPhrases(agent, inbox.StandardForbiddenPhrases); len(p) > 0 {
			t.Fatalf("agent reply %q contains forbidden phrases %v", agent, p)
		}
		if strings.IndexFunc(buyer, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			han++
		}
	}
	if share := float64(han) / n; share < 0.8 {
		t.Fatalf("only %.0f%% of buyer messages are Chinese", share*100)
	}
}

func TestShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	phone := regexp.MustCompile(`^1[3-9]\d{9}$`)
	for range 500 {
		if p := Phone(r); !phone.MatchString(p) {
			t.Fatalf("phone %q", p)
		}
		items, total := Items(r)
		if len(items) == 0 || len(items) > 3 || total <= 0 {
			t.Fatalf("items %v total %d", items, total)
		}
		sum := 0
		for _, it := range items {
			for _, p := range Products() {
				if p.SKU == it.SKU {
					sum += p.Price * it.Quantity
				}
			}
		}
		if sum != total {
			t.Fatalf("total %d, items add up to %d", total, sum)
		}
		if c, n := Tracking(r); c == "" || len(n) < 11 {
			t.Fatalf("tracking %q %q", c, n)
		}
	}
	if got := Money(12900); got != "129.00" {
		t.Fatalf("Money(12900) = %q", got)
	}
	if got := Money(5); got != "0.05" {
		t.Fatalf("Money(5) = %q", got)
	}
}
