// Package api is ChatBridge's HTTP surface: the REST API, the platforms' webhooks, the
// WebSocket and the embedded web app. Handlers decode, call the domain, encode.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/handover"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/inquiry"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/metrics"
	"github.com/chatbridge/chatbridge/internal/orders"
	"github.com/chatbridge/chatbridge/internal/presence"
	"github.com/chatbridge/chatbridge/internal/quickreplies"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/reports"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/tickets"
	"github.com/chatbridge/chatbridge/internal/tracing"
)

// Deps are what the API serves.
type Deps struct {
	DB           *store.DB
	Redis        redis.UniversalClient
	Auth         *auth.Service
	Inbox        *inbox.Service
	Orders       *orders.Service
	Channels     *channels.Service
	Registry     *adapters.Registry
	Settings     *settings.Service
	Alerts       *alerts.Service
	Inquiry      *inquiry.Service
	Tickets      *tickets.Service
	Handovers    *handover.Service
	Reports      *reports.Service
	Logistics    *logistics.Service
	Polls        PollQueue
	Hub          *realtime.Hub
	Presence     *presence.Tracker
	QuickReplies *quickreplies.Service
	Metrics      *metrics.Metrics
	Web          http.Handler
	Log          *slog.Logger
	SessionTTL   time.Duration
	CookieSecure bool
	// Media stores and serves images (uploads, buyers' photos, signed links).
	Media *media.Service
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client.
	TrustedProxies []string
}

// Server holds the handlers' dependencies.
type Server struct{ Deps }

// New builds the HTTP handler.
func New(d Deps) http.Handler {
	s := &Server{Deps: d}
	r := gin.New()
	r.ContextWithFallback = true
	// Only the configured proxies are trusted (none by default): the client address, which
	// the login limiter keys on, is the connection's unless it is one of them, never a
	// header any client can set. The configuration has checked the list.
	_ = r.SetTrustedProxies(d.TrustedProxies)
	r.Use(s.requestContext(), gin.CustomRecovery(func(c *gin.Context, rec any) {
		requestLog(c).Error("panic", "panic", rec)
		abort(c, http.StatusInternalServerError, "internal", "internal error")
	}))

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(d.Metrics.Handler()))
	r.POST("/webhooks/:type/:channel_id", s.webhook)
	r.GET("/webhooks/:type/:channel_id", s.verifyWebhookURL)

	v1 := r.Group("/api/v1")
	v1.POST("/auth/login", s.login)
	authed := v1.Group("", s.authenticate)
	authed.POST("/auth/logout", s.logout)
	authed.GET("/me", s.me)
	authed.POST("/me/status", s.setStatus)
	authed.POST("/shops", s.requireRole("admin"), s.createShop)
	authed.POST("/users", s.requireRole("admin", "supervisor"), s.createUser)
	authed.POST("/channels", s.requireRole("admin", "supervisor"), s.createChannel)
	authed.GET("/channels", s.listChannels)
	authed.POST("/channels/:id/poll", s.requireRole("admin", "supervisor"), s.loadChannel, s.pollChannel)
	authed.GET("/channels/:id/orders", s.requireRole("admin", "supervisor", "agent"), s.loadChannel, s.listChannelOrders)
	authed.POST("/notify-targets", s.requireRole("admin", "supervisor"), s.createNotifyTarget)
	authed.GET("/conversations", s.listConversations)
	conv := authed.Group("/conversations/:id", s.loadConversation)
	conv.GET("", s.getConversation)
	conv.GET("/messages", s.listMessages)
	conv.GET("/events", s.listConversationEvents)
	conv.POST("/messages", s.postMessage)
	conv.POST("/assign", s.assign)
	conv.POST("/stage", s.setStage)
	conv.POST("/resolve", s.resolve)
	conv.POST("/read", s.markRead)
	order := authed.Group("/orders/:id", s.loadOrder)
	order.PUT("/note", s.requireRole("admin", "supervisor", "agent"), s.setOrderNote)
	order.GET("/notes", s.listOrderNotes)
	authed.GET("/alerts", s.listAlerts)
	authed.POST("/alerts/:id/ack", s.loadAlert, s.ackAlert)
	authed.GET("/packer/alerts", s.listPackerAlerts)
	authed.POST("/packer/alerts/:id/ack", s.requireRole("admin", "supervisor", "packer"), s.loadAlert, s.ackAlert)
	authed.GET("/settings", s.getSettings)
	authed.PUT("/settings/:section", s.requireRole("admin", "supervisor"), s.putSettingsSection)
	// Inbox tools: transfer, reopen, notes, labels, quick replies, forbidden phrases, staff.
	conv.POST("/transfer", s.transfer)
	conv.POST("/reopen", s.reopen)
	conv.POST("/notes", s.addNote)
	conv.PUT("/labels", s.setLabels)
	conv.GET("/quick-replies", s.conversationQuickReplies)
	authed.GET("/labels", s.listLabels)
	authed.GET("/inbox/summary", s.inboxSummary)
	authed.GET("/quick-replies", s.listQuickReplies)
	authed.POST("/quick-replies", s.createQuickReply)
	authed.PUT("/quick-replies/:id", s.updateQuickReply)
	authed.DELETE("/quick-replies/:id", s.deleteQuickReply)
	authed.GET("/forbidden-phrases", s.listPhrases)
	authed.POST("/forbidden-phrases", s.requireRole("admin", "supervisor"), s.addPhrase)
	authed.DELETE("/forbidden-phrases/:id", s.requireRole("admin", "supervisor"), s.deletePhrase)
	authed.GET("/users", s.requireRole("admin", "supervisor", "agent"), s.listStaff)
	authed.PATCH("/users/:id", s.requireRole("admin", "supervisor"), s.updateStaff)
	// Service quality: inquiry category and complaints, tickets, shift handover, reports.
	staff := s.requireRole("admin", "supervisor", "agent")
	conv.POST("/category", staff, s.setCategory)
	conv.GET("/complaints", s.listComplaints)
	conv.POST("/tickets", staff, s.createTicket)
	conv.GET("/tickets", staff, s.listConversationTickets)
	authed.GET("/tickets", staff, s.listTickets)
	tkt := authed.Group("/tickets/:id", staff, s.loadTicket)
	tkt.GET("", s.getTicket)
	tkt.PATCH("", s.updateTicket)
	tkt.POST("/close", s.closeTicket)
	authed.POST("/handovers", s.requireRole("admin", "supervisor", "agent"), s.createHandover)
	authed.GET("/handovers", staff, s.listHandovers)
	authed.GET("/reports/agents", s.requireRole("admin", "supervisor"), s.agentReportJSON)
	authed.GET("/reports/agents.csv", s.requireRole("admin", "supervisor"), s.agentReportCSV)
	authed.GET("/ws", s.websocket)
	// Parcel tracking: an order's parcel and timeline, the shop's provider accounts, and
	// the providers' push callbacks.
	order.GET("/tracking", s.getTracking)
	authed.GET("/logistics/providers", s.requireRole("admin", "supervisor"), s.listLogisticsProviders)
	authed.POST("/logistics/providers", s.requireRole("admin", "supervisor"), s.saveLogisticsProvider)
	r.POST("/webhooks/logistics/:provider/:account_id", s.logisticsPush)

	// Media: images buyers send and agents upload; /media/{id} is the signed link
	// platforms fetch without logging in.
	authed.POST("/media", s.requireRole("admin", "supervisor", "agent"), s.uploadMedia)
	// Channel settings (supervisors and admins): types with their form fields and
	// abilities, edits that keep secrets, and a connection test.
	authed.GET("/channel-types", s.requireRole("admin", "supervisor"), s.listChannelTypes)
	authed.PUT("/channels/:id", s.requireRole("admin", "supervisor"), s.updateChannel)
	authed.POST("/channels/:id/test", s.requireRole("admin", "supervisor"), s.testChannel)
	authed.GET("/media/:id", s.getMedia)
	r.GET("/media/:id", s.getSignedMedia)

	if d.Web != nil {
		r.NoRoute(func(c *gin.Context) {
			if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
				notFound(c)
				return
			}
			d.Web.ServeHTTP(c.Writer, c.Request)
		})
	}
	return r
}

// NewOps builds the handler of a worker-only process: health, readiness and metrics.
func NewOps(d Deps) http.Handler {
	s := &Server{Deps: d}
	r := gin.New()
	r.Use(s.requestContext(), gin.Recovery())
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(d.Metrics.Handler()))
	return r
}

type ctxKey int

const logKey ctxKey = iota

// requestContext gives each request an id (echoed in X-Request-ID), a logger that
// carries it, an access log line and a latency observation.
func (s *Server) requestContext() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := c.GetHeader("X-Request-ID")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Header("X-Request-ID", id)
		log := s.Log.With("request_id", id)
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), logKey, log))
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		took := time.Since(start)
		s.Metrics.ObserveHTTP(route, c.Request.Method, c.Writer.Status(), took)
		tracing.NameSpan(c.Request.Context(), c.Request.Method, route)
		if route != "/healthz" && route != "/metrics" {
			log.Info("http", "method", c.Request.Method, "route", route, "status", c.Writer.Status(),
				"took_ms", float64(took.Microseconds())/1000)
		}
	}
}

func requestLog(c *gin.Context) *slog.Logger {
	if l, ok := c.Request.Context().Value(logKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := gin.H{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := s.DB.Ping(ctx); err != nil {
		checks["database"], status = err.Error(), http.StatusServiceUnavailable
	}
	if err := s.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = err.Error(), http.StatusServiceUnavailable
	}
	c.JSON(status, checks)
}
