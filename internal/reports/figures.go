package reports

import (
	"math"
	"sort"
	"time"
)

// Figures are the service figures of one agent (or the team) over one day (or the
// range). Rates are fractions (0.95 is 95 %), nil when there is nothing to divide.
type Figures struct {
	// Chats counts the distinct conversations with buyer turns of the agent.
	Chats int `json:"chats"`
	// Turns counts buyer turns (see turns.go); Answered those answered by a reply.
	Turns    int `json:"turns"`
	Answered int `json:"answered"`
	// ReplyRate is Answered / Turns.
	ReplyRate *float64 `json:"reply_rate"`
	// FirstResponseMedianSeconds and FirstResponseP90Seconds are over the answered turns:
	// the median (mean of the two middle values for an even count) and the 90th
	// percentile by nearest rank (the ⌈0.9·n⌉-th smallest).
	FirstResponseMedianSeconds *float64 `json:"first_response_median_seconds"`
	FirstResponseP90Seconds    *float64 `json:"first_response_p90_seconds"`
	// WithinTarget counts turns answered within the shop's first-response target;
	// WithinTargetRate is WithinTarget / Turns (an unanswered turn was not answered in time).
	WithinTarget     int      `json:"within_target"`
	WithinTargetRate *float64 `json:"within_target_rate"`
	// Resolved counts the conversations the agent resolved.
	Resolved int `json:"resolved"`
	// Ratings counts the buyers' ratings of the agent; RatingsGood those of 4 or 5.
	Ratings        int      `json:"ratings"`
	RatingAverage  *float64 `json:"rating_average"`
	RatingsGood    int      `json:"ratings_good"`
	RatingGoodRate *float64 `json:"rating_good_rate"`
	// Complaints counts the complaints registered (withdrawn ones aside), by the state of
	// their answer: in time, late, overdue (unanswered past the deadline) or pending
	// (unanswered, deadline still ahead). ComplaintsInTimeRate is in time / the decided
	// ones (all but pending).
	Complaints               int      `json:"complaints"`
	ComplaintsAnsweredInTime int      `json:"complaints_answered_in_time"`
	ComplaintsAnsweredLate   int      `json:"complaints_answered_late"`
	ComplaintsOverdue        int      `json:"complaints_overdue"`
	ComplaintsPending        int      `json:"complaints_pending"`
	ComplaintsInTimeRate     *float64 `json:"complaints_in_time_rate"`
	// RepeatComplaints counts repeat complaints; RepeatComplaintRate is repeat
	// complaints / (complaints − repeat complaints), the service standard's formula.
	RepeatComplaints    int      `json:"repeat_complaints"`
	RepeatComplaintRate *float64 `json:"repeat_complaint_rate"`
	// Overrides counts replies sent despite a forbidden-phrase warning.
	Overrides int `json:"overrides"`
}

// acc gathers the raw facts of one agent and day; figures are derived from it, and
// accumulators merge for totals (medians come from the merged samples, never from
// medians).
type acc struct {
	chats                                               map[uint64]bool
	turns                                               int
	responses                                           []time.Duration // first-response time of each answered turn
	within                                              int
	resolved                                            int
	scores                                              []int
	complaints, inTime, late, overdue, pending, repeats int
	overrides                                           int
}

func newAcc() *acc { return &acc{chats: map[uint64]bool{}} }

func (a *acc) merge(b *acc) {
	for id := range b.chats {
		a.chats[id] = true
	}
	a.turns += b.turns
	a.responses = append(a.responses, b.responses...)
	a.within += b.within
	a.resolved += b.resolved
	a.scores = append(a.scores, b.scores...)
	a.complaints += b.complaints
	a.inTime += b.inTime
	a.late += b.late
	a.overdue += b.overdue
	a.pending += b.pending
	a.repeats += b.repeats
	a.overrides += b.overrides
}

func (a *acc) figures() Figures {
	f := Figures{Chats: len(a.chats), Turns: a.turns, Answered: len(a.responses), WithinTarget: a.within,
		Resolved: a.resolved, Ratings: len(a.scores), Complaints: a.complaints, ComplaintsAnsweredInTime: a.inTime,
		ComplaintsAnsweredLate: a.late, ComplaintsOverdue: a.overdue, ComplaintsPending: a.pending,
		RepeatComplaints: a.repeats, Overrides: a.overrides}
	f.ReplyRate = ratio(f.Answered, f.Turns)
	f.WithinTargetRate = ratio(f.WithinTarget, f.Turns)
	if len(a.responses) > 0 {
		median, p90 := Median(a.responses), P90(a.responses)
		f.FirstResponseMedianSeconds, f.FirstResponseP90Seconds = seconds(median), seconds(p90)
	}
	sum := 0
	for _, s := range a.scores {
		sum += s
		if s >= 4 {
			f.RatingsGood++
		}
	}
	if len(a.scores) > 0 {
		avg := float64(sum) / float64(len(a.scores))
		f.RatingAverage = &avg
	}
	f.RatingGoodRate = ratio(f.RatingsGood, f.Ratings)
	f.ComplaintsInTimeRate = ratio(a.inTime, a.complaints-a.pending)
	f.RepeatComplaintRate = ratio(a.repeats, a.complaints-a.repeats)
	return f
}

func ratio(n, d int) *float64 {
	if d <= 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// seconds renders a duration in seconds, to the microsecond the database keeps.
func seconds(d time.Duration) *float64 {
	v := math.Round(d.Seconds()*1e6) / 1e6
	return &v
}

func sorted(ds []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// Median is the middle value; for an even count, the mean of the two middle values.
func Median(ds []time.Duration) time.Duration {
	s := sorted(ds)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// P90 is the 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value.
func P90(ds []time.Duration) time.Duration {
	s := sorted(ds)
	n := len(s)
	if n == 0 {
		return 0
	}
	rank := (9*n + 9) / 10 // ⌈0.9·n⌉ in integers
	return s[rank-1]
}
