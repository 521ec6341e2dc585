"""The 统一社会信用代码 check (units.services.credit_code_error): its fast path for codes in their clean form gives
python-stdnum's verdict for every code tried — valid ones, each wrong check digit, wrong characters and lengths,
lower case and separators (which only python-stdnum's path takes)."""

import random

from stdnum.cn import uscc

from sqdj.units.services import credit_code_error

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _valid(rng) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def test_the_same_verdict_as_python_stdnum():
    rng = random.Random(15)
    tried = 0
    for _ in range(2000):
        code = _valid(rng)
        variants = [code, code.lower(), f"{code[:6]} {code[6:]}", code[:17], code + "0", code[:17] + "I"]
        variants += [code[:17] + c for c in ALPHABET if c != code[17]]  # every wrong check digit
        variants.append("".join(rng.choice(ALPHABET + "IOSVZ") for _ in range(18)))
        for v in variants:
            assert (credit_code_error(v) is None) == uscc.is_valid(v), v
            tried += 1
    assert tried > 60_000
