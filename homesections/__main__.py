"""``python -m homesections``: the same command as ``homesections``."""

from .cli import main

main()
