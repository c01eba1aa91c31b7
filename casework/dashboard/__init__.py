"""Manager dashboards: the province and each city at a glance (read-only).

City and province managers read, they do not write: nothing here runs a registry command.
Every query is scoped on the server (:func:`casework.dashboard.filters.scope_filters`): a city
role's city filter is forced to its own city in the SQL itself, and a request for another
city is refused and logged (SUP-01). Charts are SVG drawn in Python and tables are sorted on
the server, so a page needs no JavaScript beyond the widgets' own and nothing from a CDN.
"""

import sys


def without_test_extras() -> None:
    """In a served kernel, let pandera find no ``hypothesis``.

    pandera registers its pandas backends at the first validation and, when ``hypothesis`` is
    installed (the test extras share the environment), imports its data-synthesis strategies
    with it: 82 modules a dashboard never uses. Only in a kernel a server started for a signed-in
    user (``CASEWORK_USER`` or ``JUPYTERHUB_USER``) and never under pytest or when ``hypothesis``
    is already loaded; pandera then uses its own placeholders.
    """
    if "hypothesis" in sys.modules or "pytest" in sys.modules:
        return
    from casework.settings import signed_in_username

    if not signed_in_username():
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]
