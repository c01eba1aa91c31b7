"""Many named users on one store: JupyterHub signs them in, each gets a standalone Voilà.

``casework.hub.roles`` maps hub groups to casework roles and bindings; ``casework.hub.singleuser``
is the single-user server the hub spawns (a hardened Voilà behind the hub's OAuth).
"""
