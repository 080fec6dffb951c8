package store

// Migrations exposes the embedded migration files to the store's tests.
var Migrations = migrations

// SetSmallSet changes how many matches the list fetches by id, so a test with a
// handful of conversations exercises the chunked checks too.
func SetSmallSet(n int) (restore func()) {
	old := smallSet
	smallSet = n
	return func() { smallSet = old }
}
