"""The Streamlit app: a thin layer over the `scoring` engine and its store (no scoring logic here)."""

import streamlit as st

from scoring.store.accounts import ROLE_NAMES
from scoring.store.failures import StoreUnusable
from ui import data
from ui.auth import current_user, sign_in_page, sign_out_button
from ui.glossary import APP_TITLE, AUTH, DEMO_NOTE, LABEL, NATIONAL_DEMO_NOTE, PAGE
from ui.menus import MENUS, PAGES
from ui.printing import print_layout
from ui.streamlit_words import chinese_streamlit

st.set_page_config(page_title=APP_TITLE, page_icon="📊", layout="wide")
print_layout()  # A4 without the sidebar, for the ranking, unit and annual pages an office prints
chinese_streamlit()  # Streamlit's own English (uploader, placeholders, tooltips) in Chinese

try:  # a damaged, newer or unreachable store is said once, not as a traceback on every page
    data.store()
except StoreUnusable as exc:
    st.error(AUTH["store_unusable"].format(problem=exc.issues[0].message))
    st.stop()

user = current_user()
if user is None:
    page = st.navigation([st.Page(sign_in_page, title=AUTH["title"], icon=":material/login:")])
else:
    titles = dict(PAGE)
    if user.role in ("admin", "evaluator"):  # those who decide appeals see how many wait
        # those that can be decided now (a round in its appeal window), where the page opens (issue 29)
        waiting = sum(v.open_appeals for v in data.round_views().values() if v.status == "appeal")
        if waiting:
            titles["appeals"] = LABEL["appeals_waiting"].format(page=PAGE["appeals"], n=waiting)
    page = st.navigation(
        [st.Page(PAGES[k][0], title=titles[k], icon=PAGES[k][1], default=i == 0, url_path=k)
         for i, k in enumerate(MENUS[user.role])],
        expanded=True,  # folded, Streamlit ends the menu with its English "View N more"
    )  # fmt: skip

with st.sidebar:
    st.markdown(f"### {APP_TITLE}")
    if data.demo_mode():
        note = NATIONAL_DEMO_NOTE if data.demo_rubric() else DEMO_NOTE
        st.info(f"**{AUTH['demo_banner']}** · {note}", icon=":material/science:")
    if user is not None:
        # a unit account by its unit's name, as everywhere else (issue 17), the login name beside it
        unit_name = data.roster().set_index("unit_id")["name"].get(user.unit_id, user.unit_id) if user.unit_id else ""
        st.caption(AUTH["signed_in"].format(user=f"{user.name}({ROLE_NAMES[user.role]}"
                                            f"{' · ' + unit_name if unit_name else ''})"))  # fmt: skip
        result, visible = data.view(user)
        if result is not None:
            st.caption(
                LABEL["round_in_view"].format(
                    rubric=result.rubric.spec.title, version=result.rubric.spec.version, periods="、".join(visible)
                )
            )
        if user.role == "admin":  # the server's path is the office's business, not every reader's
            st.caption(LABEL["store_path"].format(path=data.db_path()))
        # the ranking, unit and annual pages' tables in full, for printing (a scrolling grid prints cut)
        st.toggle(LABEL["print_mode"], key="print_mode", help=LABEL["print_mode_help"])
        sign_out_button(user)

page.run()
