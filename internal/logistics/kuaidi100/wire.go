package kuaidi100

import (
	"fmt"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/models"
)

// queryParam is the param of a real-time query.
type queryParam struct {
	Com   string `json:"com"`
	Num   string `json:"num"`
	Phone string `json:"phone,omitempty"`
	Show  string `json:"show"`
	Order string `json:"order"`
}

// pollParam is the param of a subscription.
type pollParam struct {
	Company    string         `json:"company"`
	Number     string         `json:"number"`
	Key        string         `json:"key"`
	Parameters pollParameters `json:"parameters"`
}

type pollParameters struct {
	CallbackURL string `json:"callbackurl"`
	Salt        string `json:"salt"`
	Phone       string `json:"phone,omitempty"`
	// AutoCom "1" lets 快递100 detect the company from the number (company left empty).
	AutoCom string `json:"autoCom,omitempty"`
}

// pollResponse answers a subscription (and a failed query).
type pollResponse struct {
	Result     bool   `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
}

// trackResult is a parcel's state and history: the answer of a query and the
// lastResult of a push.
type trackResult struct {
	Message   string      `json:"message"`
	Nu        string      `json:"nu"`
	IsCheck   string      `json:"ischeck"`
	Condition string      `json:"condition"`
	Com       string      `json:"com"`
	Status    string      `json:"status"`
	State     string      `json:"state"`
	Data      []trackItem `json:"data"`
	// A failed query answers these instead.
	Result     *bool  `json:"result,omitempty"`
	ReturnCode string `json:"returnCode,omitempty"`
}

type trackItem struct {
	Time     string `json:"time"`
	Ftime    string `json:"ftime"`
	Context  string `json:"context"`
	Location string `json:"location"`
	Status   string `json:"status"`
	AreaName string `json:"areaName"`
}

// pushParam is the param of a push callback.
type pushParam struct {
	Status     string       `json:"status"`
	BillStatus string       `json:"billstatus"`
	Message    string       `json:"message"`
	AutoCheck  string       `json:"autoCheck"`
	ComOld     string       `json:"comOld"`
	ComNew     string       `json:"comNew"`
	LastResult *trackResult `json:"lastResult"`
}

// pushAbort is the push status of a parcel 快递100 gave up on (3 days without any
// record, or 60 days without change); it asks for a new subscription after about 30
// minutes. The others are polling, shutdown (tracking finished) and updateall.
const pushAbort = "abort"

// china is the carriers' clock: 快递100 reports Beijing time without a zone.
var china = time.FixedZone("CST", 8*3600)

// stateCodes maps 快递100's state codes (java-demo QueryTrackResp) to unified states.
var stateCodes = map[string]models.ParcelState{
	"0": models.ParcelInTransit, "1": models.ParcelCollected, "2": models.ParcelProblem, "3": models.ParcelDelivered,
	"4": models.ParcelReturned, "5": models.ParcelOutForDelivery, "6": models.ParcelReturning, "7": models.ParcelInTransit,
	"10": models.ParcelCustoms, "11": models.ParcelCustoms, "12": models.ParcelCustoms, "13": models.ParcelProblem,
	"14": models.ParcelRefused,
}

// statusWords maps the per-event status words to unified states.
var statusWords = map[string]models.ParcelState{
	"在途": models.ParcelInTransit, "揽收": models.ParcelCollected, "疑难": models.ParcelProblem, "签收": models.ParcelDelivered,
	"退签": models.ParcelReturned, "派件": models.ParcelOutForDelivery, "退回": models.ParcelReturning, "转投": models.ParcelInTransit,
	"待清关": models.ParcelCustoms, "清关中": models.ParcelCustoms, "已清关": models.ParcelCustoms, "清关异常": models.ParcelProblem,
	"拒签": models.ParcelRefused,
}

// snapshot turns a result into the unified form; field prefixes the JSON path of r
// for errors.
func (r *trackResult) snapshot(field string) (logistics.Snapshot, error) {
	snap := logistics.Snapshot{Number: r.Nu, Carrier: r.Com, RawState: r.State, State: stateCodes[r.State]}
	if r.IsCheck == "1" && snap.State == "" {
		snap.State = models.ParcelDelivered
	}
	// 快递100 lists newest first; the unified form is oldest first.
	for i := len(r.Data) - 1; i >= 0; i-- {
		it := r.Data[i]
		at, err := parseTime(it.Ftime, it.Time)
		if err != nil {
			return snap, fmt.Errorf("%s.data[%d].ftime: %w", field, i, err)
		}
		loc := it.AreaName
		if loc == "" {
			loc = it.Location
		}
		snap.Events = append(snap.Events, logistics.Event{At: at, Text: it.Context, Location: loc,
			Status: it.Status, State: statusWords[it.Status]})
	}
	return snap, nil
}

func parseTime(ftime, fallback string) (time.Time, error) {
	v := ftime
	if v == "" {
		v = fallback
	}
	at, err := time.ParseInLocation(time.DateTime, v, china)
	if err != nil {
		return at, fmt.Errorf("is not a time like 2006-01-02 15:04:05: %s", strconv.Quote(v))
	}
	return at, nil
}
