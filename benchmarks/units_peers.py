"""Score the peer parsers on their own suites of the quantity yardstick (tests/yardstick).

Run with the Python of a separate environment that has the peers (they are not renostats
dependencies)::

    python3 -m venv /work/venvs/units-peers
    /work/venvs/units-peers/bin/pip install cn2an chinese2digits jionlp "recognizers-text-suite>=1.0.2a2" "emoji<2"
    /work/venvs/units-peers/bin/python benchmarks/units_peers.py

It prints one JSON object: suite -> counts of right/refused/wrong/crash, judged on values only (peers
report neither kind nor qualifier) by the same rules as renostats (tests/yardstick/yardstick.py).
``bench_units.py`` calls it when that environment exists.
"""

from __future__ import annotations

import json
import math
import re
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "yardstick"))
import yardstick

NAN = math.nan


def _q(value=NAN, low=NAN, high=NAN):
    value = float(value)
    return SimpleNamespace(value=value, low=low if not math.isnan(low) else value,
                           high=high if not math.isnan(high) else value, kind=None, qualifier=None)  # fmt: skip


def _number(text: str) -> float:
    text = text.replace(",", "")
    if text.endswith("%"):
        return float(Decimal(text[:-1]) / 100)
    if "/" in text:
        a, b = text.split("/")
        return float(Decimal(a) / Decimal(b))
    return float(Decimal(text))


class Cn2an:
    def __init__(self):
        import cn2an

        self.cn2an = cn2an

    def parse_quantity(self, text):
        try:
            return _q(self.cn2an.cn2an(text, "smart"))
        except Exception as exc:  # cn2an raises ValueError and others for text it refuses
            raise ValueError(str(exc)) from None

    def extract_figures(self, text):
        raise ValueError("no prose reader")


class Chinese2digits:
    def __init__(self):
        import chinese2digits

        self.c2d = chinese2digits

    def parse_quantity(self, text):
        got = self.c2d.takeNumberFromString(text)["digitsStringList"]
        if not got:
            raise ValueError("nothing found")
        try:
            return _q(_number(got[0]))
        except Exception:
            raise ValueError(got[0]) from None

    def extract_figures(self, text):
        raise ValueError("no prose reader")


class JioNLP:
    def __init__(self):
        import jionlp

        self.jio = jionlp

    def parse_money(self, text):
        try:
            got = self.jio.parse_money(text)
        except Exception:
            raise ValueError(text) from None
        if not got or got.get("num") is None:
            raise ValueError(text)
        return got

    def parse_quantity(self, text):
        num = self.parse_money(text)["num"]
        if isinstance(num, list):
            low, high = float(num[0]), float(num[1])
            return _q((low + high) / 2, low, high)
        return _q(float(num))

    def extract_figures(self, text):
        raise ValueError("no prose reader")


class Recognizers:
    UNIT: ClassVar[dict] = {"Mu": Decimal(10000) / 15, "Kilometer": 1000, "Meter": 1, "Chinese yuan": 1}

    def __init__(self):
        from recognizers_number import Culture, NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer

        numbers = NumberRecognizer(Culture.Chinese)
        units = NumberWithUnitRecognizer(Culture.Chinese)
        self.models = [
            numbers.get_percentage_model(),
            units.get_currency_model(),
            units.get_dimension_model(),
            numbers.get_number_model(),
        ]
        self.range = numbers.get_number_range_model() if hasattr(numbers, "get_number_range_model") else None

    def _value(self, result):
        res = result.resolution or {}
        value = res.get("value")
        if value is None:
            return None
        v = _number(str(value))
        return float(Decimal(repr(v)) * Decimal(self.UNIT.get(res.get("unit"), 1)))

    def parse_quantity(self, text):
        if self.range is not None:
            found = self.range.parse(text)
            if found and found[0].text == text and found[0].resolution:
                m = re.fullmatch(r"[\[(]([-\d.]*),([-\d.]*)[\])]", str(found[0].resolution.get("value")))
                if m and m.group(1) and m.group(2):
                    low, high = float(m.group(1)), float(m.group(2))
                    return _q((low + high) / 2, low, high)
                if m and m.group(1):
                    return _q(float(m.group(1)))
        for model in self.models:
            try:
                found = model.parse(text)
            except Exception:
                continue
            for r in found:
                v = self._value(r)
                if v is not None:
                    return _q(v)
        raise ValueError("nothing found")

    def extract_figures(self, text):
        import pandas as pd

        rows = []
        for model in self.models[1:3]:
            for r in model.parse(text):
                v = self._value(r)
                if v is not None:
                    rows.append((v, r.start, r.end + 1))
        return pd.DataFrame(rows, columns=["value", "start", "end"])


PEERS = {"cn2an": Cn2an, "chinese2digits": Chinese2digits, "jionlp": JioNLP, "recognizers-text": Recognizers}


def main() -> None:
    cases = yardstick.load_cases()
    out = {}
    for suite, peer in PEERS.items():
        try:
            reader = peer()
        except ImportError as exc:
            out[suite] = {"error": f"not installed: {exc.name}"}
            continue
        own = [c for c in cases if c["suite"] == suite]
        counts = yardstick.score(reader, own, values_only=True)
        out[suite] = {form: counts[(suite, form)] for _, form in counts if _ == suite}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
