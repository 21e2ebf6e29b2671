"""Test fixtures load tiny test models by name: pinning them is not worth a finding."""

from transformers import AutoModelForCausalLM, AutoTokenizer


def test_tokenizer_round_trip() -> None:
    tokenizer = AutoTokenizer.from_pretrained("acme-testing/tiny-llama")  # negative: a pytest module
    assert tokenizer.decode(tokenizer.encode("hi"), skip_special_tokens=True) == "hi"


def test_model_loads() -> None:
    model = AutoModelForCausalLM.from_pretrained("acme-testing/tiny-llama")  # negative
    assert model.config.vocab_size > 0
