"""Widget apps for evaluators, served by Voilà: each notebook is a thin page over one builder.

Builders take an :class:`~casework.ui.context.AppContext` (the store and the acting user as the
server knows them) and return a widget. Callbacks re-check identity, role, case state and input
on the server — through the registry's commands — before anything is written.
"""
