package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// CreateShop adds a tenant.
func (db *DB) CreateShop(ctx context.Context, name string) (*models.Shop, error) {
	shop := &models.Shop{Name: name}
	if err := db.q(ctx).Create(shop).Error; err != nil {
		return nil, fmt.Errorf("store: create shop: %w", err)
	}
	return shop, nil
}

// Shop looks a shop up by id.
func (db *DB) Shop(ctx context.Context, id uint64) (*models.Shop, error) {
	var shop models.Shop
	if err := db.q(ctx).First(&shop, id).Error; err != nil {
		return nil, fmt.Errorf("store: shop %d: %w", id, notFound(err))
	}
	return &shop, nil
}
