"""Who is signed in: one `current_user()` whichever way they signed in.

Embedded accounts (in the store) sign in on the page; a deployment with single sign-on
configures `st.login` (OpenID Connect, e.g. an on-premises Keycloak) in `.streamlit/secrets.toml`,
and the role and unit then come from the identity provider's claims (`assess_role`,
`assess_unit`) or, failing those, from the store account of the same name. Sessions end after
30 idle minutes, and at the next page run once the office disables the account, resets its
password or changes its role or unit (the store refuses such a session's writes in any case).
"""

from __future__ import annotations

import time

import streamlit as st

from scoring.store.access import account_problem
from scoring.store.accounts import (
    ROLES,
    SignInError,
    User,
    account,
    authenticate,
    ended_session,
    has_accounts,
    sign_out,
)

from . import data
from .glossary import AUTH, AUTH_ENDED

SESSION_KEY = "auth_user"
SEEN_KEY = "auth_seen"
ENDED_KEY = "auth_ended"
IDLE_SECONDS = 30 * 60


def _oidc_user() -> User | None:
    try:
        info = st.user
        logged_in = bool(getattr(info, "is_logged_in", False))
    except Exception:  # st.user needs a configured provider; without one there is no SSO user
        return None
    if not logged_in:
        return None
    name = str(info.get("email") or info.get("preferred_username") or info.get("name") or "")
    role, unit = info.get("assess_role"), info.get("assess_unit")
    if role in ROLES:  # from the claims: the identity provider vouches for the role and unit
        user = User(name, role, unit if role == "unit" else None, sso=True)
        # the office's disabling of an account of the same name holds for single sign-on too
        return None if account_problem(data.store(), user) is not None else user
    found = account(data.store(), name)  # an enabled account only, read at every run
    return None if found is None else User(name, found.role, found.unit_id if found.role == "unit" else None)


def current_user() -> User | None:
    """The signed-in user as the account stands now; None (and the sign-in page) once the session
    has ended, with the reason kept for that page to say."""
    sso = _oidc_user()
    if sso is not None:
        return sso
    user = st.session_state.get(SESSION_KEY)
    if user is None:
        return None
    if time.time() - st.session_state.get(SEEN_KEY, 0) > IDLE_SECONDS:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["auth_expired"] = True
        return None
    # read again at every run: an open session must not outlive what the office did to the account
    problem = account_problem(data.store(), user)
    if problem is not None:
        ended_session(data.store(), user, problem[0])
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[ENDED_KEY] = problem[0]
        return None
    st.session_state[SEEN_KEY] = time.time()
    return user


def sign_in_page() -> None:
    st.title(AUTH["title"])
    if st.session_state.pop("auth_expired", False):
        st.warning(AUTH["expired"])
    ended = st.session_state.pop(ENDED_KEY, None)
    if ended is not None:
        st.warning(AUTH_ENDED[ended])
    with st.form("sign_in"):
        name = st.text_input(AUTH["name"])
        password = st.text_input(AUTH["password"], type="password")
        if st.form_submit_button(AUTH["submit"], type="primary"):
            try:
                user = authenticate(data.store(), name.strip(), password, demo_allowed=data.demo_mode())
            except SignInError as exc:
                st.error(str(exc))
            else:
                st.session_state[SESSION_KEY] = user
                st.session_state[SEEN_KEY] = time.time()
                st.rerun()
    # a reload is a new Streamlit session; keeping a sign-in across it needs a signed session cookie,
    # which Streamlit does not offer for local accounts (st.login does for single sign-on)
    st.caption(AUTH["reload_note"])
    if data.demo_mode():
        st.info(AUTH["demo"], icon=":material/science:")
        st.table(data.demo_credentials())
    elif not has_accounts(data.store()):
        st.info(AUTH["no_accounts"])


def sign_out_button(user: User) -> None:
    if st.button(AUTH["sign_out"]):
        sign_out(data.store(), user)
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
