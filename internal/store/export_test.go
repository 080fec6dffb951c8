package store

// Migrations exposes the embedded migration files to the store's tests.
var Migrations = migrations
