"""A Markdown table of benchmark rows, as the README quotes them."""

from __future__ import annotations


def print_table(rows: list[dict], keys: list[str]) -> None:
    """Example: print_table([{"a": 1}], ["a"]) prints '| a |', '|---|', '| 1 |'"""
    print("| " + " | ".join(keys) + " |")
    print("|---" * len(keys) + "|")
    for row in rows:
        print("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")
