"""A training dashboard's entry point: it lays out panels, it trains nothing."""

import torch
from rich.console import Console
from rich.panel import Panel


def main() -> None:
    console = Console()
    console.print(Panel.fit(f"torch {torch.__version__}, {torch.cuda.device_count()} GPUs"))


if __name__ == "__main__":
    main()
