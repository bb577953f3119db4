"""homesections-plex: the Plex Media Server backend of homesections.

Installed, it registers itself in the ``homesections.backends`` entry-point
group as ``"plex"``, exactly as a third party's backend would::

    import homesections
    backend = homesections.get_backend("plex")()
    page = backend.parse(response_body)   # JSON or XML of any /hubs endpoint

The pure mapping lives in :mod:`homesections_plex.parse`.
"""

from .backend import PlexBackend

__all__ = ["PlexBackend"]
