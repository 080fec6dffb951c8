package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/chatbridge/chatbridge/models"
)

// CreateParcel stores a new parcel; when the order already has one with that number,
// p becomes that one and created is false.
func (db *DB) CreateParcel(ctx context.Context, p *models.Parcel) (created bool, err error) {
	err = db.q(ctx).Create(p).Error
	if isDuplicate(err) {
		err = db.q(ctx).Where("order_id = ? AND number = ?", p.OrderID, p.Number).Take(p).Error
		if err != nil {
			return false, fmt.Errorf("store: parcel %q of order %d: %w", p.Number, p.OrderID, err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: insert parcel %q: %w", p.Number, err)
	}
	return true, nil
}

// Parcel finds a parcel of a shop (any shop when shopID is 0).
func (db *DB) Parcel(ctx context.Context, shopID, id uint64) (*models.Parcel, error) {
	var p models.Parcel
	q := db.q(ctx).Where("id = ?", id)
	if shopID != 0 {
		q = q.Where("shop_id = ?", shopID)
	}
	if err := q.Take(&p).Error; err != nil {
		return nil, fmt.Errorf("store: parcel %d: %w", id, notFound(err))
	}
	return &p, nil
}

// LockParcel reads a parcel locked for update until the transaction ends.
func (db *DB) LockParcel(ctx context.Context, id uint64) (*models.Parcel, error) {
	var p models.Parcel
	if err := db.forUpdate(db.q(ctx)).Where("id = ?", id).Take(&p).Error; err != nil {
		return nil, fmt.Errorf("store: parcel %d: %w", id, notFound(err))
	}
	return &p, nil
}

// LockOrder reads an order locked for update until the transaction ends.
func (db *DB) LockOrder(ctx context.Context, id uint64) (*models.Order, error) {
	var o models.Order
	if err := db.forUpdate(db.q(ctx)).Where("id = ?", id).Take(&o).Error; err != nil {
		return nil, fmt.Errorf("store: order %d: %w", id, notFound(err))
	}
	return &o, nil
}

// SetOrderStatus changes an order's status and nothing else: its platform time stays,
// so the platform's next event about it still applies.
func (db *DB) SetOrderStatus(ctx context.Context, id uint64, status models.OrderStatus) error {
	if err := db.q(ctx).Model(&models.Order{}).Where("id = ?", id).Update("status", status).Error; err != nil {
		return fmt.Errorf("store: status of order %d: %w", id, err)
	}
	return nil
}

// OrderParcel is the parcel of an order's current tracking number, or ErrNotFound.
func (db *DB) OrderParcel(ctx context.Context, orderID uint64, number string) (*models.Parcel, error) {
	var p models.Parcel
	err := db.q(ctx).Where("order_id = ? AND number = ?", orderID, number).Take(&p).Error
	if err != nil {
		return nil, fmt.Errorf("store: parcel of order %d: %w", orderID, notFound(err))
	}
	return &p, nil
}

// ParcelsOfOrder lists an order's parcels, oldest first.
func (db *DB) ParcelsOfOrder(ctx context.Context, orderID uint64) ([]models.Parcel, error) {
	var ps []models.Parcel
	if err := db.q(ctx).Where("order_id = ?", orderID).Order("id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("store: parcels of order %d: %w", orderID, err)
	}
	return ps, nil
}

// ParcelsByNumber lists the parcels of a shop with a tracking number that a provider
// follows (several orders may ship in one parcel).
func (db *DB) ParcelsByNumber(ctx context.Context, shopID uint64, provider, number string) ([]models.Parcel, error) {
	var ps []models.Parcel
	err := db.q(ctx).Where("shop_id = ? AND number = ? AND provider = ?", shopID, number, provider).
		Order("id").Limit(50).Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("store: parcels numbered %q: %w", number, err)
	}
	return ps, nil
}

// UpdateParcel writes the given columns of a parcel.
func (db *DB) UpdateParcel(ctx context.Context, id uint64, updates map[string]any) error {
	if v, ok := updates["last_error"].(string); ok {
		updates["last_error"] = truncate(v, 512)
	}
	if v, ok := updates["last_event_text"].(string); ok {
		updates["last_event_text"] = truncate(v, 512)
	}
	if err := db.q(ctx).Model(&models.Parcel{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: update parcel %d: %w", id, err)
	}
	return nil
}

// InsertParcelEvents stores the timeline lines of one parcel that it does not have yet
// (by event key) and answers how many were new. The caller holds the parcel's lock;
// the unique key still drops a line stored meanwhile.
func (db *DB) InsertParcelEvents(ctx context.Context, evs []models.ParcelEvent) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	keys := make([]string, 0, len(evs))
	for _, e := range evs {
		keys = append(keys, e.EventKey)
	}
	var have []string
	err := db.q(ctx).Model(&models.ParcelEvent{}).Where("parcel_id = ? AND event_key IN ?", evs[0].ParcelID, keys).
		Pluck("event_key", &have).Error
	if err != nil {
		return 0, fmt.Errorf("store: events of parcel %d: %w", evs[0].ParcelID, err)
	}
	seen := make(map[string]bool, len(have)+len(evs))
	for _, k := range have {
		seen[k] = true
	}
	fresh := make([]models.ParcelEvent, 0, len(evs))
	for _, e := range evs {
		if seen[e.EventKey] {
			continue
		}
		seen[e.EventKey] = true
		e.Text, e.Location, e.Status = truncate(e.Text, 1024), truncate(e.Location, 255), truncate(e.Status, 64)
		fresh = append(fresh, e)
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := db.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(fresh, 200).Error; err != nil {
		return 0, fmt.Errorf("store: insert parcel events: %w", err)
	}
	return len(fresh), nil
}

// ParcelEvents lists a parcel's timeline, newest first.
func (db *DB) ParcelEvents(ctx context.Context, parcelID uint64, limit int) ([]models.ParcelEvent, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	var evs []models.ParcelEvent
	err := db.q(ctx).Where("parcel_id = ?", parcelID).Order("occurred_at DESC, id DESC").Limit(limit).Find(&evs).Error
	if err != nil {
		return nil, fmt.Errorf("store: events of parcel %d: %w", parcelID, err)
	}
	return evs, nil
}

// DueParcel is a parcel the scheduler must look at, and since when.
type DueParcel struct {
	ID    uint64
	DueAt time.Time
}

// DueParcels lists parcels due at now, most overdue first, reading only the due_at index.
func (db *DB) DueParcels(ctx context.Context, now time.Time, limit int) ([]DueParcel, error) {
	var due []DueParcel
	err := db.q(ctx).Model(&models.Parcel{}).Select("id, due_at").
		Where("due_at <= ?", now).Order("due_at").Limit(limit).Scan(&due).Error
	if err != nil {
		return nil, fmt.Errorf("store: due parcels: %w", err)
	}
	return due, nil
}

// LeaseParcels moves the due time of parcels still due at now to until, so the next
// sweeps leave them alone while their check is queued, and pick them up again if that
// check is lost.
func (db *DB) LeaseParcels(ctx context.Context, ids []uint64, now, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.q(ctx).Model(&models.Parcel{}).Where("id IN ? AND due_at <= ?", ids, now).
		UpdateColumn("due_at", until).Error
	if err != nil {
		return fmt.Errorf("store: lease %d parcels: %w", len(ids), err)
	}
	return nil
}

// AdoptParcels gives a shop's parcels that no provider follows yet (still going) to a
// provider whose account was just added, due at once.
func (db *DB) AdoptParcels(ctx context.Context, shopID uint64, provider string, carrierCodes []string, now time.Time) (int64, error) {
	q := db.q(ctx).Model(&models.Parcel{}).Where("shop_id = ? AND provider = '' AND finished_at IS NULL", shopID)
	if carrierCodes != nil {
		q = q.Where("carrier_code IN ?", carrierCodes)
	}
	res := q.Updates(map[string]any{"provider": provider, "next_poll_at": now, "due_at": now})
	if res.Error != nil {
		return 0, fmt.Errorf("store: adopt parcels of shop %d: %w", shopID, res.Error)
	}
	return res.RowsAffected, nil
}

// SaveLogisticsProvider stores a shop's account with a provider, replacing the
// credentials of the one it had. It answers whether the account is new.
func (db *DB) SaveLogisticsProvider(ctx context.Context, lp *models.LogisticsProvider) (created bool, err error) {
	err = db.Tx(ctx, func(tx *DB) error {
		var existing models.LogisticsProvider
		err := tx.forUpdate(tx.q(ctx)).Where("shop_id = ? AND provider = ?", lp.ShopID, lp.Provider).Take(&existing).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			created = true
			return tx.q(ctx).Create(lp).Error
		}
		if err != nil {
			return err
		}
		lp.ID, lp.CreatedAt = existing.ID, existing.CreatedAt
		return tx.q(ctx).Model(&existing).Updates(map[string]any{"config_enc": lp.ConfigEnc}).Error
	})
	if isDuplicate(err) {
		return db.SaveLogisticsProvider(ctx, lp) // another request created it first
	}
	if err != nil {
		return false, fmt.Errorf("store: save %s account of shop %d: %w", lp.Provider, lp.ShopID, err)
	}
	return created, nil
}

// LogisticsProvider finds a provider account by id.
func (db *DB) LogisticsProvider(ctx context.Context, id uint64) (*models.LogisticsProvider, error) {
	var lp models.LogisticsProvider
	if err := db.q(ctx).Where("id = ?", id).Take(&lp).Error; err != nil {
		return nil, fmt.Errorf("store: logistics provider %d: %w", id, notFound(err))
	}
	return &lp, nil
}

// ShopLogisticsProvider finds a shop's account with one provider.
func (db *DB) ShopLogisticsProvider(ctx context.Context, shopID uint64, provider string) (*models.LogisticsProvider, error) {
	var lp models.LogisticsProvider
	err := db.q(ctx).Where("shop_id = ? AND provider = ?", shopID, provider).Take(&lp).Error
	if err != nil {
		return nil, fmt.Errorf("store: %s account of shop %d: %w", provider, shopID, notFound(err))
	}
	return &lp, nil
}

// LogisticsProviders lists a shop's provider accounts.
func (db *DB) LogisticsProviders(ctx context.Context, shopID uint64) ([]models.LogisticsProvider, error) {
	var lps []models.LogisticsProvider
	if err := db.q(ctx).Where("shop_id = ?", shopID).Order("id").Find(&lps).Error; err != nil {
		return nil, fmt.Errorf("store: logistics providers of shop %d: %w", shopID, err)
	}
	return lps, nil
}
