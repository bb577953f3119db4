"""homesections-plex: the Plex Media Server backend of homesections.

Installed, it registers itself in the ``homesections.backends`` entry-point
group as ``"plex"``, exactly as a third party's backend would::

    import homesections
    plex = homesections.get_backend("plex")
    page = plex().parse(response_body)        # JSON or XML of any /hubs endpoint

    with plex(base_url="http://192.168.1.20:32400", token=token,
              client_identifier=my_stable_id) as backend:
        page = backend.fetch_home()           # Continue Watching, then each pinned library

The pure mapping lives in :mod:`homesections_plex.parse`, the requests in
:mod:`homesections_plex.client`.
"""

from .backend import PlexBackend

__all__ = ["PlexBackend"]
