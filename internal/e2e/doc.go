// Package e2e holds the end-to-end test of the web inbox: it starts the real
// application in-process (see internal/apptest), opens the embedded web app in a
// headless Chromium driven by chromedp, and plays an agent's day through the UI
// while a test double plays the shop's platform on the far side of the generic
// channel.
//
// The test needs the built web app (make web), MariaDB and Redis (as every
// apptest test does) and Chromium. CHATBRIDGE_CHROMIUM names the browser binary
// (default /usr/bin/chromium). Without it the test is skipped, except in CI
// (CI=true), where a missing browser fails the test. With
// CHATBRIDGE_E2E_SCREENSHOTS set to a folder, the screenshots the test takes are
// copied there for people reviewing the UI.
//
// Run it with:
//
//	make web && go test -race -count=1 -v ./internal/e2e/
package e2e
