"""The explicit list of rule families. Adding a rule: write it in its family and add its fixture."""

from __future__ import annotations

from types import ModuleType

from archbot.rules import (
    RuleSpec,
    caching,
    concurrency_cost,
    containers,
    credentials,
    dependencies,
    error_handling,
    event_loop,
    generation,
    governance,
    kubernetes,
    llm_output,
    reliability,
    retrieval,
    retry_policy,
    supply_chain,
    timeouts,
    training,
)

FAMILIES: dict[str, ModuleType] = {
    "credentials": credentials,
    "supply-chain": supply_chain,
    "timeouts": timeouts,
    "event-loop": event_loop,
    "generation": generation,
    "kubernetes": kubernetes,
    "containers": containers,
    "dependencies": dependencies,
    "reliability": reliability,
    "retry-policy": retry_policy,
    "error-handling": error_handling,
    "concurrency-cost": concurrency_cost,
    "caching": caching,
    "llm-output": llm_output,
    "governance": governance,
    "training": training,
    "retrieval": retrieval,
}


def all_rules() -> dict[str, RuleSpec]:
    specs: dict[str, RuleSpec] = {}
    for module in FAMILIES.values():
        for spec in module.RULES.specs:
            if spec.id in specs:
                raise ValueError(f"duplicate rule id {spec.id}")
            specs[spec.id] = spec
    return specs
