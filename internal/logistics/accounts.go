package logistics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// ErrUnknownProvider is a provider name ChatBridge does not speak.
var ErrUnknownProvider = errors.New("unknown tracking provider")

// AccountView is an account as the settings page shows it: never its secrets.
type AccountView struct {
	Account     models.LogisticsProvider
	Config      map[string]any
	CallbackURL string
}

// SaveAccount stores (or replaces) a shop's account with a provider, its settings
// checked by the provider and encrypted at rest. Parcels of the shop that no provider
// followed yet are handed to it. It answers whether the account is new.
func (s *Service) SaveAccount(ctx context.Context, shopID uint64, provider string, raw json.RawMessage) (*AccountView, bool, error) {
	p, ok := s.providers[provider]
	if !ok {
		return nil, false, &models.InvalidError{Field: "provider", Reason: "must be kuaidi100 or aftership"}
	}
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	var prev json.RawMessage
	switch cur, err := s.account(ctx, shopID, provider); {
	case err == nil:
		prev = cur.Config
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, fmt.Errorf("logistics: %w", err)
	}
	cfg, err := p.PrepareConfig(raw, prev)
	if err != nil {
		return nil, false, err
	}
	lp := &models.LogisticsProvider{ShopID: shopID, Provider: provider, ConfigEnc: s.box.Seal(cfg)}
	created, err := s.db.SaveLogisticsProvider(ctx, lp)
	if err != nil {
		return nil, false, fmt.Errorf("logistics: %w", err)
	}
	n, err := s.db.AdoptParcels(ctx, shopID, provider, s.carriersOf(p), s.now())
	if err != nil {
		return nil, false, fmt.Errorf("logistics: %w", err)
	}
	if n > 0 {
		s.log.Info("untracked parcels handed to a new provider account", "shop_id", shopID, "provider", provider, "parcels", n)
	}
	return &AccountView{Account: *lp, Config: p.PublicConfig(cfg), CallbackURL: s.callbackURL(provider, lp.ID)}, created, nil
}

// carriersOf lists the canonical carriers a provider follows; nil when it follows any
// (it detects carriers it does not know).
func (s *Service) carriersOf(p Provider) []string {
	if _, any := p.CarrierCode(""); any {
		return nil
	}
	var codes []string
	for _, code := range Carriers {
		if _, ok := p.CarrierCode(code); ok {
			codes = append(codes, code)
		}
	}
	return codes
}

// Accounts lists a shop's provider accounts without their secrets.
func (s *Service) Accounts(ctx context.Context, shopID uint64) ([]AccountView, error) {
	lps, err := s.db.LogisticsProviders(ctx, shopID)
	if err != nil {
		return nil, fmt.Errorf("logistics: %w", err)
	}
	out := make([]AccountView, 0, len(lps))
	for _, lp := range lps {
		acct, err := s.open(&lp)
		if err != nil {
			return nil, err
		}
		v := AccountView{Account: lp, Config: map[string]any{}, CallbackURL: s.callbackURL(lp.Provider, lp.ID)}
		if p, ok := s.providers[lp.Provider]; ok {
			v.Config = p.PublicConfig(acct.Config)
		}
		out = append(out, v)
	}
	return out, nil
}

// account loads a shop's decrypted account with a provider (store.ErrNotFound when
// the shop has none).
func (s *Service) account(ctx context.Context, shopID uint64, provider string) (Account, error) {
	lp, err := s.db.ShopLogisticsProvider(ctx, shopID, provider)
	if err != nil {
		return Account{}, err
	}
	return s.open(lp)
}

func (s *Service) open(lp *models.LogisticsProvider) (Account, error) {
	cfg, err := s.box.Open(lp.ConfigEnc)
	if err != nil {
		return Account{}, fmt.Errorf("logistics: credentials of account %d: %w", lp.ID, err)
	}
	return Account{ID: lp.ID, ShopID: lp.ShopID, Provider: lp.Provider, Config: cfg}, nil
}

// callbackURL is where a provider account's pushes arrive.
func (s *Service) callbackURL(provider string, id uint64) string {
	return s.baseURL + "/webhooks/logistics/" + provider + "/" + strconv.FormatUint(id, 10)
}

// chooseProvider picks the provider that follows a new parcel: the first in the shop's
// order that the shop has an account with and that knows the carrier. It reads through
// tx (it runs inside the order's ingest transaction).
func (s *Service) chooseProvider(ctx context.Context, tx *store.DB, shopID uint64, carrierCode string, order []string) (string, error) {
	lps, err := tx.LogisticsProviders(ctx, shopID)
	if err != nil {
		return "", err
	}
	has := map[string]bool{}
	for _, lp := range lps {
		has[lp.Provider] = true
	}
	for _, name := range order {
		p, ok := s.providers[name]
		if !ok || !has[name] {
			continue
		}
		if _, ok := p.CarrierCode(carrierCode); ok {
			return name, nil
		}
	}
	return "", nil
}

// accountByID loads an account for a push (store.ErrNotFound for an unknown id or one
// of another provider).
func (s *Service) accountByID(ctx context.Context, provider string, id uint64) (Account, error) {
	lp, err := s.db.LogisticsProvider(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if lp.Provider != provider {
		return Account{}, fmt.Errorf("logistics: account %d is not a %s account: %w", id, provider, store.ErrNotFound)
	}
	return s.open(lp)
}
