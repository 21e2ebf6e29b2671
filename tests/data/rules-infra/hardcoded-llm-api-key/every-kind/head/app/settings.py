"""Provider settings (a fixture: every key in it is fake)."""

import os

PROVIDERS = {
    "openai": {"api_key": "sk-Tq5WuyijkwNEzPGfum8E6cC1oLo06Cl3", "max_tokens": 512},
    "anthropic": {"api_key": os.environ.get("ANTHROPIC_API_KEY"), "secret_name": "anthropic-key"},
}
GROQ_API_KEY = "Hw2KzDtnQhVkWLKePqeZZgW4onicr50WX"
