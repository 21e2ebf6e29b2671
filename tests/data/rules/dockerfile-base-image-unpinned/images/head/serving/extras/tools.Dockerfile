FROM acme/ranker-tools
FROM acme/ranker-runtime-dev:latest
