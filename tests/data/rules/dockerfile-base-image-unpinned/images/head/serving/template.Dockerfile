FROM YOUR_REGISTRY/acme/serving-base:latest
RUN pip install --no-cache-dir -r requirements.txt
