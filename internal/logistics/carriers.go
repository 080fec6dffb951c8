package logistics

import (
	"strings"
	"unicode"
)

// Canonical carrier codes: platforms name carriers every which way (SF, 顺丰, shunfeng,
// 顺丰速运), each provider has codes of its own; ChatBridge maps the first to these and
// each provider package maps these to its own.
const (
	CarrierSF    = "SF"    // 顺丰速运
	CarrierYTO   = "YTO"   // 圆通速递
	CarrierZTO   = "ZTO"   // 中通快递
	CarrierSTO   = "STO"   // 申通快递
	CarrierYunda = "YD"    // 韵达快递
	CarrierJD    = "JD"    // 京东物流
	CarrierEMS   = "EMS"   // EMS
	CarrierPost  = "YZPY"  // 中国邮政 快递包裹
	CarrierJT    = "JT"    // 极兔速递 J&T
	CarrierDBL   = "DBL"   // 德邦快递
	CarrierBest  = "HTKY"  // 百世快递
	CarrierZJS   = "ZJS"   // 宅急送
	CarrierDHL   = "DHL"   // DHL Express
	CarrierUPS   = "UPS"   // UPS
	CarrierFedEx = "FEDEX" // FedEx
	CarrierUSPS  = "USPS"  // USPS
)

// Carriers lists the canonical codes.
var Carriers = []string{CarrierSF, CarrierYTO, CarrierZTO, CarrierSTO, CarrierYunda, CarrierJD, CarrierEMS, CarrierPost,
	CarrierJT, CarrierDBL, CarrierBest, CarrierZJS, CarrierDHL, CarrierUPS, CarrierFedEx, CarrierUSPS}

// carrierAliases maps what platforms and staff write, folded (lower case, no spaces
// or punctuation), to the canonical code.
var carrierAliases = map[string]string{}

func init() {
	for code, names := range map[string][]string{
		CarrierSF:    {"sf", "shunfeng", "sfexpress", "顺丰", "顺丰速运", "顺丰快递"},
		CarrierYTO:   {"yto", "yuantong", "ytoexpress", "圆通", "圆通速递", "圆通快递"},
		CarrierZTO:   {"zto", "zhongtong", "ztoexpress", "中通", "中通快递"},
		CarrierSTO:   {"sto", "shentong", "stoexpress", "申通", "申通快递"},
		CarrierYunda: {"yd", "yunda", "yundaexpress", "韵达", "韵达快递", "韵达速递"},
		CarrierJD:    {"jd", "jingdong", "jdl", "jdexpress", "京东", "京东快递", "京东物流"},
		CarrierEMS:   {"ems", "chinaems", "中国ems", "邮政ems", "ems快递"},
		CarrierPost:  {"yzpy", "youzhengguonei", "chinapost", "邮政", "中国邮政", "邮政快递包裹", "邮政包裹"},
		CarrierJT:    {"jt", "jnt", "jtexpress", "极兔", "极兔速递", "极兔快递"},
		CarrierDBL:   {"dbl", "debang", "deppon", "debangkuaidi", "debangwuliu", "德邦", "德邦快递", "德邦物流"},
		CarrierBest:  {"htky", "best", "baishi", "bestexpress", "huitongkuaidi", "百世", "百世快递", "百世汇通"},
		CarrierZJS:   {"zjs", "zhaijisong", "宅急送"},
		CarrierDHL:   {"dhl", "dhlexpress"},
		CarrierUPS:   {"ups"},
		CarrierFedEx: {"fedex", "联邦快递"},
		CarrierUSPS:  {"usps"},
	} {
		for _, n := range names {
			carrierAliases[foldCarrier(n)] = code
		}
	}
}

// NormalizeCarrier answers the canonical code of a carrier name, or "" when ChatBridge
// does not know it (a provider that detects carriers may still follow the parcel).
func NormalizeCarrier(name string) string {
	return carrierAliases[foldCarrier(name)]
}

// numberPrefixes are waybill prefixes that name their carrier whatever the platform
// calls it (marketplaces often send only their own numeric company id).
var numberPrefixes = []struct{ prefix, code string }{
	{"SF", CarrierSF}, {"JDV", CarrierJD}, {"JDX", CarrierJD}, {"JD", CarrierJD}, {"YT", CarrierYTO},
}

// GuessCarrier is NormalizeCarrier of the name, or else the carrier the number's
// prefix names, or "".
func GuessCarrier(name, number string) string {
	if code := NormalizeCarrier(name); code != "" {
		return code
	}
	n := strings.ToUpper(strings.TrimSpace(number))
	for _, p := range numberPrefixes {
		if strings.HasPrefix(n, p.prefix) && len(n) > len(p.prefix)+6 {
			return p.code
		}
	}
	return ""
}

func foldCarrier(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
