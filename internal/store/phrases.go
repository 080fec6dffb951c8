package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

type phraseListRow struct {
	ShopID    uint64 `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (phraseListRow) TableName() string { return "forbidden_phrase_lists" }

// StartPhraseList gives a shop its list of forbidden phrases, the first time only: the
// list row's primary key decides which of two racing callers writes the standard phrases.
func (db *DB) StartPhraseList(ctx context.Context, shopID uint64, standard []models.ForbiddenPhrase) error {
	var n int64
	if err := db.q(ctx).Model(&phraseListRow{}).Where("shop_id = ?", shopID).Count(&n).Error; err != nil {
		return fmt.Errorf("store: phrase list of shop %d: %w", shopID, err)
	}
	if n > 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Create(&phraseListRow{ShopID: shopID, CreatedAt: time.Now().UTC()}).Error
		if isDuplicate(err) {
			return nil // started before
		}
		if err != nil {
			return fmt.Errorf("store: start phrase list of shop %d: %w", shopID, err)
		}
		rows := make([]models.ForbiddenPhrase, len(standard))
		for i, p := range standard {
			rows[i] = p
			rows[i].ShopID = shopID
		}
		if err := tx.q(ctx).Create(&rows).Error; err != nil {
			return fmt.Errorf("store: standard phrases of shop %d: %w", shopID, err)
		}
		return nil
	})
}

// ForbiddenPhrases lists a shop's phrases, oldest first.
func (db *DB) ForbiddenPhrases(ctx context.Context, shopID uint64) ([]models.ForbiddenPhrase, error) {
	var out []models.ForbiddenPhrase
	if err := db.q(ctx).Where("shop_id = ?", shopID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: phrases of shop %d: %w", shopID, err)
	}
	return out, nil
}

// AddForbiddenPhrase stores a phrase; one the shop has in another spelling answers ErrDuplicate.
func (db *DB) AddForbiddenPhrase(ctx context.Context, p *models.ForbiddenPhrase) error {
	if err := db.q(ctx).Create(p).Error; err != nil {
		if isDuplicate(err) {
			return fmt.Errorf("store: the list already holds %q: %w", p.Phrase, ErrDuplicate)
		}
		return fmt.Errorf("store: add phrase: %w", err)
	}
	return nil
}

// DeleteForbiddenPhrase removes a phrase of the shop; another shop's answers ErrNotFound.
func (db *DB) DeleteForbiddenPhrase(ctx context.Context, shopID, id uint64) error {
	res := db.q(ctx).Where("id = ? AND shop_id = ?", id, shopID).Delete(&models.ForbiddenPhrase{})
	if res.Error != nil {
		return fmt.Errorf("store: delete phrase %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: phrase %d: %w", id, ErrNotFound)
	}
	return nil
}
