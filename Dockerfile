# ChatBridge image, built from this repository: the web app (Node stage), the Go binary
# (Go stage, static, no cgo: the SQLite driver is pure Go), and a minimal runtime image
# that holds only the binary.
#
#   docker build -t chatbridge .
#   docker run -p 8080:8080 -v chatbridge-data:/data chatbridge
#
# With no configuration the container runs `chatbridge all` on the embedded default
# (SQLite file and secret key in /data). For MySQL + Redis see docker-compose.yml.

# --- web app -------------------------------------------------------------------------
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- binary --------------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The built app replaces web/dist (only a placeholder in the repository) and is embedded.
COPY --from=web /src/web/dist ./web/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/chatbridge ./cmd/chatbridge \
 && mkdir -p /out/data/media

# --- runtime -------------------------------------------------------------------------
# Static binary on distroless: CA certificates and time zones, no shell, runs as the
# unprivileged user 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/chatbridge /chatbridge
COPY --from=build --chown=65532:65532 /out/data /data
ENV CHATBRIDGE_DATA_DIR=/data
EXPOSE 8080
# No shell in this image: health checks call the binary, e.g.
#   /chatbridge healthcheck --url http://127.0.0.1:8080/readyz
ENTRYPOINT ["/chatbridge"]
CMD ["all"]
