# The released runtime with the weights baked in.
FROM acme/ranker-runtime:latest
COPY weights/ /opt/weights/
