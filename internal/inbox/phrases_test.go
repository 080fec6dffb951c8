package inbox

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/chatbridge/chatbridge/models"
)

// phraseCases are shared with the web composer's tests, so the live warning and the
// server's refusal agree.
type phraseCases struct {
	List  []string `json:"list"`
	Cases []struct {
		Text string   `json:"text"`
		Want []string `json:"want"`
	} `json:"cases"`
	Normalize []struct{ Text, Want string } `json:"normalize"`
}

func loadPhraseCases(t *testing.T) phraseCases {
	t.Helper()
	raw, err := os.ReadFile("testdata/forbidden_phrases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c phraseCases
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestForbiddenPhrasesToleratesSpacingAndPunctuation(t *testing.T) {
	c := loadPhraseCases(t)
	if !slices.Equal(c.List[:len(StandardForbiddenPhrases)], StandardForbiddenPhrases) {
		t.Fatalf("the shared cases start from %q, not the standard list", c.List)
	}
	for _, tc := range c.Cases {
		got := ForbiddenPhrases(tc.Text, c.List)
		if !slices.Equal(got, tc.Want) && !(len(got) == 0 && len(tc.Want) == 0) {
			t.Errorf("ForbiddenPhrases(%q) = %q, want %q", tc.Text, got, tc.Want)
		}
	}
	for _, tc := range c.Normalize {
		if got := NormalizePhrase(tc.Text); got != tc.Want {
			t.Errorf("NormalizePhrase(%q) = %q, want %q", tc.Text, got, tc.Want)
		}
	}
}

func TestStageFollowsLatestOrder(t *testing.T) {
	for status, want := range map[string]string{
		"": "pre_sale", "unpaid": "pre_sale", "closed": "pre_sale",
		"paid": "in_sale", "shipped": "in_sale",
		"delivered": "after_sale", "refunding": "after_sale", "refunded": "after_sale",
	} {
		got := StageOf(orderWithStatus(status))
		if string(got) != want {
			t.Errorf("StageOf(%q) = %s, want %s", status, got, want)
		}
	}
}

func orderWithStatus(status string) *models.Order {
	if status == "" {
		return nil
	}
	return &models.Order{Status: models.OrderStatus(status)}
}
