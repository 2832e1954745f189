"""The app's pages and which roles find which in their menu (every page also checks the role
itself), apart from app.py so that the tests walk the same menus the app draws."""

__all__ = ["MENUS", "PAGES"]

PAGES = {
    "ranking": ("ui/pages/ranking.py", ":material/leaderboard:"),
    "annual": ("ui/pages/annual.py", ":material/calendar_month:"),
    "rectification": ("ui/pages/rectification.py", ":material/task_alt:"),
    "problems": ("ui/pages/problems.py", ":material/report:"),
    "unit": ("ui/pages/unit.py", ":material/search:"),
    "upload": ("ui/pages/upload.py", ":material/upload_file:"),
    "appeals": ("ui/pages/appeals.py", ":material/gavel:"),
    "rounds": ("ui/pages/rounds.py", ":material/event_available:"),
    "rubric": ("ui/pages/rubric.py", ":material/account_tree:"),
    "accounts": ("ui/pages/accounts.py", ":material/manage_accounts:"),
    "monitor": ("ui/pages/monitor.py", ":material/travel_explore:"),
    "records": ("ui/pages/records.py", ":material/assignment_turned_in:"),
    "agreement": ("ui/pages/agreement.py", ":material/fact_check:"),
    "quality": ("ui/pages/quality.py", ":material/query_stats:"),
}
# which pages each role finds in its menu; every page also checks the role itself
MENUS = {
    "admin": [
        "ranking",
        "annual",
        "rectification",
        "problems",
        "unit",
        "rounds",
        "monitor",
        "records",
        "agreement",
        "quality",
        "appeals",
        "rubric",
        "accounts",
    ],
    "evaluator": [
        "ranking",
        "annual",
        "rectification",
        "problems",
        "unit",
        "upload",
        "monitor",
        "records",
        "appeals",
        "rounds",
        "rubric",
    ],
    "leader": ["ranking", "annual", "rectification", "problems", "unit", "rubric"],
    "unit": ["unit", "ranking", "annual", "appeals", "monitor", "rubric"],
}
