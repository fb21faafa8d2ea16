"""The house style renders Chinese labels with a real CJK font."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib import font_manager

from renostats import plotting


def test_use_style_picks_a_cjk_font_that_has_the_glyphs():
    font = plotting.use_style()
    assert font in plotting.CJK_FONTS
    assert mpl.rcParams["font.sans-serif"][0] == font
    path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    ft = font_manager.get_font(path)
    for char in "老旧小区改造复工率万户元":
        assert ft.get_char_index(ord(char)) != 0, f"{font} has no glyph for {char}"


def test_chinese_figure_renders_without_missing_glyph_warnings(tmp_path):
    plotting.use_style()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" becomes a failure
        fig, ax = plt.subplots()
        ax.bar(["小江湖街道", "东风路街道"], [41, 19])
        ax.set_title("双清区老旧小区改造: 41个待改造, 其中19个急需")
        ax.set_ylabel("小区 (个)")
        ax.set_xlabel("复工率 -5% to 100%")
        fig.savefig(tmp_path / "zh.png")
        plt.close(fig)
    assert (tmp_path / "zh.png").stat().st_size > 5_000


def test_style_is_the_same_on_every_call():
    first = plotting.use_style()
    snapshot = {k: mpl.rcParams[k] for k in ("axes.prop_cycle", "figure.figsize", "font.sans-serif")}
    assert plotting.use_style() == first
    assert {k: mpl.rcParams[k] for k in snapshot} == snapshot


def test_web_font_embeds_exactly_the_cjk_glyphs_of_the_page():
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    css = plotting.web_font_css("<p>双清区 267个 households</p>")
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = font.getBestCmap()
    assert {ord(c) for c in "双清区个"} <= set(cmap)
    assert ord("北") not in cmap and ord("h") not in cmap  # Latin stays with the reader's fonts
    assert "unicode-range" in css
    assert plotting.web_font_css("only latin") == ""
