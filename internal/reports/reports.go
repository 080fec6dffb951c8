// Package reports computes the supervisor's service figures per agent and per day
// (DOMAIN.md, service standards) from what is stored — messages, conversation events,
// ratings and complaints — never from counters that could drift: the same rows always
// give the same figures. Days follow the shop's time zone.
package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// Settings gives a shop's settings.
type Settings interface {
	Get(ctx context.Context, shopID uint64) (models.ShopSettings, error)
}

// Service builds reports.
type Service struct {
	db       *store.DB
	settings Settings
	now      func() time.Time
}

// NewService wires the service; now is the clock (time.Now in production). Reports
// read through db.ForReports: a read replica when one is configured.
func NewService(db *store.DB, settings Settings, now func() time.Time) *Service {
	return &Service{db: db.ForReports(), settings: settings, now: now}
}

// MaxDays bounds a report's range.
const MaxDays = 92

// Row is one agent's figures for one day. In Agents the date is empty (the whole
// range); in Days the agent is empty (the team). AgentID nil is "unassigned": turns and
// complaints that no agent held.
type Row struct {
	Date      string  `json:"date,omitempty"`
	AgentID   *string `json:"agent_id"`
	AgentName string  `json:"agent_name"`
	Figures
}

// Report is a shop's figures over a range of days.
type Report struct {
	ShopID        string `json:"shop_id"`
	Timezone      string `json:"timezone"`
	From          string `json:"from"`
	To            string `json:"to"`
	TargetSeconds int    `json:"first_response_target_seconds"`
	GeneratedAt   string `json:"generated_at"`
	// Rows are the daily figures per agent, by date then agent name; an agent without
	// activity on a day has no row.
	Rows []Row `json:"rows"`
	// Agents are each agent's figures over the whole range.
	Agents []Row `json:"agents"`
	// Days are the team's figures per day, every day of the range.
	Days []Row `json:"days"`
	// Total is the team's figures over the whole range.
	Total Figures `json:"total"`
}

// Range is the days of a report, inclusive, as YYYY-MM-DD in the shop's time zone.
type Range struct{ From, To string }

// DefaultRange is the last seven days of the shop, today included.
func (s *Service) DefaultRange(ctx context.Context, shopID uint64) (Range, error) {
	set, err := s.settings.Get(ctx, shopID)
	if err != nil {
		return Range{}, fmt.Errorf("reports: settings: %w", err)
	}
	today := s.now().In(set.Location())
	return Range{From: today.AddDate(0, 0, -6).Format(time.DateOnly), To: today.Format(time.DateOnly)}, nil
}

// key is an agent and a day.
type key struct {
	day   string
	agent uint64
}

// Build computes a shop's report over the days of r.
func (s *Service) Build(ctx context.Context, shopID uint64, r Range) (*Report, error) {
	set, err := s.settings.Get(ctx, shopID)
	if err != nil {
		return nil, fmt.Errorf("reports: settings: %w", err)
	}
	loc := set.Location()
	first, last, err := parseRange(r, loc)
	if err != nil {
		return nil, err
	}
	// The store compares times in UTC (SQLite compares their text).
	from, to := first.UTC(), last.AddDate(0, 0, 1).UTC()
	now := s.now().UTC()
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	accs := map[key]*acc{}
	at := func(t time.Time, agent uint64) *acc {
		k := key{day(t), agent}
		if accs[k] == nil {
			accs[k] = newAcc()
		}
		return accs[k]
	}

	if err := s.addTurns(ctx, shopID, from, to, now, set.Service.FirstResponseTarget(), at); err != nil {
		return nil, err
	}
	resolves, err := s.db.ShopConversationEvents(ctx, shopID, []string{models.EventResolved}, from, to)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	for _, e := range resolves {
		if e.ActorID != nil {
			at(e.CreatedAt, *e.ActorID).resolved++
		}
	}
	ratings, err := s.db.ShopRatings(ctx, shopID, from, to)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	for _, rt := range ratings {
		if rt.Score != nil && rt.RatedAt != nil {
			a := at(*rt.RatedAt, deref(rt.AgentID))
			a.scores = append(a.scores, *rt.Score)
		}
	}
	if err := s.addComplaints(ctx, shopID, from, to, now, at); err != nil {
		return nil, err
	}
	overrides, err := s.db.OverrideMessages(ctx, shopID, from, to)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	for _, m := range overrides {
		at(m.CreatedAt, deref(m.SenderID)).overrides++
	}
	names, err := s.names(ctx, shopID)
	if err != nil {
		return nil, err
	}
	rep := &Report{ShopID: view.ID(shopID), Timezone: set.Timezone, From: first.Format(time.DateOnly),
		To: last.Format(time.DateOnly), TargetSeconds: set.Service.FirstResponseTargetSeconds, GeneratedAt: view.Time(now)}
	assemble(rep, accs, names, first, last)
	return rep, nil
}

// addTurns reads the buyer turns that started in [from, to).
func (s *Service) addTurns(ctx context.Context, shopID uint64, from, to, now time.Time, target time.Duration, at func(time.Time, uint64) *acc) error {
	convs, err := s.db.ConversationsWithInbound(ctx, shopID, from, to)
	if err != nil || len(convs) == 0 {
		return err
	}
	tls, err := s.timelines(ctx, convs, from)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for _, id := range convs {
		for _, t := range tls[id].turns(id, from, to, now) {
			a := at(t.start, t.agent)
			a.turns++
			a.chats[t.conversationID] = true
			if t.answered {
				a.responses = append(a.responses, t.response)
				if t.response <= target {
					a.within++
				}
			}
		}
	}
	return nil
}

// timelines loads each conversation's messages and resolves from the range's start, its
// assignments, and whether a turn begun earlier was waiting when the range started.
func (s *Service) timelines(ctx context.Context, convs []uint64, from time.Time) (map[uint64]*timeline, error) {
	tls := make(map[uint64]*timeline, len(convs))
	for _, id := range convs {
		tls[id] = &timeline{}
	}
	msgs, err := s.db.ReportMessages(ctx, convs, from)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		tls[m.ConversationID].messages = append(tls[m.ConversationID].messages, m)
	}
	resolves, err := s.db.ResolveTimes(ctx, convs, from)
	if err != nil {
		return nil, err
	}
	for id, ts := range resolves {
		tls[id].resolves = ts
	}
	assigns, err := s.db.EventsOfConversations(ctx, convs, []string{models.EventAssigned}, time.Time{})
	if err != nil {
		return nil, err
	}
	sortEvents(assigns)
	for _, e := range assigns {
		tls[e.ConversationID].assigns = append(tls[e.ConversationID].assigns, e)
	}
	lastIn, err := s.db.LatestBefore(ctx, convs, from, false)
	if err != nil {
		return nil, err
	}
	lastReply, err := s.db.LatestBefore(ctx, convs, from, true)
	if err != nil {
		return nil, err
	}
	lastResolve, err := s.db.LatestEventBefore(ctx, convs, models.EventResolved, from)
	if err != nil {
		return nil, err
	}
	for id, in := range lastIn {
		reply, replied := lastReply[id]
		res, resolved := lastResolve[id]
		tls[id].waiting = (!replied || in.ID > reply.ID) && (!resolved || in.CreatedAt.After(res.CreatedAt))
	}
	return tls, nil
}

// addComplaints counts the complaints registered in [from, to) for their agent and day.
func (s *Service) addComplaints(ctx context.Context, shopID uint64, from, to, now time.Time, at func(time.Time, uint64) *acc) error {
	cs, err := s.db.ShopComplaints(ctx, shopID, from, to)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	for _, c := range cs {
		if c.WithdrawnAt != nil {
			continue
		}
		a := at(c.OpenedAt, deref(c.AgentID))
		a.complaints++
		if c.RepeatOf != nil {
			a.repeats++
		}
		switch {
		case c.AnsweredAt != nil && !c.AnsweredAt.After(c.DeadlineAt):
			a.inTime++
		case c.AnsweredAt != nil:
			a.late++
		case now.After(c.DeadlineAt):
			a.overdue++
		default:
			a.pending++
		}
	}
	return nil
}

func (s *Service) names(ctx context.Context, shopID uint64) (map[uint64]string, error) {
	staff, err := s.db.ShopStaff(ctx, shopID)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	names := make(map[uint64]string, len(staff))
	for _, u := range staff {
		names[u.ID] = u.DisplayName
		if names[u.ID] == "" {
			names[u.ID] = u.Username
		}
		if u.AgentNo != "" {
			names[u.ID] += " " + u.AgentNo
		}
	}
	return names, nil
}

// assemble turns the accumulators into the report's rows, agents, days and total.
func assemble(rep *Report, accs map[key]*acc, names map[uint64]string, first, last time.Time) {
	agents, days, total := map[uint64]*acc{}, map[string]*acc{}, newAcc()
	for k, a := range accs {
		if agents[k.agent] == nil {
			agents[k.agent] = newAcc()
		}
		if days[k.day] == nil {
			days[k.day] = newAcc()
		}
		agents[k.agent].merge(a)
		days[k.day].merge(a)
		total.merge(a)
		rep.Rows = append(rep.Rows, row(k.day, k.agent, names, a))
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		if rep.Rows[i].Date != rep.Rows[j].Date {
			return rep.Rows[i].Date < rep.Rows[j].Date
		}
		return lessAgent(rep.Rows[i], rep.Rows[j])
	})
	for id, a := range agents {
		rep.Agents = append(rep.Agents, row("", id, names, a))
	}
	sort.Slice(rep.Agents, func(i, j int) bool { return lessAgent(rep.Agents[i], rep.Agents[j]) })
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		date := d.Format(time.DateOnly)
		a := days[date]
		if a == nil {
			a = newAcc()
		}
		rep.Days = append(rep.Days, Row{Date: date, Figures: a.figures()})
	}
	rep.Total = total.figures()
	if rep.Rows == nil {
		rep.Rows = []Row{}
	}
	if rep.Agents == nil {
		rep.Agents = []Row{}
	}
}

func row(date string, agent uint64, names map[uint64]string, a *acc) Row {
	r := Row{Date: date, Figures: a.figures()}
	if agent != 0 {
		id := view.ID(agent)
		r.AgentID, r.AgentName = &id, names[agent]
	}
	return r
}

// lessAgent orders agents by name, "unassigned" last.
func lessAgent(a, b Row) bool {
	if (a.AgentID == nil) != (b.AgentID == nil) {
		return b.AgentID == nil
	}
	if a.AgentName != b.AgentName {
		return a.AgentName < b.AgentName
	}
	return a.AgentID != nil && *a.AgentID < *b.AgentID
}

func deref(id *uint64) uint64 {
	if id == nil {
		return 0
	}
	return *id
}

// parseRange reads the range's days as midnights in loc.
func parseRange(r Range, loc *time.Location) (time.Time, time.Time, error) {
	first, err := time.ParseInLocation(time.DateOnly, r.From, loc)
	if err != nil {
		return first, first, &models.InvalidError{Field: "from", Reason: "must be a date YYYY-MM-DD"}
	}
	last, err := time.ParseInLocation(time.DateOnly, r.To, loc)
	if err != nil {
		return first, last, &models.InvalidError{Field: "to", Reason: "must be a date YYYY-MM-DD"}
	}
	switch {
	case last.Before(first):
		return first, last, &models.InvalidError{Field: "to", Reason: "must not be before from"}
	case !last.Before(first.AddDate(0, 0, MaxDays)):
		return first, last, &models.InvalidError{Field: "to", Reason: fmt.Sprintf("the range is at most %d days", MaxDays)}
	}
	return first, last, nil
}
