"""One house style for every figure, with a font that renders Chinese labels.

``use_style()`` is the only call a notebook needs. It looks for a CJK font that is already installed
(Noto Sans CJK, Source Han Sans, WenQuanYi, or a system font such as PingFang or Microsoft YaHei) and
otherwise registers Noto Sans SC, an OFL-licensed font shipped by the ``pylopdf-fonts-zh-cn``
dependency. The choice is deterministic: the first name in :data:`CJK_FONTS` that is available wins.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from renostats.plotting import use_style
>>> font = use_style()
>>> font in CJK_FONTS
True
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["CJK_FONTS", "PALETTE", "cjk_font", "install_lab_font", "use_style", "web_font_css"]

#: Fonts tried in order. The first installed one is used.
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)

#: Colour cycle (colour-blind safe, after Okabe and Ito).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def cjk_font() -> str:
    """Return the family name of a CJK-capable font, registering the bundled one if needed.

    Returns
    -------
    str
        A family name that matplotlib can resolve, one of :data:`CJK_FONTS`.

    Raises
    ------
    RuntimeError
        If no CJK font is installed and the ``pylopdf-fonts-zh-cn`` package is missing.
    """
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in available:
            return name
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as exc:  # pragma: no cover - the dependency is declared in pyproject
        raise RuntimeError(
            "no CJK font found: install Debian's fonts-noto-cjk or the PyPI package pylopdf-fonts-zh-cn"
        ) from exc
    font_manager.fontManager.addfont(str(pylopdf_fonts_zh_cn.sans_path()))
    return "Noto Sans SC"


def use_style() -> str:
    """Set the renostats figure style and a CJK font for matplotlib.

    Call once at the top of a notebook. Titles should state the finding; axes carry units.

    Returns
    -------
    str
        The font family used for text (see :func:`cjk_font`).
    """
    font = cjk_font()
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [font, "DejaVu Sans"],
            # The CJK fonts lack U+2212 MINUS SIGN in some builds; an ASCII hyphen always renders.
            "axes.unicode_minus": False,
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#dddddd",
            "grid.linewidth": 0.8,
            "axes.titlesize": 12,
            "axes.titleweight": "normal",  # the bundled CJK font has one weight
            "axes.titlelocation": "left",
            "axes.labelsize": 10,
            "legend.frameon": False,
            "svg.hashsalt": "renostats",
        }
    )
    return font


#: Characters that need a CJK font: CJK punctuation, kana, ideographs, full-width forms.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_WEB_FONT = "renostats-cjk"


def web_font_css(text: str) -> str:
    """A ``<style>`` block that embeds just the CJK glyphs ``text`` uses, for self-contained HTML.

    Reports open on machines without any Chinese font (servers, fresh containers). Subsetting the
    bundled Noto Sans SC (OFL) to the characters on the page keeps the page small (tens of kB) and
    renders Chinese everywhere. The embedded face comes first in each font list but declares a CJK
    ``unicode-range``, so Latin text keeps the reader's usual fonts.

    Parameters
    ----------
    text : str
        The page (or any text); only its CJK characters matter.

    Returns
    -------
    str
        An empty string when ``text`` has no CJK characters.

    Examples
    --------
    >>> web_font_css("no Chinese here")
    ''
    >>> web_font_css("双清区").startswith("<style>")
    True
    """
    chars = "".join(sorted(set(_CJK.findall(text))))
    if not chars:
        return ""
    import pylopdf_fonts_zh_cn
    from fontTools import subset

    options = subset.Options()
    options.notdef_outline = True
    font = subset.load_font(str(pylopdf_fonts_zh_cn.sans_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    sans = f'"{_WEB_FONT}", system-ui, -apple-system, "Segoe UI", helvetica, arial, sans-serif'
    mono = f'"{_WEB_FONT}", menlo, consolas, "DejaVu Sans Mono", monospace'
    return (
        "<style>\n"
        f'@font-face {{ font-family: "{_WEB_FONT}";\n'
        f'  src: url(data:font/otf;base64,{data}) format("opentype");\n'
        "  font-display: block; unicode-range: U+2E80-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF; }\n"
        f":root {{ --jp-ui-font-family: {sans} !important; --jp-content-font-family: {sans} !important;\n"
        f"  --jp-code-font-family: {mono} !important; --jp-code-font-family-default: {mono} !important; }}\n"
        f"body {{ font-family: {sans}; }} pre, code {{ font-family: {mono}; }}\n"
        "</style>\n"
    )


def install_lab_font(config_dir: str | os.PathLike[str]) -> Path:
    """Offer the bundled Noto Sans SC to JupyterLab, so tables and text show Chinese on any machine.

    JupyterLab 4 loads ``<config_dir>/custom/custom.css`` when started with
    ``--LabApp.custom_css=True`` and ``JUPYTER_CONFIG_DIR=<config_dir>`` (``make lab`` does both, with a
    folder inside ``.venv``). This copies the OFL font next to that stylesheet and writes the stylesheet:
    the font comes first for CJK characters only (``unicode-range``), so Latin text keeps JupyterLab's
    usual fonts. Plots need nothing of this: :func:`use_style` registers the font with matplotlib.

    Parameters
    ----------
    config_dir : path
        The Jupyter configuration folder JupyterLab is started with.

    Returns
    -------
    Path
        The stylesheet written.

    Examples
    --------
    >>> import tempfile
    >>> css = install_lab_font(tempfile.mkdtemp())
    >>> css.name, (css.parent / "NotoSansSC-Regular.otf").is_file()
    ('custom.css', True)
    >>> "unicode-range" in css.read_text()
    True
    """
    import shutil

    import pylopdf_fonts_zh_cn

    font = Path(pylopdf_fonts_zh_cn.sans_path())
    folder = Path(config_dir) / "custom"
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / font.name).is_file():
        shutil.copyfile(font, folder / font.name)
    sans = f'"{_WEB_FONT}", system-ui, -apple-system, "Segoe UI", helvetica, arial, sans-serif'
    mono = f'"{_WEB_FONT}", menlo, consolas, "DejaVu Sans Mono", monospace'
    css = folder / "custom.css"
    css.write_text(
        "/* Written by renostats.plotting.install_lab_font: Noto Sans SC (SIL Open Font License) for CJK text. */\n"
        f'@font-face {{ font-family: "{_WEB_FONT}"; src: url("{font.name}") format("opentype");\n'
        "  unicode-range: U+2E80-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF; }\n"
        f":root {{ --jp-ui-font-family: {sans} !important; --jp-content-font-family: {sans} !important;\n"
        f"  --jp-code-font-family: {mono} !important; --jp-code-font-family-default: {mono} !important; }}\n",
        encoding="utf-8",
    )
    return css
