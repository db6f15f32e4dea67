"""phonograph's pytest kit: ``pip install 'phonograph[testing]'`` (docs/testing.md).

pytest loads the fixtures of :mod:`phonograph.testing.plugin` by itself. The helpers they hand out
are in :mod:`phonograph.testing.kit`, the audio assertions in :mod:`phonograph.testing.audio`, the
webhook app in :mod:`phonograph.testing.webapp`. This package imports none of them, because pytest
imports it wherever phonograph is installed, with the ``testing`` extra or without.
"""
