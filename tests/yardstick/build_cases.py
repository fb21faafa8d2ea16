"""Build ``cases.csv``, the quantity yardstick, from the peers' published test files.

The peer files are not in this repository. Fetch them at the commits named in ``SOURCES`` into one
folder (file names as in ``SOURCES``) and run::

    python tests/yardstick/build_cases.py /path/to/peer/files

Every rule that turns a peer's expectation into ours is in this file and in README.md beside it; the
cases a peer states but whose meaning does not fit renostats' contract are listed in ``EXCLUDED`` with
the reason. The output is sorted and stable, so a rebuild shows in ``git diff`` exactly what changed.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = {
    "cn2an": (
        "Ailln/cn2an",
        "7c9ba0770b129960d9b6e6c6b2b46c00ec580778",
        "cn2an/cn2an_test.py",
        "cn2an_test.py",
    ),
    "chinese2digits": (
        "Wall-ee/chinese2digits",
        "af0762877d603c9571752f2a5dd334ae60eab4b2",
        "Python/chinese2digits/test.py",
        "c2d_test.py",
    ),
    "jionlp": (
        "dongrixinyu/JioNLP",
        "783abc5237e05f25aea2a11dcc2ae2e0e9f4cd23",
        "test/test_money_parser.py",
        "jio_money_parser.py",
    ),
    "recognizers-text": (
        "microsoft/Recognizers-Text",
        "90e968ea44dc8fda3f2e1c3e4b20aa233817488d",
        "Specs/",
        None,
    ),
}
RT_FILES = {
    "Number/Chinese/NumberModel.json": "rt_Chinese_NumberModel.json",
    "Number/Chinese/PercentModel.json": "rt_Chinese_PercentModel.json",
    "Number/Chinese/NumberRangeModel.json": "rt_Chinese_NumberRangeModel.json",
    "NumberWithUnit/Chinese/CurrencyModel.json": "rt_Chinese_CurrencyModel.json",
    "NumberWithUnit/Chinese/DimensionModel.json": "rt_Chinese_DimensionModel.json",
}
FIELDS = [
    "suite",
    "source",
    "mode",
    "input",
    "surface",
    "expect",
    "value",
    "low",
    "high",
    "kind",
    "qualifiers",
    "form",
]

# input -> reason: stated by a peer, but not a meaning renostats' contract has
EXCLUDED = {
    "零一": "cn2an direct mode returns the string '01' (a code, not a quantity)",
    "零零三": "cn2an direct mode: a code with leading zeros",
    "负零一": "cn2an direct mode: a code with leading zeros",
    "012": "cn2an direct mode: a code with leading zeros",
    "幺八九": "幺 for 1 is how digits are read aloud in phone numbers, not a quantity",
    "一一": "cn2an refuses it in strict mode and reads 11 in normal mode: the peer disagrees with itself",
    "壹壹": "cn2an refuses it in strict mode and reads 11 in normal mode: the peer disagrees with itself",
    "百十一": "cn2an refuses it in strict mode and does not state a value in normal mode",
    "三零万二零千": "chinese2digits reads digit by digit before a multiplier (30万 + 20千); no ledger writes this",
    "百四": "chinese2digits reads 4% ('百分之四'); Recognizers-Text reads 百三 as 130: the peers disagree",
    "零零零三四二": "chinese2digits returns the string '000342' (a code)",
    ".3%万": "chinese2digits artefact (a percentage times 万)",
    "万三": "chinese2digits reads 万分之三 shorthand; not a ledger form",
    "千四五": "chinese2digits reads 千分之四五 shorthand; not a ledger form",
    "五亿七千万十七百": "chinese2digits artefact (a number cut at 百分之)",
    "百分之三亿二百万五": "chinese2digits artefact (3020050 matches no reading of the text)",
    "百分之三五": "chinese2digits reads 35%; the text reads 3% to 5% (a vague pair): meanings differ",
    "四百分之16": "chinese2digits gives 4.16 (4 and 16%); the text is 16/400, which renostats reads as 0.04",
    "点五零": "chinese2digits reads 0.5; cn2an refuses 点零 (no whole number): the peers disagree",
    "八到九百亿泰铢": "foreign currency (JioNLP's own comment calls the reading ambiguous)",
}
FOREIGN = re.compile(
    r"港元|港币|美元|欧元|日元|日币|泰铢|卢布|韩元|澳元|台币|新台币|英镑|瑞士法郎|奈拉|美分|比特币|美圆|Dollar"
)
POWERS = re.compile(r"\^|\d[eE][-+]?\d|^\.\d|^-\.\d")


def form(text: str) -> str:
    """plain: what ledgers have always written; new: the forms issue 11 lists; other: forms outside
    the contract (fractions, 几, 半, 打, 兆, k/w abbreviations), kept so refusals are counted."""
    text = re.sub(r"\s", "", text)
    if re.search(r"分之[^\W]|[几幾数]|半|打|兆|[kKwW]|之间|与|间$|/|大于|小于", text) and not re.search(
        r"[百千万]分之", text[:3]
    ):
        if not re.match(r"^[负-]?(百分之|千分之|万分之|仟分之|萬分之)", text):
            return "other"
    new = (
        r"[负負-]|减少|下降|个百分点|個百分點|百分点|成|千分之|万分之|仟分之|萬分之|[角毛分整正圆圓]|"
        r"[萬億圓兩點負貳陸倆]|[万亿萬億]\d|[百千万亿佰仟萬億][一二三四五六七八九两壹贰叁肆伍陆柒捌玖](?:$|点|點)|"
        r"零十|零拾|[至到~—–]|\d-\d|[一二三四五六七八九][一二三四五六七八九][十百千万亿]|人民币"
    )
    return "new" if re.search(new, text) else "plain"


def _num(text: str) -> str:
    return str(Decimal(text.replace(",", "")).normalize()) if text not in ("", None) else ""


def _row(
    suite,
    source,
    text,
    expect="value",
    value="",
    low="",
    high="",
    kind="",
    qualifiers="",
    mode="quantity",
    surface="",
):
    return {
        "suite": suite, "source": source, "mode": mode, "input": text, "surface": surface, "expect": expect,
        "value": _num(str(value)) if value != "" else "", "low": _num(str(low)) if low != "" else "",
        "high": _num(str(high)) if high != "" else "", "kind": kind, "qualifiers": qualifiers,
        "form": form(text if mode == "quantity" else surface),
    }  # fmt: skip


def _money_kind(text: str) -> str:
    return "money" if re.search(r"[元圆圓块]", text) else "number"


def cn2an(folder: Path) -> list[dict]:
    tree = ast.parse((folder / SOURCES["cn2an"][3]).read_text(encoding="utf-8"))
    dicts, lists = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            name = node.targets[0].attr
            if isinstance(node.value, ast.Dict):
                dicts[name] = ast.literal_eval(node.value)
            elif isinstance(node.value, ast.List):
                lists[name] = ast.literal_eval(node.value)
    src = f"{SOURCES['cn2an'][2]}@{SOURCES['cn2an'][1][:7]}"
    rows = []
    for name in ("strict_data_dict", "normal_data_dict", "smart_data_dict"):
        for text, value in dicts[name].items():
            rows.append(_row("cn2an", f"{src} {name}", text, value=repr(value) if isinstance(value, float) else value,
                             kind=_money_kind(text)))  # fmt: skip
    for text, value in dicts["direct_data_dict"].items():
        rows.append(_row("cn2an", f"{src} direct_data_dict", text, value=value, kind="number"))
    refused = lists["error_smart_datas"] + lists["error_normal_datas"] + lists["error_strict_datas"]
    accepted = {r["input"] for r in rows}
    for text in refused:
        if text in accepted or not text:
            continue
        rows.append(_row("cn2an", f"{src} error_*_datas", text, expect="refuse"))
    return rows


# cn2an/transform_test.py (sentences): the figure cn2an converts in each, in renostats' base units
CN2AN_TRANSFORM = [
    ("小王捡了100块钱", "100块钱", 100, "money"),
    ("用户增长最快的3个城市", "3个", 3, "count"),
    ("今天股价上涨了8%", "8%", "0.08", "percent"),
    ("第2天股价下降了-3.8%", "-3.8%", "-0.038", "percent"),
    ("创业板指9月9日早盘低开1.57%", "1.57%", "0.0157", "percent"),
    ("两千米", "两千米", 2000, "length"),
    ("两个", "两个", 2, "count"),
    ("支票上金额应写为：伍仟元整", "伍仟元整", 5000, "money"),
]


def cn2an_transform(folder: Path) -> list[dict]:
    text = (folder / "cn2an_transform_test.py").read_text(encoding="utf-8")
    src = f"cn2an/transform_test.py@{SOURCES['cn2an'][1][:7]}"
    rows = []
    for sentence, surface, value, kind in CN2AN_TRANSFORM:
        assert sentence in text, sentence  # each sentence is the peer's own
        rows.append(_row("cn2an", src, sentence, value=value, kind=kind, mode="prose", surface=surface))
    return rows


def chinese2digits(folder: Path) -> list[dict]:
    text = (folder / SOURCES["chinese2digits"][3]).read_text(encoding="utf-8")
    src = f"{SOURCES['chinese2digits'][2]}@{SOURCES['chinese2digits'][1][:7]}"
    rows = []
    found = re.findall(
        r"\['CHNumberStringList'\],\s*(\[.*?\])\)\s*\n\s*self\.assertEqual\(result\['digitsStringList'\],\s*(\[.*?\])\)",
        text,
    )
    for names, values in found:
        for name, value in zip(ast.literal_eval(names), ast.literal_eval(values), strict=True):
            if "/" in value:
                a, b = value.split("/")
                value = str(Decimal(a) / Decimal(b))
            if value.endswith("%"):
                value = str(Decimal(value[:-1]) / 100)
            kind = (
                "percent"
                if re.search("[分]之|%", name) and not re.match(r"^[^百千万]+分之", name)
                else "number"
            )
            rows.append(
                _row(
                    "chinese2digits",
                    src,
                    name,
                    value=value,
                    kind=kind
                    if "%" in name or "百分之" in name or "千分之" in name or "万分之" in name
                    else "",
                )
            )
    return rows


def jionlp(folder: Path) -> list[dict]:
    tree = ast.parse((folder / SOURCES["jionlp"][3]).read_text(encoding="utf-8"))
    src = f"{SOURCES['jionlp'][2]}@{SOURCES['jionlp'][1][:7]}"
    cases = next(
        ast.literal_eval(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "money_string_list"
    )
    rows = []
    for text, want in cases:
        if want["case"] != "元":
            EXCLUDED.setdefault(text, f"foreign currency ({want['case']}): renostats reads yuan only")
            continue
        kind = "money" if re.search(r"[元圆圓块]|人民币", text) else "number"
        definition = want["definition"]
        if isinstance(want["num"], list):
            low, high = want["num"]
            if "多" in text and not re.search(r"[到至~-]", text):  # 3000多: JioNLP gives [3000, 4000]
                rows.append(_row("jionlp", src, text, value=low, kind=kind, qualifiers="over"))
            else:
                rows.append(_row("jionlp", src, text, expect="range", low=low, high=high, kind=kind,
                                 qualifiers="range about"))  # fmt: skip
            continue
        qualifiers = {
            "accurate": "exact",
            "blur": "about",
            "blur-": "nearly under at_most",
            "blur+": "over at_least",
        }[definition]
        rows.append(_row("jionlp", src, text, value=want["num"], kind=kind, qualifiers=qualifiers))
    return rows


def recognizers(folder: Path) -> list[dict]:
    rows = []
    commit = SOURCES["recognizers-text"][1][:7]
    for spec, local in RT_FILES.items():
        cases = json.loads((folder / local).read_text(encoding="utf-8-sig"))
        src = f"Specs/{spec}@{commit}"
        model = spec.split("/")[-1]
        for case in cases:
            results = case.get("Results", [])
            whole = len(results) == 1 and results[0]["Text"] == case["Input"]
            for r in results:
                res = r.get("Resolution") or {}
                value = res.get("value")
                if value is None:
                    continue
                text = r["Text"] if whole else case["Input"]
                if model in ("CurrencyModel.json", "DimensionModel.json"):
                    if res.get("unit") not in (
                        "Chinese yuan",
                        "Mu",
                        "Meter",
                        "Kilometer",
                        "Square meter",
                        "Square kilometer",
                    ):
                        EXCLUDED.setdefault(
                            r["Text"], f"Recognizers-Text {res.get('unit')}: not a unit renostats reads"
                        )
                        continue
                    factor = {"Mu": Decimal(10000) / 15, "Kilometer": 1000, "Square kilometer": 10**6}.get(
                        res["unit"], 1
                    )
                    kind = {"Chinese yuan": "money", "Mu": "area", "Meter": "length", "Kilometer": "length"}[
                        res["unit"]
                    ]
                    v = Decimal(value) * factor
                    v = v.quantize(Decimal("1e-6")) if factor != 1 and res["unit"] == "Mu" else v
                    mode = "quantity" if whole else "prose"
                    rows.append(
                        _row("recognizers-text", src, text, value=v, kind=kind, mode=mode, surface=r["Text"])
                    )
                    continue
                if not whole:
                    continue  # bare numbers inside sentences: renostats leaves lone numerals in prose alone
                if model == "NumberRangeModel.json":
                    m = re.fullmatch(r"([\[(])([-\d.]*),([-\d.]*)([\])])", value)
                    lo, hi = m.group(2), m.group(3)
                    if lo and not hi:
                        rows.append(_row("recognizers-text", src, text, value=lo, qualifiers="over"))
                    else:
                        rows.append(
                            _row(
                                "recognizers-text",
                                src,
                                text,
                                expect="range",
                                low=lo,
                                high=hi,
                                qualifiers="range",
                            )
                        )
                    continue
                if POWERS.search(text):
                    EXCLUDED.setdefault(
                        text, "scientific notation and powers: not how ledgers or releases write figures"
                    )
                    continue
                if "折" in text:
                    EXCLUDED.setdefault(
                        text, "折 is a price discount (七五折: pay 75%), not a share of anything"
                    )
                    continue
                if value.endswith("%"):
                    v = Decimal(value[:-1]) / 100
                    kind = "points" if re.search("百分点|百分點", text.replace(" ", "")) else "percent"
                    rows.append(_row("recognizers-text", src, text, value=v, kind=kind))
                else:
                    rows.append(_row("recognizers-text", src, text, value=value))
    return rows


def main(folder: str) -> None:
    path = Path(folder)
    rows = cn2an(path) + cn2an_transform(path) + chinese2digits(path) + jionlp(path) + recognizers(path)
    kept, seen = [], set()
    for row in rows:
        key = (row["suite"], row["mode"], row["input"], row["surface"])
        if row["input"] in EXCLUDED or row["surface"] in EXCLUDED or key in seen:
            continue
        seen.add(key)
        kept.append(row)
    kept.sort(key=lambda r: (r["suite"], r["mode"], r["source"], r["input"], r["surface"]))
    with open(HERE / "cases.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    with open(HERE / "excluded.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["input", "reason"])
        writer.writerows(sorted(EXCLUDED.items()))
    print(f"{len(kept)} cases, {len(EXCLUDED)} excluded")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/u-peers")
