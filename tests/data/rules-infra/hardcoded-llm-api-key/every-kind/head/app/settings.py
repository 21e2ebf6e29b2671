"""Provider settings (a fixture: every key in it is fake)."""

import os

PROVIDERS = {
    "openai": {"api_key": "sk-Tq5Wm2Xr8Zn4Kc7Vb1Hy3Ld9Pf6Gj0Se", "max_tokens": 512},
    "anthropic": {"api_key": os.environ.get("ANTHROPIC_API_KEY"), "secret_name": "anthropic-key"},
}
GROQ_API_KEY = "Hw2Kq9Lz5Xv7Nc3Bm8Tj1Rs4Yp6Gf0DeA"
