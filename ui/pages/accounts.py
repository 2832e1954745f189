"""账号管理: the assessment office adds accounts, disables or re-enables them and resets passwords."""

import streamlit as st

from scoring import InputError, format_issue
from scoring.store.accounts import ROLE_NAMES, ROLES, add_user, disable_user, enable_user, list_users, set_password
from ui import data
from ui.glossary import ACCOUNT_COLUMNS, AUTH, LABEL, YES
from ui.tables import beijing_time
from ui.widgets import action_page

user = action_page("accounts", "accounts")
store = data.store()

# the forms keep what was typed when something is wrong (issue 29) and are emptied only here,
# before their widgets are drawn, once a change went through (or, for the passwords, did not match)
# (set to their empty values, not dropped: a browser keeps showing what was typed in a dropped one)
_EMPTY = {"new_name": "", "new_role": ROLES[0], "new_unit": None, "new_password": "", "new_password_again": "",
          "change_action": None, "change_password": ""}  # fmt: skip
_NEW = ("new_name", "new_role", "new_unit", "new_password", "new_password_again")
_CHANGE = ("change_action", "change_password")
for key in st.session_state.pop("accounts_clear", ()):
    st.session_state[key] = _EMPTY[key]
if "accounts_done" in st.session_state:
    st.success(st.session_state.pop("accounts_done"))
if "accounts_error" in st.session_state:
    st.error(st.session_state.pop("accounts_error"))


def _done(message: str, clear: tuple[str, ...]) -> None:
    # the table above is redrawn with the change; the message waits for the redraw
    st.session_state["accounts_done"] = message
    st.session_state["accounts_clear"] = clear
    st.rerun()


def _errors(exc: InputError) -> None:
    st.error("\n".join(f"- {format_issue(i)}" for i in exc.issues))


roster = data.roster()
unit_names = dict(zip(roster["unit_id"], roster["name"], strict=True))
accounts = list_users(store)
view = accounts.assign(
    role=accounts["role"].map(ROLE_NAMES),
    # a unit account by its unit's name, as everywhere else (a code is the office's shorthand)
    unit_id=accounts["unit_id"].map(unit_names).fillna(accounts["unit_id"]).fillna(""),
    disabled=accounts["disabled"].map({1: LABEL["account_disabled"], 0: LABEL["account_active"]}),
    demo=accounts["demo"].map({1: YES, 0: ""}),
    created_at=beijing_time(accounts["created_at"]),
)
st.dataframe(view.rename(columns=ACCOUNT_COLUMNS), hide_index=True, placeholder="", width="stretch")

left, right = st.columns(2)
with left, st.form("add_account", clear_on_submit=False):
    st.markdown(f"**{LABEL['add_account']}**")
    name = st.text_input(AUTH["name"], key="new_name")
    role = st.selectbox(LABEL["role"], list(ROLES), format_func=ROLE_NAMES.get, key="new_role")
    unit = st.selectbox(LABEL["account_unit"], [None, *unit_names], key="new_unit",
                        format_func=lambda u: LABEL["no_unit"] if u is None else f"{unit_names[u]}({u})")  # fmt: skip
    first = st.text_input(AUTH["password"], type="password", key="new_password")
    again = st.text_input(LABEL["password_again"], type="password", key="new_password_again")
    if st.form_submit_button(LABEL["add_account"], type="primary"):
        if first != again:  # typed again, both; the name, role and unit stay as they were
            st.session_state["accounts_error"] = LABEL["passwords_differ"]
            st.session_state["accounts_clear"] = ("new_password", "new_password_again")
            st.rerun()
        else:
            try:
                add_user(store, name.strip(), role, first, user, unit_id=unit if role == "unit" else None)
            except InputError as exc:
                _errors(exc)
            else:
                _done(LABEL["account_added"].format(name=name.strip()), _NEW)

with right:
    names = list(accounts["name"])
    with st.form("change_account", clear_on_submit=False):
        st.markdown(f"**{LABEL['change_account']}**")
        who = st.selectbox(AUTH["name"], names, key="change_name")
        # nothing chosen until the office chooses: 停用 preselected was one click from locking someone out
        action = st.radio(LABEL["account_action"], ["disable", "enable", "password"], horizontal=True, index=None,
                          format_func=lambda a: LABEL[f"account_{a}"], key="change_action")  # fmt: skip
        new = st.text_input(LABEL["new_password"], type="password", key="change_password")
        if st.form_submit_button(LABEL["confirm"]) and who:
            if action is None:
                st.error(LABEL["account_pick_action"])
            elif action == "disable" and who == user.name:
                st.error(LABEL["not_yourself"])  # one's own account stays usable
            else:
                change = {
                    "disable": lambda: disable_user(store, who, user),
                    "enable": lambda: enable_user(store, who, user),
                    "password": lambda: set_password(store, who, new, user),
                }[action]
                try:
                    change()
                except InputError as exc:
                    _errors(exc)
                else:
                    _done(LABEL[f"account_{action}_done"].format(name=who), _CHANGE)
