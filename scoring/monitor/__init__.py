"""Automated online checks (SPEC extension 4, 常态化网上测评): probe the units' websites and turn
what the pages show into result rows an evaluator would otherwise type by hand."""

from scoring.monitor.run import MonitorRun, monitor_sites

__all__ = ["MonitorRun", "monitor_sites"]
