// Package models holds the storage structs every layer shares: the vocabulary of a
// shop's customer service (shops, staff, channels, buyers, conversations, messages,
// orders). It imports nothing of the project, so anything may import it.
package models
