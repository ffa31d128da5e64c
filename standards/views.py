from django.shortcuts import render

from . import selectors


def standard_current(request):
    """The current Standard, readable by anyone: it is public reference text."""
    standard = selectors.current_standard()
    components = list(selectors.standard_tree(standard)) if standard else []
    return render(
        request,
        "standards/standard.html",
        {
            "standard": standard,
            "components": components,
            "n_indicators": sum(len(k.indicators.all()) for c in components for k in c.criteria.all()),
            "n_criteria": sum(len(c.criteria.all()) for c in components),
        },
    )
