FROM vault.example.com/gaudi/ubuntu22.04/pytorch-installer:latest
COPY . /app
