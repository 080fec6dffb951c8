package inbox

import "github.com/chatbridge/chatbridge/models"

// StageOf classifies a buyer by their latest order on the channel: no order, or one
// unpaid or closed, is pre-sale; paid or shipped is in-sale; delivered, refunding or
// refunded is after-sale.
func StageOf(latest *models.Order) models.Stage {
	if latest == nil {
		return models.StagePreSale
	}
	switch latest.Status {
	case models.OrderPaid, models.OrderShipped:
		return models.StageInSale
	case models.OrderDelivered, models.OrderRefunding, models.OrderRefunded:
		return models.StageAfterSale
	default:
		return models.StagePreSale
	}
}
