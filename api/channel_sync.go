package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

const channelKey = "chatbridge.channel"

// loadChannel finds the channel of the path in the user's shop; another shop's
// channel is not found, like any record of another shop.
func (s *Server) loadChannel(c *gin.Context) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		notFound(c)
		return
	}
	ch, err := s.DB.Channel(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ownsShop(currentUser(c), ch.ShopID) {
		notFound(c)
		return
	}
	c.Set(channelKey, ch)
	c.Next()
}

func pathChannel(c *gin.Context) *models.Channel { return c.MustGet(channelKey).(*models.Channel) }

// pollChannel queues a pull of the channel now ("Sync now"), for the platforms whose
// orders are pulled; the pull itself runs in a worker.
func (s *Server) pollChannel(c *gin.Context) {
	ch := pathChannel(c)
	adapter, ok := s.Registry.Lookup(ch.Type)
	if _, pulled := adapter.(adapters.Poller); !ok || !pulled {
		abort(c, http.StatusBadRequest, "invalid_request", ch.Type+" channels are not pulled: their platform delivers to the webhook URL")
		return
	}
	if err := s.Polls.EnqueuePollNow(c.Request.Context(), ch.ID); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "queued", "channel_id": view.ID(ch.ID)})
}

// listChannelOrders lists the orders that arrived on a channel (what a sync brought),
// newest platform change first; ?external_id= finds one platform order.
func (s *Server) listChannelOrders(c *gin.Context) {
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			invalid(c, "limit", "must be 1 to 200")
			return
		}
		limit = n
	}
	orders, err := s.DB.ChannelOrders(c.Request.Context(), pathChannel(c).ID, c.Query("external_id"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]view.Order, 0, len(orders))
	for i := range orders {
		items = append(items, view.NewOrder(&orders[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
