"""Claude model aliases and list prices: the one table that config validation and the persona
review both read. Light on purpose: config imports it on every run."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float


# Anthropic's published list prices.
ALIASES = {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5", "haiku": "claude-haiku-5-5"}
PRICES = {
    "claude-opus-5-5": Price(4.0, 20.0, 5.0, 0.20),
    "claude-sonnet-5-5": Price(2.0, 10.0, 2.5, 0.20),
    # Haiku 5.5's lower band, for prompts up to 100k tokens; llm.max_call_tokens keeps calls below it.
    "claude-haiku-5-5": Price(0.10, 0.50, 0.125, 0.01),
}
# A persona's `model: inherit` (Claude Code's "the session's model") means the default here.
INHERIT = "inherit"
DEFAULT_ALIAS = "sonnet"
NAMES = tuple(sorted({*ALIASES, INHERIT}))


def resolve(name: str) -> str:
    """A model id from an alias, `inherit` or an id (ids pass through: gateways serve their own)."""
    name = name.strip()
    if name in ("", INHERIT):
        name = DEFAULT_ALIAS
    return ALIASES.get(name, name)


def cost(model: str, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int) -> float:
    """USD for one call's usage; 0 for a model without a known price."""
    price = PRICES.get(model)
    if price is None:
        return 0.0
    return (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_write * price.cache_write
        + cache_read * price.cache_read
    ) / 1e6
