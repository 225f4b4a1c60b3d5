"""Package discovery: the repository's modules/ and templates/ folders install as mlplat.modules and mlplat.templates."""

from setuptools import find_packages, setup

packages = find_packages(include=["mlplat", "mlplat.*"])
packages += [f"mlplat.{name}" for name in find_packages(include=["modules", "modules.*"])]
packages += ["mlplat.templates"]

setup(packages=packages)
