package inbox

import (
	"testing"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

func id(v uint64) *uint64 { return &v }

func TestChoose(t *testing.T) {
	agent := func(uid uint64, skills string, open, limit int) candidate {
		return candidate{AgentLoad: store.AgentLoad{UserID: uid, Skills: skills, Open: open}, limit: limit}
	}
	// Fewest open first, as OnlineAgents orders them.
	agents := []candidate{
		agent(1, "pre_sale", 0, 2),
		agent(2, "after_sale", 1, 0),
		agent(3, "pre_sale,after_sale", 2, 2),
		agent(4, "pre_sale", 3, 0),
	}
	cases := []struct {
		name              string
		stage             models.Stage
		current, previous *uint64
		exclude           uint64
		want              *uint64
	}{
		{"fewest open with the skill", models.StagePreSale, nil, nil, 0, id(1)},
		{"only the skilled", models.StageAfterSale, nil, nil, 0, id(2)},
		{"the current agent is kept, even at their limit", models.StagePreSale, id(3), nil, 0, id(3)},
		{"the current agent without the skill is not kept", models.StageInSale, id(1), nil, 0, nil},
		{"the previous agent with room is preferred", models.StagePreSale, nil, id(4), 0, id(4)},
		{"the previous agent at their limit is not", models.StagePreSale, nil, id(3), 0, id(1)},
		{"the previous agent without the skill is not", models.StageAfterSale, nil, id(1), 0, id(2)},
		{"the one handing on is never chosen", models.StagePreSale, nil, nil, 1, id(4)},
		{"nobody with the skill: the queue", models.StageInSale, nil, nil, 0, nil},
	}
	for _, tc := range cases {
		got := choose(agents, tc.stage, tc.current, tc.previous, tc.exclude)
		if !equalIDs(got, tc.want) {
			t.Errorf("%s: chose %v, want %v", tc.name, deref(got), deref(tc.want))
		}
	}
	full := []candidate{agent(1, "pre_sale", 2, 2), agent(3, "pre_sale", 5, 5)}
	if got := choose(full, models.StagePreSale, nil, nil, 0); got != nil {
		t.Errorf("everyone at their limit: chose %d, want the queue", *got)
	}
}

func deref(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}
