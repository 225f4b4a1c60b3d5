"""Policy scan of the synthesized stacks: checkov (offline) plus the mlplat ML policy pack.

``scan(out_dir)`` is the entry point; see :mod:`mlplat.scan.runner`. Accepted failures are listed
with a reason in ``waivers.yaml`` (:mod:`mlplat.scan.waivers`).
"""

from mlplat.scan.runner import Finding, ScanError, ScanReport, WaivedFinding, scan
from mlplat.scan.waivers import Waiver, WaiverError, apply_waivers, load_waivers, parse_waivers

__all__ = [
    "Finding",
    "ScanError",
    "ScanReport",
    "WaivedFinding",
    "Waiver",
    "WaiverError",
    "apply_waivers",
    "load_waivers",
    "parse_waivers",
    "scan",
]
