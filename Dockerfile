# fimdb's image: the static, CGO-free binary and CA certificates on scratch.
#   docker build --build-arg VERSION=1.0.0 -t ghcr.io/example/fimdb:1.0.0 .
# deploy/k8s_test.go (make deploy-test) checks this file's contract with the
# Kubernetes manifests in deploy/k8s.

# The front-end files come from npm; the Makefile copies those the binary
# ships into assets/static/vendor.
FROM node:24-bookworm AS assets
WORKDIR /src
COPY package.json package-lock.json Makefile ./
RUN make assets

# The Go of go.mod's go directive.
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/assets/static/vendor assets/static/vendor
ARG VERSION=dev
# make build without its assets and generate steps: the assets come from the
# stage above, and the *_templ.go files are committed (make check-generated).
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /fimdb .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /fimdb /fimdb
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/fimdb"]
CMD ["serve"]
