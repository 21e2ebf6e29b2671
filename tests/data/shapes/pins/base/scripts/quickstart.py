"""Rank a few support tickets with the published encoder."""

from datasets import load_dataset
from transformers import AutoModel

model = AutoModel.from_pretrained("acme/ticket-encoder", revision="3f1c2b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e")
tickets = load_dataset("acme/tickets", split="test")
