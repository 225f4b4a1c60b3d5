"""The resolved organization model and the resolver that builds it from a spec."""

from mlplat.resolve.model import Org
from mlplat.resolve.resolver import resolve

__all__ = ["Org", "resolve"]
