FROM localhost:5000/acme/serving-base:latest
COPY . /app
