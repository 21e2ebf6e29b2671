ARG GATEWAY_VERSION=latest
FROM ghcr.io/acme/gateway:${GATEWAY_VERSION} AS gateway
FROM ghcr.io/acme/sidecar:latest AS sidecar
