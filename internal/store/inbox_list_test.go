package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/search"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// The inbox list's search, label filter, agent view and paging agree with a plain
// reading of the data, on both engines, whether a condition is planned as an id list
// (few matches) or as a check per chunk (many).
func TestListSearchLabelsAndAgentView(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seed(t, db)
		agent, other := uint64(7001), uint64(7002)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		type conv struct {
			id       uint64
			name     string
			text     string
			assignee *uint64
			labels   []string
		}
		var all []conv
		for i := range 30 {
			name := fmt.Sprintf("买家%02d", i)
			if i%3 == 0 {
				name = fmt.Sprintf("王%02d", i)
			}
			cust, err := db.EnsureCustomer(ctx, f.shop.ID, f.channel.ID, fmt.Sprintf("b-%d", i), name)
			if err != nil {
				t.Fatal(err)
			}
			c := conv{name: name, text: []string{"这款保温杯有粉色的吗", "什么时候发货", "Tangerine flavour please"}[i%3]}
			switch i % 4 {
			case 0:
				c.assignee = &agent
			case 1:
				c.assignee = &other
			}
			if i%5 == 0 {
				c.labels = []string{"VIP"}
			}
			m := &models.Conversation{ShopID: f.shop.ID, ChannelID: f.channel.ID, CustomerID: cust.ID, Stage: models.StagePreSale,
				Status: models.StatusOpen, AssigneeID: c.assignee, LastMessageAt: t0.Add(time.Duration(i) * time.Minute)}
			if _, err := db.CreateConversation(ctx, m); err != nil {
				t.Fatal(err)
			}
			c.id = m.ID
			if err := db.IndexTerms(ctx, f.shop.ID, m.ID, search.Terms(name+"\n"+c.text)); err != nil {
				t.Fatal(err)
			}
			if err := db.SetLabels(ctx, f.shop.ID, m.ID, c.labels); err != nil {
				t.Fatal(err)
			}
			all = append(all, c)
		}
		// The seeded conversation is the newest of the shop.
		all = append(all, conv{id: f.conv.ID, name: "小林"})
		// want lists the matching conversations newest first (the test's own reading).
		want := func(keep func(conv) bool) []uint64 {
			var out []uint64
			for i := len(all) - 1; i >= 0; i-- {
				if keep(all[i]) {
					out = append(out, all[i].id)
				}
			}
			return out
		}
		mine := func(c conv) bool { return c.assignee == nil || *c.assignee == agent }
		vip := func(c conv) bool { return slices.Contains(c.labels, "VIP") }
		cases := []struct {
			name string
			f    store.ConversationFilter
			want []uint64
		}{
			{"text", store.ConversationFilter{Query: "保温杯"}, want(func(c conv) bool { return c.text == all[0].text })},
			{"word", store.ConversationFilter{Query: "tangerine"}, want(func(c conv) bool { return c.text == all[2].text })},
			{"name start", store.ConversationFilter{Query: "王"}, want(func(c conv) bool { return strings.HasPrefix(c.name, "王") })},
			{"label", store.ConversationFilter{Label: "VIP"}, want(vip)},
			{"agent's view", store.ConversationFilter{VisibleTo: &agent}, want(mine)},
			{"agent's view, label and text", store.ConversationFilter{VisibleTo: &agent, Label: "VIP", Query: "发货"},
				want(func(c conv) bool { return mine(c) && vip(c) && c.text == all[1].text })},
			{"nothing", store.ConversationFilter{Query: "保温壶"}, nil},
		}
		for _, small := range []int{2000, 2} {
			restore := store.SetSmallSet(small)
			for _, tc := range cases {
				for _, limit := range []int{50, 4} {
					var got []uint64
					fl := tc.f
					fl.ShopID, fl.Limit = f.shop.ID, limit
					for pages := 0; pages < 20; pages++ {
						rows, next, err := db.ListConversations(ctx, fl)
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range rows {
							got = append(got, r.ID)
						}
						if next == "" {
							break
						}
						fl.Cursor = next
					}
					if !slices.Equal(got, tc.want) {
						t.Errorf("small set %d, %s, pages of %d: got %v, want %v", small, tc.name, limit, got, tc.want)
					}
				}
			}
			restore()
		}
	})
}
