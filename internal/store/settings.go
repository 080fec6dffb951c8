package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatbridge/chatbridge/models"
)

type shopSettingsRow struct {
	ShopID    uint64 `gorm:"primaryKey"`
	Settings  string
	UpdatedAt time.Time
}

func (shopSettingsRow) TableName() string { return "shop_settings" }

// ShopSettings reads a shop's settings, defaults filled in.
func (db *DB) ShopSettings(ctx context.Context, shopID uint64) (models.ShopSettings, error) {
	return db.readShopSettings(db.q(ctx), shopID)
}

func (db *DB) readShopSettings(q *gorm.DB, shopID uint64) (models.ShopSettings, error) {
	var s models.ShopSettings
	var row shopSettingsRow
	err := q.Where("shop_id = ?", shopID).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return s, fmt.Errorf("store: settings of shop %d: %w", shopID, err)
	default:
		// Unknown keys (a section removed in a later release) are ignored.
		if err := json.Unmarshal([]byte(row.Settings), &s); err != nil {
			return s, fmt.Errorf("store: settings of shop %d: %w", shopID, err)
		}
	}
	s.ApplyDefaults()
	return s, nil
}

// UpdateShopSettings changes a shop's settings with fn, under a row lock so that two
// supervisors saving different sections at once both keep their change.
func (db *DB) UpdateShopSettings(ctx context.Context, shopID uint64, fn func(*models.ShopSettings) error) (models.ShopSettings, error) {
	var out models.ShopSettings
	err := db.Tx(ctx, func(tx *DB) error {
		// Make sure the row exists, so that it can be locked.
		err := tx.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).
			Create(&shopSettingsRow{ShopID: shopID, Settings: "{}", UpdatedAt: time.Now().UTC()}).Error
		if err != nil {
			return fmt.Errorf("store: settings of shop %d: %w", shopID, err)
		}
		s, err := tx.readShopSettings(tx.forUpdate(tx.q(ctx)), shopID)
		if err != nil {
			return err
		}
		if err := fn(&s); err != nil {
			return err
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("store: encode settings: %w", err)
		}
		err = tx.q(ctx).Model(&shopSettingsRow{}).Where("shop_id = ?", shopID).
			Updates(map[string]any{"settings": string(raw), "updated_at": time.Now().UTC()}).Error
		if err != nil {
			return fmt.Errorf("store: save settings of shop %d: %w", shopID, err)
		}
		out = s
		return nil
	})
	return out, err
}
