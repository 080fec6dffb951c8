// Package chatcorpus makes realistic shop-chat text: what buyers ask at each stage, what
// agents answer, buyer names, products, Chinese addresses and parcel numbers. The data
// generator fills a shop with it and the load tool sends it, so that row sizes, index
// keys and search behave as they would with a real shop's chats (mostly Chinese, some
// English). Everything is drawn from a caller's random source, so the same seed gives the
// same text.
package chatcorpus

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/chatbridge/chatbridge/models"
)

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// BuyerText is one buyer message fitting the stage.
func BuyerText(r *rand.Rand, stage models.Stage) string {
	var list []string
	switch stage {
	case models.StageInSale:
		list = buyerInSale
	case models.StageAfterSale:
		list = buyerAfterSale
	default:
		list = buyerPreSale
	}
	return fill(r, pick(r, list))
}

// AgentText is one agent reply fitting the stage.
func AgentText(r *rand.Rand, stage models.Stage) string {
	var list []string
	switch stage {
	case models.StageInSale:
		list = agentInSale
	case models.StageAfterSale:
		list = agentAfterSale
	default:
		list = agentPreSale
	}
	return fill(r, pick(r, list))
}

// Greeting is the agent's opening line: it names the shop and the agent's number
// (DOMAIN rule 10).
func Greeting(r *rand.Rand, shop, agentNo string) string {
	return fmt.Sprintf(pick(r, greetings), shop, agentNo)
}

// BuyerName is a name as a marketplace shows a buyer: a polite form of address, a
// nickname, or (rarely) a Latin name.
func BuyerName(r *rand.Rand) string {
	switch n := r.IntN(10); {
	case n < 5:
		return pick(r, surnames) + pick(r, titles)
	case n < 9:
		return pick(r, nickPrefixes) + pick(r, nickStems)
	default:
		return pick(r, latinNames)
	}
}

// FullName is a recipient's name on an address label.
func FullName(r *rand.Rand) string { return pick(r, surnames) + pick(r, givenNames) }

// Phone is a mainland mobile number.
func Phone(r *rand.Rand) string {
	return fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), r.IntN(100_000_000))
}

// Address is a shipping address in mainland China.
func Address(r *rand.Rand) models.Address {
	reg := pick(r, regions)
	detail := fmt.Sprintf("%s%d号", pick(r, streets), 1+r.IntN(300))
	if r.IntN(3) > 0 {
		detail += fmt.Sprintf("%d幢%d单元%d室", 1+r.IntN(30), 1+r.IntN(6), 101+r.IntN(30)*100+r.IntN(4))
	}
	return models.Address{Name: FullName(r), Phone: Phone(r), Region: reg, Detail: detail}
}

// Product is an item a shop sells.
type Product struct {
	SKU   string
	Title string
	Price int // in fen (0.01 CNY)
}

// Products lists the shop's catalogue.
func Products() []Product { return products }

// Items picks one to three order lines and answers them with the order's total in fen.
func Items(r *rand.Rand) ([]models.OrderItem, int) {
	n := 1 + r.IntN(3)
	if r.IntN(3) > 0 {
		n = 1
	}
	items := make([]models.OrderItem, 0, n)
	total := 0
	for range n {
		p := pick(r, products)
		q := 1 + r.IntN(2)
		items = append(items, models.OrderItem{SKU: p.SKU, Title: p.Title, Quantity: q})
		total += p.Price * q
	}
	return items, total
}

// Money renders an amount in fen as "129.00".
func Money(fen int) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// Carrier is a parcel carrier with its tracking-number shape.
type Carrier struct {
	Code   string // what the generic channel's tracking.carrier carries
	Name   string
	prefix string
	digits int
}

// Tracking returns a carrier and a tracking number of its shape.
func Tracking(r *rand.Rand) (carrier, number string) {
	c := pick(r, carriers)
	var b strings.Builder
	b.WriteString(c.prefix)
	for range c.digits {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return c.Code, b.String()
}

// fill replaces the template slots {product}, {color}, {size}, {city}, {carrier},
// {n}, {day} and {tracking}.
func fill(r *rand.Rand, tmpl string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString(slot(r, tmpl[i+1:i+j]))
		tmpl = tmpl[i+j+1:]
	}
}

func slot(r *rand.Rand, name string) string {
	switch name {
	case "product":
		return pick(r, products).Title
	case "color":
		return pick(r, colors)
	case "size":
		return pick(r, sizes)
	case "city":
		return pick(r, cities)
	case "carrier":
		return pick(r, carriers).Name
	case "n":
		return fmt.Sprint(2 + r.IntN(6))
	case "day":
		return pick(r, days)
	case "tracking":
		_, n := Tracking(r)
		return n
	}
	return "{" + name + "}"
}
