"""Manager dashboards: the province and each city at a glance (read-only).

City and province managers read, they do not write: nothing here runs a registry command.
Every query is scoped on the server (:func:`casework.dashboard.filters.scope_filters`): a city
role's city filter is forced to its own city in the SQL itself, and a request for another
city is refused and logged (SUP-01). Charts are SVG drawn in Python and tables are sorted on
the server, so a page needs no JavaScript beyond the widgets' own and nothing from a CDN.
"""
