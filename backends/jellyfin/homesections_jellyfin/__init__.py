"""homesections-jellyfin: the Jellyfin backend of homesections.

Installed, it registers itself under the name ``"jellyfin"`` in the
``homesections.backends`` entry-point group::

    Jellyfin = homesections.get_backend("jellyfin")
    page = Jellyfin().parse(envelope)                      # offline, from answers you hold
    with Jellyfin(base_url="http://nas:8096", token=token, device_id=stable_id) as backend:
        page = backend.fetch_home()                        # live, as jellyfin-web builds it

See :class:`JellyfinBackend` for the settings and the envelope ``parse()`` takes.
"""

from .backend import JellyfinBackend

__all__ = ["JellyfinBackend"]
