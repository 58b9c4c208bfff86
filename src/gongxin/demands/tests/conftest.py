"""Fixtures every demands test may use: `people` (a demand's cast: the desk, leadership,
the lead and co-departments, the enterprise, its district and officer, outsiders)."""

from gongxin.demands.tests.test_loop import people  # noqa: F401
