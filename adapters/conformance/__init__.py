"""The conformance kit: the contract checks every adapter plugin must pass.

From the command line: ``python main.py adapters check ID [--endpoint URL]``.
From an author's tests: ``pytest -p adapters.conformance.pytest_plugin --adapter-id ID`` (see
adapters/README.md). From code: ``run_checks`` (any factory) or ``check_installed`` (an installed plugin).
"""

from .checks import CHECK_NAMES, CHECK_TITLES, AdapterFactory, CheckResult, all_passed, run_checks
from .runner import ConformanceReport, check_installed
from .samples import (
    DEFAULT_CITIZEN, load_demo_citizens, load_field_dictionary, sample_application, sample_request,
)

__all__ = [
    "CHECK_NAMES", "CHECK_TITLES", "DEFAULT_CITIZEN", "AdapterFactory", "CheckResult", "ConformanceReport",
    "all_passed", "check_installed", "load_demo_citizens", "load_field_dictionary", "run_checks",
    "sample_application", "sample_request",
]
