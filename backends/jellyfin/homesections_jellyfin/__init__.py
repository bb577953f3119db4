"""homesections-jellyfin: the Jellyfin backend of homesections.

Installed, it registers itself under the name ``"jellyfin"`` in the
``homesections.backends`` entry-point group::

    backend = homesections.get_backend("jellyfin")()
    page = backend.parse(envelope)

See :class:`JellyfinBackend` for the envelope ``parse()`` takes.
"""

from .backend import JellyfinBackend

__all__ = ["JellyfinBackend"]
