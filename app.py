"""The Streamlit app: a thin layer over the `scoring` engine and its store (no scoring logic here)."""

import streamlit as st

from ui import data
from ui.glossary import APP_TITLE, DEMO_NOTE, LABEL, PAGE

st.set_page_config(page_title=APP_TITLE, page_icon="📊", layout="wide")

pages = [
    st.Page("ui/pages/ranking.py", title=PAGE["ranking"], icon=":material/leaderboard:", default=True),
    st.Page("ui/pages/unit.py", title=PAGE["unit"], icon=":material/search:"),
    st.Page("ui/pages/upload.py", title=PAGE["upload"], icon=":material/upload_file:"),
    st.Page("ui/pages/appeals.py", title=PAGE["appeals"], icon=":material/gavel:"),
    st.Page("ui/pages/rounds.py", title=PAGE["rounds"], icon=":material/event_available:"),
    st.Page("ui/pages/rubric.py", title=PAGE["rubric"], icon=":material/account_tree:"),
]
page = st.navigation(pages)

with st.sidebar:
    st.markdown(f"### {APP_TITLE}")
    result = data.assessment()
    if result is not None:
        st.caption(
            LABEL["round_in_view"].format(
                rubric=result.rubric.spec.title,
                version=result.rubric.spec.version,
                periods="、".join(result.scores.periods),
            )
        )
    st.caption(LABEL["store_path"].format(path=data.db_path()))
    if data.is_demo():
        st.info(DEMO_NOTE, icon=":material/science:")

page.run()
