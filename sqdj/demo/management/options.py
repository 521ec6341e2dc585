"""Options shared by `sqdj demo` and `sqdj generate`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from sqdj.demo import synthetic


def add_size_argument(parser, *, city: bool = False):
    """--size small|medium (the demo sizes); with `city`, also the 1,000,000-member city (minutes to generate)."""
    if city:
        parser.add_argument(
            "--size", default="small", choices=list(synthetic.SIZES), help=gettext_lazy("small | medium | city")
        )
    else:
        sizes = [s for s in synthetic.SIZES if s != "city"]
        parser.add_argument("--size", default="small", choices=sizes, help=gettext_lazy("small | medium"))
