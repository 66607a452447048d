"""What a name is (variables, options, answers, sheet keys), and the one "did you mean" helper."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: typing is no import of a plain question
    from collections.abc import Iterable

# A variable's name, as the grammar's NAME: ASCII and Greek letters (not π, the constant), digits, _
# and subscript digits (x₁), not starting with a digit.
LETTERS = "A-Za-z_\u00b5\u0391-\u03bf\u03c1-\u03c9\u03d1\u03d5\u03f5"
NAME_PATTERN = f"[{LETTERS}][{LETTERS}0-9\u2080-\u2089]*"


# Letters with a compatibility twin (NFKC): the micro sign µ is Greek μ, ϑ θ, ϕ φ, ϵ ε, as Python's own
# identifiers and LaTeX's \vartheta, \varphi, \epsilon fold them. A name is read folded wherever it
# is written (the expression, --µ, a sheet's at, --wrt, a CSV header), so --µ 0.5 gives the μ of the text.
_TWINS = str.maketrans("\u00b5\u03d1\u03d5\u03f5", "\u03bc\u03b8\u03c6\u03b5")


# Greek letters by their LaTeX names (\\beta is β): math text reads the commands through it, and a value
# given as --beta goes to the text's β when the text has no name beta (most keyboards have no β).
GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ",
    "mu": "μ", "nu": "ν", "xi": "ξ", "rho": "ρ", "varrho": "ρ", "sigma": "σ", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "Upsilon": "Υ",
}


_SPELLED = {letter: spelled for spelled, letter in reversed(GREEK.items())}    # β → beta (not varbeta)


def spelled_out(name: str) -> str | None:
    """A name that starts with a Greek letter, that letter spelled out: β → beta, σ_1 → sigma_1."""
    spelled = _SPELLED.get(name[:1])
    return spelled + name[1:] if spelled and (len(name) == 1 or name[1] == "_") else None


def spelled_greek(name: str) -> str | None:
    """The name a Greek letter's spelled-out name stands for: beta → β, sigma_1 → σ_1; else None."""
    head, underscore, rest = name.partition("_")
    letter = GREEK.get(head)
    return letter + underscore + rest if letter else None


# Accents on one letter (ŷ, x̄, ẋ, ỹ): notes' names that are no name here, read as y_hat, x_bar, x_dot,
# y_tilde (as code spells them) in the text, in LaTeX (\\hat{y}) and offered for --ŷ.
ACCENT_MARKS = {"\u0302": "hat", "\u0304": "bar", "\u0305": "bar", "\u0307": "dot", "\u0308": "ddot",
                "\u0303": "tilde"}


def accented(text: str) -> str | None:
    """ŷ (one character, or y and U+0302) as the name y_hat; None if it is no accented letter."""
    import unicodedata

    parts = unicodedata.normalize("NFD", text)
    if len(parts) == 2 and parts[1] in ACCENT_MARKS and parts[0].isalpha() and is_name(parts[0]):
        return f"{parts[0]}_{ACCENT_MARKS[parts[1]]}"
    return None


def unaccented(name: str) -> str | None:
    """The name an option spelled with an accented first letter gives a value to, as the text reads
    it: --ŷ is y_hat, --θ̂ θ_hat, --ŷ_1 y_hat_1; None for a name with no such accent."""
    if name.isascii():      # (before the import: a plain question loads no unicodedata)
        return None
    import unicodedata

    parts = unicodedata.normalize("NFD", name)
    head, rest = accented(parts[:2]), unicodedata.normalize("NFC", parts[2:])
    if head is None or (rest and not rest.startswith("_")) or not is_name(head + rest):
        return None
    return head + rest


def fold(text: str) -> str:
    """`text` with each look-alike letter as its one spelling (µ → μ): 1 character for 1, so every
    place in the text stays where it was."""
    return text if text.isascii() else text.translate(_TWINS)


def fold_keys(values):
    """A mapping of names to values with its names folded (the same mapping when all are ASCII)."""
    if all(name.isascii() for name in values if isinstance(name, str)):
        return values
    return {fold(name) if isinstance(name, str) else name: value for name, value in values.items()}


def is_name(text: str) -> bool:
    """True if `text` is a whole name (`x`, `apple_num`), nothing around it."""
    if text.isascii():   # Python's own rule is NAME's for ASCII, without compiling NAME's pattern
        return text.isidentifier()
    return re.fullmatch(NAME_PATTERN, text) is not None


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate `name` was probably meant to be (`jsno` → `json`), or None if none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None


def meant_function(name: str, functions: Iterable[str]) -> str | None:
    """The function `name` is a slip of (`sigmod` → `sigmoid`, `np.sinn` → `sin`), or None.

    Stricter than did_you_mean, because another function's name is never a harmless offer: a slip
    keeps the first letter and is one edit away (two for a name of six letters or more), and a name
    that holds another whole (sech ⊃ sec, relu6 ⊃ relu, xlogy ⊃ log, softmin ⊃ fmin) is a different
    function in some library, unless the rest is the last letter typed twice (sinn) or the word's
    e (np.sine)."""
    if len(name) >= 3:      # ReLU, Sigmoid, Exp: the same name in another case (a class's, a paper's)
        same = next((function for function in functions if function.lower() == name.lower()), None)
        if same is not None and same != name:
            return same
    most = 1 if len(name) < 6 else 2
    best: tuple[int, str] | None = None
    for function in functions:
        if not function or function[0] != name[:1] or abs(len(function) - len(name)) > most:
            continue
        if function in name and name not in (function + function[-1], function + "e"):
            continue
        distance = _edits(name, function, most)
        if distance <= most and (best is None or distance < best[0]):
            best = (distance, function)
    return best[1] if best else None


def _edits(a: str, b: str, most: int) -> int:
    """Optimal string alignment distance (insertions, deletions, changes, swaps of neighbours),
    or most + 1 once it is clear it exceeds `most`."""
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return row[-1]
