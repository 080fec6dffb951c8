package models

import "time"

// ParcelState is where a parcel stands, the same words for every tracking provider
// (快递100's state codes and AfterShip's tags are both mapped onto them).
type ParcelState string

// Parcel states. Delivered and returned are final; refused and returning lead to returned.
const (
	ParcelPending        ParcelState = "pending"          // tracking started, nothing from the carrier yet
	ParcelCollected      ParcelState = "collected"        // 揽收
	ParcelInTransit      ParcelState = "in_transit"       // 在途 (and 转投)
	ParcelCustoms        ParcelState = "customs"          // 待清关 / 清关中 / 已清关
	ParcelOutForDelivery ParcelState = "out_for_delivery" // 派件 (or waiting at a pick-up point)
	ParcelDelivered      ParcelState = "delivered"        // 签收
	ParcelProblem        ParcelState = "problem"          // 疑难, 清关异常, a failed attempt
	ParcelRefused        ParcelState = "refused"          // 拒签
	ParcelReturning      ParcelState = "returning"        // 退回 (on its way back)
	ParcelReturned       ParcelState = "returned"         // 退签 (back at the sender)
)

// ParcelStates lists every state in the order a parcel usually passes them.
var ParcelStates = []ParcelState{ParcelPending, ParcelCollected, ParcelInTransit, ParcelCustoms,
	ParcelOutForDelivery, ParcelDelivered, ParcelProblem, ParcelRefused, ParcelReturning, ParcelReturned}

// Parcel is one tracking number of an order, followed through a logistics provider.
// The *At columns below Started drive the scheduler: DueAt is the earliest of them
// (or a lease while a check is queued), and the sweep reads only DueAt's index.
type Parcel struct {
	ID         uint64
	ShopID     uint64
	OrderID    uint64
	ChannelID  uint64
	CustomerID uint64
	// Carrier is the carrier as the platform named it; CarrierCode the canonical code
	// ChatBridge maps it to (SF, YTO...), empty when unknown.
	Carrier     string
	CarrierCode string
	Number      string
	// Phone is the recipient's phone, which some carriers (SF) require for a query.
	Phone string
	// Provider is the tracking provider following it; empty while the shop has none
	// that can. ProviderRef is the provider's own reference of the parcel: AfterShip's
	// tracking id, 快递100's company code (the one it detected for an unknown carrier).
	Provider    string
	ProviderRef string
	State       ParcelState
	// Exception is the open exception shown beside the chat: stuck, problem or returned.
	Exception     string
	LastEventAt   *time.Time
	LastEventKey  string
	LastEventText string
	StartedAt     time.Time
	SubscribedAt  *time.Time
	DeliveredAt   *time.Time
	FinishedAt    *time.Time
	NextPollAt    *time.Time
	StuckAt       *time.Time
	FollowUpAt    *time.Time
	DueAt         *time.Time
	LastPolledAt  *time.Time
	Failures      int
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ParcelEvent is one line of a parcel's timeline, as the carrier reported it. EventKey
// (its time and text) is unique per parcel, so the full history a provider re-sends
// is stored once.
type ParcelEvent struct {
	ID         uint64
	ParcelID   uint64
	ShopID     uint64
	OccurredAt time.Time
	Text       string
	Location   string
	// Status is the provider's own word for the event (在途, InTransit...); State is the
	// unified state it maps to, empty when the provider gives none per event.
	Status    string
	State     ParcelState
	EventKey  string
	CreatedAt time.Time
}

// LogisticsProvider is a shop's account with a tracking provider (快递100, AfterShip).
// Its credentials are stored encrypted.
type LogisticsProvider struct {
	ID        uint64
	ShopID    uint64
	Provider  string
	ConfigEnc []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Tracking providers ChatBridge speaks.
const (
	ProviderKuaidi100 = "kuaidi100"
	ProviderAfterShip = "aftership"
)

// TrackingProviders lists them, in the default order of preference.
var TrackingProviders = []string{ProviderKuaidi100, ProviderAfterShip}
