"""Loaded with ``-p tests.mutmut_plugin`` for mutation runs only (pyproject [tool.mutmut]).

mutmut re-runs the same test functions in one process, which trips Hypothesis's
``differing_executors`` health check on class-based tests; the check guards against a real
mistake only in normal runs, so it is suppressed here and nowhere else.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("mutmut", suppress_health_check=[HealthCheck.differing_executors])
settings.load_profile("mutmut")
