"""Package discovery: the repository's modules/ and templates/ folders install as mlplat.modules and mlplat.templates."""

from pathlib import Path

from setuptools import find_packages, setup

packages = find_packages(include=["mlplat", "mlplat.*"])
packages += [f"mlplat.{name}" for name in find_packages(include=["modules", "modules.*"])]
template_dirs = [Path("templates")] + sorted(p for p in Path("templates").rglob("*") if p.is_dir() and p.name != "__pycache__")
templates = ["mlplat." + ".".join(p.parts) for p in template_dirs]

package_data = {name: ["*.j2", "*.yaml"] for name in templates}
package_data["mlplat.scan"] = ["*.yaml"]
setup(packages=packages + templates, package_data=package_data)
