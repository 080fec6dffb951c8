package pdd

import (
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
)

// Sign computes Pinduoduo's sign: every parameter but sign, names sorted, each name
// followed by its value, wrapped in the client secret, MD5, uppercase hex.
func Sign(secret string, params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(secret)
	for _, k := range names {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	b.WriteString(secret)
	sum := md5.Sum([]byte(b.String()))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
