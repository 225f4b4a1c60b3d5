"""mlplat: a governed multi-account ML platform on AWS from one YAML spec.

The Python API is :mod:`mlplat.api`; the ``mlplat`` command is a thin layer over it.
"""

__version__ = "0.1.0"
