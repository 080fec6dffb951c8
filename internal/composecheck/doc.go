// Package composecheck checks the deployment files in the repository root:
// docker-compose.yml and the Dockerfile. It has tests only.
package composecheck
