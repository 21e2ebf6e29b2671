FROM vault.example.com/gaudi/1.21.0/ubuntu22.04/pytorch-installer-2.6.0:latest
RUN pip install --no-cache-dir optimum-habana==1.15.0
