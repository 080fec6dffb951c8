package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// bom makes spreadsheet programs (Excel above all) read the file as UTF-8.
const bom = "\ufeff"

type column struct {
	en, zh string
	value  func(r *Row) string
}

var columns = []column{
	{"date", "日期", func(r *Row) string { return r.Date }},
	{"agent_id", "客服ID", func(r *Row) string { return deOpt(r.AgentID) }},
	{"agent", "客服", nil}, // filled by WriteCSV (the unassigned label depends on the language)
	{"chats", "接待会话", func(r *Row) string { return strconv.Itoa(r.Chats) }},
	{"turns", "买家轮次", func(r *Row) string { return strconv.Itoa(r.Turns) }},
	{"answered", "已回复轮次", func(r *Row) string { return strconv.Itoa(r.Answered) }},
	{"reply_rate", "回复率", func(r *Row) string { return num(r.ReplyRate, 4) }},
	{"first_response_median_seconds", "首次响应中位数(秒)", func(r *Row) string { return num(r.FirstResponseMedianSeconds, 3) }},
	{"first_response_p90_seconds", "首次响应P90(秒)", func(r *Row) string { return num(r.FirstResponseP90Seconds, 3) }},
	{"within_target", "达标轮次", func(r *Row) string { return strconv.Itoa(r.WithinTarget) }},
	{"within_target_rate", "首响达标率", func(r *Row) string { return num(r.WithinTargetRate, 4) }},
	{"resolved", "解决会话", func(r *Row) string { return strconv.Itoa(r.Resolved) }},
	{"ratings", "评价数", func(r *Row) string { return strconv.Itoa(r.Ratings) }},
	{"rating_average", "平均评分", func(r *Row) string { return num(r.RatingAverage, 2) }},
	{"ratings_good", "好评数(4-5分)", func(r *Row) string { return strconv.Itoa(r.RatingsGood) }},
	{"rating_good_rate", "好评率", func(r *Row) string { return num(r.RatingGoodRate, 4) }},
	{"complaints", "投诉", func(r *Row) string { return strconv.Itoa(r.Complaints) }},
	{"complaints_answered_in_time", "按时答复投诉", func(r *Row) string { return strconv.Itoa(r.ComplaintsAnsweredInTime) }},
	{"complaints_answered_late", "超时答复投诉", func(r *Row) string { return strconv.Itoa(r.ComplaintsAnsweredLate) }},
	{"complaints_overdue", "逾期未答复投诉", func(r *Row) string { return strconv.Itoa(r.ComplaintsOverdue) }},
	{"complaints_pending", "待答复投诉", func(r *Row) string { return strconv.Itoa(r.ComplaintsPending) }},
	{"complaints_in_time_rate", "投诉按时答复率", func(r *Row) string { return num(r.ComplaintsInTimeRate, 4) }},
	{"repeat_complaints", "重复投诉", func(r *Row) string { return strconv.Itoa(r.RepeatComplaints) }},
	{"repeat_complaint_rate", "重复投诉率", func(r *Row) string { return num(r.RepeatComplaintRate, 4) }},
	{"overrides", "忌语放行", func(r *Row) string { return strconv.Itoa(r.Overrides) }},
}

// WriteCSV writes the daily rows per agent as CSV in UTF-8 with a BOM; lang "zh-CN" gives
// Chinese headers, anything else English. Rates are fractions, times seconds; an empty
// cell means there was nothing to compute it from.
func WriteCSV(w io.Writer, rep *Report, lang string) error {
	zh := lang == "zh-CN"
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("reports: csv: %w", err)
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(columns))
	for i, c := range columns {
		head[i] = c.en
		if zh {
			head[i] = c.zh
		}
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("reports: csv: %w", err)
	}
	unassigned := "(unassigned)"
	if zh {
		unassigned = "（未分配）"
	}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		rec := make([]string, len(columns))
		for j, c := range columns {
			if c.value == nil {
				rec[j] = cell(r.AgentName)
				if r.AgentID == nil {
					rec[j] = unassigned
				}
				continue
			}
			rec[j] = c.value(r)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("reports: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: csv: %w", err)
	}
	return nil
}

func num(v *float64, decimals int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', decimals, 64)
}

func deOpt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// cell keeps a name from being read as a formula by a spreadsheet program.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
