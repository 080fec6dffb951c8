package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/reports"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// The shop is in Asia/Shanghai; d0, d1 and d2 are 2026-11-22, -23 and -24 there.
var shanghai = time.FixedZone("CST", 8*3600)

func local(day int, hms string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", fmt.Sprintf("2026-11-%d %s", 22+day, hms), shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// seeder writes a shop's history row by row, with the times it happened.
type seeder struct {
	t    *testing.T
	db   *store.DB
	shop *models.Shop
	ch   *models.Channel
}

func (s *seeder) user(name, agentNo string, role models.Role) uint64 {
	s.t.Helper()
	u := &models.User{ShopID: &s.shop.ID, Username: fmt.Sprintf("%s-%d", name, s.shop.ID), PasswordHash: "x", Role: role,
		DisplayName: name, AgentNo: agentNo}
	if err := s.db.CreateUser(context.Background(), u); err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

func (s *seeder) conversation(buyer string) *models.Conversation {
	s.t.Helper()
	ctx := context.Background()
	cust, err := s.db.EnsureCustomer(ctx, s.shop.ID, s.ch.ID, buyer, buyer)
	if err != nil {
		s.t.Fatal(err)
	}
	c := &models.Conversation{ShopID: s.shop.ID, ChannelID: s.ch.ID, CustomerID: cust.ID, Stage: models.StagePreSale,
		Status: models.StatusOpen, LastMessageAt: local(0, "00:00:00")}
	if _, err := s.db.CreateConversation(ctx, c); err != nil {
		s.t.Fatal(err)
	}
	return c
}

var seq int

func (s *seeder) in(c *models.Conversation, at time.Time) {
	s.t.Helper()
	seq++
	ext := fmt.Sprintf("ext-%d", seq)
	s.message(&models.Message{ConversationID: c.ID, Direction: models.DirectionIn, Status: models.MessageReceived, ExternalID: &ext, CreatedAt: at})
}

func (s *seeder) out(c *models.Conversation, at time.Time, sender uint64, status models.MessageStatus, override bool) *models.Message {
	s.t.Helper()
	return s.message(&models.Message{ConversationID: c.ID, Direction: models.DirectionOut, Status: status, SenderID: &sender,
		Override: override, CreatedAt: at})
}

func (s *seeder) reply(c *models.Conversation, at time.Time, sender uint64) {
	s.out(c, at, sender, models.MessageSent, false)
}

func (s *seeder) message(m *models.Message) *models.Message {
	s.t.Helper()
	m.ShopID, m.ChannelID, m.Type, m.Text = s.shop.ID, s.ch.ID, "text", "…"
	if err := s.db.InsertMessage(context.Background(), m); err != nil {
		s.t.Fatal(err)
	}
	return m
}

func (s *seeder) event(c *models.Conversation, kind string, at time.Time, actor *uint64, data map[string]any) {
	s.t.Helper()
	raw, _ := json.Marshal(data)
	e := &models.ConversationEvent{ShopID: s.shop.ID, ConversationID: c.ID, Kind: kind, ActorID: actor,
		Data: models.JSON[json.RawMessage]{V: raw}, CreatedAt: at}
	if err := s.db.InsertConversationEvent(context.Background(), e); err != nil {
		s.t.Fatal(err)
	}
}

func (s *seeder) assign(c *models.Conversation, at time.Time, to uint64) {
	s.event(c, models.EventAssigned, at, nil, map[string]any{"to": fmt.Sprint(to), "by": "routing"})
}

func (s *seeder) resolve(c *models.Conversation, at time.Time, by uint64) {
	s.event(c, models.EventResolved, at, &by, map[string]any{})
}

func (s *seeder) complaint(c *models.Conversation, opened time.Time, agent *uint64, repeatOf *uint64, withdrawn *time.Time) uint64 {
	s.t.Helper()
	k := &models.Complaint{ShopID: s.shop.ID, ConversationID: c.ID, CustomerID: c.CustomerID, AgentID: agent,
		OpenedAt: opened, DeadlineAt: opened.Add(time.Hour), RepeatOf: repeatOf, WithdrawnAt: withdrawn}
	if err := s.db.InsertComplaint(context.Background(), k); err != nil {
		s.t.Fatal(err)
	}
	return k.ID
}

func ptr[T any](v T) *T { return &v }

// seed writes the history the test's figures are computed from by hand. Complaints are
// due an hour after they are registered.
func seed(t *testing.T, db *store.DB) (shopID uint64, amy, bob, sue uint64) {
	ctx := context.Background()
	shop, err := db.CreateShop(ctx, "报表店")
	if err != nil {
		t.Fatal(err)
	}
	ch := &models.Channel{ShopID: shop.ID, Type: "generic", Name: "web", ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	s := &seeder{t: t, db: db, shop: shop, ch: ch}
	amy, bob, sue = s.user("Amy", "001", models.RoleAgent), s.user("Bob", "002", models.RoleAgent), s.user("Sue", "", models.RoleSupervisor)

	// C1 (Amy): the shop's greeting in Amy's name a second after the buyer's first
	// message is no reply; answered in 12 s (two buyer messages, one turn) and 40 s; a turn closed
	// unanswered by the resolve, whose rating invitation at the same instant is no reply;
	// the buyer's "5" is a turn answered in 3 s, and a rating of 5.
	c1 := s.conversation("buyer-1")
	s.assign(c1, local(1, "09:00:00"), amy)
	s.in(c1, local(1, "09:00:00"))
	greeting := "greeting"
	s.message(&models.Message{ConversationID: c1.ID, Direction: models.DirectionOut, Status: models.MessageSent, SenderID: &amy,
		OnceKey: &greeting, CreatedAt: local(1, "09:00:01")})
	s.in(c1, local(1, "09:00:05"))
	s.reply(c1, local(1, "09:00:12"), amy)
	s.in(c1, local(1, "09:05:00"))
	s.reply(c1, local(1, "09:05:40"), amy)
	s.reply(c1, local(1, "09:06:00"), amy)
	s.in(c1, local(1, "09:09:00"))
	s.resolve(c1, local(1, "09:10:00"), amy)
	invite := s.out(c1, local(1, "09:10:00"), amy, models.MessageSent, false)
	rating := &models.Rating{ShopID: shop.ID, ConversationID: c1.ID, AgentID: &amy, InviteMessageID: &invite.ID,
		InvitedAt: local(1, "09:10:00"), ExpiresAt: local(2, "09:10:00"), Status: models.RatingRated, Score: ptr(5), RatedAt: ptr(local(1, "09:20:00"))}
	if err := db.InsertRating(ctx, rating); err != nil {
		t.Fatal(err)
	}
	s.in(c1, local(1, "09:20:00"))
	s.reply(c1, local(1, "09:20:03"), amy)
	s.complaint(c1, local(1, "09:01:00"), &amy, nil, ptr(local(1, "09:02:00"))) // withdrawn: not counted

	// C2 (Amy): 90 s; then a failed reply (no answer) and a sent one, with an override,
	// 50 s after the buyer; a complaint answered in time by the resolve.
	c2 := s.conversation("buyer-2")
	s.assign(c2, local(1, "10:00:00"), amy)
	s.in(c2, local(1, "10:00:00"))
	s.reply(c2, local(1, "10:01:30"), amy)
	s.in(c2, local(1, "10:02:00"))
	s.out(c2, local(1, "10:02:20"), amy, models.MessageFailed, false)
	s.out(c2, local(1, "10:02:50"), amy, models.MessageSent, true)
	s.complaint(c2, local(1, "10:00:30"), &amy, nil, nil)
	s.resolve(c2, local(1, "10:30:00"), amy)

	// C3 (nobody): unanswered, resolved by Sue; its complaint answered late.
	c3 := s.conversation("buyer-3")
	s.in(c3, local(1, "11:00:00"))
	s.complaint(c3, local(1, "11:00:10"), nil, nil, nil)
	s.resolve(c3, local(1, "12:30:00"), sue)

	// C4 (Bob, then Amy): 20 s; a turn begun before midnight answered after it (35 s, day
	// 1); a turn on day 2 transferred to Amy and still waiting; an overdue complaint.
	c4 := s.conversation("buyer-4")
	s.assign(c4, local(1, "12:00:00"), bob)
	s.in(c4, local(1, "12:00:00"))
	s.reply(c4, local(1, "12:00:20"), bob)
	s.in(c4, local(1, "23:59:50"))
	s.reply(c4, local(2, "00:00:25"), bob)
	s.in(c4, local(2, "09:00:00"))
	s.complaint(c4, local(2, "09:00:05"), &bob, nil, nil)
	s.event(c4, models.EventAssigned, local(2, "09:00:10"), &sue, map[string]any{"from": fmt.Sprint(bob), "to": fmt.Sprint(amy)})

	// C5 (Bob): a turn begun the day before the range, answered in it (not counted), then 10 s.
	c5 := s.conversation("buyer-5")
	s.assign(c5, local(0, "23:00:00"), bob)
	s.in(c5, local(0, "23:00:00"))
	s.reply(c5, local(0, "23:00:05"), bob)
	s.in(c5, local(0, "23:59:00"))
	s.reply(c5, local(1, "00:00:30"), bob)
	s.in(c5, local(1, "00:01:00"))
	s.reply(c5, local(1, "00:01:10"), bob)

	// C6 (Bob): Sue answers in 4 s and resolves (a complaint answered in time); the buyer
	// is back: Bob answers in 45 s; the buyer's repeat complaint goes overdue.
	c6 := s.conversation("buyer-6")
	s.assign(c6, local(2, "08:00:00"), bob)
	s.in(c6, local(2, "08:00:00"))
	s.reply(c6, local(2, "08:00:04"), sue)
	first := s.complaint(c6, local(2, "08:01:00"), &bob, nil, nil)
	s.resolve(c6, local(2, "08:10:00"), sue)
	s.in(c6, local(2, "08:30:00"))
	s.reply(c6, local(2, "08:30:45"), bob)
	s.complaint(c6, local(2, "08:31:00"), &bob, &first, nil)

	// C7 (Bob): waiting; its complaint is still within its deadline.
	c7 := s.conversation("buyer-7")
	s.assign(c7, local(2, "19:29:00"), bob)
	s.in(c7, local(2, "19:29:00"))
	s.complaint(c7, local(2, "19:30:00"), &bob, nil, nil)

	// Another shop's chat on the same day counts nowhere here.
	other, _ := db.CreateShop(ctx, "别家")
	och := &models.Channel{ShopID: other.ID, Type: "generic", Name: "web", ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
	if err := db.CreateChannel(ctx, och); err != nil {
		t.Fatal(err)
	}
	os := &seeder{t: t, db: db, shop: other, ch: och}
	oc := os.conversation("other-buyer")
	os.in(oc, local(1, "09:00:00"))
	return shop.ID, amy, bob, sue
}

// want is a row's figures as the test states them; nil pointers mean "no value".
type want struct {
	chats, turns, answered int
	replyRate              *float64
	median, p90            *float64
	within                 int
	withinRate             *float64
	resolved               int
	ratings                int
	ratingAvg              *float64
	good                   int
	goodRate               *float64
	complaints             int
	inTime, late, overdue  int
	pending                int
	inTimeRate             *float64
	repeats                int
	repeatRate             *float64
	overrides              int
}

func f(v float64) *float64 { return &v }

func (w want) check(t *testing.T, what string, got reports.Figures) {
	t.Helper()
	ints := []struct {
		name      string
		got, want int
	}{
		{"chats", got.Chats, w.chats}, {"turns", got.Turns, w.turns}, {"answered", got.Answered, w.answered},
		{"within_target", got.WithinTarget, w.within}, {"resolved", got.Resolved, w.resolved},
		{"ratings", got.Ratings, w.ratings}, {"ratings_good", got.RatingsGood, w.good},
		{"complaints", got.Complaints, w.complaints}, {"complaints_answered_in_time", got.ComplaintsAnsweredInTime, w.inTime},
		{"complaints_answered_late", got.ComplaintsAnsweredLate, w.late}, {"complaints_overdue", got.ComplaintsOverdue, w.overdue},
		{"complaints_pending", got.ComplaintsPending, w.pending}, {"repeat_complaints", got.RepeatComplaints, w.repeats},
		{"overrides", got.Overrides, w.overrides},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s: %s = %d, want %d", what, c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want *float64
	}{
		{"reply_rate", got.ReplyRate, w.replyRate}, {"first_response_median_seconds", got.FirstResponseMedianSeconds, w.median},
		{"first_response_p90_seconds", got.FirstResponseP90Seconds, w.p90}, {"within_target_rate", got.WithinTargetRate, w.withinRate},
		{"rating_average", got.RatingAverage, w.ratingAvg}, {"rating_good_rate", got.RatingGoodRate, w.goodRate},
		{"complaints_in_time_rate", got.ComplaintsInTimeRate, w.inTimeRate}, {"repeat_complaint_rate", got.RepeatComplaintRate, w.repeatRate},
	}
	for _, c := range floats {
		switch {
		case c.got == nil && c.want == nil:
		case c.got == nil || c.want == nil:
			t.Errorf("%s: %s = %v, want %v", what, c.name, show(c.got), show(c.want))
		case *c.got != *c.want:
			t.Errorf("%s: %s = %v, want %v", what, c.name, *c.got, *c.want)
		}
	}
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

// Every figure of a seeded history, computed by hand (comments give the samples; the
// median of an even count is the mean of the middle two, p90 the ⌈0.9·n⌉-th smallest).
func TestReportFiguresFromStoredHistory(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shopID, amy, bob, sue := seed(t, db)
		now := local(2, "20:00:00")
		svc := reports.NewService(db, settings.NewService(db, time.Minute), func() time.Time { return now })
		rep, err := svc.Build(ctx, shopID, reports.Range{From: "2026-11-23", To: "2026-11-24"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Timezone != "Asia/Shanghai" || rep.TargetSeconds != 30 || rep.From != "2026-11-23" || rep.To != "2026-11-24" {
			t.Fatalf("report head %+v", rep)
		}

		amyD1 := want{ // turns 12, 40, (unanswered), 3 | 90, 50 → [3 12 40 50 90]
			chats: 2, turns: 6, answered: 5, replyRate: f(5.0 / 6), median: f(40), p90: f(90), within: 2, withinRate: f(2.0 / 6),
			resolved: 2, ratings: 1, ratingAvg: f(5), good: 1, goodRate: f(1),
			complaints: 1, inTime: 1, inTimeRate: f(1), repeatRate: f(0), overrides: 1}
		bobD1 := want{ // [10 20 35]
			chats: 2, turns: 3, answered: 3, replyRate: f(1), median: f(20), p90: f(35), within: 2, withinRate: f(2.0 / 3)}
		sueD1 := want{resolved: 1}
		nobodyD1 := want{chats: 1, turns: 1, replyRate: f(0), withinRate: f(0),
			complaints: 1, late: 1, inTimeRate: f(0), repeatRate: f(0)}
		amyD2 := want{chats: 1, turns: 1, replyRate: f(0), withinRate: f(0)} // C4's waiting turn, transferred to Amy
		bobD2 := want{                                                       // [45]; C7 waiting; complaints: in time, overdue, overdue (repeat), pending
			chats: 2, turns: 2, answered: 1, replyRate: f(0.5), median: f(45), p90: f(45), withinRate: f(0),
			complaints: 4, inTime: 1, overdue: 2, pending: 1, inTimeRate: f(1.0 / 3), repeats: 1, repeatRate: f(1.0 / 3)}
		sueD2 := want{chats: 1, turns: 1, answered: 1, replyRate: f(1), median: f(4), p90: f(4), within: 1, withinRate: f(1), resolved: 1}

		id := func(v uint64) string { return fmt.Sprint(v) }
		rows := []struct {
			date, agent, name string
			want
		}{
			{"2026-11-23", id(amy), "Amy 001", amyD1}, {"2026-11-23", id(bob), "Bob 002", bobD1},
			{"2026-11-23", id(sue), "Sue", sueD1}, {"2026-11-23", "", "", nobodyD1},
			{"2026-11-24", id(amy), "Amy 001", amyD2}, {"2026-11-24", id(bob), "Bob 002", bobD2}, {"2026-11-24", id(sue), "Sue", sueD2},
		}
		if len(rep.Rows) != len(rows) {
			t.Fatalf("%d rows, want %d: %+v", len(rep.Rows), len(rows), rep.Rows)
		}
		for i, w := range rows {
			got := rep.Rows[i]
			agent := ""
			if got.AgentID != nil {
				agent = *got.AgentID
			}
			if got.Date != w.date || agent != w.agent || got.AgentName != w.name {
				t.Fatalf("row %d is %s %q %q, want %s %q %q", i, got.Date, agent, got.AgentName, w.date, w.agent, w.name)
			}
			w.check(t, w.date+" "+w.name, got.Figures)
		}

		// Over the range: medians from all the samples, chats counted once.
		agents := []want{
			{chats: 3, turns: 7, answered: 5, replyRate: f(5.0 / 7), median: f(40), p90: f(90), within: 2, withinRate: f(2.0 / 7),
				resolved: 2, ratings: 1, ratingAvg: f(5), good: 1, goodRate: f(1), complaints: 1, inTime: 1, inTimeRate: f(1), repeatRate: f(0), overrides: 1},
			{chats: 4, turns: 5, answered: 4, replyRate: f(0.8), median: f(27.5), p90: f(45), within: 2, withinRate: f(0.4), // [10 20 35 45]
				complaints: 4, inTime: 1, overdue: 2, pending: 1, inTimeRate: f(1.0 / 3), repeats: 1, repeatRate: f(1.0 / 3)},
			{chats: 1, turns: 1, answered: 1, replyRate: f(1), median: f(4), p90: f(4), within: 1, withinRate: f(1), resolved: 2},
			nobodyD1,
		}
		if len(rep.Agents) != len(agents) {
			t.Fatalf("%d agent totals, want %d", len(rep.Agents), len(agents))
		}
		for i, w := range agents {
			w.check(t, "total of "+rep.Agents[i].AgentName, rep.Agents[i].Figures)
		}

		// The team per day: day 1 [3 10 12 20 35 40 50 90], day 2 [4 45].
		if len(rep.Days) != 2 {
			t.Fatalf("%d days, want 2", len(rep.Days))
		}
		want{chats: 5, turns: 10, answered: 8, replyRate: f(0.8), median: f(27.5), p90: f(90), within: 4, withinRate: f(0.4),
			resolved: 3, ratings: 1, ratingAvg: f(5), good: 1, goodRate: f(1), complaints: 2, inTime: 1, late: 1, inTimeRate: f(0.5),
			repeatRate: f(0), overrides: 1}.check(t, "team on day 1", rep.Days[0].Figures)
		want{chats: 3, turns: 4, answered: 2, replyRate: f(0.5), median: f(24.5), p90: f(45), within: 1, withinRate: f(0.25),
			resolved: 1, complaints: 4, inTime: 1, overdue: 2, pending: 1, inTimeRate: f(1.0 / 3), repeats: 1, repeatRate: f(1.0 / 3)}.
			check(t, "team on day 2", rep.Days[1].Figures)
		// All of it: [3 4 10 12 20 35 40 45 50 90].
		want{chats: 7, turns: 14, answered: 10, replyRate: f(10.0 / 14), median: f(27.5), p90: f(50), within: 5, withinRate: f(5.0 / 14),
			resolved: 4, ratings: 1, ratingAvg: f(5), good: 1, goodRate: f(1), complaints: 6, inTime: 2, late: 1, overdue: 2, pending: 1,
			inTimeRate: f(0.4), repeats: 1, repeatRate: f(0.2), overrides: 1}.check(t, "total", rep.Total)

		// Day 2 alone: the turn begun on day 1 and answered after midnight stays out.
		d2, err := svc.Build(ctx, shopID, reports.Range{From: "2026-11-24", To: "2026-11-24"})
		if err != nil {
			t.Fatal(err)
		}
		if len(d2.Rows) != 3 {
			t.Fatalf("day 2 alone: %d rows, want 3", len(d2.Rows))
		}
		amyD2.check(t, "day 2 alone, Amy", d2.Rows[0].Figures)
		bobD2.check(t, "day 2 alone, Bob", d2.Rows[1].Figures)
		sueD2.check(t, "day 2 alone, Sue", d2.Rows[2].Figures)
	})
}

func TestMedianAndP90(t *testing.T) {
	s := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Second
		}
		return out
	}
	cases := []struct {
		in          []time.Duration
		median, p90 time.Duration
	}{
		{s(7), 7 * time.Second, 7 * time.Second},
		{s(9, 1), 5 * time.Second, 9 * time.Second},
		{s(5, 1, 3), 3 * time.Second, 5 * time.Second},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 5500 * time.Millisecond, 9 * time.Second},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 6 * time.Second, 10 * time.Second},
		{s(20, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), time.Second, time.Second},
	}
	for _, c := range cases {
		if got := reports.Median(c.in); got != c.median {
			t.Errorf("median of %v = %s, want %s", c.in, got, c.median)
		}
		if got := reports.P90(c.in); got != c.p90 {
			t.Errorf("p90 of %v = %s, want %s", c.in, got, c.p90)
		}
	}
}

func TestRangeIsCheckedNamingTheField(t *testing.T) {
	db := testenv.SQLite(t)
	ctx := context.Background()
	shop, _ := db.CreateShop(ctx, "range")
	svc := reports.NewService(db, settings.NewService(db, time.Minute), time.Now)
	for r, field := range map[reports.Range]string{
		{From: "2026-13-01", To: "2026-11-01"}: "from",
		{From: "2026-11-02", To: "11/03"}:      "to",
		{From: "2026-11-02", To: "2026-11-01"}: "to",
		{From: "2026-01-01", To: "2026-04-03"}: "to",
	} {
		_, err := svc.Build(ctx, shop.ID, r)
		var inv *models.InvalidError
		if ok := asInvalid(err, &inv); !ok || inv.Field != field {
			t.Errorf("%+v: %v, want an error naming %s", r, err, field)
		}
	}
	if _, err := svc.Build(ctx, shop.ID, reports.Range{From: "2026-01-01", To: "2026-04-02"}); err != nil {
		t.Errorf("92 days: %v", err)
	}
}
