package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/models"
)

// ChannelCreator creates a channel with its credentials sealed, as the API does
// (channels.Service).
type ChannelCreator interface {
	Create(ctx context.Context, shopID uint64, typ, name string, config json.RawMessage) (*channels.Created, error)
}

// channelNames name a new shop's channels after the platforms a large shop sells on;
// they are generic channels (relays), so nothing is sent to a real platform.
var channelNames = []string{"天猫旗舰店", "京东自营店", "拼多多店", "抖音小店", "淘宝C店", "快手小店", "微信小商店",
	"企业微信客服", "小红书店", "Shopify 海外站"}

// skillSets spread a new shop's agents over the stages: most on pre-sale, every stage
// covered by any ten agents in a row.
var skillSets = [][]models.Stage{
	{models.StagePreSale}, {models.StagePreSale}, {models.StagePreSale}, {models.StagePreSale},
	{models.StagePreSale, models.StageInSale}, {models.StagePreSale, models.StageInSale},
	{models.StageInSale}, {models.StageAfterSale}, {models.StageAfterSale},
	{models.StageInSale, models.StageAfterSale},
}

// prepareShop creates the shop (or reads the existing one) and answers the world the
// conversations are generated in.
func prepareShop(ctx context.Context, d Deps, o *Options) (*world, *Result, error) {
	w := &world{seed: o.Seed, buyers: o.Buyers, from: o.Until.AddDate(0, 0, -o.Days), until: o.Until,
		orderShare: o.OrderShare, conversations: o.Conversations, byStage: map[models.Stage][]*staff{}}
	res := &Result{}
	var err error
	if o.ShopID != 0 {
		err = existingShop(ctx, d, o, w)
	} else {
		err = newShop(ctx, d, o, w, res)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, a := range w.agents {
		for _, st := range models.Stages {
			if a.Skills[st] {
				w.byStage[st] = append(w.byStage[st], a)
			}
		}
	}
	res.ShopID, res.Channels = w.shopID, len(w.channels)
	return w, res, nil
}

func existingShop(ctx context.Context, d Deps, o *Options, w *world) error {
	shop, err := d.Store.Shop(ctx, o.ShopID)
	if err != nil {
		return fmt.Errorf("seed: shop %d: %w", o.ShopID, err)
	}
	w.shopID, w.shopName = shop.ID, shop.Name
	chs, err := d.Store.Channels(ctx, shop.ID)
	if err != nil {
		return err
	}
	if len(chs) == 0 {
		return fmt.Errorf("seed: shop %d has no channel to put conversations on: create one first", shop.ID)
	}
	for _, ch := range chs {
		w.channels = append(w.channels, ch.ID)
	}
	var users []models.User
	if err := d.Store.Gorm().WithContext(ctx).Where("shop_id = ? AND role = ?", shop.ID, models.RoleAgent).Order("id").Find(&users).Error; err != nil {
		return fmt.Errorf("seed: agents of shop %d: %w", shop.ID, err)
	}
	for _, u := range users {
		s := &staff{ID: u.ID, Name: replyName(u.DisplayName, u.AgentNo), AgentNo: u.AgentNo, Skills: map[models.Stage]bool{}}
		for _, sk := range strings.Split(u.Skills, ",") {
			s.Skills[models.Stage(sk)] = true
		}
		w.agents = append(w.agents, s)
	}
	return nil
}

// replyName is how a reply shows its agent (inbox.Reply).
func replyName(display, agentNo string) string {
	return strings.TrimSpace(display + " " + agentNo)
}

func newShop(ctx context.Context, d Deps, o *Options, w *world, res *Result) error {
	shop, err := d.Store.CreateShop(ctx, o.ShopName)
	if err != nil {
		return err
	}
	w.shopID, w.shopName = shop.ID, shop.Name
	hash, err := auth.HashPassword(o.Password)
	if err != nil {
		return err
	}
	add := func(u *models.User) error {
		u.ShopID, u.PasswordHash = &shop.ID, hash
		if err := d.Store.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		res.Logins = append(res.Logins, u.Username)
		return nil
	}
	prefix := fmt.Sprintf("shop%d-", shop.ID)
	if err := add(&models.User{Username: prefix + "supervisor", Role: models.RoleSupervisor, DisplayName: "客服主管"}); err != nil {
		return err
	}
	if err := add(&models.User{Username: prefix + "packer", Role: models.RolePacker, DisplayName: "打包员"}); err != nil {
		return err
	}
	for i := range o.Agents {
		skills := skillSets[i%len(skillSets)]
		if o.Agents < 3 {
			skills = models.Stages
		}
		names := make([]string, len(skills))
		set := map[models.Stage]bool{}
		for j, s := range skills {
			names[j], set[s] = string(s), true
		}
		u := &models.User{Username: fmt.Sprintf("%sagent%02d", prefix, i+1), Role: models.RoleAgent,
			DisplayName: fmt.Sprintf("客服%02d", i+1), AgentNo: fmt.Sprintf("%d", 1001+i), Skills: strings.Join(names, ",")}
		if err := add(u); err != nil {
			return err
		}
		w.agents = append(w.agents, &staff{ID: u.ID, Name: replyName(u.DisplayName, u.AgentNo), AgentNo: u.AgentNo, Skills: set})
	}
	res.Password = o.Password
	n := o.Channels
	if n == 0 {
		n = max(4, (o.Conversations+o.Buyers-1)/o.Buyers)
	}
	config, _ := json.Marshal(generic.Config{CallbackURL: o.CallbackURL})
	for i := range n {
		name := fmt.Sprintf("渠道 %d", i+1)
		if i < len(channelNames) {
			name = channelNames[i]
		}
		ch, err := d.Channels.Create(ctx, shop.ID, generic.Type, name, config)
		if err != nil {
			return fmt.Errorf("seed: channel %q: %w", name, err)
		}
		w.channels = append(w.channels, ch.Channel.ID)
	}
	return nil
}
