"""What a page looks like printed (A4, 打印 from the browser): no sidebar, menu or buttons, the page
as wide as the paper, and tables and charts not cut across pages."""

import streamlit as st

PRINT_CSS = """
<style>
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stDownloadButton"], [data-testid="stButton"],
  [data-testid="stStatusWidget"], [data-testid="stSidebarCollapsedControl"] { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important;
                                                                margin: 0 !important; }
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stPlotlyChart"],
  [data-testid="stMetric"] { break-inside: avoid; page-break-inside: avoid; }
}
</style>
"""


def print_layout() -> None:
    st.markdown(PRINT_CSS, unsafe_allow_html=True)
