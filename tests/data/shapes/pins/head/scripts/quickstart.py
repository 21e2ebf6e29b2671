"""Rank a few support tickets with the published encoder."""

from datasets import load_dataset
from transformers import AutoModel

model = AutoModel.from_pretrained("acme/ticket-encoder", revision="main")
tickets = load_dataset("acme/tickets-v2", split="test")
